"""Compiled kernels: the hot phases' per-agent loops, each the only implementation of its rule.

``kernel`` is the project's one decorator: Numba's ``njit(cache=True, nogil=True)``, so a kernel is compiled once
per machine and loaded from ``__pycache__`` afterwards (sweep workers included). With the environment
variable ``NUMBA_DISABLE_JIT=1`` Numba leaves the functions as they are and the same source runs as
plain Python (slowly): the tests run a short economy both ways and compare its tables.

Integer arithmetic here is unsigned 64-bit and wraps, as the hash requires. Compiled, it wraps
silently; in plain Python NumPy would warn of each wrap, so there ``kernel`` runs each kernel under
``np.errstate(over="ignore")`` instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np


def _plain(function: Callable) -> Callable:
    """A kernel as plain Python (``NUMBA_DISABLE_JIT=1``): the same function, its wrapping arithmetic unwarned."""

    @functools.wraps(function)
    def quiet(*args):
        with np.errstate(over="ignore"):
            return function(*args)

    return quiet


# nogil: a kernel lets go of Python's lock while it runs, so that two threads can run kernels at once
# (sim.engine.threads)
kernel = _plain if numba.config.DISABLE_JIT else numba.njit(cache=True, nogil=True)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio: SplitMix64's increment
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_SHIFT_30, _SHIFT_27, _SHIFT_31, _SHIFT_11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0**-53


@kernel
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser (Steele, Lea and Flood, OOPSLA 2014): a bijection that scrambles every bit."""
    z = (z ^ (z >> _SHIFT_30)) * _MIX_1
    z = (z ^ (z >> _SHIFT_27)) * _MIX_2
    return z ^ (z >> _SHIFT_31)


@kernel
def keyed_uniform(key: np.uint64, row: np.int64) -> float:
    """The uniform in [0, 1) of agent ``row`` under a decision's ``key``: the top 53 bits of
    ``mix64(key + row * golden)``."""
    return float(mix64(key + np.uint64(row) * _GOLDEN) >> _SHIFT_11) * _TO_UNIT


@kernel
def decision_key(seed: np.uint64, stream: np.uint64, time: np.uint64, index: np.uint64) -> np.uint64:
    """The key every agent's draw of one decision (``stream``) at one ``time`` and ``index`` shares."""
    key = mix64(seed * _GOLDEN + stream)
    key = mix64(key + time * _GOLDEN)
    return mix64(key + index * _GOLDEN + np.uint64(1))


@kernel
def decision_keys(seed: np.uint64, stream: np.uint64, time: np.uint64, count: int) -> np.ndarray:
    """The keys of draws ``0 .. count-1`` of one decision at one ``time``, for a kernel that draws per agent."""
    keys = np.empty(count, dtype=np.uint64)
    for index in range(count):
        keys[index] = decision_key(seed, stream, time, np.uint64(index))
    return keys


@kernel
def fill_uniforms(seed: np.uint64, stream: np.uint64, time: np.uint64, rows: np.ndarray, out: np.ndarray) -> None:
    """``out[k, i]`` = the uniform of agent ``rows[i]`` for draw k of the decision at ``time``."""
    for k in range(out.shape[0]):
        fill_keyed_uniforms_of(decision_key(seed, stream, time, np.uint64(k)), rows, out[k])


@kernel
def sorted_position(values: np.ndarray, value, is_right: bool) -> int:
    """Where ``value`` goes in ascending ``values`` (no NaN): ``np.searchsorted(values, value, side)``, side
    "right" when ``is_right`` (after any equal entries) and "left" otherwise (before them).

    A binary search written out: Numba's own ``np.searchsorted`` compiles a version per array type, value
    type and side at about half a second each, which a machine's first run pays. This one still compiles
    a version per array type, value type and side given as a constant (a tenth of a second each): the
    callers pass float values (exact for whole numbers below 2**53), so that the gift ladder's coins are
    searched by one version a side.
    """
    low, high = 0, values.size
    while low < high:
        middle = (low + high) >> 1
        if values[middle] < value or (is_right and values[middle] == value):
            low = middle + 1
        else:
            high = middle
    return low


