"""Brands spread over regions and deal a region's best rooms out between them, drop campaigns spend their
share, and creators who cannot go live do not pile up."""

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.engine.config import CAMPAIGNS
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
    brand, slot, room, times = brand_rules.choose_lives(brands, creators, 2)
    # brand 0 takes ranks 0 and 2, brand 1 ranks 1 and 3; brand 2's region has one live room, which takes
    # both its slots (it stands for two rooms like it); brand 3 is off
    assert list(zip(brand.tolist(), slot.tolist(), room.tolist(), times.tolist(), strict=True)) == [
        (0, 0, 1, 1), (0, 1, 0, 1), (1, 0, 5, 1), (1, 1, 2, 1), (2, 0, 3, 2)]
    # five slots over region 0's four rooms: each brand's best room twice
    brand, slot, room, times = brand_rules.choose_lives(brands, creators, 5)
    assert room[brand == 0].tolist() == [1, 0, 5, 2] and times[brand == 0].tolist() == [2, 1, 1, 1]
    assert room[brand == 2].tolist() == [3] and times[brand == 2].tolist() == [5]


@pytest.mark.parametrize(("n_brands", "n_live", "k"), [(2, 2, 2), (20, 20, 2), (3, 1, 2), (30, 10, 2), (6, 4, 3),
                                                         (60, 40, 3), (1, 5, 2), (7, 40, 2)])
def test_every_brand_acts_k_times_and_rooms_share_the_slots_evenly_at_any_count(n_brands, n_live, k):
    # The deal is the same at every size: with as many brands per live room, each brand acts k times an
    # hour and each room takes n * k / live slots (rounded down or up), even when the brands' count is a
    # multiple of the rooms' (2 brands, 2 rooms used to give each brand one room) or rooms are fewer than k.
    creators = _creators(is_live=np.ones(n_live, bool), region=np.zeros(n_live, int),
                         audience=np.arange(n_live, 0, -1))
    brands = SimpleNamespace(region=np.zeros(n_brands, int), is_active=np.ones(n_brands, bool), size=n_brands)
    brand, _, room, times = brand_rules.choose_lives(brands, creators, k)
    assert np.bincount(brand, weights=times, minlength=n_brands).tolist() == [k] * n_brands
    per_room = np.bincount(room, weights=times, minlength=n_live)
    assert per_room.min() == n_brands * k // n_live and per_room.max() == -(-n_brands * k // n_live)
    # a brand's rooms are distinct, as many as it has slots while the region has that many
    assert all(np.unique(room[brand == b]).size == (brand == b).sum() == min(k, n_live) for b in range(n_brands))


def test_brands_spread_over_regions_in_proportion_within_each_campaign_type():
    config = sim.load_config(DEFAULT_CONFIG, ["population.brands=10"])
    shares = np.array([r.share_of_viewers for r in config.regions.values()])
    seen = np.zeros((len(CAMPAIGNS), shares.size))
    for seed in range(200):
        brands = draw_brands(config, seed)
        for kind in range(len(CAMPAIGNS)):
            counts = np.bincount(brands.region[brands.campaign == kind], minlength=shares.size)
            # each region takes the whole or next whole number of its share of the type's brands
            assert np.all(np.abs(counts - counts.sum() * shares) < 1), (seed, kind, counts)
            seen[kind] += counts
    # and over runs each brand is in a region as often as the region's share of viewers
    assert np.allclose(seen / seen.sum(axis=1, keepdims=True), shares, atol=0.04)
    iid = sim.load_config(DEFAULT_CONFIG, ["population.brands=10", "population.sampling=iid"])
    assert any(np.bincount(draw_brands(iid, seed).region[:4], minlength=shares.size).max() > 2 for seed in range(50))


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
