"""Contagion: gifts in a room last hour raise the chance of gifting there now.

The room's gifting hazard is multiplied by ``1 + strength * ln(1 + gifts in the room last hour)``:
seeing peers gift raises the chance of gifting (Int. J. Human-Computer Interaction 2024, B), so
gifts come in bursts; the logarithm saturates.
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _contagion_factor(hour: Hour) -> np.ndarray:
    return 1.0 + hour.config.contagion.strength * np.log1p(hour.creators.gifts_last_hour)


MECHANISM = Mechanism(
    "contagion", "gifts in the room last hour raise gifting now", section="contagion",
    modifiers=(Modifier("contagion", "room", _contagion_factor, section="contagion"),),
)
