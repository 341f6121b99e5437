"""The ``giftsim validate`` and ``giftsim schema`` commands: check a config, print the config's JSON Schema."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from sim.cli.common import add_config_arguments, usage_error

if TYPE_CHECKING:
    from sim.engine.config import Config

COMMANDS = ("validate", "schema")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``validate`` and ``schema`` on a parser's subcommands."""
    validate_parser = subparsers.add_parser("validate", help="check a config and say what it describes")
    add_config_arguments(validate_parser)
    subparsers.add_parser("schema", help="print the JSON Schema of a config")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim validate`` or ``giftsim schema``; return the exit status."""
    from sim.engine.config_io import ConfigError, config_schema, load_config

    if args.command == "schema":
        print(json.dumps(config_schema(), indent=2))
        return 0
    try:
        config = load_config(args.config, args.overrides)
    except ConfigError as exc:
        return usage_error(str(exc))
    print(f"{args.config}: valid. {describe(config)}")
    return 0


def describe(config: Config) -> str:
    """One line on what a config describes."""
    p = config.population
    return (
        f"{len(config.regions)} regions, {len(config.channels)} channels, {len(config.gifts)} gifts; "
        f"{p.viewers:,} viewers, {p.creators:,} creators, {p.brands:,} brands; {config.run.days} days"
        f"{f' after a {config.run.burn_in_days}-day burn-in' if config.run.burn_in_days else ''}; "
        f"creator share {config.platform.creator_share:.0%} of coin value "
        f"(1 diamond = ${config.platform.micro_usd_per_diamond / 1e6:.6f})"
    )
