"""The ``giftsim sweep``, ``giftsim query`` and ``giftsim sensitivity`` commands.

:func:`add_commands` registers them on the ``giftsim`` parser's subcommands and
:func:`run_command` runs them (``sensitivity`` in :mod:`sim.cli.sensitivity`, with the same errors).
As with every giftsim command, a user's mistake (a bad spec, a
missing file, an existing results folder without ``--resume``, a bad query) ends with one
``giftsim: error: ...`` line on stderr, exit status 2 and nothing written. A sweep in which some
runs failed exits with status 1; an interrupted one with 130 (its folder is kept for ``--resume``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli import sensitivity
from sim.cli.common import RUNS_FAILED, add_executor_arguments, interrupted_status, usage_error
from sim.io.startup import long_lived_imports

if TYPE_CHECKING:
    from sim.sweeps.experiment import SweepReport

COMMANDS = ("sweep", "query", *sensitivity.COMMANDS)
SHOWN_POINTS = 20


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sweep``, ``query`` and ``sensitivity`` on a parser's subcommands (``parser.add_subparsers()``)."""
    sweep_parser = subparsers.add_parser(
        "sweep", help="run a sweep spec: many runs, streamed to a results folder",
        description="Run every run of a sweep spec (see docs/sweeps.md) and stream the results to a folder.")
    sweep_parser.add_argument("spec", type=Path, help="YAML sweep spec, e.g. configs/sweeps/creator_share.yaml")
    sweep_parser.add_argument("--out", type=Path, help="results folder (default results/sweep-<name>)")
    add_executor_arguments(sweep_parser)
    sweep_parser.add_argument("--resume", action="store_true",
                              help="complete an existing results folder: run only what is missing or failed")
    shown = sweep_parser.add_mutually_exclusive_group()
    shown.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
    shown.add_argument("--quiet", action="store_true", help="no progress bar or closing table")

    query_parser = subparsers.add_parser(
        "query", help="run SQL over a sweep's or a run's results with DuckDB",
        description="Run SQL over a sweep's results folder, or a single run's. Views: runs, manifest, and one "
        "per stored per-run table (timeseries, creators, ...; a run's folder: all five tables and the events and "
        "histories it recorded); see docs/sweeps.md and docs/results.md.")
    query_parser.add_argument("results", type=Path, help="a sweep's or a run's results folder")
    query_parser.add_argument("sql", help='the query, e.g. "SELECT count(*) FROM runs"')
    query_parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                              help="output format (default: an aligned table)")
    sensitivity.add_commands(subparsers)


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim sweep``, ``giftsim query`` or ``giftsim sensitivity``; return the exit status."""
    with long_lived_imports():
        import duckdb

        from sim.engine.config_io import ConfigError
        from sim.engine.resources import InsufficientMemoryError
        from sim.io.folder import explain_write_error
        from sim.sweeps.executors import SchedulerUnreachableError
        from sim.sweeps.results import NotAQueryError, NotSweepResultsError
        from sim.sweeps.run_folder import DamagedRunError
        from sim.sweeps.sensitivity import SensitivityError
        from sim.sweeps.store import DamagedSweepError, SweepExistsError, SweepMismatchError

    try:
        if args.command == "sweep":
            return _sweep(args)
        if args.command in sensitivity.COMMANDS:
            return sensitivity.run_command(args)
        return _query(args)
    except ConfigError as exc:
        return usage_error("; ".join(f"{exc.source}: {problem}" for problem in exc.problems))
    except (SweepExistsError, SweepMismatchError, NotSweepResultsError, SchedulerUnreachableError,
            DamagedSweepError, DamagedRunError, NotAQueryError, InsufficientMemoryError, SensitivityError) as exc:
        return usage_error(str(exc))
    except duckdb.Error as exc:
        return usage_error(f"query: {' '.join(str(exc).split())}")
    except OSError as exc:
        return usage_error(f"cannot write results: {explain_write_error(exc)}")


def _sweep(args: argparse.Namespace) -> int:
    with long_lived_imports():
        from sim.sweeps.experiment import sweep

    progress = True if args.progress else (False if args.quiet else None)
    try:
        report = sweep(args.spec, out=args.out, workers=args.workers, scheduler=args.scheduler,
                       dask_local=args.dask_local, resume=args.resume, overrides=args.overrides,
                       progress=progress)
    except KeyboardInterrupt as exc:
        print("giftsim: interrupted; the runs finished so far are kept: run the same command with --resume "
              "to complete the sweep", file=sys.stderr)
        return interrupted_status(exc)
    if not args.quiet:
        print_report(report)
    return RUNS_FAILED if report.failed else 0


def print_report(report: SweepReport) -> None:
    """A few lines on what the sweep did, then the headline metrics per point with their intervals.

    Each point's mean over its replicates comes with its 95% t interval (``±``); on common seeds,
    each point's paired change from the first point follows, with the intervals and Holm-adjusted
    verdicts ``giftsim compare`` gives (:func:`sim.sweeps.compare.holm_comparison`).
    """
    from sim.sweeps.results import open_results

    ran = report.succeeded + report.failed
    print(f"{report.planned} runs planned, {report.skipped} already done; ran {ran} {report.executor} in "
          f"{report.wall_time_s:.1f} s ({report.runs_per_minute:,.0f} runs/min): {report.succeeded} ok, "
          f"{report.failed} failed")
    if report.failed:
        print(f"  failed runs, with their tracebacks: giftsim query {report.out} "
              "\"SELECT run_id, error FROM manifest WHERE status = 'failed'\"")
    if report.precision_note:
        print(report.precision_note[0].upper() + report.precision_note[1:])
    results = open_results(report.out)
    if not results.runs.empty:
        print("\n".join(closing_tables(results)))
    print(f"Results: {report.out}   (giftsim query {report.out} \"SELECT ...\"; docs/sweeps.md)")


def closing_tables(results, level: float = 0.95) -> list[str]:
    """The lines of the closing tables of a sweep's results (:class:`sim.sweeps.results.SweepResults`).

    The first table: per point (the first :data:`SHOWN_POINTS`), the runs finished and each headline
    metric's mean with the half-width of its t interval at ``level``. The second, on common seeds
    with two or more points: each point's paired change from the first point, relative to the
    first point's mean, with its interval and verdict as ``giftsim compare`` prints them.
    """
    import pandas as pd

    from sim.cli.compare import format_change
    from sim.sweeps.compare import holm_comparison, mean_interval
    from sim.sweeps.results import HEADLINE_METRICS

    runs, columns = results.runs, results.parameter_columns
    metrics = [m for m in HEADLINE_METRICS if m in runs.columns]
    paths = dict(zip(columns, results.spec.parameters, strict=True))  # shown as the spec names them
    points = list(runs.groupby("point", sort=True))
    rows = []
    for _, group in points[:SHOWN_POINTS]:
        row = {paths[c]: _value(group[c].iloc[0]) for c in columns} | {"runs": str(len(group))}
        for metric in metrics:
            mean, low, _ = mean_interval(group[metric], level)
            row[metric] = _value(mean) + (f" ±{_value(mean - low)}" if pd.notna(low) else "")
        rows.append(row)
    has_intervals = any(len(group) > 1 for _, group in points)
    lines = [f"Mean per point{f', ±: half its {level:.0%} t interval over the replicates' if has_intervals else ''}:",
             pd.DataFrame(rows).to_string(index=False)]
    if len(points) > SHOWN_POINTS:
        lines.append(f"  ... and {len(points) - SHOWN_POINTS} more points")
    if not (results.spec.has_common_seeds and columns and len(points) > 1 and points[0][1].shape[0] > 1):
        return lines
    baseline = {c: points[0][1][c].iloc[0] for c in columns}
    changes = holm_comparison(runs, columns, baseline, metrics, level)
    rows = []
    for point, group in list(changes.groupby(columns, sort=False))[:SHOWN_POINTS]:
        point = point if isinstance(point, tuple) else (point,)
        row = {paths[c]: _value(v) for c, v in zip(columns, point, strict=True)} | {"pairs": str(group["n"].iloc[0])}
        for _, change in group.iterrows():
            verdict = {"raised": "+", "lowered": "-"}.get(change["verdict"], "?")
            row[change["metric"]] = f"{format_change(change)} {verdict}"
        rows.append(row)
    shown = ", ".join(f"{paths[c]}={_value(v)}" for c, v in baseline.items())
    lines += [f"Paired change from the first point ({shown}), as giftsim compare gives it: intervals at "
              f"{1 - (1 - level) / len(metrics):.2%} (= {level:.0%} over {len(metrics)} metrics, Bonferroni); "
              "+ raised, - lowered, ? no clear change (Holm-adjusted):",
              pd.DataFrame(rows).to_string(index=False)]
    return lines


def _value(value) -> str:
    """A cell: numbers to four significant figures, with thousands separators from 10,000 up."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


def _query(args: argparse.Namespace) -> int:
    import pandas as pd

    from sim.sweeps.results import query

    frame = query(args.results, args.sql)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(frame.to_json(orient="records", indent=1, date_format="iso"))
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            print(frame.to_string(index=False))
    return 0
