"""The ``giftsim plot`` command: draw every figure of a results folder, or of a sweep's folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import bounded_int, usage_error

COMMANDS = ("plot",)
DEFAULT_DPI = 300  # sim.figures.DEFAULT_DPI, restated so that the parser needs no matplotlib (a test checks)
MAX_DPI = 1200  # a print-quality figure; far more asks matplotlib for gigabytes of pixels


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``plot`` on a parser's subcommands."""
    plot_parser = subparsers.add_parser("plot", help="draw every figure of a results folder")
    plot_parser.add_argument("results", type=Path, help="a results folder, e.g. results/default-0")
    plot_parser.add_argument("--format", dest="formats", action="extend", nargs="+", metavar="FORMAT",
                             help="png, svg or pdf; repeat it or list several (default png)")
    plot_parser.add_argument("--dpi", type=bounded_int(1, MAX_DPI), default=DEFAULT_DPI,
                             help=f"PNG resolution in dots per inch, at most {MAX_DPI} (default {DEFAULT_DPI})")
    plot_parser.add_argument("--out", type=Path, help="folder for the figures (default RESULTS/figures)")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim plot``; return the exit status."""
    from sim.figures import FORMATS
    from sim.io.folder import explain_write_error
    from sim.sweeps.store import DamagedSweepError

    formats = list(dict.fromkeys(fmt.lower() for fmt in args.formats or ["png"]))  # once each, in order
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        return usage_error(f"--format: unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    try:
        if (args.results / "sweep.yaml").is_file():
            return _plot_sweep(args, formats)
        return _plot_run(args, formats)
    except DamagedSweepError as exc:
        return usage_error(str(exc))
    except OSError as exc:
        return usage_error(f"cannot write figures: {explain_write_error(exc)}")


def _plot_run(args: argparse.Namespace, formats: list[str]) -> int:
    """Draw a run's results folder's figures."""
    from sim.figures import save_run_figures
    from sim.io.folder import read_results

    problem = _run_folder_problem(args.results)
    if problem:
        return usage_error(problem)
    try:
        results = read_results(args.results)
    except (OSError, ValueError) as exc:  # unreadable Parquet or JSON raise ValueError subclasses
        return usage_error(f"{args.results}: cannot read results: {exc}")
    out = args.out or args.results / "figures"
    try:
        written = save_run_figures(results, out, formats=formats, dpi=args.dpi)
    except KeyError as exc:  # a column or summary key that results from an older giftsim lack
        return usage_error(f"{args.results}: the results have no {exc}; run the config again")
    print(f"{len(written)} files written to {out}: {', '.join(sorted({path.stem for path in written}))}")
    return 0


def _plot_sweep(args: argparse.Namespace, formats: list[str]) -> int:
    """Draw a sweep folder's figures: each metric against each swept parameter."""
    from sim.figures import save_figures, sweep_figures
    from sim.sweeps.results import open_results
    from sim.sweeps.spec import param_column

    results = open_results(args.results)
    if results.runs.empty:
        return usage_error(f"{args.results}: no finished runs to plot yet")
    parameters = {param_column(path): path for path in results.spec.parameters}
    out = args.out or args.results / "figures"
    written = save_figures(sweep_figures(results.runs, parameters), out, formats=formats, dpi=args.dpi)
    print(f"{len(written)} files written to {out}")
    return 0


def _run_folder_problem(results: Path) -> str | None:
    """What keeps ``results`` from being a run's results folder, or None."""
    from sim.io.folder import TABLES

    if not results.exists():
        return f"{results}: no such folder"
    if not results.is_dir():
        return f"{results}: not a folder; give a results folder, e.g. results/default-0"
    needed = ["summary.json", "meta.json", *(f"{table}.parquet" for table in TABLES)]
    missing = [name for name in needed if not (results / name).is_file()]
    if missing:
        return f"{results}: not a results folder (no {missing[0]}); giftsim run writes one"
    return None
