"""The ``giftsim`` command (also ``python -m sim``).

Every user mistake (a bad config, a bad option, an existing results folder) ends with one clear
message on stderr and exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from sim import __version__
from sim.cli import sweep as sweep_cli
from sim.engine.config import Config
from sim.engine.config_io import ConfigError, config_schema, load_config
import matplotlib.pyplot as plt

from sim.figures.plots import DEFAULT_DPI, FORMATS, save_figures, save_run_figures, sweep_figures
from sim.sweeps.results import open_results
from sim.sweeps.spec import param_column
from sim.engine.resources import InsufficientMemoryError
from sim.io.folder import (
    TABLES, ResultsExistError, default_results_dir, explain_write_error, read_results, write_results,
)
from sim.io.runner import run, with_days

USAGE_ERROR = 2
INTERRUPTED = 130  # the shell's convention for a process stopped by SIGINT
HEADLINES = (
    ("gross_spend_usd", "Gross viewer spend (USD)", "{:,.2f}"),
    ("creator_income_usd", "Creator income (USD)", "{:,.2f}"),
    ("creator_payout_usd", "Creator payouts (USD)", "{:,.2f}"),
    ("platform_revenue_usd", "Platform revenue (USD)", "{:,.2f}"),
    ("creator_share_of_spend", "Creator share of spend", "{:.1%}"),
    ("payer_ratio", "Payer ratio", "{:.1%}"),
    ("creator_income_gini", "Creator income Gini", "{:.3f}"),
    ("gifts", "Gifts", "{:,}"),
    ("brand_spend_usd", "Brand spend (USD)", "{:,.2f}"),
)


def _add_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", type=Path, help="YAML config file, e.g. configs/default.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a field, e.g. --set platform.creator_share=0.5 (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="giftsim", description="Simulate creator-gifting economies.")
    parser.add_argument("--version", action="version", version=f"giftsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_parser = commands.add_parser("run", help="run one config and write a results folder")
    _add_config_arguments(run_parser)
    run_parser.add_argument("--out", type=Path, help="results folder (default results/<config-name>-<seed>)")
    run_parser.add_argument("--seed", type=_non_negative_int, help="seed (default: run.seed in the config)")
    run_parser.add_argument("--days", type=_positive_int, help="simulated days (default: run.days)")
    run_parser.add_argument("--overwrite", action="store_true", help="replace an existing results folder")
    run_parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    validate_parser = commands.add_parser("validate", help="check a config and say what it describes")
    _add_config_arguments(validate_parser)

    commands.add_parser("schema", help="print the JSON Schema of a config")
    sweep_cli.add_commands(commands)

    plot_parser = commands.add_parser("plot", help="draw every figure of a results folder")
    plot_parser.add_argument("results", type=Path, help="a results folder, e.g. results/default-0")
    plot_parser.add_argument("--format", dest="formats", action="extend", nargs="+", metavar="FORMAT",
                             help="png, svg or pdf; repeat it or list several (default png)")
    plot_parser.add_argument("--dpi", type=_positive_int, default=DEFAULT_DPI,
                             help=f"PNG resolution in dots per inch (default {DEFAULT_DPI})")
    plot_parser.add_argument("--out", type=Path, help="folder for the figures (default RESULTS/figures)")
    return parser


def _non_negative_int(text: str) -> int:
    value = int(text) if text.isdigit() else -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative whole number, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C, so partial output is removed on the way out


def main(argv: list[str] | None = None) -> int:
    """Run the ``giftsim`` command; return its exit status."""
    args = build_parser().parse_args(argv)
    on_main_thread = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if on_main_thread else None
    try:
        return _dispatch(args)
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _dispatch(args: argparse.Namespace) -> int:
    try:
        if args.command == "schema":
            print(json.dumps(config_schema(), indent=2))
            return 0
        if args.command == "plot":
            return _plot(args)
        if args.command in sweep_cli.COMMANDS:
            return sweep_cli.run_command(args)
        config = load_config(args.config, args.overrides)
        if args.command == "validate":
            print(f"{args.config}: valid. {describe(config)}")
            return 0
        return _run(args, config)
    except (ConfigError, ResultsExistError, InsufficientMemoryError) as exc:
        print(f"giftsim: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("giftsim: interrupted; nothing was written", file=sys.stderr)
        return INTERRUPTED
    except OSError as exc:
        print(f"giftsim: error: cannot write results: {explain_write_error(exc)}", file=sys.stderr)
        return USAGE_ERROR


def _run(args: argparse.Namespace, config: Config) -> int:
    config = with_days(config, args.days)
    seed = config.run.seed if args.seed is None else args.seed
    out = args.out or default_results_dir(config.name, seed)
    if out.exists() and not args.overwrite:
        raise ResultsExistError(f"{out} exists; pass --overwrite to replace it, or choose another --out")
    started = time.perf_counter()
    result = run(config, seed=seed, progress=not args.quiet)
    wall_time = time.perf_counter() - started
    write_results(result, out, overwrite=args.overwrite, wall_time_s=round(wall_time, 3))
    if not args.quiet:
        print(f"{config.name}, seed {seed}, {config.run.days} days, simulated in {wall_time:.1f} s")
        for key, label, fmt in HEADLINES:
            print(f"  {label:<26} {fmt.format(result.summary[key])}")
        print(f"Results: {out}")
    return 0


def _plot(args: argparse.Namespace) -> int:
    formats = list(dict.fromkeys(fmt.lower() for fmt in args.formats or ["png"]))  # once each, in order
    if (args.results / "sweep.yaml").is_file():
        return _plot_sweep(args, formats)
    problem = _plot_problem(args.results, formats)
    if problem:
        print(f"giftsim: error: {problem}", file=sys.stderr)
        return USAGE_ERROR
    try:
        results = read_results(args.results)
    except (OSError, ValueError) as exc:  # unreadable Parquet or JSON raise ValueError subclasses
        print(f"giftsim: error: {args.results}: cannot read results: {exc}", file=sys.stderr)
        return USAGE_ERROR
    out = args.out or args.results / "figures"
    try:
        written = save_run_figures(results, out, formats=formats, dpi=args.dpi)
    except KeyError as exc:  # a column or summary key that results from an older giftsim lack
        print(f"giftsim: error: {args.results}: the results have no {exc}; run the config again", file=sys.stderr)
        return USAGE_ERROR
    except OSError as exc:
        print(f"giftsim: error: cannot write figures: {explain_write_error(exc)}", file=sys.stderr)
        return USAGE_ERROR
    print(f"{len(written)} files written to {out}: {', '.join(sorted({path.stem for path in written}))}")
    return 0


def _plot_sweep(args: argparse.Namespace, formats: list[str]) -> int:
    """Draw a sweep folder's figures: each metric against each swept parameter."""
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        print(f"giftsim: error: --format: unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}",
              file=sys.stderr)
        return USAGE_ERROR
    results = open_results(args.results)
    if results.runs.empty:
        print(f"giftsim: error: {args.results}: no finished runs to plot yet", file=sys.stderr)
        return USAGE_ERROR
    parameters = {param_column(path): path for path in results.spec.parameters}
    figures = sweep_figures(results.runs, parameters)
    out = args.out or args.results / "figures"
    try:
        written = save_figures(figures, out, formats=formats, dpi=args.dpi)
    finally:
        for figure in figures.values():
            plt.close(figure)
    print(f"{len(written)} files written to {out}")
    return 0


def _plot_problem(results: Path, formats: list[str]) -> str | None:
    """What is wrong with ``giftsim plot``'s arguments, or None."""
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        return f"--format: unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}"
    if not results.exists():
        return f"{results}: no such folder"
    if not results.is_dir():
        return f"{results}: not a folder; give a results folder, e.g. results/default-0"
    needed = ["summary.json", "meta.json", *(f"{table}.parquet" for table in TABLES)]
    missing = [name for name in needed if not (results / name).is_file()]
    if missing:
        return f"{results}: not a results folder (no {missing[0]}); giftsim run writes one"
    return None


def describe(config: Config) -> str:
    """One line on what a config describes."""
    p = config.population
    return (
        f"{len(config.regions)} regions, {len(config.channels)} channels, {len(config.gifts)} gifts; "
        f"{p.viewers:,} viewers, {p.creators:,} creators, {p.brands:,} brands; {config.run.days} days; "
        f"creator share {config.platform.creator_share:.0%} of coin value "
        f"(1 diamond = ${config.platform.micro_usd_per_diamond / 1e6:.6f})"
    )


if __name__ == "__main__":
    sys.exit(main())
