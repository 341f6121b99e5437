"""Gift times within the hour: streaks, bursts after big gifts and battles' closing minutes, hourly totals untouched."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.config import GiftTimes
from sim.engine.config_io import load_config
from sim.engine.gift_times import battle_window_start, seconds_of_gifts
from sim.engine.state import NOBODY
from tests.conftest import DEFAULT_CONFIG

ROOMS, EVENTS, STEPS = 40, 120, 3  # synthetic: each room gets EVENTS gift events in each hour


def events(big_every: int = 0, opponent: bool = False) -> dict[str, np.ndarray]:
    """The log of STEPS hours of ROOMS rooms, each room-hour's EVENTS events from distinct senders, in hour order."""
    step = np.repeat(np.arange(1, STEPS + 1), ROOMS * EVENTS)
    creator = np.tile(np.repeat(np.arange(ROOMS), EVENTS), STEPS)
    sender = np.arange(step.size)
    coins = np.ones(step.size, dtype=np.int64)
    if big_every:
        coins[::big_every] = 5_000
    rival = np.where(creator % 2 == 0, creator + 1, creator - 1) if opponent else np.full(step.size, NOBODY)
    return {"step": step, "creator": creator, "sender": sender, "coins": coins, "opponent": rival}


DEFAULTS = GiftTimes()


def seconds(log: dict[str, np.ndarray], params: GiftTimes = DEFAULTS, multiplier: float = 1.0,
            seed: int = 5) -> np.ndarray:
    return seconds_of_gifts(seed, params, log["step"], log["creator"], log["sender"], log["coins"], log["opponent"],
                            multiplier)


def minute_fano(log: dict[str, np.ndarray], second: np.ndarray) -> float:
    """Median over room-hours of the Fano factor of gifts per minute."""
    counts = np.zeros((STEPS * ROOMS, 60))
    np.add.at(counts, ((log["step"] - 1) * ROOMS + log["creator"], second // 60), 1)
    return float(np.median(counts.var(axis=1) / counts.mean(axis=1)))


def test_seconds_are_in_the_hour_reproducible_and_keyed_by_seed():
    log = events(big_every=10)
    first = seconds(log)
    assert first.dtype == np.int16 and first.min() >= 0 and first.max() <= 3599
    assert (seconds(log) == first).all()
    assert (seconds(log, seed=6) == first).mean() < 0.01


def test_a_room_hour_times_do_not_depend_on_other_rooms():
    log = events(big_every=10)
    kept = log["creator"] != 3  # drop a room: every other room's gifts keep their seconds
    assert (seconds({k: v[kept] for k, v in log.items()}) == seconds(log)[kept]).all()


def test_without_excitation_the_times_are_uniform_and_with_it_they_burst():
    log = events(big_every=10)
    calm = seconds(log, GiftTimes(follow_share=0.0))
    assert abs(minute_fano(log, calm) - 1.0) < 0.15  # independent uniform times: per-minute counts near Poisson
    assert abs(calm.mean() - 1799.5) < 20
    assert minute_fano(log, seconds(log)) > 1.5  # bursts: overdispersed per-minute counts


def test_big_gifts_raise_the_rate_of_others_gifts_in_the_next_minutes():
    log = events(big_every=20)
    second = seconds(log).astype(np.int64)
    frame = pd.DataFrame({"hour": log["step"], "room": log["creator"], "second": second, "big": log["coins"] > 1})
    rates = []
    for _, room_hour in frame.groupby(["hour", "room"]):
        others = room_hour["second"].to_numpy()
        for t in room_hour.loc[room_hour["big"] & (room_hour["second"] < 3600 - 120), "second"]:
            rates.append(((others > t) & (others <= t + 120)).sum() / (len(others) - 1) * 3600 / 120)
    assert np.mean(rates) > 2.5  # over twice the room-hour's mean rate in the two minutes after a big gift


def test_a_senders_streak_comes_within_seconds():
    log = events()
    log["sender"] = log["sender"].copy()
    streak = np.flatnonzero((log["step"] == 2) & (log["creator"] == 7))[:6]
    log["sender"][streak] = 10**6  # one sender's six events in one room-hour
    second = seconds(log)[streak]
    assert second.max() - second.min() <= 60  # five gaps of mean 3 s
    apart = seconds(events())[streak]  # the same events from six senders: spread over the hour
    assert apart.max() - apart.min() > 600


def test_battle_rooms_gifts_crowd_into_the_closing_minutes_of_a_shared_window():
    params, multiplier = GiftTimes(follow_share=0.0), 3.0  # two thirds of a battle room's gifts are the battle's
    log = events(opponent=True)
    second = seconds(log, params, multiplier)
    start = battle_window_start(5, params, log["step"], np.minimum(log["creator"], log["opponent"]))
    offset = second - start
    in_window = (offset >= 0) & (offset < params.battle_seconds)
    expected = (multiplier - 1) / multiplier + 1 / multiplier * params.battle_seconds / 3600
    assert abs(in_window.mean() - expected) < 0.03
    last_minute = in_window & (offset >= params.battle_seconds - 60)
    assert last_minute.sum() / in_window.sum() > 0.4  # 1 - 0.8 ** 3 = 49% in the last minute of five (uniform: 20%)
    # no battle: the same rooms' gifts spread over the hour
    assert ((seconds(events(), params, multiplier) - start) // params.battle_seconds == 0).mean() < 0.15


@pytest.fixture(scope="module")
def runs():
    settings = ["population.viewers=2000", "population.creators=60", "population.brands=3", "run.days=2",
                "battles.enabled=true", f"run.record.creators={list(range(60))}"]
    config = load_config(DEFAULT_CONFIG, settings)
    bursty = load_config(DEFAULT_CONFIG, [*settings, "run.record.gift_times.follow_share=0.9"])
    return sim.run(config, seed=4, events=False), sim.run(config, seed=4, events=True), sim.run(bursty, seed=4,
                                                                                                 events=True)


def test_timing_gifts_changes_no_hourly_total(runs):
    plain, timed, bursty = runs
    for run in (timed, bursty):
        pd.testing.assert_frame_equal(run.timeseries, plain.timeseries, check_exact=True)
        pd.testing.assert_frame_equal(run.recorded["creator_history"], plain.recorded["creator_history"],
                                      check_exact=True)
    gifts = timed.recorded["gift_events"]
    per_room_hour = gifts.groupby(["step", "creator_id"])["copies"].sum()
    history = plain.recorded["creator_history"].set_index(["step", "creator_id"])["new_gifts"]
    assert (history[history > 0] == per_room_hour.reindex(history[history > 0].index, fill_value=0)).all()
    assert history.sum() == per_room_hour.sum()
    other = bursty.recorded["gift_events"]
    assert other.drop(columns="second").equals(gifts.drop(columns="second"))  # only the seconds move
    moved = other["second"] != gifts["second"]
    in_room_hour = gifts.groupby(["step", "creator_id"])["event_id"].transform("size")
    assert moved.any() and (in_room_hour[moved] >= 2).all()  # an event alone in its room-hour follows none
