"""Exploration: the feed reserves a share of its picks for small creators.

With ``exploration.share`` a viewer sent by the feed goes to a live creator with fewer followers than
the median live creator, drawn uniformly (:mod:`~sim.engine.mechanisms.attention` applies it), so
new and small creators can be found. An assumption, switched off with ``exploration.enabled: false``.
"""

from __future__ import annotations

from sim.engine.config import Config
from sim.engine.mechanism import Mechanism


def share(config: Config) -> float:
    """The share of feed picks reserved for small creators (0 when exploration is off)."""
    return config.exploration.share if config.exploration.enabled else 0.0


MECHANISM = Mechanism("exploration", "the feed reserves a share of picks for small creators", section="exploration")
