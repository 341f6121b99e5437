"""Keyed random numbers: every draw is a function of (run seed, decision, agent, hour, index).

A counter-based generator: the uniform an agent gets for a decision is a hash of the run's seed, the
decision's name, the agent's row, the hour and the draw's index within that hour, computed for the
rows that decide, in any order and number. So an agent's draws do not depend on how many others draw,
or in what order: two runs that differ only in Indonesia's price give every viewer elsewhere the
same numbers (common random numbers), and what remains of a difference between them is the change's
own effect and its true interactions (shared rooms, herding). See docs/precision.md for what is and is
not paired.

The hash is SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014) applied to a key built by chaining it over the key's parts; it passes
BigCrush as a counter-based generator over consecutive counters. The per-agent part is a compiled
kernel (:func:`sim.engine.kernels.keyed_uniform`), which the hot phases' kernels call too. A
decision's name is hashed with CRC-32, so adding, renaming or removing one decision changes no other decision's draws.

The same module draws a population's attributes at stratified quantiles (:func:`stratified_uniforms`):
within each group (a region), every run's population then has the configured distribution, its top
included, rather than a fresh lottery of the tail.
"""

from __future__ import annotations

import zlib
from typing import Literal

import numpy as np
from scipy import special

from sim.engine import kernels

Sampling = Literal["stratified", "iid"]

_TO_UNIT = 2.0**-53  # the smallest step of a uniform


def stream_key(name: str) -> int:
    """The key of the decision ``name`` (stable across runs, platforms and Python versions)."""
    return zlib.crc32(name.encode("utf-8"))


def call_key(seed: int, name: str, time: int, index: int = 0) -> int:
    """The key shared by every agent's draw of one decision at one time (an hour, a day or a month)."""
    return int(kernels.decision_key(np.uint64(seed), np.uint64(stream_key(name)), np.uint64(time), np.uint64(index)))


def keyed_uniforms(seed: int, name: str, ids: np.ndarray, time: int = 0, count: int | None = None) -> np.ndarray:
    """Uniforms in [0, 1) for agents ``ids``: one each, or ``[count, ids]`` with ``count``.

    Args:
        seed: The run's seed.
        name: The decision (``"gifting.whether"``): each decision has its own numbers.
        ids: The deciding agents' rows (any non-negative ints, any order, repeats allowed).
        time: The hour (or day, or month) of the decision.
        count: How many draws each agent takes for this decision at this time; None for one.
    """
    rows = np.ascontiguousarray(ids, dtype=np.int64)
    uniforms = np.empty((1 if count is None else count, rows.size))
    kernels.fill_uniforms(np.uint64(seed), np.uint64(stream_key(name)), np.uint64(time), rows, uniforms)
    return uniforms[0] if count is None else uniforms


def permutation_rank(seed: int, name: str, n: int, time: int = 0) -> np.ndarray:
    """A random order of n agents: each one's rank, 0 .. n-1 (a keyed Fisher-Yates shuffle, linear time)."""
    return kernels.shuffled_ranks(np.uint64(call_key(seed, name, time)), n)


def stratified_uniforms(seed: int, name: str, ids: np.ndarray, groups: np.ndarray, sampling: Sampling) -> np.ndarray:
    """A uniform in (0, 1) per agent, at stratified quantiles within each group (or i.i.d.).

    ``stratified``: a group of n agents (``groups`` are small non-negative ints) takes the quantiles
    ``(k + 0.5) / n``, k = 0 .. n-1, each member (in row order) one of them in a keyed random order;
    the top stratum is placed at its midpoint, so the largest value an unbounded tail gives is the
    same in every run. ``iid``: each agent's own keyed uniform (by ``ids``), as plain Monte Carlo
    would draw it.
    """
    if sampling == "iid":
        return np.clip(keyed_uniforms(seed, name, ids), _TO_UNIT, 1 - _TO_UNIT)
    quantiles = np.empty(ids.size)
    # each group's members, in row order: rows already in group order (the viewers' regions) need no sort
    order = np.arange(ids.size) if np.all(groups[1:] >= groups[:-1]) else np.argsort(groups, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(groups))))
    for group in range(bounds.size - 1):
        members = order[bounds[group]:bounds[group + 1]]
        quantiles[members] = (permutation_rank(seed, f"{name}/{group}", members.size) + 0.5) / max(members.size, 1)
    return quantiles


# Where the Poisson CDF at the answer, or one below it, is this close to the quantile, the inverse's own rounding
# decides between the two whole numbers: there the answer is the inverse's, as scipy.stats.poisson.ppf gives it.
NEAR_A_STEP = 1e-7
# Means from which the search is not used: its steps of one would vanish in a float near 2**53 (a follower count
# grown without bound), and an infinite mean has no finite answer. The inverse takes them.
SEARCHED_MEANS = 2.0**40


