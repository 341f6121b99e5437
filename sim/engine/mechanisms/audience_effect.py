"""Audience size: each extra viewer in a room raises everyone's chance of gifting there, up to a cap.

The room's gifting hazard is multiplied by ``min(1 + per_viewer * (viewers - 1), cap)``: one extra
viewer adds ~1% of mean tips (Lu, Yao, Chen, Grewal 2021, Marketing Science 40(5), B), and large
rooms crowd givers out (Yao, Lu, Chen 2023, Production and Operations Management, B).
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _audience_factor(hour: Hour) -> np.ndarray:
    params = hour.config.audience_effect
    return np.minimum(1.0 + params.per_viewer * np.maximum(hour.creators.audience - 1, 0), params.cap)


MECHANISM = Mechanism(
    "audience_effect", "larger rooms gift more, up to a crowding-out cap", section="audience_effect",
    modifiers=(Modifier("audience_effect", "room", _audience_factor, section="audience_effect"),),
)
