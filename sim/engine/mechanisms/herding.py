"""Herding: creators who draw large audiences draw more viewers from the feed.

A live creator's feed weight is multiplied by ``(1 + standing audience) ** herding.exponent``:
larger audiences attract more viewers (Lu, Yao, Chen, Grewal 2021, Marketing Science 40(5)). The
standing audience is a running average of the creator's audience over the hours it is live (half-life
``memory_hours`` live hours), kept between sessions: a session that has just started is as
discoverable as the creator's standing says, instead of starting from last hour's empty room, and an
audience does not snowball within a session.
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier, Phase, StateField


def _herding_factor(hour: Hour) -> np.ndarray:
    return (1.0 + hour.creators.standing_audience) ** hour.config.herding.exponent


def update_standing(standing: np.ndarray, audience: np.ndarray, is_live: np.ndarray, memory_hours: float) -> None:
    """Move live creators' standing audience towards this hour's audience (a running average)."""
    weight = 1.0 - 0.5 ** (1.0 / memory_hours)
    standing[is_live] += weight * (audience[is_live] - standing[is_live])


def _update(hour: Hour) -> None:
    creators = hour.creators
    update_standing(creators.standing_audience, creators.audience, creators.is_live, hour.config.herding.memory_hours)


UPDATE_STANDING = Phase("update_standing", _update, section="herding",
                        reads=("creators.audience", "creators.is_live"), writes=("creators.standing_audience",))
MECHANISM = Mechanism(
    "herding", "the feed favours creators whose lives draw large audiences", section="herding",
    phases=(UPDATE_STANDING,),
    modifiers=(Modifier("herding", "feed", _herding_factor, section="herding"),),
    state=(StateField("creators", "standing_audience", "running average of the audience over live hours",
                      fill=0.0, dtype=float),),
)