@kernel
def shuffled_ranks(key: np.uint64, n: int) -> np.ndarray:
    """A random order of ``0 .. n-1`` (each position's rank) by Fisher and Yates's shuffle, in linear time.

    Step i swaps position i with one drawn from ``0 .. i`` by the keyed uniform of i.
    """
    ranks = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = min(int(keyed_uniform(key, i) * (i + 1)), i)
        ranks[i], ranks[j] = ranks[j], ranks[i]
    return ranks


@kernel
def fill_keyed_uniforms(key: np.uint64, first_row: int, out: np.ndarray) -> None:
    """``out[i]`` = the uniform of agent ``first_row + i`` under ``key``: arithmetic alone, which the compiler
    turns into vector instructions (eight hashes at once where the processor has AVX-512)."""
    for i in range(out.size):
        out[i] = keyed_uniform(key, first_row + i)


@kernel
def fill_keyed_uniforms_of(key: np.uint64, rows: np.ndarray, out: np.ndarray) -> None:
    """``out[i]`` = the uniform of agent ``rows[i]`` under ``key``: vector instructions, as in
    :func:`fill_keyed_uniforms`."""
    for i in range(out.size):
        out[i] = keyed_uniform(key, rows[i])


@kernel
def come_online(
    key: np.uint64, region: np.ndarray, region_runs: np.ndarray, activity: np.ndarray, chance_by_region: np.ndarray,
    persistence: float, n_audience: int, is_off_limits: np.ndarray, is_online: np.ndarray, hours_online: np.ndarray,
    online: np.ndarray,
) -> int:
    """Who is online this hour: each viewer against its own chance; returns how many, their rows in ``online``.

    A viewer's chance is its region's (capped at 1) times its activity, capped at 1; one online last
    hour is online again with ``persistence + (1 - persistence) * chance``, any other with
    ``(1 - persistence) * chance``. Rows from ``n_audience`` on are creators' own rows, never online
    while ``is_off_limits`` holds for their creator. Updates ``is_online`` and ``hours_online``.
    ``region_runs`` are where the runs of rows of one region start, then ``region.size``, no run longer
    than :data:`RUN_LIMIT` (:func:`find_region_runs`).

    In passes, each a loop the processor runs without mispredicted branches: run by run, its viewers'
    uniforms then their statuses; the creators' rows; then the rows online (``online`` holds a row for
    every viewer, so each row is written and the count moves on for those online).
    """
    uniforms = np.empty(RUN_LIMIT)
    for run in range(region_runs.size - 1):
        start, stop = region_runs[run], region_runs[run + 1]
        # one region's chance for the whole run, and slices whose rows the compiler knows are in range:
        # vector instructions, where reading each row's region's chance (a gather) kept the loop scalar
        capped = min(chance_by_region[region[start]], 1.0)
        run_activity, run_online, run_uniforms = activity[start:stop], is_online[start:stop], uniforms[:stop - start]
        fill_keyed_uniforms(key, start, run_uniforms)
        for i in range(run_uniforms.size):
            chance = min(capped * run_activity[i], 1.0)
            threshold = (1.0 - persistence) * chance + (persistence if run_online[i] else 0.0)
            run_online[i] = run_uniforms[i] < threshold
    for row in range(n_audience, region.size):
        if is_off_limits[row - n_audience]:
            is_online[row] = False
    n = 0
    for row in range(region.size):
        online[n] = row
        n += is_online[row]
    for k in range(n):
        hours_online[online[k]] += 1
    return n


# The most rows :func:`come_online` takes at once: their uniforms stay in the fastest cache (32 kB).
RUN_LIMIT = 4096


def find_region_runs(region: np.ndarray) -> np.ndarray:
    """Where each run of consecutive rows of one region starts, then ``region.size``: :func:`come_online`'s
    runs, those longer than :data:`RUN_LIMIT` cut into pieces."""
    if region.size == 0:
        return np.zeros(1, dtype=np.int64)
    starts = np.concatenate(([0], np.flatnonzero(region[1:] != region[:-1]) + 1))
    lengths = np.diff(np.append(starts, region.size))
    pieces = -(-lengths // RUN_LIMIT)  # each run's pieces, rounded up
    offsets = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    return np.append(np.repeat(starts, pieces) + offsets * RUN_LIMIT, region.size).astype(np.int64)
