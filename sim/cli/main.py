"""The ``giftsim`` command (also ``python -m sim``): its parser, and each command handed to its module.

Each family of commands lives in its own module, which registers its subcommands
(``add_commands``) and runs them (``run_command``): :mod:`sim.cli.run` (``run``),
:mod:`sim.cli.config` (``validate``, ``schema``), :mod:`sim.cli.plot` (``plot``),
:mod:`sim.cli.sweep` (``sweep``, ``query``, ``sensitivity``), :mod:`sim.cli.calibrate`
(``calibrate``) and :mod:`sim.cli.dashboard` (``dashboard``). They import
the engine's modules, pandas, matplotlib, Dask or Solara only inside the command that needs them, so a
command loads only what it uses.

Every user mistake (a bad config, a bad option, an existing results folder) ends with one clear
message on stderr and exit status 2, and nothing written. SIGTERM stops a command as Ctrl-C does
(exit 143 instead of 130): what was being written is removed on the way out, and the message says
whether a results folder was written whole before the signal came.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from sim import __version__
from sim.cli import calibrate, compare, config, dashboard, facts, plot, run, sweep
from sim.cli.common import Terminated, interrupted_status
from sim.io.startup import long_lived_imports, process_runs_one_command

BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a pipeline's writer
# In the order ``giftsim --help`` lists their commands.
FAMILIES = (run, config, sweep, compare, calibrate, plot, facts, dashboard)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="giftsim", description="Simulate creator-gifting economies.")
    parser.add_argument("--version", action="version", version=f"giftsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for family in FAMILIES:
        family.add_commands(commands)
    return parser


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise Terminated  # unwinds like Ctrl-C, so partial output is removed on the way out


def main(argv: list[str] | None = None) -> int:
    """Run the ``giftsim`` command; return its exit status.

    Called without ``argv``, as the ``giftsim`` script and ``python -m sim`` call it, the process runs this
    one command, so what it imports is frozen out of the garbage collector's way (:mod:`sim.io.startup`).
    """
    if argv is None:
        process_runs_one_command()
    # First, before parsing or any slow import: a SIGTERM from here on unwinds cleanly.
    on_main_thread = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if on_main_thread else None
    try:
        with long_lived_imports():  # building the parser imports what the commands' options name
            parser = build_parser()
        args = parser.parse_args(argv)
        family = next(family for family in FAMILIES if args.command in family.COMMANDS)
        return family.run_command(args)
    except KeyboardInterrupt as exc:  # a sweep says itself what it keeps; any other command writes atomically
        written = getattr(exc, "written", None)  # set when the signal came after the folder was in place
        print(f"giftsim: interrupted; {f'{written} was written whole' if written else 'nothing was written'}",
              file=sys.stderr)
        return interrupted_status(exc)
    except BrokenPipeError:  # the reader went away (`giftsim schema | head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return BROKEN_PIPE
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
