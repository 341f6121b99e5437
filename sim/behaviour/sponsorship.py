"""Brands' flat sponsorship: paying creators for live hours in the brand's target region.

Each hour, each brand with budget left sponsors up to ``lives_per_brand`` live creators in its
region, those with the largest audience this hour first, paying each the sponsorship price. Its
budget refreshes every campaign period. Impressions are the viewer-hours of the sponsored lives.
"""

from __future__ import annotations

import numpy as np

from sim.config import Brands
from sim.ledger import Account, Ledger
from sim.pricing import to_micro
from sim.state import BrandState, CreatorState


def sponsor(
    brands: BrandState, creators: CreatorState, audience: np.ndarray, params: Brands, ledger: Ledger
) -> dict[str, int]:
    """Pay this hour's sponsorships; ``audience`` is each creator's viewers this hour."""
    live = np.flatnonzero(creators.is_live)
    price = to_micro(params.sponsorship_usd_per_live_hour)
    if brands.size == 0 or live.size == 0 or params.lives_per_brand == 0:
        return {"new_brand_spend_micro": 0, "new_sponsored_hours": 0}
    # [brand, live creator] audience where the creator is in the brand's region, else -1
    score = np.where(brands.region[:, None] == creators.region[live][None, :], audience[live][None, :], -1)
    k = min(params.lives_per_brand, live.size)
    ranked = np.argsort(-score, axis=1, kind="stable")[:, :k]
    affordable = np.minimum(brands.budget_left_micro // price, k)
    chosen = (np.take_along_axis(score, ranked, axis=1) >= 0) & (np.arange(k)[None, :] < affordable[:, None])
    brand_idx, slot = np.nonzero(chosen)
    creator_idx = live[ranked[brand_idx, slot]]

    n_sponsored = np.bincount(brand_idx, minlength=brands.size)
    brands.budget_left_micro -= n_sponsored * price
    brands.spend_micro += n_sponsored * price
    brands.sponsored_hours += n_sponsored
    np.add.at(brands.impressions, brand_idx, audience[creator_idx])
    np.add.at(creators.sponsorship_micro, creator_idx, price)
    total = int(n_sponsored.sum()) * price
    ledger.transfer(Account.BRANDS_OUTSIDE, Account.CREATORS_CASH, total)
    return {"new_brand_spend_micro": total, "new_sponsored_hours": int(n_sponsored.sum())}


def refresh_budgets(brands: BrandState, params: Brands) -> None:
    """Start a new campaign period: every brand's budget is whole again."""
    brands.budget_left_micro[:] = to_micro(params.campaign_budget_usd)
