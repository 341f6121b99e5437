"""Who comes online: each viewer compares its own keyed uniform with its own chance."""

import numpy as np

from sim import GiftEconomy
from sim.engine.mechanisms import activity
from sim.engine.randomness import call_key


def test_each_viewer_comes_online_with_its_own_chance(small_config):
    model = GiftEconomy(small_config, rng=0)
    model.run_for(3)  # some viewers online, the others not
    viewers = model.viewer_state
    was_online, hours_online = viewers.is_online.copy(), viewers.hours_online.copy()
    by_region, persistence, draws = np.linspace(0.05, 0.3, len(model.region_codes)), 0.6, 2000
    chance = np.minimum(by_region[viewers.region] * viewers.activity, 1.0)
    expected = np.where(was_online, persistence + (1 - persistence) * chance, (1 - persistence) * chance)
    counts = np.zeros(viewers.size)
    nobody_busy = np.zeros(model.creator_state.size, dtype=bool)
    for hour in range(draws):
        key = call_key(1, "activity.online", hour)
        counts[activity.draw_online(viewers, by_region, key, model.n_audience, nobody_busy, persistence)] += 1
        viewers.is_online[:], viewers.hours_online[:] = was_online, hours_online
    drawn = (expected > 0) & (expected < 1)
    z = (counts[drawn] / draws - expected[drawn]) / np.sqrt(expected[drawn] * (1 - expected[drawn]) / draws)
    assert drawn.sum() > 1000
    assert abs(z.mean()) < 0.1 and 0.9 < z.std() < 1.1


def test_creators_own_rows_stay_offline_while_busy_and_the_rest_are_untouched(small_config):
    model = GiftEconomy(small_config, rng=0)
    viewers, n_audience = model.viewer_state, model.n_audience
    assert viewers.size > n_audience  # the preset has peer gifting: creators' own rows follow the audience
    chance, key = np.full(len(small_config.regions), 0.5), call_key(3, "activity.online", 5)
    nobody_busy = np.zeros(model.creator_state.size, dtype=bool)
    free = activity.draw_online(viewers, chance, key, n_audience, nobody_busy).copy()
    viewers.is_online[:] = False
    busy = activity.draw_online(viewers, chance, key, n_audience, ~nobody_busy)
    assert np.array_equal(busy, free[free < n_audience])
    assert (free >= n_audience).any()
    assert np.array_equal(np.flatnonzero(viewers.is_online), busy)
