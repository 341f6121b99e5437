"""The ``giftsim plot`` command: draw every figure of a results folder, or of a sweep's folder.

By default the figures go into the folder's own ``figures/``. With ``--out`` they make a figures
folder of their own, written by the writer every command's folder goes through
(:func:`sim.io.result_folder.written_folder`): whole or not at all, with a ``provenance.json``
saying which results they show, and ``--overwrite`` replaces only such a folder, never a file, a
link, an unrelated folder or another kind's results.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.cli.common import bounded_int, usage_error
from sim.io.result_folder import FolderKind

COMMANDS = ("plot",)
DEFAULT_DPI = 300  # sim.figures.DEFAULT_DPI, restated so that the parser needs no matplotlib (a test checks)
PROVENANCE_FILE = "provenance.json"
MAX_DPI = 1200  # a print-quality figure; far more asks matplotlib for gigabytes of pixels
FIGURES_DIR = "figures"  # a results folder's own figures
FIGURES_FOLDER = FolderKind("figures folder", PROVENANCE_FILE, frozenset({"results", "drawn_by", "files"}),
                            writer="giftsim plot --out", work="plot")


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
                             help="a new folder for the figures (default RESULTS/figures), with a "
                                  f"{PROVENANCE_FILE} beside them saying which results they show")
    plot_parser.add_argument("--overwrite", action="store_true",
                             help="replace the --out folder if it holds figures giftsim plot --out drew")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim plot``; return the exit status."""
    from sim.figures import FORMATS, figure_width
    from sim.io.folder import explain_write_error
    from sim.io.result_folder import FolderExistsError
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
        _check_out(args)  # before reading or drawing anything
        if (args.results / "sweep.yaml").is_file():
            return _plot_sweep(args, formats)
        return _plot_run(args, formats)
    except (DamagedSweepError, FolderExistsError) as exc:
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
    try:
        with _figures_folder(args) as (out, folder):
            written = save_run_figures(results, folder, formats=formats, dpi=args.dpi, width=args.width)
            _write_provenance(args, folder, results["meta"], written)
    except KeyError as exc:  # a column or summary key that results from an older giftsim lack
        return usage_error(f"{args.results}: the results have no {exc}; run the config again")
    print(f"{len(written)} files written to {out}: {', '.join(sorted({path.stem for path in written}))}")
    return 0


def _plot_sweep(args: argparse.Namespace, formats: list[str]) -> int:
    """Draw a sweep folder's figures: each metric against each swept parameter."""
    from sim.figures import save_figures, sweep_figures
    from sim.figures.style import parameter_label
    from sim.io.provenance import figure_provenance
    from sim.sweeps.results import open_results
    from sim.sweeps.spec import param_column
    from sim.sweeps.store import META_FILE

    results = open_results(args.results)
    if results.runs.empty:
        return usage_error(f"{args.results}: no finished runs to plot yet")
    runs = results.runs
    parameters = {param_column(path): parameter_label(path) or path for path in results.spec.parameters}
    meta = json.loads((args.results / META_FILE).read_text(encoding="utf-8"))
    sampled = [param_column(path) for path in results.spec.sampled_parameters]
    baseline = None
    if results.spec.has_common_seeds and not sampled and runs["point"].nunique() > 1:
        # A sweep on common seeds compares its points with the first, as giftsim compare does by default.
        first = runs.loc[runs["point"] == runs["point"].min()].iloc[0]
        baseline = {column: first[column] for column in parameters}
    drawn = sweep_figures(runs, parameters, sampled=sampled, baseline=baseline, width=args.width)
    with _figures_folder(args) as (out, folder):
        written = save_figures(drawn, folder, formats=formats, dpi=args.dpi, provenance=figure_provenance(meta))
        _write_provenance(args, folder, meta, written)
    print(f"{len(written)} files written to {out}")
    return 0


def _own_figures(args: argparse.Namespace) -> Path | None:
    """The results folder's own ``figures/`` when the figures go there (no ``--out``, or ``--out`` naming it)."""
    own = args.results / FIGURES_DIR
    if args.out is None or os.path.abspath(args.out) == os.path.abspath(own):
        return own
    return None


def _check_out(args: argparse.Namespace) -> None:
    """Refuse, before anything is drawn, a place the figures may not go.

    Raises:
        FolderExistsError: ``--out`` may not be written (:data:`FIGURES_FOLDER`), or the results
            folder's own ``figures`` is a link or not a folder.
    """
    from sim.io.result_folder import FolderExistsError

    own = _own_figures(args)
    if own is None:
        FIGURES_FOLDER.check(args.out, overwrite=args.overwrite)
    elif own.is_symlink() or (os.path.lexists(own) and not own.is_dir()):
        raise FolderExistsError(FIGURES_FOLDER.problem(own, overwrite=True))


@contextmanager
def _figures_folder(args: argparse.Namespace) -> Iterator[tuple[Path, Path]]:
    """Where the figures go, and the folder to draw them into: the results folder's own ``figures/``
    (drawn in place, beside figures drawn before), or ``--out``'s staging folder, moved into place whole."""
    from sim.io.result_folder import written_folder

    own = _own_figures(args)
    if own is not None:
        own.mkdir(exist_ok=True)
        yield own, own
        return
    with written_folder(args.out, FIGURES_FOLDER, overwrite=args.overwrite) as staging:
        yield args.out, staging


def _write_provenance(args: argparse.Namespace, folder: Path, meta: dict, written: list[Path]) -> None:
    """Beside figures drawn into a folder of their own (``--out``), a file saying which results they show;
    it marks the folder as one ``--overwrite`` may replace.

    In the results folder's own ``figures/``, its ``meta.json`` says so already.
    """
    from sim import __version__
    from sim.io.provenance import figure_provenance

    if _own_figures(args) is not None:
        return
    record = {"results": str(args.results), **figure_provenance(meta), "drawn_by": f"giftsim {__version__}",
              "files": sorted(path.name for path in written)}
    (folder / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


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
