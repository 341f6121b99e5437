"""The ``giftsim dashboard`` command: serve a live dashboard of a config on this machine."""

from __future__ import annotations

import argparse
import inspect
import signal

from sim.cli.common import Terminated, bounded_int, usage_error

COMMANDS = ("dashboard",)
DEFAULT_PORT = 8765  # Solara's usual port
MAX_SEED = 2**63 - 1  # as run.seed in a config


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``dashboard`` on a parser's subcommands."""
    parser = subparsers.add_parser("dashboard", help="serve a live dashboard of a config (Mesa SolaraViz)")
    parser.add_argument("config", nargs="?",
                        help="YAML config file or preset name, e.g. configs/default.yaml or tiktok "
                             "(default: the model's default config)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a field, e.g. --set population.viewers=2000 (repeatable)")
    parser.add_argument("--seed", type=bounded_int(0, MAX_SEED), help="seed (default: run.seed in the config)")
    parser.add_argument("--port", type=bounded_int(1, 65535), default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 to serve on (default {DEFAULT_PORT})")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim dashboard``: check the config and port, print the address, serve until interrupted."""
    try:
        from sim.dashboard import server
    except ImportError as exc:  # solara is in the dashboard extra, not in giftsim's own dependencies
        return usage_error(f"the dashboard needs {exc.name}: pip install 'giftsim[dashboard]'")
    from sim.engine.config_io import ConfigError, apply_overrides, config_from_dict, resolve_config
    from sim.engine.model import GiftEconomy
    from sim.engine.resources import InsufficientMemoryError, check_memory

    # Without CONFIG, the config GiftEconomy builds by default, read from its signature, not restated.
    source = str(args.config or inspect.signature(GiftEconomy).parameters["config"].default)
    try:
        config = resolve_config(source)
        if args.overrides:  # values read as YAML, and errors named as `giftsim run` names them
            config = config_from_dict(apply_overrides(config.model_dump(mode="json"), args.overrides, source),
                                      source=source)
        check_memory(config)
        server.check_port(args.port)
    except (ConfigError, InsufficientMemoryError, server.PortInUseError) as exc:
        return usage_error(str(exc))
    seed = config.run.seed if args.seed is None else args.seed
    print(f"Dashboard of {config.name}, seed {seed}: {server.url(args.port)} (Ctrl-C stops it)", flush=True)
    stopped_by = server.serve(config, seed=seed, port=args.port)
    if stopped_by is not None:  # uvicorn stopped gracefully on it: exit as every command does on a signal
        raise Terminated if stopped_by == signal.SIGTERM else KeyboardInterrupt
    return 0
