"""Loyal gifting: payers give in their favourites' rooms, so most give to 3 or fewer creators in a month."""

import numpy as np
import pytest

import sim
from sim.engine.mechanisms.gifting import MAX_CREATORS_COUNTED, _note_creators_gifted
from sim.engine.state import NOBODY
from tests.conftest import DEFAULT_CONFIG


def test_distinct_creators_gifted_are_counted_by_hand():
    first, second, third = (np.full(2, NOBODY, dtype=np.int32) for _ in range(3))
    count = np.zeros(2, dtype=np.int8)
    # viewer 0 gifts creators 5, 5 (again), 7, a free gift to 9 (not counted), then 8, 6 and 4
    for room, is_paid in ((5, True), (5, True), (7, True), (9, False), (8, True), (6, True), (4, True)):
        _note_creators_gifted(np.array([0]), np.array([room]), np.array([is_paid]), first, second, third, count)
    assert count[0] == MAX_CREATORS_COUNTED  # 5, 7, 8, 6: four or more, and no further
    assert [first[0], second[0], third[0]] == [5, 7, 8]
    assert count[1] == 0 and first[1] == NOBODY


@pytest.mark.slow  # two runs of 2,000 viewers over 14 + 30 days
def test_payers_give_to_few_creators_when_they_seldom_gift_outside_their_favourites():
    def share(*settings: str) -> float:
        config = sim.load_config(DEFAULT_CONFIG, [
            "population.viewers=2000", "population.creators=40", "run.days=30", "run.burn_in_days=14", *settings])
        result = sim.run(config, seed=3, progress=False)
        gifted = result.viewers.loc[result.viewers.creator_id == -1, "creators_gifted"]
        assert result.summary["paid_gifters_to_3_or_fewer_share"] == pytest.approx(
            ((gifted >= 1) & (gifted <= 3)).sum() / (gifted >= 1).sum())
        return result.summary["paid_gifters_to_3_or_fewer_share"]

    loyal, spread = share(), share("follower_affinity.stranger_multiplier=1")  # the preset's, and none
    assert loyal >= 0.6 > spread
