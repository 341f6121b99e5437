"""The weight tree picks rows in proportion to their weights, and a changed weight moves few picks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.lookup import WeightTree


@settings(max_examples=60, deadline=None)
@given(weights=st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0, 40.0]), min_size=1, max_size=40), seed=st.integers(0, 99))
def test_picks_follow_the_weights_and_never_take_a_zero(weights, seed):
    weights = np.array(weights)
    if weights.sum() == 0:
        weights[0] = 1.0
    tree = WeightTree(weights)
    assert tree.total == pytest.approx(weights.sum())
    picks = tree.pick(np.random.default_rng(seed).random((tree.depth, 20_000)))
    assert np.all(weights[picks] > 0)
    share = np.bincount(picks, minlength=weights.size) / picks.size
    expected = weights / weights.sum()
    assert np.all(np.abs(share - expected) < 5 * np.sqrt(expected * (1 - expected) / picks.size) + 1e-9)


def test_a_hand_computed_descent():
    # leaves [1, 3 | 0, 4]: the root sends u * 8 >= 4 right; the right node sends u * 4 >= 0 right
    tree = WeightTree(np.array([1.0, 3.0, 0.0, 4.0]))
    uniforms = np.array([[0.4, 0.4, 0.6], [0.2, 0.3, 0.0]])
    assert tree.pick(uniforms).tolist() == [0, 1, 3]


def test_one_changed_weight_moves_only_a_few_picks():
    rng = np.random.default_rng(1)
    weights = rng.pareto(1.5, 500) + 0.1
    uniforms = rng.random((WeightTree(weights).depth, 50_000))
    changed = weights.copy()
    changed[3] = 0.0  # an early row goes off air: a list's inverse CDF would shift nearly every pick after it
    before, after = WeightTree(weights).pick(uniforms), WeightTree(changed).pick(uniforms)
    moved = (before != after).mean()
    share = weights[3] / weights.sum()
    assert moved < share * 15  # at most about depth (9) times the row's share
    cumulative, changed_cumulative = np.cumsum(weights) / weights.sum(), np.cumsum(changed) / changed.sum()
    list_moved = (np.searchsorted(cumulative, uniforms[0]) != np.searchsorted(changed_cumulative, uniforms[0])).mean()
    assert list_moved > 5 * moved