def poisson_quantile(u: np.ndarray, mean: np.ndarray | float) -> np.ndarray:
    """The Poisson(``mean``) variate at quantile ``u``: the least k with P(X <= k) >= u (0 where the mean is 0).

    What ``scipy.stats.poisson.ppf`` gives (:func:`_poisson_ppf`, its own method), found by a search on the
    CDF from a Cornish-Fisher first guess: the CDF (``special.pdtr``) costs 0.05-0.4 us a value where the
    inverse ppf searches with (``special.pdtrik``) costs 2-10 us, the larger part of creators' daily follower
    growth at a million viewers. Where the CDF comes within :data:`NEAR_A_STEP` of ``u`` the two could
    round apart, and the ppf's answer is taken, as it is for means above :data:`SEARCHED_MEANS`.
    """
    u = np.asarray(u, dtype=float)
    counts = np.zeros(u.shape, dtype=np.int64)
    flat_u, flat_mean = u.ravel(), np.broadcast_to(np.asarray(mean, dtype=float), u.shape).ravel()
    flat_counts = counts.ravel()  # a view: counts is a new array
    large = np.flatnonzero(flat_mean > SEARCHED_MEANS)
    flat_counts[large] = _poisson_ppf(flat_u[large], flat_mean[large])
    searched = np.flatnonzero((flat_mean > 0) & (flat_mean <= SEARCHED_MEANS))
    q, lam = flat_u[searched], flat_mean[searched]
    k, at, below = _search_poisson_cdf(q, lam)
    near = (np.abs(at - q) < NEAR_A_STEP) | (np.abs(q - below) < NEAR_A_STEP) | (q >= 1)
    k[near] = _poisson_ppf(q[near], lam[near])
    flat_counts[searched] = k
    return counts


