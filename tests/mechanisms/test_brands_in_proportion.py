"""Brands deal a region's best rooms out between them, drop campaigns spend their share, and creators who cannot go
live do not pile up."""

from types import SimpleNamespace

import numpy as np

import sim
from sim.engine.mechanisms import brands as brand_rules
from sim.engine.mechanisms import supply
from sim.engine.state import draw_brands
from tests.conftest import DEFAULT_CONFIG


def _creators(**arrays):
    return SimpleNamespace(**{name: np.array(values) for name, values in arrays.items()})


def test_brands_deal_out_the_ranking_instead_of_crowding_into_the_top_rooms():
    # region 0's live rooms by audience: 1 (9), 5 (7), 0 (5), 2 (1); region 1's: 3
    creators = _creators(is_live=np.array([1, 1, 1, 1, 0, 1], bool), region=[0, 0, 0, 1, 1, 0],
                         audience=[5, 9, 1, 3, 0, 7])
    brands = SimpleNamespace(region=np.array([0, 0, 1, 1]), is_active=np.array([1, 1, 1, 0], bool), size=4)
    brand, slot, room = brand_rules.choose_lives(brands, creators, 2)
    # brand 0 takes ranks 0 and 2, brand 1 ranks 1 and 3; brand 2 has one live room, brand 3 is off
    assert list(zip(brand.tolist(), slot.tolist(), room.tolist(), strict=True)) == [
        (0, 0, 1), (0, 1, 0), (1, 0, 5), (1, 1, 2), (2, 0, 3)]
    # asked for more rooms than are live, a brand never takes one room twice
    brand, _, room = brand_rules.choose_lives(brands, creators, 3)
    assert all(len(set(room[brand == b])) == (brand == b).sum() for b in range(4))


def test_a_drop_campaign_spends_its_share_of_the_budget():
    config = sim.load_config(DEFAULT_CONFIG, ["population.brands=10", "brands.drops_budget_share=0.1",
                                              "brands.campaign_budget_usd=300"])
    brands = draw_brands(config, seed=0)
    budget = brand_rules.period_budget_micro(brands, config.brands)
    is_drop = brands.campaign == brand_rules.DROPS
    assert is_drop.any()
    assert set(budget[is_drop].tolist()) == {30_000_000} and set(budget[~is_drop].tolist()) == {300_000_000}


def test_creators_below_the_live_threshold_quit_as_if_they_earned_nothing():
    config = sim.load_config(DEFAULT_CONFIG, ["population.viewers=2000", "population.creators=60",
                                              "supply.turnover_per_day=0.01"])
    creators = sim.GiftEconomy(config, rng=1).creator_state
    n = config.population.creators
    creators.income_rate_ema[:] = creators.outside_option_micro * 1e6  # they expect to earn plenty
    creators.followers[:n] = np.where(np.arange(n) < 30, 10, 10**6)  # half cannot go live
    draws = np.full(creators.size, 0.015)  # between the chance at ratio 0 (0.02) and at a high ratio (~0)
    quit_today, _ = supply.end_of_day(creators, config.supply, n, day=1, quit_draws=draws, join_draw=0.0,
                                      live_min_followers=1000)
    assert quit_today == 30 and creators.is_churned[:30].all() and not creators.is_churned[30:n].any()
