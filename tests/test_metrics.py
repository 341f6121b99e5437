"""Inequality and share measures on hand-computed cases."""

import numpy as np
import pytest

from sim.engine.metrics import gini, lorenz_curve, ratio, top_share


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0, 0, 1], 2 / 3), ([1, 1, 1, 1], 0.0), ([0, 0, 0], 0.0), ([1, 3], 0.25), ([], 0.0)],
)
def test_gini(values, expected):
    assert gini(np.array(values)) == pytest.approx(expected)


def test_top_share():
    values = np.arange(1, 101)  # 1..100, total 5050
    assert top_share(values, 0.01) == pytest.approx(100 / 5050)
    assert top_share(values, 0.20) == pytest.approx(sum(range(81, 101)) / 5050)
    assert top_share(np.array([5.0]), 0.01) == 1.0  # at least one holder
    assert top_share(np.zeros(3), 0.2) == 0.0


def test_lorenz_curve_of_a_hand_case():
    x, y = lorenz_curve(np.array([3.0, 1.0]))
    assert x.tolist() == [0.0, 0.5, 1.0]
    assert y.tolist() == [0.0, 0.25, 1.0]


def test_ratio_of_nothing_is_zero():
    assert ratio(1, 0) == 0.0 and ratio(1, 4) == 0.25
