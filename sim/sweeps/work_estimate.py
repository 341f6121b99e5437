"""How long planned runs should take, estimated before any is run, and when to ask before starting them.

A sensitivity analysis or a calibration times one run of its base config (:func:`time_one_run`) and
multiplies (:class:`WorkEstimate`); work estimated above :data:`MAX_UNCONFIRMED_S` starts only when the
user says to go on (``--yes``). Light to import: the command line builds its options from it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

HOURS_PER_DAY = 24
MAX_UNCONFIRMED_S = 3600.0  # planned work estimated longer than this starts only when told to go on (--yes)


@dataclass(frozen=True)
class WorkEstimate:
    """How long planned runs should take: their number, a timed run's cost, and the runs side by side.

    Attributes:
        runs: The runs planned (at most; a Morris design's repeated points run once).
        rounds: The runs one after another on the slowest worker: ``ceil(runs / side_by_side)`` (or,
            for a calibration, its evaluations one after another, each of its replicates side by side).
        one_run_s: A run of the base config, estimated from its build and first day plus a second
            day's step times the rest of its days (burn-in included).
        side_by_side: Runs at once.
        days: A run's days, burn-in included.
    """

    runs: int
    rounds: int
    one_run_s: float
    side_by_side: int
    days: int

    @property
    def seconds(self) -> float:
        """The estimated wall time."""
        return self.rounds * self.one_run_s

    @property
    def is_long(self) -> bool:
        """Whether it is above :data:`MAX_UNCONFIRMED_S`, and so starts only when told to go on."""
        return self.seconds > MAX_UNCONFIRMED_S

    def describe(self) -> str:
        """One line: the runs, the estimated time and what it rests on."""
        days = f"{self.days} day{'s' if self.days != 1 else ''}"
        return (f"{self.runs:,} runs planned, {self.side_by_side} side by side: about {duration(self.seconds)} "
                f"(one run of the base config, {days}, takes about {duration(self.one_run_s)} here, from timing "
                "its first days)")


def duration(seconds: float) -> str:
    """``42 s``, ``7.5 min``, ``3.2 h`` or ``2.1 days``."""
    for unit, size in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s" if seconds >= 1 else f"{seconds:.2f} s"


def time_one_run(config: Any) -> float:
    """Seconds one run of ``config`` should take here: its build and first day, timed, plus a second day's step
    times its other days (a short run is timed whole)."""
    from sim.engine.model import GiftEconomy

    started = time.perf_counter()
    model = GiftEconomy(config, rng=config.run.seed)
    model.run_for(HOURS_PER_DAY)
    first = time.perf_counter() - started
    if config.total_days == 1:
        return first
    started = time.perf_counter()
    model.run_for(HOURS_PER_DAY)
    return first + (time.perf_counter() - started) * (config.total_days - 1)


def estimate_work(config: Any, runs: int, side_by_side: int, rounds: int | None = None) -> WorkEstimate:
    """The estimate for ``runs`` runs of about ``config``'s cost, ``side_by_side`` at once (:class:`WorkEstimate`)."""
    side_by_side = max(1, min(side_by_side, runs))
    return WorkEstimate(runs=runs, rounds=rounds if rounds is not None else math.ceil(runs / side_by_side),
                        one_run_s=time_one_run(config), side_by_side=side_by_side, days=config.total_days)
