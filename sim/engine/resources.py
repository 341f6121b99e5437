"""Refusing, before anything is built, a run that needs more memory than the machine has.

The estimate is conservative, from measured peaks (docs/performance.md): about 0.7-0.8 kB per viewer
including the output tables, so 1 kB per viewer and 3 kB per creator (its own arrays and its row
as a viewer of peers), on top of 250 MB for Python and the libraries.
"""

from __future__ import annotations

from pathlib import Path

from sim.engine.config import Config

BASE_BYTES = 250_000_000
BYTES_PER_VIEWER = 1_000
BYTES_PER_CREATOR = 3_000
BYTES_PER_BRAND = 1_000


class InsufficientMemoryError(MemoryError):
    """The run would need more memory than is available."""


def estimate_peak_bytes(config: Config) -> int:
    """Conservative estimate of a run's peak memory (bytes)."""
    p = config.population
    return BASE_BYTES + BYTES_PER_VIEWER * p.viewers + BYTES_PER_CREATOR * p.creators + BYTES_PER_BRAND * p.brands


def available_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Memory available to a new process now (Linux ``MemAvailable``), or None where unknown."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(config: Config) -> None:
    """Raise :class:`InsufficientMemoryError` if the run's estimate exceeds the available memory."""
    needed, available = estimate_peak_bytes(config), available_bytes()
    if available is not None and needed > available:
        p = config.population
        raise InsufficientMemoryError(
            f"population: {p.viewers:,} viewers and {p.creators:,} creators need about {needed / 1e9:.1f} GB, "
            f"but {available / 1e9:.1f} GB is available; lower population.viewers or population.creators"
        )


def check_parallel_memory(per_run_bytes: int, parallel: int) -> None:
    """Raise :class:`InsufficientMemoryError` if ``parallel`` runs of ``per_run_bytes`` each, side by
    side, exceed the available memory (a sweep checks this before it starts)."""
    needed, available = per_run_bytes * parallel, available_bytes()
    if available is not None and needed > available:
        raise InsufficientMemoryError(
            f"the sweep's largest run needs about {per_run_bytes / 1e9:.1f} GB and {parallel} run side by side, "
            f"{needed / 1e9:.1f} GB in all, but {available / 1e9:.1f} GB is available; lower --workers or "
            "population.viewers"
        )
