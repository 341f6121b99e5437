"""What every ``giftsim`` command shares: exit statuses, the one-line error, and argument types."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

USAGE_ERROR = 2  # a user's mistake: a bad config, option or folder; nothing was written
RUNS_FAILED = 1  # a sweep in which some runs failed
INTERRUPTED = 130  # the shell's convention for a process stopped by SIGINT
TERMINATED = 143  # and by SIGTERM (128 + 15)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as Ctrl-C is so that a command unwinds the same way; it exits 143."""


def interrupted_status(exc: KeyboardInterrupt) -> int:
    """The exit status of a command stopped by ``exc``: 143 for SIGTERM, 130 for Ctrl-C."""
    return TERMINATED if isinstance(exc, Terminated) else INTERRUPTED


def usage_error(message: str) -> int:
    """Print ``giftsim: error: <message>`` on stderr; return :data:`USAGE_ERROR`."""
    print(f"giftsim: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """The config file and its ``--set`` overrides, as ``run`` and ``validate`` take them."""
    parser.add_argument("config", type=Path, help="YAML config file, e.g. configs/default.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a field, e.g. --set platform.creator_share=0.5 (repeatable)")


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """Where a sweep's runs go (``--workers``, ``--scheduler`` or ``--dask-local``) and ``--set`` for every run."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int, metavar="N",
                       help="local worker processes (default: all cores); 1 runs serially in this process")
    where.add_argument("--scheduler", metavar="ADDRESS", type=scheduler_address,
                       help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    where.add_argument("--dask-local", type=positive_int, metavar="N",
                       help="start a local Dask cluster of N worker processes and run on it")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="set a config field in every run, e.g. --set population.viewers=500 (repeatable)")


def add_figure_and_progress_arguments(parser: argparse.ArgumentParser, figures: str = "figure formats") -> None:
    """``--format`` (the figures' formats) and ``--progress`` or ``--quiet``, as the commands that run many runs
    and draw their figures take them."""
    parser.add_argument("--format", dest="formats", action="extend", nargs="+", metavar="FORMAT",
                        help=f"{figures}: png, svg or pdf (default png)")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
    shown.add_argument("--quiet", action="store_true", help="no progress bar or printed results")


def chosen_formats(args: argparse.Namespace) -> list[str]:
    """The figure formats ``--format`` asked for, once each, in order (default png).

    Raises:
        ValueError: A format other than png, svg and pdf, named in the message.
    """
    from sim.figures import FORMATS  # imports matplotlib: only once a command draws

    formats = list(dict.fromkeys(fmt.lower() for fmt in args.formats or ["png"]))
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"--format: unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    return formats


def chosen_progress(args: argparse.Namespace) -> bool | None:
    """Whether to show a progress bar: always with ``--progress``, never with ``--quiet``, else on a terminal."""
    return True if args.progress else (False if args.quiet else None)


def non_negative_int(text: str) -> int:
    """An argument that is a whole number from 0."""
    value = int(text) if text.isdigit() else -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative whole number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An argument that is a whole number from 1."""
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def scheduler_address(text: str) -> str:
    """An argument that is a Dask scheduler's address with its port: ``[tcp://]host:port``."""
    host, sep, port = text.removeprefix("tcp://").rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected an address with a port, e.g. tcp://10.0.0.5:8786, got {text!r}")
    return text


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        value = non_negative_int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high}, got {text!r}")
        return value
    return parse
