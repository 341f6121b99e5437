"""Rooms are chosen among live creators only, popular ones more often; sessions follow local clocks."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim import GiftEconomy
from sim.engine.mechanisms.attention import _median
from sim.engine.state import NOBODY
from tests.conftest import DEFAULT_CONFIG


def test_viewers_only_watch_live_creators(small_config):
    model = GiftEconomy(small_config, rng=2)
    for _ in range(48):
        model.run_for(1)
        watching = model.viewer_state.watching
        rooms = watching[watching != NOBODY]
        # end_hour has already ended some sessions; a room watched must have been live this hour
        assert (model.creator_state.live_hours[rooms] > 0).all()


MANY_CREATORS = ["population.viewers=3000", "population.creators=200", "population.brands=0", "run.days=2"]


def _followers_audience_correlation(overrides: list[str], seeds=range(3)) -> float:
    """Mean over seeds of corr(log followers, viewers per live hour) among creators who streamed."""
    values = []
    for seed in seeds:
        creators = sim.run(sim.load_config(DEFAULT_CONFIG, [*MANY_CREATORS, *overrides]), seed=seed).creators
        streamed = creators[creators["live_hours"] > 0]
        per_hour = streamed["viewer_hours"] / streamed["live_hours"]
        values.append(np.corrcoef(np.log(streamed["followers"]), per_hour)[0, 1])
    return float(np.mean(values))


@pytest.mark.slow
def test_popularity_weighting_sends_viewers_to_creators_with_more_followers():
    with_popularity = _followers_audience_correlation(["creators.popularity_exponent=1"])  # the mechanism at full
    without = _followers_audience_correlation(
        ["creators.popularity_exponent=0", "creators.quality_sigma=0", "viewers.follow_probability=0",
         "herding.exponent=0", "exploration.share=0"]
    )
    # Without popularity the correlation is noise around 0 (about +-0.1 over three seeds).
    assert with_popularity > 0.3
    assert with_popularity - without > 0.3


def test_sessions_start_at_each_creators_local_hour(small_config):
    model = GiftEconomy(small_config, rng=5)
    state = model.creator_state
    offsets = model.utc_offsets[state.region]
    started = np.zeros(state.size, dtype=bool)
    for hour in range(24):
        before = state.is_live.copy()
        model.run_for(1)
        new = (state.live_hours > 0) & ~started
        local = (hour + offsets) % 24
        assert (local[new & ~before] == state.start_local_hour[new & ~before]).all()
        started |= new
    assert started.any()
    assert (state.followers[started] >= small_config.creators.live_min_followers).all()


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=60))
def test_the_median_of_followers_is_numpys(followers):
    values = np.array(followers, dtype=np.int64)
    assert _median(values) == np.median(values)
