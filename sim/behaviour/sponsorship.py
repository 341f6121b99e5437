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
from sim.state import NOBODY, BrandState, CreatorState


def sponsor(
    brands: BrandState, creators: CreatorState, audience: np.ndarray, params: Brands, ledger: Ledger
) -> dict[str, int]:
    """Pay this hour's sponsorships; ``audience`` is each creator's viewers this hour."""
    live = np.flatnonzero(creators.is_live)
    price = to_micro(params.sponsorship_usd_per_live_hour)
    k = min(params.lives_per_brand, live.size)
    if brands.size == 0 or k == 0:
        return {"new_brand_spend_micro": 0, "new_sponsored_hours": 0}
    # Every brand in a region ranks the same creators, so rank each region's lives once:
    # [region, slot] the k largest audiences, NOBODY where the region has fewer live creators.
    n_regions = int(max(creators.region.max(), brands.region.max())) + 1
    top = np.full((n_regions, k), NOBODY, dtype=np.int64)
    by_region = live[np.lexsort((-audience[live], creators.region[live]))]  # region, then audience
    region_of = creators.region[by_region]
    first = np.searchsorted(region_of, np.arange(n_regions))
    slot = np.arange(by_region.size) - first[region_of]
    keep = slot < k
    top[region_of[keep], slot[keep]] = by_region[keep]

    picks = top[brands.region]  # [brand, slot]
    affordable = np.minimum(brands.budget_left_micro // price, k)
    chosen = (picks != NOBODY) & (np.arange(k)[None, :] < affordable[:, None])
    brand_idx, slot_idx = np.nonzero(chosen)
    creator_idx = picks[brand_idx, slot_idx]

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
