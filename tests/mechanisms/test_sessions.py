"""Sessions like people's: effort moves how often a creator streams more than how long, within a day's limit."""

import numpy as np
import pytest

import sim
from benchmarks.scale_invariance import measure, scaled_config, sessions
from sim.engine.mechanisms.streaming import planned_hours, start_sessions
from sim.engine.state import draw_creators
from tests.conftest import DEFAULT_CONFIG


def _creators(config, n):
    creators = draw_creators(config.model_copy(update={
        "population": config.population.model_copy(update={"creators": n}),
        "supply": config.supply.model_copy(update={"enabled": False})}), seed=0)  # n rows, all joined
    creators.followers[:] = 10**6
    creators.start_local_hour[:] = 0
    return creators


def test_planned_hours_meet_the_rising_cost_of_another_hour(default_config):
    params = default_config.creators.model_copy(update={"hours_cost_exponent": 4.0, "max_daily_live_hours": 12})
    # habit x effort ** (1 / 4): 2 x 16 ** 0.25 = 4; 3 x 1 = 3; 10 x 16 ** 0.25 = 20, over the day's 12
    planned = [planned_hours(habit, effort, params.hours_cost_exponent, params.max_daily_live_hours)
               for habit, effort in [(2.0, 16.0), (3.0, 1.0), (10.0, 16.0)]]
    np.testing.assert_allclose(planned, [4.0, 3.0, 12.0])


def test_effort_moves_how_often_more_than_how_long(default_config):
    params = default_config.creators.model_copy(update={"stream_day_probability": 0.4, "hours_cost_exponent": 4.0})
    local_hour = np.zeros(len(default_config.regions), dtype=np.int64)
    started, hours = {}, {}
    for effort in (1.0, 2.0):
        creators = _creators(default_config, 1000)
        creators.session_hours[:] = 2
        creators.effort[:] = effort
        grid = (np.arange(1000) + 0.5) / 1000  # evenly spread uniforms: the shares are exact
        start_sessions(creators, local_hour, params, np.stack([grid, (grid * 7) % 1]))
        started[effort], hours[effort] = creators.is_live.mean(), creators.hours_left[creators.is_live].mean()
    assert started[1.0] == pytest.approx(0.4) and started[2.0] == pytest.approx(0.8)  # twice as often
    assert hours[2.0] / hours[1.0] == pytest.approx(2 ** 0.25, abs=0.02)  # 19% longer (rounded at random)


def test_no_session_passes_the_days_limit_even_with_a_longer_mission_floor(default_config):
    creators = _creators(default_config, 4)
    creators.session_hours[:] = [1, 4, 20, 30]
    creators.effort[:] = [1.0, 4.0, 4.0, 1.0]
    params = default_config.creators.model_copy(update={"stream_day_probability": 1.0, "max_daily_live_hours": 10})
    local_hour = np.zeros(len(default_config.regions), dtype=np.int64)
    start_sessions(creators, local_hour, params, np.zeros((2, 4)), min_hours=14)
    assert creators.is_live.all()
    assert creators.hours_left.max() <= 10
    assert creators.hours_left.tolist() == [10, 10, 10, 10]  # the floor of 14 is cut to the day's 10


def test_session_lengths_and_stretches_are_read_from_hourly_records():
    live = np.array([[1, 0], [1, 1], [1, 1], [0, 1], [1, 1]], dtype=bool)
    # creator 0: a 3-hour session, then a new one; creator 1: two sessions back to back (hours 1-2, 3-4)
    hour = np.array([[1, 0], [2, 1], [3, 2], [0, 1], [1, 2]])
    lengths, longest = sessions(live, hour)
    assert sorted(lengths.tolist()) == [1, 2, 2, 3]
    assert longest == 4


def test_a_short_run_streams_like_people():
    """Mean session 1-4 h, p99 at most 12 h, no continuous stretch over 24 h, no creator above 12 h a day."""
    figures = measure(scaled_config(2000, days=21, burn_in_days=7), seed=3)
    assert 1.0 <= figures["mean_session_h"] <= 4.0
    assert figures["p99_session_h"] <= 12
    assert figures["longest_stretch_h"] <= 24
    assert figures["top_live_hours_per_day"] <= 12


def test_the_days_limit_holds_in_a_run_with_keen_creators():
    config = sim.load_config(DEFAULT_CONFIG, [
        "population.viewers=2000", "population.creators=40", "population.brands=1", "run.days=7",
        "run.burn_in_days=0", "creators.session_hours_mean=9", "creators.max_daily_live_hours=8",
        "effort.typical_usd_per_live_hour=0.000001"])  # every creator that earns anything is at the cap
    figures = measure(config, seed=1)
    assert figures["p99_session_h"] <= 8 and figures["longest_stretch_h"] <= 8
