"""Who is online: a daily rhythm by local hour, scaled by each viewer's own activity level.

The chance of being online follows a raised cosine over the local day, from a trough to a peak
at ``peak_local_hour``; viewers in different time zones therefore peak at different UTC hours. Other
mechanisms multiply it per region (``online`` modifiers: the weekend), capped at 1. Creators' viewer
rows are not online while their creator is live or before it has joined. With
:mod:`~sim.engine.mechanisms.loyalty`, a viewer first keeps last hour's status with
``loyalty.online_persistence`` and otherwise draws it anew with a chance scaled so that the share
online each hour is unchanged (up to the lag this adds to the daily rhythm): viewing comes in sessions.

Every viewer takes one keyed uniform an hour, in one compiled pass over the population
(:func:`sim.engine.kernels.come_online`): a viewer's status never depends on anyone else's draw.
"""

from __future__ import annotations

import numpy as np

from sim.engine import kernels
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
    viewers: ViewerState, chance_by_region: np.ndarray, key: int, n_audience: int, is_off_limits: np.ndarray,
    persistence: float = 0.0, region_runs: np.ndarray | None = None,
) -> np.ndarray:
    """Indices of the viewers online this hour, ascending (:func:`sim.engine.kernels.come_online`).

    A viewer's chance is its region's chance times its activity, capped at 1. With ``persistence``,
    a viewer keeps last hour's status with that chance, else draws anew: one online last hour is
    online again with ``persistence + (1 - persistence) * chance``, any other with
    ``(1 - persistence) * chance``. Each viewer compares its own keyed uniform (``key``: the decision's
    this hour, :func:`sim.engine.randomness.call_key`) with its chance, so who else is online changes
    nothing of its draw. Rows from ``n_audience`` on are creators' own, offline while ``is_off_limits``.
    ``region_runs`` are the viewers' runs of one region (:func:`sim.engine.kernels.find_region_runs`: found
    here when not given).
    """
    if region_runs is None:
        region_runs = kernels.find_region_runs(viewers.region)
    online = np.empty(viewers.size, dtype=np.int64)
    n = kernels.come_online(np.uint64(key), viewers.region, region_runs, viewers.activity,
                            np.asarray(chance_by_region, dtype=float), float(persistence), n_audience, is_off_limits,
                            viewers.is_online, viewers.hours_online, online)
    return online[:n]


def _come_online(hour: Hour) -> None:
    viewers, creators = hour.viewers, hour.creators
    # rows past the audience are creators watching peers (peer gifting): not while on air or before joining
    is_off_limits = creators.is_live | ~creators.has_joined
    chance = online_probability(hour.local_hour, hour.config.viewers) * hour.multiplier("online")
    loyal = loyalty.params(hour.config)
    memory = hour.memory("activity")
    if "region_runs" not in memory:  # found once: viewers never move
        memory["region_runs"] = kernels.find_region_runs(viewers.region)
    hour.online = draw_online(viewers, chance, hour.draws.key("activity.online", hour.step), hour.model.n_audience,
                              is_off_limits, loyal.online_persistence if loyal else 0.0, memory["region_runs"])
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
