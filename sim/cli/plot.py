"""The ``giftsim plot`` command: draw every figure of a results folder, or of a sweep's folder."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sim.cli.common import bounded_int, usage_error

COMMANDS = ("plot",)
DEFAULT_DPI = 300  # sim.figures.DEFAULT_DPI, restated so that the parser needs no matplotlib (a test checks)
PROVENANCE_FILE = "provenance.json"
MAX_DPI = 1200  # a print-quality figure; far more asks matplotlib for gigabytes of pixels


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``plot`` on a parser's subcommands."""
    plot_parser = subparsers.add_parser("plot", help="draw every figure of a results folder")
    plot_parser.add_argument("results", type=Path, help="a results folder, e.g. results/default-0")
    plot_parser.add_argument("--format", dest="formats", action="extend", nargs="+", metavar="FORMAT",
                             help="png, svg or pdf; repeat it or list several (default png)")
    plot_parser.add_argument("--dpi", type=bounded_int(1, MAX_DPI), default=DEFAULT_DPI,
                             help=f"PNG resolution in dots per inch, at most {MAX_DPI} (default {DEFAULT_DPI})")
    plot_parser.add_argument("--width", default="single", metavar="single|double|WIDTH_IN",
                             help="figure width: a journal's single column (3.5 in, the default), its double "
                                  "column (7.2 in), or inches; text stays 7 pt or more")
    plot_parser.add_argument("--out", type=Path,
                             help="folder for the figures (default RESULTS/figures); outside RESULTS, a "
                                  f"{PROVENANCE_FILE} beside them says which results they show")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim plot``; return the exit status."""
    from sim.figures import FORMATS, figure_width
    from sim.io.folder import explain_write_error
    from sim.sweeps.store import DamagedSweepError

    formats = list(dict.fromkeys(fmt.lower() for fmt in args.formats or ["png"]))  # once each, in order
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        return usage_error(f"--format: unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    try:
        args.width = figure_width(args.width)
    except ValueError as exc:
        return usage_error(f"--width: {exc}")
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
        written = save_run_figures(results, out, formats=formats, dpi=args.dpi, width=args.width)
    except KeyError as exc:  # a column or summary key that results from an older giftsim lack
        return usage_error(f"{args.results}: the results have no {exc}; run the config again")
    _write_provenance_outside(args.results, out, results["meta"], written)
    print(f"{len(written)} files written to {out}: {', '.join(sorted({path.stem for path in written}))}")
    return 0


def _plot_sweep(args: argparse.Namespace, formats: list[str]) -> int:
    """Draw a sweep folder's figures: each metric against each swept parameter."""
    from sim.figures import save_figures, sweep_figures
    from sim.io.provenance import figure_provenance
    from sim.sweeps.results import open_results
    from sim.sweeps.spec import param_column
    from sim.sweeps.store import META_FILE

    results = open_results(args.results)
    if results.runs.empty:
        return usage_error(f"{args.results}: no finished runs to plot yet")
    parameters = {param_column(path): path for path in results.spec.parameters}
    out = args.out or args.results / "figures"
    meta = json.loads((args.results / META_FILE).read_text(encoding="utf-8"))
    sampled = [param_column(path) for path in results.spec.sampled_parameters]
    drawn = sweep_figures(results.runs, parameters, sampled=sampled, width=args.width)
    written = save_figures(drawn, out, formats=formats,
                           dpi=args.dpi, provenance=figure_provenance(meta))
    _write_provenance_outside(args.results, out, meta, written)
    print(f"{len(written)} files written to {out}")
    return 0


def _write_provenance_outside(results: Path, out: Path, meta: dict, written: list[Path]) -> None:
    """Beside figures written outside their results folder, a file saying which results they show.

    Inside the folder, its ``meta.json`` says so already.
    """
    from sim import __version__
    from sim.io.provenance import figure_provenance

    if out.resolve().is_relative_to(results.resolve()):
        return
    record = {"results": str(results), **figure_provenance(meta), "drawn_by": f"giftsim {__version__}",
              "files": sorted(path.name for path in written)}
    (out / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


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
