"""Who comes online: each viewer compares its own keyed uniform with its own chance."""

import numpy as np

from sim import GiftEconomy
from sim.engine.mechanisms import activity
from sim.engine.randomness import keyed_uniforms


def test_each_viewer_comes_online_with_its_own_chance(small_config):
    model = GiftEconomy(small_config, rng=0)
    model.run_for(3)  # some viewers online, the others not
    viewers = model.viewer_state
    was_online, hours_online = viewers.is_online.copy(), viewers.hours_online.copy()
    by_region, persistence, draws = np.linspace(0.05, 0.3, len(model.region_codes)), 0.6, 2000
    chance = np.minimum(by_region[viewers.region] * viewers.activity, 1.0)
    expected = np.where(was_online, persistence + (1 - persistence) * chance, (1 - persistence) * chance)
    counts = np.zeros(viewers.size)
    rows = np.arange(viewers.size)
    for hour in range(draws):
        uniforms = keyed_uniforms(1, "activity.online", rows, hour)
        counts[activity.draw_online(viewers, by_region, uniforms, lambda r: np.zeros(r.size, bool), persistence)] += 1
        viewers.is_online[:], viewers.hours_online[:] = was_online, hours_online
    drawn = (expected > 0) & (expected < 1)
    z = (counts[drawn] / draws - expected[drawn]) / np.sqrt(expected[drawn] * (1 - expected[drawn]) / draws)
    assert drawn.sum() > 1000
    assert abs(z.mean()) < 0.1 and 0.9 < z.std() < 1.1


def test_busy_rows_stay_offline_and_the_rest_are_untouched_by_them(small_config):
    viewers = GiftEconomy(small_config, rng=0).viewer_state
    uniforms = keyed_uniforms(3, "activity.online", np.arange(viewers.size), 5)
    chance = np.full(len(small_config.regions), 0.5)
    free = activity.draw_online(viewers, chance, uniforms, lambda r: np.zeros(r.size, bool)).copy()
    viewers.is_online[:] = False
    busy = activity.draw_online(viewers, chance, uniforms, lambda r: r % 2 == 0)
    assert np.array_equal(busy, free[free % 2 == 1])
