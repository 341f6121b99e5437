"""Weekends: on a local Saturday or Sunday more viewers are online.

The chance of being online is multiplied by ``weekend.activity_multiplier`` in the regions where it
is the weekend (capped at 1 by :mod:`sim.engine.mechanisms.activity`). An assumption, switched off
with ``weekend.enabled: false``.
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _weekend_factor(hour: Hour) -> np.ndarray:
    return np.where(hour.is_weekend, hour.config.weekend.activity_multiplier, 1.0)


MECHANISM = Mechanism(
    "weekend", "more viewers online on local weekends", section="weekend",
    modifiers=(Modifier("weekend", "online", _weekend_factor, section="weekend"),),
)
