"""Income and demand: paydays spread over the month, and two margins that answer to the price of coins."""

import numpy as np
import pytest

import sim
from sim import GiftEconomy
from sim.engine.mechanisms.income import conversion_chance, monthly_budget_micro
from tests.conftest import DEFAULT_CONFIG

SMALL = ["population.viewers=2000", "population.creators=60", "population.brands=0"]


def test_conversion_and_intensity_by_hand():
    base = np.array([0.1, 0.1, 0.1, 0.9])
    a = np.array([1.0, 2.0, 0.5, 0.1])  # at US-like prices; twice as dear; half; very cheap
    expected = [0.1, 0.1 * np.exp(-0.6), 0.1 * np.exp(0.3), 1.0]  # the last is capped at 1
    assert conversion_chance(base, a, 0.6) == pytest.approx(expected)
    willingness = np.array([10_000_000, 10_000_000, 10_000_000])  # 10 USD a month
    r = np.array([1.0, 2.0, 0.5])
    # a payer's budget in money: its willingness to pay times r * exp(-e * (r - 1))
    assert monthly_budget_micro(willingness, r, 0.3).tolist() == [
        10_000_000, round(10_000_000 * 2 * np.exp(-0.3)), round(10_000_000 * 0.5 * np.exp(0.15))]
    assert monthly_budget_micro(willingness, r, 0.0).tolist() == [10_000_000, 20_000_000, 5_000_000]


def test_income_arrives_on_each_viewers_own_payday():
    config = sim.load_config(DEFAULT_CONFIG, [*SMALL, "run.days=10"])
    model = GiftEconomy(config, rng=3)
    viewers = model.viewer_state
    payers = viewers.is_payer.copy()
    share_left = (viewers.payday + 1) / 30  # a uniform point of the month at the start
    assert np.array_equal(viewers.budget_left_micro, np.round(viewers.budget_monthly_micro * share_left))
    assert len(np.unique(viewers.payday)) == 30 and payers.any()
    model.run_for(24 * 3)  # days 0, 1 and 2 have ended
    before = viewers.budget_left_micro.copy()
    model.run_for(24)  # day 3 ends: its payday's viewers, and only they, are paid in full
    paid = viewers.payday == 3
    assert np.array_equal(viewers.budget_left_micro[paid & viewers.is_payer],
                          viewers.budget_monthly_micro[paid & viewers.is_payer])
    unpaid = ~paid & (viewers.budget_left_micro > before)
    assert not unpaid.any()
    assert model.invariant_violations() == []


@pytest.mark.slow
def test_payers_turn_over_between_months_but_not_without_demand():
    def payer_sets(overrides):
        model = GiftEconomy(sim.load_config(DEFAULT_CONFIG, [*SMALL, "run.days=60", *overrides]), rng=5)
        first = model.viewer_state.is_payer.copy()
        model.run_for(30 * 24)
        return first, model.viewer_state.is_payer.copy()

    first, second = payer_sets([])
    assert (first & ~second).any() and (~first & second).any()  # some stop paying, others start
    assert 0.5 < second.sum() / first.sum() < 2  # while the share stays put
    first, second = payer_sets(["demand.enabled=false"])
    assert np.array_equal(first, second)


def _region_figures(region: str, multiplier: float, seeds=range(3)) -> tuple[float, float]:
    config = sim.load_config(DEFAULT_CONFIG, [*SMALL, "population.viewers=4000", "run.days=30",
                                              f"regions.{region}.price_multiplier={multiplier}"])
    runs = [sim.run(config, seed=s) for s in seeds]
    payers = np.mean([r.summary["by_region"][region]["payers"] for r in runs])
    coins = np.mean([r.viewers.loc[r.viewers.region == region, "coins_bought"].sum() for r in runs])
    return payers, coins


@pytest.mark.slow
def test_a_dearer_region_has_fewer_payers_who_buy_fewer_coins():
    (cheap_payers, cheap_coins), (dear_payers, dear_coins) = (_region_figures("ID", m) for m in (0.5, 2.0))
    assert dear_payers < 0.5 * cheap_payers and dear_coins < 0.5 * cheap_coins


@pytest.mark.slow
def test_a_58_percent_price_cut_in_brazil_more_than_doubles_its_payers():
    # Twitch's local prices (2021): a 58% cut more than doubled subscribers in Brazil.
    (before, _), (after, _) = (_region_figures("BR", m) for m in (1.0, 0.42))
    assert after > 2 * before
