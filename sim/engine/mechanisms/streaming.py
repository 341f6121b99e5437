"""When creators are live, and for how long: one session a day at each creator's own local start hour.

An eligible creator (joined, not quit, followers at or above the LIVE threshold) starts a session when
its local clock reaches its start hour, with a chance per day of ``stream_day_probability * effort``
(at most 0.98): effort, set daily from what the creator's room pays (:mod:`sim.engine.mechanisms.effort`),
acts mostly on how often a creator goes live. How long it stays is its habit, stretched a little by
effort: another hour live costs more the more hours it has already streamed that day (sleep, meals, a
day's work), as ``(hours already live / habitual length) ** hours_cost_exponent``, and the creator stops
where that cost passes what its effort is worth, after ``session_hours * effort ** (1 / hours_cost_exponent)``
hours, rounded at random to a whole hour with the expected length kept. No session lasts longer than
``max_daily_live_hours``, the hard limit of a day (sleep), nor shorter than one hour or the largest floor
the ``session_floor`` modifiers declare (such as a reward mission's minimum length, itself within the
limit). With one start a day and the day's limit below 24 hours, a creator is off air for at least
``24 - max_daily_live_hours`` hours between sessions: no session runs into the next.

Sources: Twitch streams average 2.7 h for small channels and 3.75-4.3 h for channels over 50,000
followers (B: Statista, 2023-2024), 24-hour streams are rare events (C: SullyGnome) and sessions on
Chinese live platforms run about an hour (B: Lu et al. 2021); the cost's form and steepness are assumptions.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Creators
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.state import CreatorState

MAX_STREAM_DAY_PROBABILITY = 0.98  # even the keenest creator misses a day now and then


def planned_hours(habit: np.ndarray, effort: np.ndarray, params: Creators) -> np.ndarray:
    """A session's planned length (h): where the rising cost of another hour meets what the creator's effort is worth.

    The cost of the hour after ``h`` hours live is ``(h / habit) ** k`` (``k`` the ``hours_cost_exponent``), in
    units of what an hour is worth at effort 1: at effort 1 a creator streams its habit, and at effort ``e`` it
    streams until ``(h / habit) ** k = e``, ``habit * e ** (1 / k)`` hours; never past the day's hard limit.
    """
    return np.minimum(habit * effort ** (1.0 / params.hours_cost_exponent), params.max_daily_live_hours)


def start_sessions(
    creators: CreatorState, local_hour_by_region: np.ndarray, params: Creators, uniforms: np.ndarray,
    min_hours: int = 1,
) -> int:
    """Start the sessions due this hour, each at least ``min_hours`` long; return how many started.

    ``uniforms`` is ``[2, creators]``, each creator's keyed draws this hour: whether it streams, and the
    rounding of its session's length.
    """
    due = (
        ~creators.is_live
        & creators.has_joined
        & ~creators.is_churned
        & (local_hour_by_region[creators.region] == creators.start_local_hour)
        & (creators.followers >= params.live_min_followers)
    )
    chance = np.minimum(params.stream_day_probability * creators.effort, MAX_STREAM_DAY_PROBABILITY)
    starting = due & (uniforms[0] < chance)
    creators.is_live[starting] = True
    planned = planned_hours(creators.session_hours[starting], creators.effort[starting], params)
    # Rounded up with the chance of the fraction, so a session's expected length is the planned one and
    # effort moves hours smoothly (plain rounding would ignore small changes of effort).
    whole = np.floor(planned)
    length = np.maximum(min(min_hours, params.max_daily_live_hours), whole + (uniforms[1][starting] < planned - whole))
    creators.hours_left[starting] = length.astype(np.int64)
    creators.session_hour[starting] = 0
    return int(starting.sum())


def end_hour(creators: CreatorState) -> None:
    """Count the hour just streamed, end the sessions that are over, and start the next hour's tallies."""
    live = creators.is_live
    # the room's last live hour, kept between sessions: a new session's room starts from its usual buzz
    creators.gifts_last_hour[live] = creators.gifts_this_hour[live]
    creators.gifts_this_hour[:] = 0
    creators.coins_this_hour[:] = 0
    creators.live_hours[live] += 1
    creators.session_hour[live] += 1
    creators.hours_left[live] -= 1
    creators.is_live &= creators.hours_left > 0


def _start(hour: Hour) -> None:
    creators = hour.creators
    floor = max([1, *(int(floor.factor(hour)) for floor in hour.modifiers["session_floor"])])
    uniforms = hour.uniforms("streaming.start", np.arange(creators.size), 2)
    started = start_sessions(creators, hour.local_hour, hour.config.creators, uniforms, floor)
    hour.flows.add("new_sessions_started", started)
    hour.flows.set("n_creators_live", int(creators.is_live.sum()))


def _end(hour: Hour) -> None:
    end_hour(hour.creators)


START_SESSIONS = Phase(
    "start_sessions", _start,
    reads=("creators.start_local_hour", "creators.followers", "creators.effort", "creators.has_joined",
           "creators.is_churned", "session_floor modifiers"),
    writes=("creators.is_live", "creators.hours_left", "creators.session_hour"),
)
END_HOUR = Phase(
    "end_hour", _end, reads=("creators.gifts_this_hour", "creators.is_live"),
    writes=("creators.gifts_last_hour", "creators.gifts_this_hour", "creators.coins_this_hour",
            "creators.live_hours", "creators.session_hour", "creators.hours_left", "creators.is_live"),
)
MECHANISM = Mechanism(
    "streaming", "creators go live at their local start hour and stream for their session length",
    phases=(START_SESSIONS, END_HOUR),
    outputs=(
        Output("n_creators_live", "stock", "creators", "Creators live", "live this hour"),
        Output("new_sessions_started", "flow", "sessions", "Sessions started", "lives started this hour"),
    ),
)
