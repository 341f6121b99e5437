"""The ``giftsim compare`` command: paired changes between a sweep's points, with intervals that say how sure.

``giftsim compare SWEEP`` compares every point with the baseline (the first point, or ``--baseline``)
replicate by replicate, over the headline metrics, Holm-adjusted for their number; then each region's
change in gross spend and creator income. ``giftsim compare RUN_A RUN_B`` prints the two runs'
differences, which one pair cannot put an interval on.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from sim.cli.common import usage_error

COMMANDS = ("compare",)
METRICS = ("gross_spend_usd", "creator_income_usd", "platform_revenue_usd", "payers")
REGION_METRICS = ("gross_spend_usd", "creator_income_usd")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``compare`` on a parser's subcommands."""
    parser = subparsers.add_parser("compare", help="paired changes between a sweep's points, with intervals")
    parser.add_argument("folders", type=Path, nargs="+", metavar="RUN_OR_SWEEP",
                        help="a sweep's results folder, or two run folders")
    parser.add_argument("--baseline", action="append", default=[], metavar="PATH=VALUE",
                        help="the baseline point, one swept parameter each (default: the sweep's first point)")
    parser.add_argument("--metric", action="append", metavar="NAME",
                        help=f"summary keys compared (default: {', '.join(METRICS)})")
    parser.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim compare``; return the exit status."""
    from sim.engine.config_io import ConfigError, parse_override
    from sim.sweeps.results import NotSweepResultsError, SweepResults, open_results

    if not 0.5 <= args.level < 1.0:
        return usage_error(f"--level: between 0.5 and 1, got {args.level}")
    try:
        opened = [open_results(folder) for folder in args.folders]
    except NotSweepResultsError as exc:
        return usage_error(str(exc))
    metrics = args.metric or list(METRICS)
    try:
        if len(opened) == 1 and isinstance(opened[0], SweepResults):
            baseline = dict(parse_override(setting, "--baseline") for setting in args.baseline)
            print(_compare_sweep(opened[0], baseline, metrics, args.level))
        elif len(opened) == 2 and not any(isinstance(o, SweepResults) for o in opened):
            print(_compare_runs(opened, metrics))
        else:
            return usage_error("give one sweep folder, or two run folders")
    except (KeyError, ValueError, ConfigError) as exc:
        return usage_error(str(exc).strip("'\""))
    return 0


def _compare_sweep(results, baseline: dict, metrics: list[str], level: float) -> str:
    from sim.sweeps.compare import differences, holm_comparison
    from sim.sweeps.spec import param_column

    runs, parameters = results.runs, results.parameter_columns
    if not results.spec.has_common_seeds:
        raise ValueError("the sweep's seeds are independent: its points cannot be paired; rerun with seeds: common")
    if not parameters:
        raise ValueError("the sweep varies no parameter: there is nothing to compare")
    if baseline:
        baseline = {param_column(k) if k in results.spec.parameters else k: v for k, v in baseline.items()}
    else:
        first = runs.loc[runs["point"] == runs["point"].min()].iloc[0]
        baseline = {c: first[c] for c in parameters}
    table = holm_comparison(runs, parameters, baseline, metrics, level)
    path_of = {param_column(path): path for path in results.spec.parameters}  # columns back to dotted paths
    shown = ", ".join(f"{path_of.get(c, c)}={_value(v)}" for c, v in baseline.items())
    lines = [f"Paired changes from the baseline ({shown}), replicate by replicate; intervals at "
             f"{1 - (1 - level) / len(metrics):.2%} (= {level:.0%} over {len(metrics)} metrics, Bonferroni), "
             "p-values Holm-adjusted:"]
    for point, group in table.groupby(parameters, sort=False):
        point = point if isinstance(point, tuple) else (point,)
        lines.append(f"  {_label(parameters, point, path_of)}  ({int(group['n'].iloc[0])} pairs)")
        for _, row in group.iterrows():
            lines.append(f"    {row['metric']:<24} {format_change(row)}"
                         f"  p={row['p_holm']:.3g}  {row['verdict']}")
    regions = sorted({c.split("__")[1] for c in runs.columns if c.startswith("by_region__")})
    region_metrics = [f"by_region__{r}__{m}" for r in regions for m in REGION_METRICS if f"by_region__{r}__{m}" in runs]
    if region_metrics:
        by_region = differences(runs, parameters, baseline, region_metrics, paired=True, level=level)
        by_region = by_region.loc[by_region["difference"].notna()]
        lines.append(f"By region (paired, {level:.0%} intervals, not adjusted):")
        for point, group in by_region.groupby(parameters, sort=False):
            point = point if isinstance(point, tuple) else (point,)
            if all(math.isclose(float(v), float(baseline[c])) if isinstance(v, int | float) else v == baseline[c]
                   for c, v in zip(parameters, point, strict=True)):
                continue
            lines.append(f"  {_label(parameters, point, path_of)}")
            for _, row in group.iterrows():
                _, region, metric = row["metric"].split("__")
                scale = abs(row["baseline"]) or math.nan
                lines.append(f"    {region:<4} {metric:<20} {_relative(row['difference'] / scale)} "
                             f"[{_relative(row['low'] / scale)}, {_relative(row['high'] / scale)}]")
    return "\n".join(lines)


def _compare_runs(opened, metrics: list[str]) -> str:
    a, b = (o.runs.iloc[0] for o in opened)
    lines = [f"{opened[1].path} against {opened[0].path}: one pair, so no interval (a sweep with replicates "
             "gives one)"]
    for metric in metrics:
        base = float(a[metric])
        lines.append(f"  {metric:<24} {base:,.2f} -> {float(b[metric]):,.2f}  "
                     f"({_relative((float(b[metric]) - base) / abs(base) if base else math.nan)})")
    return "\n".join(lines)


def _label(parameters: list[str], point: tuple, path_of: dict[str, str]) -> str:
    """A point as ``dotted.path=value, ...``."""
    return ", ".join(f"{path_of.get(c, c)}={_value(v)}" for c, v in zip(parameters, point, strict=True))


def format_change(change) -> str:
    """A paired change relative to its baseline, with its interval: ``+2.6% [+0.9%, +4.3%]`` (n/a at a baseline of 0).

    ``change`` is a row of :func:`sim.sweeps.compare.holm_comparison`; ``giftsim sweep``'s closing table
    prints the same.
    """
    scale = abs(change["baseline"]) or math.nan
    return f"{_relative(change['relative'])} [{_relative(change['low'] / scale)}, {_relative(change['high'] / scale)}]"


def _relative(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:+.1%}"


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
