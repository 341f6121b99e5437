"""Affinity: a viewer gifts more in the room of the creator it follows.

A gifting candidate's hazard is multiplied by ``follower_affinity.multiplier`` when it watches the
creator it follows (an assumption).
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _affinity_factor(hour: Hour, who: np.ndarray) -> np.ndarray:
    viewers = hour.viewers
    return np.where(viewers.followed[who] == viewers.watching[who], hour.config.follower_affinity.multiplier, 1.0)


MECHANISM = Mechanism(
    "follower_affinity", "viewers gift more to the creator they follow", section="follower_affinity",
    modifiers=(Modifier("follower_affinity", "watcher", _affinity_factor, section="follower_affinity"),),
)