def _search_poisson_cdf(q: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The least k with ``pdtr(k, lam) >= q`` (for ``q`` below 1), and the CDF at k and at k - 1 (0 at k = 0).

    From a Cornish-Fisher first guess, up while the CDF falls short of ``q``, then down while the one below
    reaches it too; each CDF is read once and kept.
    """
    z = special.ndtri(np.clip(q, NEAR_A_STEP, 1 - NEAR_A_STEP))
    k = np.maximum(np.floor(lam + np.sqrt(lam) * z + (z * z - 1) / 6), 0)
    at, below = np.ones_like(q), np.zeros_like(q)
    searching = np.flatnonzero(q < 1)
    while searching.size:
        cdf = special.pdtr(k[searching], lam[searching])
        at[searching] = cdf
        searching = searching[cdf < q[searching]]
        k[searching] += 1
    searching = np.flatnonzero(k > 0)
    while searching.size:
        cdf = special.pdtr(k[searching] - 1, lam[searching])
        below[searching] = cdf
        reached = cdf >= q[searching]
        searching = searching[reached]
        k[searching] -= 1
        at[searching] = cdf[reached]
        below[searching] = 0.0  # read on the next pass, or the CDF below 0
        searching = searching[k[searching] > 0]
    return k, at, below


def _poisson_ppf(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``scipy.stats.poisson.ppf``'s method for positive means, through ``scipy.special`` (scipy.stats takes 0.6 s
    to import): the inverse's root, rounded up, or the whole number below it where that one's CDF reaches ``u``."""
    above = np.ceil(special.pdtrik(u, mean))
    below = np.maximum(above - 1, 0)
    return np.where(special.pdtr(below, mean) >= u, below, above)


# How close (relative) to a float32 rounding boundary a Newton result may come before gammaincinv's is taken:
# far above both methods' error (about 1e-15), so the float32 values are gammaincinv's own.
NEAR_A_ROUNDING = 1e-9
ERLANG_BLOCK = 1 << 16  # quantiles worked on at once (the temporaries of 65,536 doubles: 512 kB each)


def erlang_quantile_float32(u: np.ndarray, shape: int) -> np.ndarray:
    """The Gamma(``shape``, 1) variate at quantile ``u`` for a whole ``shape``, rounded to float32.

    The float32 of what ``special.gammaincinv(shape, u)`` gives (0.37 s for a million values), found by
    Newton's method on the closed-form CDF, 1 - e^-x (1 + x + ... + x^(shape-1) / (shape-1)!), from the
    Wilson-Hilferty guess (for small ``u``, from the CDF's first term). Each quantile is sought in its own
    tail, the upper one through 1 - ``u`` (exact for ``u`` from 0.5), and below x = 1 the CDF is summed as
    its series, so nothing cancels. Where a result comes within :data:`NEAR_A_ROUNDING` of a float32
    rounding boundary, or Newton has not settled, gammaincinv's answer is taken.
    """
    u = np.asarray(u, dtype=float)
    flat_u, rounded = u.ravel(), np.empty(u.shape, dtype=np.float32)
    flat = rounded.ravel()  # a view: rounded is a new array
    for start in range(0, flat.size, ERLANG_BLOCK):  # blocks small enough for the temporaries to stay in cache
        flat[start:start + ERLANG_BLOCK] = _erlang_block(flat_u[start:start + ERLANG_BLOCK], shape)
    return rounded


def _erlang_block(u: np.ndarray, shape: int) -> np.ndarray:
    """:func:`erlang_quantile_float32` of one block of quantiles."""
    factorial = np.cumprod([1.0, *range(1, shape + 30)])  # n! for n = 0 .. shape + 29
    z = special.ndtri(np.clip(u, 1e-300, 1.0))
    x = shape * (1 - 1 / (9 * shape) + z / (3 * np.sqrt(shape))) ** 3
    small = (u < 0.01) | ~(x > 0)
    x[small] = (u[small] * factorial[shape]) ** (1 / shape)
    settled = u == 0
    x[settled] = 0.0
    seeking = np.flatnonzero(~settled)
    for _ in range(50):
        if seeking.size == 0:
            break
        x_now, u_now = x[seeking], u[seeking]
        excess = _erlang_cdf_excess(x_now, u_now, shape, factorial)  # CDF(x) - u
        density = x_now ** (shape - 1) * np.exp(-x_now) / factorial[shape - 1]
        x_next = np.maximum(x_now - excess / density, x_now / 10)  # never past zero
        x[seeking] = x_next
        done = np.abs(x_next - x_now) <= 1e-12 * x_next  # Newton's next step would be about its square
        settled[seeking[done]] = True
        seeking = seeking[~done]
    rounded = x.astype(np.float32)
    near = ((x * (1 - NEAR_A_ROUNDING)).astype(np.float32) != rounded) | (
        (x * (1 + NEAR_A_ROUNDING)).astype(np.float32) != rounded) | ~settled | ~np.isfinite(x)
    rounded[near] = special.gammaincinv(shape, u[near]).astype(np.float32)
    return rounded


def _erlang_cdf_excess(x: np.ndarray, u: np.ndarray, shape: int, factorial: np.ndarray) -> np.ndarray:
    """CDF(``x``) - ``u`` of Gamma(``shape``, 1), each in the tail where it does not cancel."""
    terms_below = np.zeros_like(x)  # the sum of x^n / n! for n < shape, by Horner's rule
    for n in range(shape - 1, -1, -1):
        terms_below = terms_below * x + 1 / factorial[n]
    upper_tail = np.exp(-x) * terms_below  # P(X > x)
    excess = np.where(u >= 0.5, (1 - u) - upper_tail, (1 - upper_tail) - u)
    low = np.flatnonzero((u < 0.5) & (x < 1))
    if low.size:  # P(X <= x) as its series: e^-x times the sum of x^n / n! for n >= shape
        x_low = x[low]
        term = x_low**shape / factorial[shape]
        lower_tail = term.copy()
        for n in range(shape + 1, shape + 30):
            term = term * x_low / n
            lower_tail += term
        excess[low] = np.exp(-x_low) * lower_tail - u[low]
    return excess


class KeyedDraws:
    """The run's keyed random numbers: its seed, and the draws of any decision for any agents at any time."""

    def __init__(self, seed: int):
        self.seed = seed

    def uniforms(self, name: str, ids: np.ndarray, time: int, count: int | None = None) -> np.ndarray:
        """Uniforms for agents ``ids`` deciding ``name`` at ``time``: see :func:`keyed_uniforms`."""
        return keyed_uniforms(self.seed, name, ids, time, count)

    def key(self, name: str, time: int, index: int = 0) -> int:
        """The key of decision ``name`` at ``time``, for a kernel that draws agents' uniforms itself."""
        return call_key(self.seed, name, time, index)

    def keys(self, name: str, time: int, count: int) -> np.ndarray:
        """The keys of draws ``0 .. count-1`` of decision ``name`` at ``time`` (uint64), for a kernel's own draws."""
        return kernels.decision_keys(np.uint64(self.seed), np.uint64(stream_key(name)), np.uint64(time), count)

    def choice_index(self, name: str, ids: np.ndarray, time: int, n: np.ndarray | int) -> np.ndarray:
        """For each agent, an index in ``0 .. n-1`` (uniformly), from its keyed uniform."""
        return np.minimum((self.uniforms(name, ids, time) * n).astype(np.int64), np.asarray(n) - 1)
