"""The ``giftsim sensitivity`` command: run a sensitivity spec as a sweep, print and write its indices and figures.

Registered with the sweep commands (:mod:`sim.cli.sweep` hands it here): it takes their execution
options, runs the spec with :func:`sim.sweeps.sensitivity.sensitivity` (resumable with
``--resume``), prints the indices, and writes them and their figures into the sweep folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli.common import (
    RUNS_FAILED,
    add_executor_arguments,
    add_figure_and_progress_arguments,
    chosen_formats,
    chosen_progress,
    interrupted_status,
    usage_error,
)

COMMANDS = ("sensitivity",)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sensitivity`` on a parser's subcommands."""
    parser = subparsers.add_parser(
        "sensitivity", help="run a sensitivity spec (Morris or Sobol, SALib) and report its indices",
        description="Run a spec's sensitivity design as a sweep (see docs/sensitivity.md), average each metric "
        "over a point's replicates, and report Morris mu*, mu and sigma or Sobol S1 and ST with bootstrap "
        "intervals. The indices go to sensitivity.parquet and sensitivity.csv in the sweep folder, the figures "
        "to its figures/ folder.")
    parser.add_argument("spec", type=Path, help="YAML spec with a sensitivity section, e.g. "
                        "configs/sweeps/sensitivity_tiktok.yaml")
    parser.add_argument("--metric", dest="metrics", action="append", metavar="KEY",
                        help="summary key to analyse (repeatable; default: the spec's sensitivity.metrics)")
    parser.add_argument("--out", type=Path, help="results folder (default results/sweep-<name>)")
    add_executor_arguments(parser)
    parser.add_argument("--resume", action="store_true",
                        help="reuse an existing results folder: run only what is missing or failed, then analyse")
    add_yes_argument(parser)
    add_figure_and_progress_arguments(parser)


def add_yes_argument(parser: argparse.ArgumentParser) -> None:
    """``--yes``: start work estimated above the limit that starts without asking."""
    from sim.sweeps.work_estimate import MAX_UNCONFIRMED_S, duration

    parser.add_argument("--yes", action="store_true", help="start even when the work is estimated to take more "
                        f"than {duration(MAX_UNCONFIRMED_S)} (the planned runs and the estimate are printed first)")


def check_estimate(estimate, args: argparse.Namespace, lower: str) -> int | None:
    """Print the planned work (unless --quiet); the exit status of refusing it when it is long and not confirmed."""
    from sim.sweeps.work_estimate import MAX_UNCONFIRMED_S, duration

    if estimate.is_long and not args.yes:
        return usage_error(f"{estimate.describe()}; that is more than the {duration(MAX_UNCONFIRMED_S)} that starts "
                           f"without asking: run the same command with --yes to go on, or lower {lower}")
    if not args.quiet:
        print(estimate.describe(), flush=True)
    return None


def nothing_or_kept(out: Path) -> str:
    """What an interrupted sweep leaves: its folder's runs, to --resume, or nothing when no folder was made."""
    from sim.sweeps.store import PLAN_FILE

    if (out / PLAN_FILE).is_file():
        return (f"the runs finished so far are kept in {out}: run the same command with --resume to complete the "
                "analysis")
    return "nothing was written"


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim sensitivity``; return the exit status (errors are handled by :mod:`sim.cli.sweep`)."""
    from sim.figures import save_figures
    from sim.figures.sensitivity import sensitivity_figures
    from sim.io.provenance import figure_provenance
    from sim.sweeps.executors import default_workers
    from sim.sweeps.experiment import as_spec, default_out
    from sim.sweeps.sensitivity import planned_work, sensitivity
    from sim.sweeps.store import META_FILE

    try:
        formats = chosen_formats(args)
    except ValueError as exc:
        return usage_error(str(exc))
    progress = chosen_progress(args)
    spec = as_spec(args.spec, args.overrides)
    out = args.out or default_out(spec)
    try:
        if spec.sensitivity is not None and args.scheduler is None:  # on a cluster, its workers are not known here
            refused = check_estimate(planned_work(spec, args.dask_local or args.workers or default_workers()), args,
                                     "sensitivity.samples, sensitivity.trajectories or replicates")
            if refused is not None:
                return refused
        report = sensitivity(args.spec, metrics=args.metrics, out=out, workers=args.workers,
                             scheduler=args.scheduler, dask_local=args.dask_local, resume=args.resume,
                             overrides=args.overrides, progress=progress)
    except KeyboardInterrupt as exc:
        print(f"giftsim: interrupted; {nothing_or_kept(Path(out))}", file=sys.stderr)
        return interrupted_status(exc)
    ran = report.sweep
    if not args.quiet:
        print(f"{ran.planned} runs planned, {ran.skipped} already done; ran {ran.succeeded + ran.failed} "
              f"{ran.executor} in {ran.wall_time_s:.1f} s: {ran.succeeded} ok, {ran.failed} failed")
    if not ran.is_complete:
        print(f"giftsim: {ran.failed} runs failed; no indices, as every point of the design is needed. See "
              f"giftsim query {ran.out} \"SELECT run_id, error FROM manifest WHERE status = 'failed'\"",
              file=sys.stderr)
        return RUNS_FAILED
    meta = json.loads((ran.out / META_FILE).read_text(encoding="utf-8"))
    figures = save_figures(sensitivity_figures(report.indices), ran.out / "figures", formats=formats,
                           provenance=figure_provenance(meta))
    if not args.quiet:
        print_indices(report.indices)
        print(f"Indices: {', '.join(str(path) for path in report.files)}; {len(figures)} figures in "
              f"{ran.out / 'figures'}")
    return 0


def print_indices(indices) -> None:
    """Per metric: each parameter's indices with their intervals, the most influential first."""
    from sim.sweeps.sensitivity import MAIN_INDEX

    for metric, rows in indices.groupby("metric", sort=False):
        method = rows["method"].iloc[0]
        wide = rows.pivot(index="parameter", columns="index", values="value")
        for name in ("mu_star", "sigma", "S1", "ST"):
            if name in wide.columns:
                part = rows[rows["index"] == name].set_index("parameter")
                wide[name] = [f"{v:.4g} [{lo:.4g}, {hi:.4g}]" for v, lo, hi in
                              zip(part.loc[wide.index, "value"], part.loc[wide.index, "low"],
                                  part.loc[wide.index, "high"], strict=True)]
        main = rows[rows["index"] == MAIN_INDEX[method]].set_index("parameter")["value"]
        wide = wide.loc[main.sort_values(ascending=False).index]
        columns = ["mu_star", "sigma", "mu"] if method == "morris" else ["S1", "ST"]
        wide = wide[columns].map(lambda v: f"{v:.4g}" if isinstance(v, float) else v)
        print(f"{metric} ({method}; mean over {rows['replicates'].iloc[0]} replicates at each of "
              f"{rows['points'].iloc[0]} points; {rows['level'].iloc[0]:.0%} bootstrap intervals):")
        print(wide.to_string())
