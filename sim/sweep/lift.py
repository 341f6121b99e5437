"""Brand lift: what each brand's campaign changed, against the same run without it.

A brand's lift compares the run with every brand active against the same config and seed with
that one brand switched off (common random numbers: every mechanism draws from its own stream,
and gifting draws are made for every watcher, so the runs differ only through what the brand
did). One run per brand plus one: cost grows with the number of brands.
"""

from __future__ import annotations

import pandas as pd

from sim.engine.config import Config
from sim.engine.metrics import ratio
from sim.engine.model import GiftEconomy
from sim.io.runner import with_days


def _viewer_gifting(model: GiftEconomy) -> tuple[int, int]:
    """Coins and gifts viewers sent (brands' own gifts excluded)."""
    return int(model.viewer_state.coins_gifted.sum()), int(model.viewer_state.gifts_sent.sum())


def brand_lift(config: Config, seed: int | None = None, days: int | None = None) -> pd.DataFrame:
    """Each brand's impressions, spend, CPM and gifting lift over the run without it.

    Returns:
        One row per brand: ``brand_id, region, campaign, spend_usd, impressions, cpm_usd,
        viewer_coins_gifted, viewer_coins_gifted_without, gifting_lift`` (relative change in the
        coins viewers gifted; 0.05 means 5% more with the brand) and ``gifts_lift`` (the same for the
        number of gifts).
    """
    config = with_days(config, days)
    full = GiftEconomy(config, rng=seed)
    full.run_for(config.hours)
    table = full.brands_table()[["brand_id", "region", "campaign", "spend_usd", "impressions", "cpm_usd"]]
    coins_with, gifts_with = _viewer_gifting(full)
    coins_without, gifts_without = [], []
    for brand in table["brand_id"]:
        without = config.model_copy(update={"brands": config.brands.model_copy(update={"switched_off": (int(brand),)})})
        model = GiftEconomy(without, rng=full.seed)
        model.run_for(config.hours)
        coins, gifts = _viewer_gifting(model)
        coins_without.append(coins)
        gifts_without.append(gifts)
    table["viewer_coins_gifted"] = coins_with
    table["viewer_coins_gifted_without"] = coins_without
    table["gifting_lift"] = [ratio(coins_with - c, c) for c in coins_without]
    table["gifts_lift"] = [ratio(gifts_with - g, g) for g in gifts_without]
    return table
