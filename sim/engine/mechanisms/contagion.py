"""Contagion: gifts in a room in its last live hour raise the chance of gifting there now.

The room's gifting hazard is multiplied by ``1 + strength * ln(1 + gifts in the room's last live
hour)``: seeing peers gift raises the chance of gifting (Int. J. Human-Computer Interaction 2024, B),
so gifts come in bursts; the logarithm saturates. The last live hour is last hour during a session
and the previous session's last hour at its start, so a new session is not a cold room.
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _contagion_factor(hour: Hour) -> np.ndarray:
    return 1.0 + hour.config.contagion.strength * np.log1p(hour.creators.gifts_last_hour)


MECHANISM = Mechanism(
    "contagion", "gifts in the room's last live hour raise gifting now", section="contagion",
    modifiers=(Modifier("contagion", "room", _contagion_factor, section="contagion"),),
)
