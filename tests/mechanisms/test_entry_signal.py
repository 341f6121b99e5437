"""What joining follows: the median creator's income ratio, or income over option-hours pooled over creators."""

import numpy as np
import pytest

import sim
from sim import GiftEconomy
from sim.engine.config import Supply
from sim.engine.mechanisms import supply
from sim.engine.randomness import poisson_quantile
from tests.conftest import DEFAULT_CONFIG

SMALL = ["population.viewers=2000", "population.creators=60", "population.brands=0", "run.days=10"]


def _model(*overrides):
    return GiftEconomy(sim.load_config(DEFAULT_CONFIG, [*SMALL, *overrides]), rng=1)


def _hand_built(creators):
    """Four creators in the market, three of whom have streamed; a fifth who quit, rich; the rest never joined."""
    creators.has_joined[:] = False
    creators.has_joined[:5] = True
    creators.is_churned[:] = False
    creators.is_churned[4] = True
    creators.live_hours[:] = 0
    creators.live_hours[:5] = [1, 3, 6, 0, 100]
    creators.outside_option_micro[:5] = [1.0, 2.0, 0.5, 1.0, 1.0]
    creators.income_rate_ema[:5] = [10.0, 2.0, 0.25, 50.0, 1e6]  # ratios 10, 1, 0.5; 50 never streamed


def test_the_pooled_signal_is_income_over_option_hours_of_the_creators_who_streamed():
    creators = _model().creator_state
    _hand_built(creators)
    # (10 * 1 + 2 * 3 + 0.25 * 6) / (1 * 1 + 2 * 3 + 0.5 * 6): the one who never streamed and the one who quit
    # count for nothing
    assert supply.pooled_ratio(creators) == pytest.approx(17.5 / 10.0)
    assert supply.market_ratio(creators) == pytest.approx(1.0)  # the median of 10, 1 and 0.5
    # an hour more of the best-paid creator raises the pooled signal, not the median
    creators.live_hours[0] = 2
    assert supply.pooled_ratio(creators) == pytest.approx(27.5 / 11.0)
    assert supply.market_ratio(creators) == pytest.approx(1.0)
    creators.live_hours[:] = 0
    assert supply.pooled_ratio(creators) == 1.0 and supply.market_ratio(creators) == 1.0  # nobody has streamed


def test_the_entry_ratio_is_the_chosen_signal_over_its_parity():
    creators = _model().creator_state
    _hand_built(creators)
    assert supply.entry_ratio(creators, Supply(entry_signal="pooled", entry_parity=0.5)) == pytest.approx(3.5)
    assert supply.entry_ratio(creators, Supply(entry_signal="median", entry_parity=2.0)) == pytest.approx(0.5)
    assert supply.entry_ratio(creators, Supply()) == pytest.approx(1.0)  # the default: the median, at parity 1


def test_the_median_default_joins_as_before():
    assert Supply().entry_signal == "median" and Supply().entry_parity == 1.0
    model = _model("supply.turnover_per_day=0.5", "supply.entry_signal=median", "supply.entry_parity=1")
    creators, params, n = model.creator_state, model.config.supply, model.config.population.creators
    creators.live_hours[:n] = np.arange(n) + 1
    creators.income_rate_ema[:n] = creators.outside_option_micro[:n] * np.linspace(0.5, 4.0, n)
    median = float(np.median(np.linspace(0.5, 4.0, n)))
    # the rule before the entry signal: Poisson at 2 * turnover * n / (1 + median^-2), by inversion
    expected = int(poisson_quantile(np.array([0.5]), 2 * 0.5 * n / (1 + median ** -2.0))[0])
    _, joined = supply.end_of_day(creators, params, n, day=4, quit_draws=np.ones(creators.size), join_draw=0.5)
    assert joined.size == expected > 0
    np.testing.assert_allclose(creators.income_rate_ema[joined], median * creators.outside_option_micro[joined])


def test_with_the_pooled_signal_joiners_follow_and_expect_income_over_option_hours_over_parity():
    model = _model("supply.turnover_per_day=0.5", "supply.entry_signal=pooled", "supply.entry_parity=4")
    creators, params, n = model.creator_state, model.config.supply, model.config.population.creators
    creators.live_hours[:n] = 1
    creators.live_hours[0] = 1000  # one creator streams most of the hours, at 20 times its option
    ratios = np.full(n, 0.5)
    ratios[0] = 20.0
    creators.income_rate_ema[:n] = creators.outside_option_micro[:n] * ratios
    option = creators.outside_option_micro[:n]
    pooled = (20.0 * option[0] * 1000 + 0.5 * option[1:].sum()) / (option[0] * 1000 + option[1:].sum())
    ratio = pooled / 4
    assert ratio > 1 > float(np.median(ratios))  # the median creator earns half its option; the hours pay well
    expected = int(poisson_quantile(np.array([0.5]), 2 * 0.5 * n / (1 + ratio ** -2.0))[0])
    _, joined = supply.end_of_day(creators, params, n, day=4, quit_draws=np.ones(creators.size), join_draw=0.5)
    assert joined.size == expected
    np.testing.assert_allclose(creators.income_rate_ema[joined], ratio * creators.outside_option_micro[joined])


def test_the_preset_joins_on_the_pooled_signal():
    supply_section = sim.load_config(DEFAULT_CONFIG).supply
    assert supply_section.entry_signal == "pooled" and supply_section.entry_parity > 1
