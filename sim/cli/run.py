"""The ``giftsim run`` command: run one config and write its results folder, figures included.

Unless ``--quiet``, it prints ``Simulating <config>, seed <seed>, <days> days into <folder>`` (flushed)
as the simulation starts, a progress bar on a terminal, and the headline metrics at the end.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.common import RUNS_FAILED, add_config_arguments, bounded_int, non_negative_int, positive_int, usage_error
from sim.io.startup import long_lived_imports

if TYPE_CHECKING:
    from sim.engine.config import Config

COMMANDS = ("run",)
MAX_SEED = 2**63 - 1  # as run.seed in a config and a sweep's seeds
WHALE_WARNING_SHARE = 0.10  # above this share of spend by one viewer, the closing summary warns
# The closing summary's metrics (labels from sim.figures.style.metric_label), each with its format.
HEADLINES = (
    ("gross_spend_usd", "{:,.2f}"),
    ("creator_income_usd", "{:,.2f}"),
    ("creator_payout_usd", "{:,.2f}"),
    ("platform_revenue_usd", "{:,.2f}"),
    ("creator_share_of_spend", "{:.3f}"),
    ("payer_ratio", "{:.3f}"),
    ("creator_income_gini", "{:.3f}"),
    ("gifts", "{:,}"),
    ("brand_spend_usd", "{:,.2f}"),
)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``run`` on a parser's subcommands."""
    run_parser = subparsers.add_parser("run", help="run one config and write a results folder")
    add_config_arguments(run_parser)
    run_parser.add_argument("--out", type=Path, help="results folder (default results/<config-name>-<seed>)")
    run_parser.add_argument("--seed", type=bounded_int(0, MAX_SEED), help="seed (default: run.seed in the config)")
    run_parser.add_argument("--days", type=positive_int, help="simulated days measured (default: run.days)")
    run_parser.add_argument("--burn-in-days", type=non_negative_int, metavar="DAYS",
                            help="days simulated first and left out of every output, whole weeks "
                            "(default: run.burn_in_days)")
    run_parser.add_argument("--overwrite", action="store_true", help="replace an existing results folder")
    run_parser.add_argument("--events", action="store_true",
                            help="also write every gift and coin purchase (gift_events.parquet, "
                            "purchase_events.parquet; sets run.record.events)")
    run_parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim run``; return the exit status."""
    with long_lived_imports():
        from sim.engine.config_io import ConfigError, load_config
        from sim.engine.resources import InsufficientMemoryError
        from sim.io.folder import ResultsExistError, explain_write_error
        from sim.io.runner import BooksDoNotBalanceError

    try:
        return _run(args, load_config(args.config, args.overrides))
    except (ConfigError, ResultsExistError, InsufficientMemoryError) as exc:
        return usage_error(str(exc))
    except BooksDoNotBalanceError as exc:
        print(f"giftsim: error: {exc}; no results were written", file=sys.stderr)
        return RUNS_FAILED
    except OSError as exc:
        return usage_error(f"cannot write results: {explain_write_error(exc)}")


def _run(args: argparse.Namespace, config: Config) -> int:
    with long_lived_imports():
        from sim.figures import save_run_figures
    from sim.engine import compile_ahead
    from sim.io.folder import check_writable, default_results_dir, write_results
    from sim.io.runner import run, with_burn_in, with_days, with_events

    config = with_events(with_burn_in(with_days(config, args.days), args.burn_in_days), True if args.events else None)
    seed = config.run.seed if args.seed is None else args.seed
    out = args.out or default_results_dir(config.name, seed)
    check_writable(out, args.overwrite)  # checked again as the folder is moved into place
    if not args.quiet:
        print(f"Simulating {config.name}, seed {seed}, {_days(config)} into {out}", flush=True)
    started = time.perf_counter()
    compile_ahead.start()  # on the second core, when Numba's cache lacks kernels (a machine's first run)
    result = run(config, seed=seed, progress=False if args.quiet else None)  # None: on a terminal, not in a log
    wall_time = time.perf_counter() - started
    is_written = False
    try:  # a signal during the swap says whether the folder got in place (write_results); one after it, here
        write_results(result, out, overwrite=args.overwrite, wall_time_s=round(wall_time, 3),
                      figure_writer=save_run_figures)
        is_written = True
        if not args.quiet:
            _print_summary(config, seed, result.summary, wall_time, out)
    except KeyboardInterrupt as exc:
        if is_written:
            exc.written = out  # type: ignore[attr-defined]  # the folder is whole: say so
        raise
    return 0


def _days(config: Config) -> str:
    """The run's length in words: its measured days, after its burn-in when it has one."""
    burn_in = config.run.burn_in_days
    return f"{config.run.days} days" + (f" after a {burn_in}-day burn-in" if burn_in else "")


def _print_summary(config: Config, seed: int, summary: dict, wall_time: float, out: Path) -> None:
    from sim.figures import metric_label

    print(f"{config.name}, seed {seed}, {_days(config)}, simulated in {wall_time:.1f} s")
    labels = {key: metric_label(key) for key, _ in HEADLINES}
    width = max(map(len, labels.values()))
    for key, fmt in HEADLINES:
        print(f"  {labels[key]:<{width}} {fmt.format(summary[key])}")
    warning = whale_warning(summary, config.population.viewers)
    if warning:
        print(f"Warning: {warning}")
    print(f"Results: {out}")


def whale_warning(summary: dict, viewers: int) -> str | None:
    """A warning when one viewer made more than ``WHALE_WARNING_SHARE`` of the spend, with what would cure it.

    The top viewer's share falls about in proportion to the number of viewers, and a mean over
    replicates narrows with their square root: the guide asks for the viewers that bring the share to
    the threshold, or the replicates that narrow the spread by the same factor.
    """
    share = summary["top_viewer_spend_share"]
    if share <= WHALE_WARNING_SHARE:
        return None
    factor = share / WHALE_WARNING_SHARE
    return (f"one viewer made {share:.0%} of the spend (effective payers: {summary['effective_payers']:.0f}): "
            f"this run's money figures rest on a few whales. For a steadier answer, run about "
            f"{math.ceil(factor * viewers):,} viewers (population.viewers), or compare arms over at least "
            f"{math.ceil(factor**2)} replicates (giftsim sweep, then giftsim compare); see docs/precision.md")
