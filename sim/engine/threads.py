"""Two threads for a large economy's heaviest kernels: the rows split in halves, one done by a second thread.

At a million viewers the room choice decides about 100,000 online viewers in an evening hour, in 3.5 ms on
one core (2026-12-07); its kernel, like every kernel, releases Python's lock while it runs (``nogil``), so a
second thread can decide the second half of the rows meanwhile. A viewer's draws are keyed by its row
(:mod:`sim.engine.randomness`) and nothing a kernel split this way writes for one row depends on another
row, so which thread decides a row changes nothing: the halves' results, put back together in order, are
one pass's (tests/test_threads.py). Below :data:`MIN_ROWS` rows the second thread's hand-over costs more
than it saves, and all rows are done in one pass.

A model's ``kernel_threads`` (:class:`sim.engine.model.GiftEconomy`) says how many threads it uses: by
default two on a machine with two cores or more. A sweep's workers use one each: they keep every core busy
already.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

# Rows below which a kernel runs in one pass (2026-12-07: at 102,860 online viewers the room choice's halves
# took 1.9-2.3 ms against 3.5 ms for the whole; a hand-over to the second thread costs about 50 us)
MIN_ROWS = 20_000
_second: ThreadPoolExecutor | None = None  # the process's second thread, started when first needed


def _forget_second_thread() -> None:
    """In a forked child: the parent's second thread is not there (a new one starts when needed)."""
    global _second
    _second = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_second_thread)


def default_count() -> int:
    """Threads a model uses unless told: two where this process may run on two cores or more, else one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 if cores >= 2 else 1


def in_halves[Result](threads: int, rows: int, work: Callable[[slice], Result]) -> list[Result]:
    """``work`` over rows ``0 .. rows-1``: in one call, or with ``threads`` of two or more and at least
    :data:`MIN_ROWS` rows, on the two halves at once (the second in the second thread); the results in order."""
    if threads < 2 or rows < MIN_ROWS:
        return [work(slice(0, rows))]
    global _second
    if _second is None:
        _second = ThreadPoolExecutor(1, thread_name_prefix="giftsim-kernels")
    half = rows // 2
    second = _second.submit(work, slice(half, rows))
    first = work(slice(0, half))
    return [first, second.result()]
