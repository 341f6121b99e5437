"""Brands' campaigns in an hour: the per-slot rules by hand, and the compiled hour against the same source as Python."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.mechanisms import brands as brand_rules
from tests.conftest import DEFAULT_CONFIG, REPO

EVERY_CAMPAIGN = ["population.viewers=1500", "population.creators=30", "population.brands=8", "run.days=2",
                  "brands.campaign_mix={sponsorship: 0.25, matching: 0.25, drops: 0.25, gifts: 0.25}",
                  "brands.drops_budget_share=1.0"]
SCRIPT = f"""
import sys
import sim
model = sim.GiftEconomy(sim.load_config({str(DEFAULT_CONFIG)!r}, {EVERY_CAMPAIGN!r}), rng=2)
model.run_for(model.config.total_hours)
model.brands_table().to_parquet(sys.argv[1] + "/brands.parquet")
model.viewers_table().to_parquet(sys.argv[1] + "/viewers.parquet")
model.creators_table().to_parquet(sys.argv[1] + "/creators.parquet")
"""


def test_a_brand_buys_the_largest_bundle_its_allowance_pays_for_as_often_as_it_takes():
    coins = np.array([100, 500, 1_000, 0])  # the last slot is padding: no bundle
    gross = np.array([1_000_000, 4_500_000, 8_000_000, 0])
    assert brand_rules.brand_bundle(250, coins, gross, 6_000_000) == (1, 1)
    assert brand_rules.brand_bundle(1_200, coins, gross, 20_000_000) == (2, 2)
    assert brand_rules.brand_bundle(5_000, coins, gross, 25_000_000) == (2, 3)  # the allowance pays for 3 of 5
    assert brand_rules.brand_bundle(50, coins, gross, 500_000)[1] == 0  # it pays for none


def test_a_sponsorship_pays_for_its_slots_while_the_budget_lasts():
    # 25 USD left at 10 USD a slot: two slots, the best rooms' first
    assert [brand_rules.paid_slots(25_000_000, 10_000_000, before, times) for before, times in
            ((0, 1), (1, 3), (3, 1))] == [1, 1, 0]


def test_each_coin_campaign_wants_its_coins_for_every_time_it_takes_a_room():
    def wanted(campaign, times, room_coins=0, audience=0):
        return brand_rules.coins_wanted(campaign, times, room_coins, audience, 0.5, 3, 5, 500)

    # a match is half the room's coins, rounded half to even, at most 3
    assert [wanted(brand_rules.MATCHING, 1, room_coins) for room_coins in (5, 7, 3)] == [2, 3, 2]
    assert wanted(brand_rules.MATCHING, 2, 5) == 4
    assert wanted(brand_rules.DROPS, 2, audience=40) == 400
    assert wanted(brand_rules.GIFTS, 3) == 1_500
    assert wanted(brand_rules.SPONSORSHIP, 2, 100, 40) == 0


def test_a_drop_is_shared_equally_and_the_first_viewer_takes_the_remainder():
    assert brand_rules.drop_share(1_003, 10) == (100, 3)
    assert brand_rules.drop_share(7, 10) == (0, 7)


def test_every_coin_a_brand_drops_reaches_a_watcher():
    model = sim.GiftEconomy(sim.load_config(DEFAULT_CONFIG, EVERY_CAMPAIGN), rng=2)
    model.run_for(model.config.total_hours)
    brands, viewers = model.brand_state, model.viewer_state
    assert brands.coins_dropped.sum() > 0 and brands.coins_gifted.sum() > 0
    assert viewers.coins_received.sum() == brands.coins_dropped.sum()
    assert (brands.coins_bought == brands.wallet_coins + brands.coins_gifted + brands.coins_dropped).all()


@pytest.mark.slow
def test_an_hour_of_every_campaign_with_the_jit_off_equals_the_compiled_hour(tmp_path):
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], check=True, env=env, cwd=REPO)
    model = sim.GiftEconomy(sim.load_config(DEFAULT_CONFIG, EVERY_CAMPAIGN), rng=2)
    model.run_for(model.config.total_hours)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "brands.parquet"), model.brands_table())
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "viewers.parquet"), model.viewers_table())
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "creators.parquet"), model.creators_table())
