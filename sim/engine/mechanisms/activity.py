"""Who is online: a daily rhythm by local hour, scaled by each viewer's own activity level.

The chance of being online follows a raised cosine over the local day, from a trough to a peak
at ``peak_local_hour``; viewers in different time zones therefore peak at different UTC hours. Other
mechanisms multiply it per region (``online`` modifiers: the weekend), capped at 1. Creators' viewer
rows are not online while their creator is live.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Viewers
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.state import ViewerState


def online_probability(local_hour: np.ndarray, params: Viewers) -> np.ndarray:
    """Chance of being online in each given local hour (before the viewer's own activity level)."""
    phase = 2 * np.pi * (local_hour - params.peak_local_hour) / 24
    shape = (1 + np.cos(phase)) / 2
    return params.online_trough_probability + (
        params.online_peak_probability - params.online_trough_probability
    ) * shape


def draw_online(
    viewers: ViewerState, chance_by_region: np.ndarray, rng: np.random.Generator, busy: np.ndarray,
) -> np.ndarray:
    """Indices of the viewers online this hour; rows in ``busy`` (creators on air) are not."""
    # Single precision: this draw covers every viewer every hour, and 2**-24 resolution is ample
    # for a probability; it halves the cost of the model's largest draw.
    by_region = np.minimum(chance_by_region, 1.0).astype(np.float32)
    chance = by_region[viewers.region] * viewers.activity
    chance[busy] = 0.0
    online = np.flatnonzero(rng.random(viewers.size, dtype=np.float32) < chance)
    viewers.hours_online[online] += 1
    return online


def _come_online(hour: Hour) -> None:
    viewers, creators, n_audience = hour.viewers, hour.creators, hour.model.n_audience
    # rows past the audience are creators watching peers (peer gifting): not while they are on air
    on_air = n_audience + np.flatnonzero(creators.is_live) if n_audience < viewers.size else []
    chance = online_probability(hour.local_hour, hour.config.viewers) * hour.multiplier("online")
    hour.online = draw_online(viewers, chance, hour.rng("activity"), on_air)
    hour.flows.set("n_viewers_online", hour.online.size)


COME_ONLINE = Phase(
    "come_online", _come_online, reads=("viewers.activity", "viewers.region", "creators.is_live"),
    writes=("hour.online", "viewers.hours_online"),
)
MECHANISM = Mechanism(
    "activity", "viewers come online by a daily rhythm in their own time zone", phases=(COME_ONLINE,),
    outputs=(Output("n_viewers_online", "stock", "viewers", "Viewers online", "online this hour"),),
)
