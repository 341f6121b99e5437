"""Stock-up habit: heavy spenders buy big packs.

A viewer topping up its wallet buys the largest covering bundle that costs at most
``stock_up.share`` of its monthly budget (:mod:`~sim.engine.mechanisms.purchasing` applies it),
calibrated to the 1,321-coin pack's ~25% of coin revenue (data.ai, B). Switched off, it buys the
smallest covering bundle.
"""

from __future__ import annotations

from sim.engine.config import Config
from sim.engine.mechanism import Mechanism


def share(config: Config) -> float:
    """The share of the monthly budget a viewer will spend on one bundle (0 when the habit is off)."""
    return config.stock_up.share if config.stock_up.enabled else 0.0


MECHANISM = Mechanism("stock_up", "heavy spenders top up with big packs", section="stock_up")
