"""Weighted picks for many draws at once that stay paired when a weight changes: a sum tree over fixed rows.

The feed picks a live creator for each viewer in proportion to the creators' weights. An inverse CDF
over the live creators (a cumulative sum and a search) shifts every pick beyond any entry whose weight
changes, so one creator going live in one arm of a comparison and not in the other moved viewers
between rooms all along the list and unpaired the arms. A sum tree keeps each creator row at a fixed
leaf and draws a fresh uniform at each level: a change moves only the picks that pass through the
changed row's ancestors, each in proportion to the change's share there.

The tree is an array ``sums`` of ``2 * 2**depth`` entries: node 1 is the root, node k's children are
2k and 2k + 1, and the leaves (from ``2**depth``) hold the rows' weights. The kernels here build it and
descend it, with uniforms given (:class:`WeightTree`) or drawn per row by key (the room choice's kernel).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import fill_keyed_uniforms_of, kernel


def tree_depth(n_rows: int) -> int:
    """Levels below the root of a tree with ``n_rows`` leaves in use (0 for one row)."""
    return max((max(n_rows, 1) - 1).bit_length(), 0)


@kernel
def tree_sums(weights: np.ndarray, depth: int) -> np.ndarray:
    """The sum tree over ``weights``: each node the sum of its two children, the leaves the weights."""
    sums = np.zeros(2 << depth)
    fill_tree(sums, weights)
    return sums


@kernel
def fill_tree(sums: np.ndarray, weights: np.ndarray) -> None:
    """Build the sum tree over ``weights`` in ``sums`` (zeros; its second half are the leaves), in place."""
    first_leaf = sums.size // 2
    if weights.size > first_leaf:
        raise ValueError("more weights than the tree has leaves")
    # A loop, not a slice assignment: Numba compiles an array assigned to a slice with its shape check's
    # error message, which alone takes seconds to compile on a machine's first run.
    for row in range(weights.size):
        sums[first_leaf + row] = weights[row]
    add_up(sums)


@kernel
def add_up(sums: np.ndarray) -> None:
    """Fill a sum tree's inner nodes from its leaves (the second half of ``sums``), in place."""
    for node in range(sums.size // 2 - 1, 0, -1):  # children before parents
        sums[node] = sums[2 * node] + sums[2 * node + 1]


@kernel
def step_down(node: int, node_sum: float, left_sum: float, uniform: float) -> int:
    """The child of ``node`` (whose sum is ``node_sum``, its left child's ``left_sum``) a uniform sends a pick
    to: the left one with the left child's share of the node."""
    left = 2 * node
    return left + 1 if uniform * node_sum >= left_sum else left


@kernel
def descend(sums: np.ndarray, depth: int, uniforms: np.ndarray) -> np.ndarray:
    """The row each column of ``uniforms`` (``[depth, picks]``, one uniform a level) reaches from the root."""
    picks = np.empty(uniforms.shape[1], dtype=np.int64)
    for i in range(uniforms.shape[1]):
        node = 1
        for level in range(depth):
            node = step_down(node, sums[node], sums[2 * node], uniforms[level, i])
        picks[i] = node - (1 << depth)
    return picks


@kernel
def descend_keyed(sums: np.ndarray, depth: int, keys: np.ndarray, trees: np.ndarray, rows: np.ndarray,
                  picks: np.ndarray) -> None:
    """Into ``picks[j]``, the row that agent ``rows[j]`` reaches in tree ``trees[j]`` of ``sums``
    (``[tree, node]``), drawing its own keyed uniform at each level (level k: ``keys[k]``).

    Level by level over all the picks rather than pick by pick: one pick's reads of its tree each wait
    for the one before, while the picks' reads at one level are independent, so the processor overlaps
    them, and a level's uniforms are drawn together, in vector instructions. The callers pass a few
    thousand picks at a time, whose nodes stay in the fastest cache.
    """
    nodes = np.ones(rows.size, dtype=np.int64)
    uniforms = np.empty(rows.size)
    for level in range(depth):
        fill_keyed_uniforms_of(keys[level], rows, uniforms)
        for j in range(rows.size):
            tree, node = trees[j], nodes[j]
            nodes[j] = step_down(node, sums[tree, node], sums[tree, 2 * node], uniforms[j])
    for j in range(rows.size):
        picks[j] = nodes[j] - (1 << depth)


class WeightTree:
    """Weighted picks that move as little as possible when a weight changes: a sum tree over fixed rows.

    The mechanisms' kernels descend trees with each agent's keyed draws (:func:`descend_keyed`); this
    class descends it with uniforms given, which is how the tree's properties are tested
    (``tests/test_lookup.py``) and how a notebook can try one.

    The rows (every creator row, live or not) are the leaves of a complete binary tree, each node
    holding the sum of the weights below it. A pick descends from the root, going left with the
    left child's share of the node's weight, and takes a fresh uniform at each level. An inverse CDF
    over a list would instead shift every pick beyond a changed entry: one creator going live in one
    arm of a comparison and not the other would move viewers between rooms all along the list. Here a
    change in one row's weight only moves picks at the nodes above that row, each in proportion to
    the change's share of the node: the picks stay paired across arms (common random numbers).
    """

    def __init__(self, weights: np.ndarray):
        self.depth = tree_depth(weights.size)
        self.sums = tree_sums(np.ascontiguousarray(weights, dtype=np.float64), self.depth)
        self.size = weights.size

    @property
    def total(self) -> float:
        """The sum of every weight."""
        return float(self.sums[1])

    def pick(self, uniforms: np.ndarray) -> np.ndarray:
        """The row picked for each column of ``uniforms`` (``[depth, picks]``), with chance weight / total.

        The total must be positive: a row of weight 0 is never picked.
        """
        return descend(self.sums, self.depth, np.ascontiguousarray(uniforms, dtype=np.float64))
