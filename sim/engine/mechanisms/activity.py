"""Who is online: a daily rhythm by local hour, scaled by each viewer's own activity level.

The chance of being online follows a raised cosine over the local day, from a trough to a peak
at ``peak_local_hour``; viewers in different time zones therefore peak at different UTC hours. Other
mechanisms multiply it per region (``online`` modifiers: the weekend), capped at 1. Creators' viewer
rows are not online while their creator is live or before it has joined. With
:mod:`~sim.engine.mechanisms.loyalty`, a viewer first keeps last hour's status with
``loyalty.online_persistence`` and otherwise draws it anew with a chance scaled so that the share
online each hour is unchanged (up to the lag this adds to the daily rhythm): viewing comes in sessions.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Viewers
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.mechanisms import loyalty
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
    persistence: float = 0.0,
) -> np.ndarray:
    """Indices of the viewers online this hour; rows in ``busy`` (creators on air) are not.

    With ``persistence``, a viewer keeps last hour's status with that chance, else draws anew.
    """
    # Single precision: this draw covers every viewer every hour, and 2**-24 resolution is ample
    # for a probability; it halves the cost of the model's largest draw.
    by_region = np.minimum(chance_by_region, 1.0).astype(np.float32)
    chance = by_region[viewers.region] * viewers.activity
    chance[busy] = 0.0
    uniform = rng.random(viewers.size, dtype=np.float32)
    if persistence:  # one draw decides both: below persistence keeps the status, the rest is the fresh draw
        keep = np.float32(persistence)
        is_online = np.where(uniform < keep, viewers.is_online, uniform < keep + (1 - keep) * chance)
        is_online[busy] = False
    else:
        is_online = uniform < chance
    viewers.is_online[:] = is_online
    online = np.flatnonzero(is_online)
    viewers.hours_online[online] += 1
    return online


def _come_online(hour: Hour) -> None:
    viewers, creators, n_audience = hour.viewers, hour.creators, hour.model.n_audience
    # rows past the audience are creators watching peers (peer gifting): not while on air or before joining
    busy = n_audience + np.flatnonzero(creators.is_live | ~creators.has_joined) if n_audience < viewers.size else []
    chance = online_probability(hour.local_hour, hour.config.viewers) * hour.multiplier("online")
    loyal = loyalty.params(hour.config)
    hour.online = draw_online(viewers, chance, hour.rng("activity"), busy, loyal.online_persistence if loyal else 0.0)
    hour.flows.set("n_viewers_online", hour.online.size)


COME_ONLINE = Phase(
    "come_online", _come_online,
    reads=("viewers.activity", "viewers.region", "viewers.is_online (last hour's)", "creators.is_live",
           "creators.has_joined"),
    writes=("hour.online", "viewers.is_online", "viewers.hours_online"),
)
MECHANISM = Mechanism(
    "activity", "viewers come online by a daily rhythm in their own time zone", phases=(COME_ONLINE,),
    outputs=(Output("n_viewers_online", "stock", "viewers", "Viewers online", "online this hour"),),
)
