"""How a giftsim process imports what it keeps: with the cyclic garbage collector paused, then out of its reach.

Importing the engine (Mesa, pandas, Numba, SciPy) and matplotlib makes about 180,000 objects the collector
tracks, which live as long as the process. Left to it, the collector walks them again and again while they
pile up, and once more as the process exits, and finds no garbage among them: 0.15 s during the imports
and 0.4 s at exit of a ``giftsim run`` of the default economy (2026-12-07, docs/performance.md). Commands
and sweep workers import the modules they will keep inside :func:`long_lived_imports`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived_imports() -> Iterator[None]:
    """Pause the garbage collector for the imports inside, then freeze every object so far (``gc.freeze``).

    Frozen objects are never collected again; they stay for the life of the process, as modules do.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
