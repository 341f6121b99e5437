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
from sim.engine.kernels import kernel
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.state import CreatorState

MAX_STREAM_DAY_PROBABILITY = 0.98  # even the keenest creator misses a day now and then


@kernel
def planned_hours(habit: float, effort: float, hours_cost_exponent: float, max_daily_live_hours: int) -> float:
    """A session's planned length (h): where the rising cost of another hour meets what the creator's effort is worth.

    The cost of the hour after ``h`` hours live is ``(h / habit) ** k`` (``k`` the ``hours_cost_exponent``), in
    units of what an hour is worth at effort 1: at effort 1 a creator streams its habit, and at effort ``e`` it
    streams until ``(h / habit) ** k = e``, ``habit * e ** (1 / k)`` hours; never past the day's hard limit.
    """
    return min(habit * effort ** (1.0 / hours_cost_exponent), max_daily_live_hours)


def start_sessions(
    creators: CreatorState, local_hour_by_region: np.ndarray, params: Creators, uniforms: np.ndarray,
    min_hours: int = 1,
) -> tuple[int, int]:
    """Start the sessions due this hour, each at least ``min_hours`` long; return how many started, and how
    many creators are live now.

    ``uniforms`` is ``[2, creators]``, each creator's keyed draws this hour: whether it streams, and the
    rounding of its session's length. One compiled pass over the creators (:func:`_start_sessions`).
    """
    return _start_sessions(
        creators.is_live, creators.has_joined, creators.is_churned, creators.region, creators.start_local_hour,
        creators.followers, creators.effort, creators.session_hours, creators.hours_left, creators.session_hour,
        local_hour_by_region, params.live_min_followers, params.stream_day_probability, params.hours_cost_exponent,
        params.max_daily_live_hours, min(min_hours, params.max_daily_live_hours), uniforms[0], uniforms[1])


@kernel
def _start_sessions(is_live, has_joined, is_churned, region, start_local_hour, followers, effort, session_hours,
                    hours_left, session_hour, local_hour_by_region, live_min_followers, stream_day_probability,
                    hours_cost_exponent, max_daily_live_hours, shortest, start_draws, length_draws) -> tuple[int, int]:
    """:func:`start_sessions`: each eligible creator at its local start hour goes live with chance
    ``stream_day_probability * effort`` (at most :data:`MAX_STREAM_DAY_PROBABILITY`), for its planned hours
    rounded up with the chance of the fraction (so a session's expected length is the planned one and effort
    moves hours smoothly, where plain rounding would ignore small changes of effort), at least ``shortest``."""
    started = n_live = 0
    for c in range(is_live.size):
        n_live += is_live[c]
        if (is_live[c] or not has_joined[c] or is_churned[c] or followers[c] < live_min_followers
                or local_hour_by_region[region[c]] != start_local_hour[c]):
            continue
        if not start_draws[c] < min(stream_day_probability * effort[c], MAX_STREAM_DAY_PROBABILITY):
            continue
        planned = planned_hours(session_hours[c], effort[c], hours_cost_exponent, max_daily_live_hours)
        whole = np.floor(planned)
        is_live[c] = True
        hours_left[c] = max(shortest, whole + (length_draws[c] < planned - whole))
        session_hour[c] = 0
        started += 1
    return started, n_live + started


def end_hour(creators: CreatorState) -> None:
    """Count the hour just streamed, end the sessions that are over, and start the next hour's tallies."""
    _end_hour(creators.is_live, creators.gifts_this_hour, creators.gifts_last_hour, creators.coins_this_hour,
              creators.live_hours, creators.session_hour, creators.hours_left)


@kernel
def _end_hour(is_live, gifts_this_hour, gifts_last_hour, coins_this_hour, live_hours, session_hour, hours_left):
    """:func:`end_hour` in one pass over the creators."""
    for c in range(is_live.size):
        if is_live[c]:
            # the room's last live hour, kept between sessions: a new session's room starts from its usual buzz
            gifts_last_hour[c] = gifts_this_hour[c]
            live_hours[c] += 1
            session_hour[c] += 1
            hours_left[c] -= 1
            is_live[c] = hours_left[c] > 0
        gifts_this_hour[c] = 0
        coins_this_hour[c] = 0


def _start(hour: Hour) -> None:
    creators = hour.creators
    floor = max([1, *(int(floor.factor(hour)) for floor in hour.modifiers["session_floor"])])
    uniforms = hour.uniforms("streaming.start", np.arange(creators.size), 2)
    started, n_live = start_sessions(creators, hour.local_hour, hour.config.creators, uniforms, floor)
    hour.flows.add("new_sessions_started", started)
    hour.flows.set("n_creators_live", n_live)


def _end(hour: Hour) -> None:
    end_hour(hour.creators)


START_SESSIONS = Phase(
    "start_sessions", _start,
    reads=("creators.is_live", "creators.region", "creators.start_local_hour", "creators.followers",
           "creators.effort", "creators.session_hours", "creators.has_joined", "creators.is_churned",
           "session_floor modifiers"),
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
