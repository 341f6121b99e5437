"""Brands' campaigns in the live rooms they sponsor.

Each hour every active brand with budget left picks up to ``lives_per_brand`` live creators in its
target region, the largest audiences first, and runs its campaign there:

- ``sponsorship``: pays the creator ``sponsorship_usd_per_live_hour`` in cash;
- ``matching``: gifts ``match_share`` of the coins viewers gifted in the room this hour, up to
  ``match_cap_coins_per_hour``;
- ``drops``: gives every viewer in the room ``drop_coins_per_viewer`` free coins, which raise the
  viewer's paid gifting by ``drop_gift_boost`` for ``drop_boost_hours`` (free gifts complement paid
  ones: Ghose, Mayya, Yu 2022);
- ``gifts``: sends a gift of ``brand_gift_coins`` from the brand's own account.

Brands buy their coins like anyone else: bundles of their region's web store (or, without one,
the channel with most bundles), with its tax and fees. A brand's gift becomes diamonds as a
viewer's does, and dropped coins carry the value the brand paid into the viewers' wallets.
Impressions are the viewer-hours of the rooms a brand acted in. Budgets refresh every campaign
period.
"""

from __future__ import annotations

import numpy as np

from sim.engine import wallet
from sim.engine.config import CAMPAIGNS, Brands, Platform
from sim.engine.ledger import Account, Ledger
from sim.engine.mechanism import Event, Hour, Mechanism, Modifier, Output, Phase
from sim.engine.pricing import PriceTable, to_micro
from sim.engine.state import NOBODY, BrandState, CreatorState, ViewerState

SPONSORSHIP, MATCHING, DROPS, GIFTS = (CAMPAIGNS.index(c) for c in ("sponsorship", "matching", "drops", "gifts"))


