"""Measures of an economy's outcome: inequality (Gini, top shares, Lorenz curve), ratios and USD.

Pure functions of arrays, so each is checked on hand-computed cases. Money is summed in exact
integer micro-USD and converted to USD only for reporting.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.config import MICRO_PER_USD


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 equal, towards 1 concentrated; 0 when all zero).

    Uses the sorted-rank form ``G = 2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n``, i from 1.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n, total = x.size, x.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2 * (ranks * x).sum() / (n * total) - (n + 1) / n)


def top_share(values: np.ndarray, fraction: float) -> float:
    """Share of the total held by the top ``fraction`` of holders (at least one holder)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    if x.size == 0 or x.sum() == 0:
        return 0.0
    k = max(1, math.ceil(fraction * x.size))
    return float(x[:k].sum() / x.sum())


def effective_count(values: np.ndarray) -> float:
    """The effective number of holders, ``(sum x)^2 / sum x^2``: n when all hold alike, 1 when one holds all.

    0.0 when nobody holds anything.
    """
    x = np.asarray(values, dtype=float)
    squares = float((x * x).sum())
    return float(x.sum() ** 2 / squares) if squares else 0.0


def lorenz_curve(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative share of holders (x) and of the total (y), from (0, 0) to (1, 1)."""
    x = np.sort(np.asarray(values, dtype=float))
    total = x.sum()
    people = np.arange(x.size + 1) / max(x.size, 1)
    held = np.concatenate([[0.0], np.cumsum(x) / total]) if total > 0 else people
    return people, held


def usd(micro: int | np.ndarray) -> float | np.ndarray:
    """Micro-USD to USD, for reporting."""
    return micro / MICRO_PER_USD


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or 0.0 when the denominator is 0 (no activity, no rate)."""
    return float(numerator / denominator) if denominator else 0.0


def group_sum(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Exact integer sum of ``values`` per group index."""
    out = np.zeros(n_groups, dtype=np.int64)
    np.add.at(out, groups, values)
    return out
