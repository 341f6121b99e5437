"""The ``giftsim`` command (also ``python -m sim``).

Every user mistake (a bad config, a bad option, an existing results folder) ends with one clear
message on stderr and exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sim import __version__
from sim.config import Config
from sim.config_io import ConfigError, config_schema, load_config
from sim.results import ResultsExistError, default_results_dir, write_results
from sim.runner import run, with_days

USAGE_ERROR = 2
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


def main(argv: list[str] | None = None) -> int:
    """Run the ``giftsim`` command; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "schema":
            print(json.dumps(config_schema(), indent=2))
            return 0
        config = load_config(args.config, args.overrides)
        if args.command == "validate":
            print(f"{args.config}: valid. {describe(config)}")
            return 0
        return _run(args, config)
    except (ConfigError, ResultsExistError) as exc:
        print(f"giftsim: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except OSError as exc:
        print(f"giftsim: error: cannot write results: {exc}", file=sys.stderr)
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
