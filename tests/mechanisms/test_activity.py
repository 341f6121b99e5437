"""Who comes online: the grouped draw gives each viewer its own chance, with work that grows with who is drawn."""

import numpy as np

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
