"""Session fatigue: gifting and the feed's favour fall as a session grows long.

The room's gifting hazard is multiplied by ``per_hour ** hours already streamed in the session``,
and the creator's feed weight by ``feed_per_hour ** hours already streamed``: the feed favours lives
that have just started and audiences tire of long ones, so a room's audience peaks early and income
per streamed hour falls as a session grows long (B/C).
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _fatigue_factor(hour: Hour) -> np.ndarray:
    return hour.config.fatigue.per_hour ** hour.creators.session_hour


def _feed_factor(hour: Hour) -> np.ndarray:
    return hour.config.fatigue.feed_per_hour ** hour.creators.session_hour


MECHANISM = Mechanism(
    "fatigue", "gifting and the feed's favour fall with each hour a session has run", section="fatigue",
    modifiers=(Modifier("fatigue", "room", _fatigue_factor, section="fatigue"),
               Modifier("fresh_lives", "feed", _feed_factor, section="fatigue")),
)
