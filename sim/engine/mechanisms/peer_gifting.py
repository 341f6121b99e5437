"""Creators as viewers: off air, creators watch and gift peers, and give back to those who gave.

With ``peer_gifting.enabled``, each creator also has a viewer row (after the audience's rows, in
creator order, with ``creator_id`` set; a budget with chance ``payer_share``), drawn with the
population (:func:`sim.engine.state.draw_viewers`). It is not online while its creator is live
(:mod:`~sim.engine.mechanisms.activity`), buys coins and gifts like any viewer. A creator gifted by a
peer follows it back and owes it (:func:`sim.engine.mechanisms.gifting.reciprocate`); in that peer's
room its gifting hazard is multiplied by ``reciprocity_affinity``: receiving $1 causes ~$0.18 to be
given back within 24 h (WeChat red packets, arXiv 2023, B).
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Hour, Mechanism, Modifier


def _reciprocity_factor(hour: Hour, who: np.ndarray) -> np.ndarray:
    viewers = hour.viewers
    return np.where(viewers.owed_creator[who] == viewers.watching[who], hour.config.peer_gifting.reciprocity_affinity,
                    1.0)


MECHANISM = Mechanism(
    "peer_gifting", "off air, creators watch and gift peers and give back to those who gave",
    section="peer_gifting",
    modifiers=(Modifier("reciprocity", "watcher", _reciprocity_factor, section="peer_gifting"),),
)
