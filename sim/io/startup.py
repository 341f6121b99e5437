"""How a giftsim process imports what it keeps: with the cyclic garbage collector paused, then out of its reach.

Importing the engine (Mesa, pandas, Numba, SciPy) and matplotlib makes about 180,000 objects the collector
tracks, which live as long as the process. Left to it, the collector walks them again and again while they
pile up, and once more as the process exits, and finds no garbage among them: 0.15 s during the imports
and 0.4 s at exit of a ``giftsim run`` of the default economy (2026-12-07, docs/performance-history.md). Commands
and sweep workers import the modules they will keep inside :func:`long_lived_imports`.

Freezing is for a process that runs one command and exits: the ``giftsim`` command itself and a sweep's
worker say so (:func:`process_runs_one_command`). Anywhere else, a notebook or a test calling
``sim.cli.main.main([...])`` again and again, the imports run as usual: a freeze there would keep
whatever the caller holds at that moment (models, tables) out of the collector's reach for good.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_one_command = False  # whether this process runs one command and exits (process_runs_one_command)


def process_runs_one_command() -> None:
    """Declare that this process runs one giftsim command or sweep worker, then exits: its imports may be frozen."""
    global _one_command
    _one_command = True


@contextmanager
def long_lived_imports() -> Iterator[None]:
    """Pause the garbage collector for the imports inside, then freeze every object so far (``gc.freeze``).

    Frozen objects are never collected again; they stay for the life of the process, as modules do.
    Only in a process that runs one command (:func:`process_runs_one_command`); elsewhere a plain block.
    """
    if not _one_command:
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
