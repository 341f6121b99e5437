"""When creators are live: a daily session at each creator's own local start hour.

An eligible creator (joined, not quit, followers at or above the LIVE threshold) starts a session when
its local clock reaches its start hour, with a chance per day of ``stream_day_probability *
effort``, and streams for ``session_hours * effort`` hours, rounded at random to a whole hour with the
expected length kept (at least one, or the largest floor the
``session_floor`` modifiers declare, such as a reward mission's minimum length). Effort is set daily by
:mod:`sim.engine.mechanisms.effort`.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Creators
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.state import CreatorState

MAX_STREAM_DAY_PROBABILITY = 0.98  # even the keenest creator misses a day now and then


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
    planned = creators.session_hours[starting] * creators.effort[starting]
    # Rounded up with the chance of the fraction, so a session's expected length is the planned one and
    # effort moves hours smoothly (plain rounding would ignore any effort between 0.75 and 1.25 of a 1-hour habit).
    whole = np.floor(planned)
    length = np.maximum(min_hours, whole + (uniforms[1][starting] < planned - whole))
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
