"""Session fatigue: gifting falls as a session grows long.

The room's gifting hazard is multiplied by ``per_hour ** hours already streamed in the session``:
income per streamed hour falls as a session grows long (B/C).
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _fatigue_factor(hour: Hour) -> np.ndarray:
    return hour.config.fatigue.per_hour ** hour.creators.session_hour


MECHANISM = Mechanism(
    "fatigue", "gifting falls with each hour a session has run", section="fatigue",
    modifiers=(Modifier("fatigue", "room", _fatigue_factor, section="fatigue"),),
)
