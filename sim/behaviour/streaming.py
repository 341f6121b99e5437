"""When creators are live: a daily session at each creator's own local start hour.

An eligible creator (followers at or above the LIVE threshold) starts a session when its local
clock reaches its start hour, with a fixed chance per day, and stays live for its session length.
"""

from __future__ import annotations

import numpy as np

from sim.config import Creators
from sim.state import CreatorState


def start_sessions(
    creators: CreatorState, local_hour_by_region: np.ndarray, params: Creators, rng: np.random.Generator
) -> int:
    """Start the sessions due this hour; return how many started."""
    due = (
        ~creators.is_live
        & (local_hour_by_region[creators.region] == creators.start_local_hour)
        & (creators.followers >= params.live_min_followers)
    )
    starting = due & (rng.random(creators.size) < params.stream_day_probability)
    creators.is_live[starting] = True
    creators.hours_left[starting] = creators.session_hours[starting]
    return int(starting.sum())


def end_hour(creators: CreatorState) -> None:
    """Count the hour just streamed and end the sessions that are over."""
    live = creators.is_live
    creators.live_hours[live] += 1
    creators.hours_left[live] -= 1
    creators.is_live &= creators.hours_left > 0
