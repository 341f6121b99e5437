"""Weighted picks for many draws at once that stay paired when a weight changes: a sum tree over fixed rows.

The feed picks a live creator for each viewer in proportion to the creators' weights. An inverse CDF
over the live creators (a cumulative sum and a search) shifts every pick beyond any entry whose weight
changes, so one creator going live in one arm of a comparison and not in the other moved viewers
between rooms all along the list and unpaired the arms. :class:`WeightTree` keeps each creator row at
a fixed leaf and draws a fresh uniform at each level: a change moves only the picks that pass through
the changed row's ancestors, each in proportion to the change's share there.
"""

from __future__ import annotations

import numpy as np

from sim.engine import kernels


class WeightTree:
    """Weighted picks that move as little as possible when a weight changes: a sum tree over fixed rows.

    The rows (every creator row, live or not) are the leaves of a complete binary tree, each node
    holding the sum of the weights below it. A pick descends from the root, going left with the
    left child's share of the node's weight, and takes a fresh uniform at each level. An inverse CDF
    over a list would instead shift every pick beyond a changed entry: one creator going live in one
    arm of a comparison and not the other would move viewers between rooms all along the list. Here a
    change in one row's weight only moves picks at the nodes above that row, each in proportion to
    the change's share of the node: the picks stay paired across arms (common random numbers).
    """

    def __init__(self, weights: np.ndarray):
        n = max(int(weights.size), 1)
        self.depth = max((n - 1).bit_length(), 0)
        leaves = 1 << self.depth
        self.sums = np.zeros(2 * leaves)
        self.sums[leaves:leaves + weights.size] = weights
        for level in range(self.depth - 1, -1, -1):  # each level's nodes from its children
            first = 1 << level
            self.sums[first:2 * first] = self.sums[2 * first:4 * first:2] + self.sums[2 * first + 1:4 * first:2]
        self.size = weights.size

    @property
    def total(self) -> float:
        """The sum of every weight."""
        return float(self.sums[1])

    def pick(self, uniforms: np.ndarray) -> np.ndarray:
        """The row picked for each column of ``uniforms`` (``[depth, picks]``), with chance weight / total.

        The total must be positive: a row of weight 0 is never picked.
        """
        return kernels.descend(self.sums, self.depth, np.ascontiguousarray(uniforms, dtype=np.float64))
