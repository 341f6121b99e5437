"""Herding: full rooms draw more viewers from the feed.

A live creator's feed weight is multiplied by ``(1 + last hour's audience) ** herding.exponent``:
larger audiences attract more viewers (Lu, Yao, Chen, Grewal 2021, Marketing Science 40(5)). The
audience is last hour's because this hour's rooms are being chosen.
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _herding_factor(hour: Hour) -> np.ndarray:
    return (1.0 + hour.creators.audience) ** hour.config.herding.exponent


MECHANISM = Mechanism(
    "herding", "the feed favours rooms that were full last hour", section="herding",
    modifiers=(Modifier("herding", "feed", _herding_factor, section="herding"),),
)