def choose_lives(brands: BrandState, creators: CreatorState, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each active brand's candidate rooms: ``(brand, slot, creator)`` for the ``k`` largest audiences.

    Every brand in a region ranks the same creators, so each region's live creators are sorted
    once: the cost is linear in brands and creators.
    """
    live = np.flatnonzero(creators.is_live)
    n_regions = int(max(creators.region.max(), brands.region.max())) + 1
    top = np.full((n_regions, k), NOBODY, dtype=np.int64)
    by_region = live[np.lexsort((-creators.audience[live], creators.region[live]))]  # region, then audience
    region_of = creators.region[by_region]
    slot = np.arange(by_region.size) - np.searchsorted(region_of, np.arange(n_regions))[region_of]
    keep = slot < k
    top[region_of[keep], slot[keep]] = by_region[keep]
    candidates = top[brands.region]  # [brand, slot]
    candidates[~brands.is_active] = NOBODY
    brand_idx, slot_idx = np.nonzero(candidates != NOBODY)
    return brand_idx, slot_idx, candidates[brand_idx, slot_idx]


def run_campaigns(
    brands: BrandState, creators: CreatorState, viewers: ViewerState, params: Brands, platform: Platform,
    prices: PriceTable, ledger: Ledger, step: int,
) -> dict[str, int]:
    """Run this hour's campaigns; return the hour's flows."""
    k = params.lives_per_brand
    flows = {"new_brand_spend_usd": 0, "new_sponsored_hours": 0, "new_brand_coins_gifted": 0,
             "new_coins_dropped": 0, "new_creator_income_usd": 0, "new_platform_revenue_usd": 0}
    if brands.size == 0 or k == 0 or not creators.is_live.any():
        return flows
    brand_idx, slot_idx, room = choose_lives(brands, creators, k)
    campaign = brands.campaign[brand_idx]
    sponsored = campaign == SPONSORSHIP

    # Sponsorship: a fee per live, while the budget lasts, best rooms first.
    price = to_micro(params.sponsorship_usd_per_live_hour)
    fee_paid = sponsored & (slot_idx < brands.budget_left_micro[brand_idx] // price)
    n_paid = np.bincount(brand_idx[fee_paid], minlength=brands.size)
    brands.budget_left_micro -= n_paid * price
    brands.spend_micro += n_paid * price
    np.add.at(creators.sponsorship_micro, room[fee_paid], price)
    ledger.transfer(Account.BRANDS_OUTSIDE, Account.CREATORS_CASH, int(n_paid.sum()) * price)

    flows["new_brand_spend_usd"] = int(n_paid.sum()) * price
    flows["new_sponsored_hours"] = int(fee_paid.sum())
    if sponsored.all():
        brands.sponsored_hours += n_paid
        np.add.at(brands.impressions, brand_idx[fee_paid], creators.audience[room[fee_paid]])
        return flows

    # Coin campaigns: buy what the rooms need, then act on the rooms the coins cover, best first.
    wanted = np.zeros(room.size, dtype=np.int64)
    is_match, is_drop, is_gift = campaign == MATCHING, campaign == DROPS, campaign == GIFTS
    wanted[is_match] = np.minimum(np.round(params.match_share * creators.coins_this_hour[room[is_match]]),
                                  params.match_cap_coins_per_hour)
    wanted[is_drop] = params.drop_coins_per_viewer * creators.audience[room[is_drop]]
    wanted[is_gift] = params.brand_gift_coins
    needed = np.bincount(brand_idx, weights=wanted, minlength=brands.size).astype(np.int64)
    flows["new_brand_spend_usd"] += buy_coins(brands, needed, prices, ledger)
    # candidates come out brand by brand, slot by slot: a running total per brand says what is covered
    spent_before = np.cumsum(wanted) - wanted
    brand_start = np.searchsorted(brand_idx, brand_idx)
    covered = (wanted > 0) & (spent_before - spent_before[brand_start] + wanted <= brands.wallet_coins[brand_idx])

    acted = fee_paid | covered
    brands.sponsored_hours += np.bincount(brand_idx[acted], minlength=brands.size)
    np.add.at(brands.impressions, brand_idx[acted], creators.audience[room[acted]])
    flows["new_sponsored_hours"] = int(acted.sum())
    for slot in range(k):  # a brand acts in at most one room per slot, so each slot is one vector step
        here = covered & (slot_idx == slot)
        if not here.any():
            continue
        released, released_gross = wallet.spend(brands, brand_idx[here], wanted[here])
        gifting = campaign[here] != DROPS
        coins, rooms = wanted[here][gifting], room[here][gifting]
        _, diamond_value = wallet.issue_diamonds(creators, rooms, coins, released[gifting], platform, ledger)
        flows["new_creator_income_usd"] += int(diamond_value.sum())
        flows["new_platform_revenue_usd"] += int(released[gifting].sum() - diamond_value.sum())
        np.add.at(brands.coins_gifted, brand_idx[here][gifting], coins)
        flows["new_brand_coins_gifted"] += int(coins.sum())
        dropping = ~gifting
        np.add.at(brands.coins_dropped, brand_idx[here][dropping], wanted[here][dropping])
        flows["new_coins_dropped"] += drop_coins(
            viewers, creators, room[here][dropping], released[dropping], released_gross[dropping], params, step
        )
    return flows


def buy_coins(brands: BrandState, needed: np.ndarray, prices: PriceTable, ledger: Ledger) -> int:
    """Top up brands' wallets to ``needed`` coins with their store's largest bundle, within budget.

    Returns:
        What the brands paid (micro-USD).
    """
    shortfall = np.maximum(needed - brands.wallet_coins, 0)
    if not shortfall.any():  # most hours: the wallets hold enough from an earlier bundle
        return 0
    channel = brand_channels(prices)[brands.region]
    largest = prices.n_bundles[brands.region, channel] - 1
    coins_each = prices.coins[brands.region, channel, largest]
    gross_each = prices.gross[brands.region, channel, largest]
    quantity = np.minimum(-(-shortfall // coins_each), brands.budget_left_micro // gross_each)
    bought = wallet.buy(brands, np.arange(brands.size), brands.region, channel, largest, quantity, prices, ledger,
                        Account.BRANDS_OUTSIDE)
    brands.coin_spend_micro += bought.cost
    return int(bought.cost.sum())


def brand_channels(prices: PriceTable) -> np.ndarray:
    """[region] the channel brands buy through: the web store if it sells bundles, else the widest."""
    web = prices.channel_names.index("web") if "web" in prices.channel_names else None
    widest = prices.n_bundles.argmax(axis=1)
    if web is None:
        return widest
    return np.where(prices.n_bundles[:, web] > 0, web, widest)


def drop_coins(
    viewers: ViewerState, creators: CreatorState, rooms: np.ndarray, value: np.ndarray, gross: np.ndarray,
    params: Brands, step: int,
) -> int:
    """Share each drop's coins, value and price equally among the viewers of its room.

    A room may get several drops in one slot; the remainder of an uneven split of value goes to
    the room's first viewer, so every micro-USD stays with a coin. Returns the coins dropped.
    """
    if rooms.size == 0:
        return 0
    drops = np.bincount(rooms, minlength=creators.size)
    room_value = np.bincount(rooms, weights=value, minlength=creators.size).astype(np.int64)
    room_gross = np.bincount(rooms, weights=gross, minlength=creators.size).astype(np.int64)
    watching = viewers.watching
    recipients = np.flatnonzero((watching != NOBODY) & (drops[np.maximum(watching, 0)] > 0))
    room = watching[recipients]
    audience = creators.audience[room]
    coins = params.drop_coins_per_viewer * drops[room]
    value_each, gross_each = room_value[room] // audience, room_gross[room] // audience
    _, first = np.unique(room, return_index=True)
    value_each[first] += room_value[room[first]] - value_each[first] * audience[first]
    gross_each[first] += room_gross[room[first]] - gross_each[first] * audience[first]

    wallet.receive(viewers, recipients, coins, value_each, gross_each)
    viewers.boosted_until[recipients] = step + params.drop_boost_hours
    return int(coins.sum())


def refresh_budgets(brands: BrandState, params: Brands) -> None:
    """Start a new campaign period: every brand's budget is whole again."""
    brands.budget_left_micro[:] = to_micro(params.campaign_budget_usd)


def _campaigns(hour: Hour) -> None:
    model, config = hour.model, hour.config
    flows = run_campaigns(hour.brands, hour.creators, hour.viewers, config.brands, config.platform, model.prices,
                          model.ledger, hour.step)
    for name, amount in flows.items():
        hour.flows.add(name, amount)


def _refresh(hour: Hour) -> None:
    refresh_budgets(hour.brands, hour.config.brands)


def _drop_boost(hour: Hour, who: np.ndarray) -> np.ndarray:
    return np.where(hour.viewers.boosted_until[who] > hour.step, hour.config.brands.drop_gift_boost, 1.0)


CAMPAIGNS_PHASE = Phase(
    "brand_campaigns", _campaigns, section="brands",
    reads=("creators.is_live", "creators.audience", "creators.coins_this_hour", "brands.budget_left_micro"),
    writes=("brands wallets and totals", "creators.sponsorship_micro", "creators.diamonds_held",
            "viewers wallets (drops)", "viewers.boosted_until", "ledger"),
)
REFRESH = Phase("refresh_brand_budgets", _refresh, section="brands", writes=("brands.budget_left_micro",))
MECHANISM = Mechanism(
    "brands", "brands sponsor lives, match gifts, drop free coins or send gifts, within a budget per period",
    section="brands", phases=(CAMPAIGNS_PHASE,),
    events=(Event(REFRESH, lambda config: config.brands.campaign_period_days),),
    modifiers=(Modifier("drop_boost", "watcher", _drop_boost, section="brands"),),
    outputs=(
        Output("new_brand_spend_usd", "flow", "USD", "Brand spend",
               "what brands paid: sponsorship fees and coins (tax and fees included)",
               cumulative="cum_brand_spend_usd"),
        Output("new_sponsored_hours", "flow", "live hours", "Sponsored hours",
               "live hours in which a brand ran a campaign"),
        Output("new_brand_coins_gifted", "flow", "coins", "Brand coins gifted",
               "coins brands sent as gifts (their own gifts and gift matching)"),
        Output("new_coins_dropped", "flow", "coins", "Coins dropped",
               "free coins brands dropped into viewers' wallets"),
    ),
)
