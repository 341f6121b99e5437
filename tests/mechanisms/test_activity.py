"""Who comes online: the grouped draw gives each viewer its own chance, with work that grows with who is drawn."""

import numpy as np

from sim import GiftEconomy
from sim.engine.mechanisms import activity
from sim.engine.mechanisms.activity import _independent_draws


def test_no_group_that_can_draw_draws_nobody():
    rng = np.random.default_rng(0)
    for sizes, chances in (([1], [0.0]), ([], []), ([0, 4], [0.5, 0.0])):
        positions, groups = _independent_draws(rng, np.array(sizes, dtype=np.int64), np.array(chances))
        assert positions.size == groups.size == 0


def test_each_member_is_drawn_with_its_groups_chance():
    rng = np.random.default_rng(1)
    sizes, chances, repeats = np.array([40, 3, 25]), np.array([0.3, 1.0, 0.02]), 4000
    counts = [np.zeros(size) for size in sizes]
    for _ in range(repeats):
        positions, groups = _independent_draws(rng, sizes, chances)
        assert np.all(positions < sizes[groups])
        for group in range(sizes.size):
            drawn = positions[groups == group]
            assert np.unique(drawn).size == drawn.size  # nobody twice
            counts[group][drawn] += 1
    for group, chance in enumerate(chances):
        frequency = counts[group] / repeats
        standard_error = np.sqrt(chance * (1 - chance) / repeats) + 1e-12
        assert np.all(np.abs(frequency - chance) < 5 * standard_error + 1e-9)


def test_each_viewer_comes_online_with_its_own_chance(small_config):
    model = GiftEconomy(small_config, rng=0)
    model.run_for(3)  # some viewers online, the others not
    viewers, groups = model.viewer_state, activity.online_groups(model.viewer_state)
    was_online, online_index, hours_online = viewers.is_online.copy(), groups.online.copy(), viewers.hours_online.copy()
    by_region, persistence, draws = np.linspace(0.05, 0.3, len(model.region_codes)), 0.6, 2000
    chance = np.minimum(by_region[viewers.region] * viewers.activity, 1.0)
    expected = np.where(was_online, persistence + (1 - persistence) * chance, (1 - persistence) * chance)
    rng, counts = np.random.default_rng(1), np.zeros(viewers.size)
    for _ in range(draws):
        counts[activity.draw_online(viewers, by_region, rng, lambda rows: np.zeros(rows.size, bool), persistence)] += 1
        viewers.is_online[:], groups.online, viewers.hours_online[:] = was_online, online_index, hours_online
    drawn = (expected > 0) & (expected < 1)
    z = (counts[drawn] / draws - expected[drawn]) / np.sqrt(expected[drawn] * (1 - expected[drawn]) / draws)
    assert drawn.sum() > 1000
    assert abs(z.mean()) < 0.1 and 0.9 < z.std() < 1.1
