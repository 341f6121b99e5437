"""The guided inverse-CDF lookup gives exactly ``np.searchsorted``'s answers."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.lookup import SMALL, search_right


@settings(max_examples=200, deadline=None)
@given(n_entries=st.integers(1, 400), n_targets=st.integers(SMALL, 3 * SMALL), seed=st.integers(0, 2**32 - 1),
       rounding=st.sampled_from([None, 0, 1]), spill=st.booleans())
def test_same_answers_as_searchsorted(n_entries, n_targets, seed, rounding, spill):
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, n_entries)
    if rounding is not None:  # zero weights and ties in the cumulative array
        weights = np.round(weights, rounding)
    cumulative = np.cumsum(weights)
    targets = rng.random(n_targets) * cumulative[-1]
    targets[: n_targets // 4] = rng.choice(cumulative, n_targets // 4)  # exactly on entries
    if spill:  # below the first entry and past the last
        targets = targets * 1.2 - 0.1 * cumulative[-1]
    assert np.array_equal(search_right(cumulative, targets), np.searchsorted(cumulative, targets, side="right"))


def test_bins_edges_and_few_targets():
    cumulative = np.array([0.0, 0.0, 1.0, 1.0, 3.0, 10.0])
    targets = np.concatenate([np.linspace(-1, 11, 2 * SMALL), cumulative])
    assert np.array_equal(search_right(cumulative, targets), np.searchsorted(cumulative, targets, side="right"))
    assert np.array_equal(search_right(cumulative, targets[:3]), np.searchsorted(cumulative, targets[:3], side="right"))
    flat = np.full(5, 2.0)  # no width to split into bins
    assert np.array_equal(search_right(flat, targets), np.searchsorted(flat, targets, side="right"))
