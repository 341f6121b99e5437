"""Who is online: a daily rhythm by local hour, scaled by each viewer's own activity level.

The chance of being online follows a raised cosine over the local day, from a trough to a peak
at ``peak_local_hour``; viewers in different time zones therefore peak at different UTC hours. On a
local Saturday or Sunday it is multiplied by ``weekend_activity_multiplier`` (capped at 1).
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Viewers
from sim.engine.state import ViewerState


def online_probability(local_hour: np.ndarray, params: Viewers) -> np.ndarray:
    """Chance of being online in each given local hour (before the viewer's own activity level)."""
    phase = 2 * np.pi * (local_hour - params.peak_local_hour) / 24
    shape = (1 + np.cos(phase)) / 2
    return params.online_trough_probability + (
        params.online_peak_probability - params.online_trough_probability
    ) * shape


def draw_online(
    viewers: ViewerState, local_hour_by_region: np.ndarray, is_weekend_by_region: np.ndarray,
    params: Viewers, rng: np.random.Generator, busy: np.ndarray,
) -> np.ndarray:
    """Indices of the viewers online this hour; rows in ``busy`` (creators on air) are not."""
    weekend = np.where(is_weekend_by_region, params.weekend_activity_multiplier, 1.0)
    # Single precision: this draw covers every viewer every hour, and 2**-24 resolution is ample
    # for a probability; it halves the cost of the model's largest draw.
    by_region = np.minimum(online_probability(local_hour_by_region, params) * weekend, 1.0).astype(np.float32)
    chance = by_region[viewers.region] * viewers.activity
    chance[busy] = 0.0
    online = np.flatnonzero(rng.random(viewers.size, dtype=np.float32) < chance)
    viewers.hours_online[online] += 1
    return online
