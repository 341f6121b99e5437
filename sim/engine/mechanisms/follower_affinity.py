"""Affinity: a viewer gifts more in the room of a creator it follows.

A gifting candidate's hazard is multiplied by ``follower_affinity.multiplier`` when it watches the
creator it followed most recently, or, with :mod:`~sim.engine.mechanisms.loyalty`, any of its
favourites (an assumption).
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier
from sim.engine.mechanisms import loyalty


def _affinity_factor(hour: Hour, who: np.ndarray) -> np.ndarray:
    viewers = hour.viewers
    room = viewers.watching[who]
    follows = loyalty.is_favourite(viewers, who, room) if hour.config.loyalty.enabled else viewers.followed[who] == room
    params = hour.config.follower_affinity
    return np.where(follows, params.multiplier, params.stranger_multiplier)


MECHANISM = Mechanism(
    "follower_affinity", "viewers gift more to the creators they follow", section="follower_affinity",
    modifiers=(Modifier("follower_affinity", "watcher", _affinity_factor, section="follower_affinity"),),
)
