"""Brands' campaigns in the live rooms they sponsor.

Each hour every active brand with budget left takes ``lives_per_brand`` slots in the live rooms of its
target region, the largest audiences first, dealt out between the region's brands so that each room
takes as many slots at every size of the economy (:func:`choose_lives`; a region with fewer live rooms
than a brand's slots gives it a room more than once, the run being a scale model of a platform), and
runs its campaign in each slot's room:

- ``sponsorship``: pays the creator ``sponsorship_usd_per_live_hour`` in cash;
- ``matching``: gifts ``match_share`` of the coins viewers gifted in the room this hour, up to
  ``match_cap_coins_per_hour``;
- ``drops``: gives every viewer in the room ``drop_coins_per_viewer`` free coins, which raise the
  viewer's paid gifting by ``drop_gift_boost`` for ``drop_boost_hours`` (free gifts complement paid
  ones: Ghose, Mayya, Yu 2022), out of ``drops_budget_share`` of the campaign budget: dropped coins
  are spent as many small gifts, so a little money buys a large count of free gifts;
- ``gifts``: sends a gift of ``brand_gift_coins`` from the brand's own account.

Brands buy their coins like anyone else: bundles of their region's web store (or, without one,
the channel with most bundles), with its tax and fees. A brand's gift (and gift matching) becomes
diamonds as a viewer's does, on the payout basis of the brand's region (so under ``share_of_price``
creators get their share of what the brand paid), and dropped coins carry the value the brand paid
into the viewers' wallets.
Impressions are the viewer-hours of the rooms a brand acted in. Campaigns pace their budgets: each
brand's period starts on its own day (drawn uniformly over the period's length), and each day it may
spend what is left of the period's budget over the days left, so budgets are spread over the period
rather than spent in the first hours after a common refresh.
"""

from __future__ import annotations

import numpy as np

from sim.engine import wallet
from sim.engine.config import CAMPAIGNS, Brands
from sim.engine.ledger import Account, Ledger
from sim.engine.mechanism import Event, Hour, Mechanism, Modifier, Output, Phase, StateField
from sim.engine.pricing import PriceTable, to_micro
from sim.engine.recorder import EventLog
from sim.engine.state import NOBODY, BrandState, CreatorState, ViewerState

HOURS_PER_DAY = 24
SPONSORSHIP, MATCHING, DROPS, GIFTS = (CAMPAIGNS.index(c) for c in ("sponsorship", "matching", "drops", "gifts"))


def choose_lives(brands: BrandState, creators: CreatorState,
                 k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each active brand's rooms this hour, best first: ``(brand, slot, creator, times)``, ``times`` of its
    ``k`` slots in each room.

    A region's live creators are ranked by audience, and its ``n`` brands deal the ranks out between
    them as cards: the ``j``-th brand (in row order) takes ranks ``j, j + n, j + 2n, ...`` around the
    region's ``live`` rooms, so brands spread over the region's best rooms instead of all crowding into
    the same few, and each room takes ``n * k / live`` of the slots, rounded down or up. Where the deal
    would bring a brand back to a room it already has while others are left (``n`` and ``live`` with a
    common divisor), it moves on by one rank, so a brand's rooms are distinct while the region has
    ``k`` of them. Where the region has fewer, a brand takes each room more than once (``times``; its best
    rooms the odd slots): a run is a scale model of a platform, and a room stands for the several like it
    a brand would find there. So every brand acts ``k`` times in every hour its region has a live room,
    and each room sees as many brands' slots, at every size with as many brands per live room; taking
    fewer rooms in a region with few live (a small economy, or night) had left a small economy's brands
    with fewer rooms than a large one's. The cost is linear in brands and creators.
    """
    live = np.flatnonzero(creators.is_live)
    n_regions = int(max(creators.region.max(), brands.region.max())) + 1
    by_region = live[np.lexsort((-creators.audience[live], creators.region[live]))]  # region, then audience
    n_live = np.bincount(creators.region[live], minlength=n_regions)
    first = np.cumsum(n_live) - n_live  # where each region's ranking starts in by_region
    # Every brand of a region holds its place in the deal, switched off or not: switching one off (to
    # measure its lift) leaves the others' rooms as they were, so the two runs differ by that brand alone.
    n_brands = np.bincount(brands.region, minlength=n_regions)
    order = np.argsort(brands.region, kind="stable")
    position = np.zeros(brands.size, dtype=np.int64)  # a brand's place among its region's brands
    position[order] = np.arange(order.size) - (np.cumsum(n_brands) - n_brands)[brands.region[order]]
    live_here, dealt = n_live[brands.region][:, None], n_brands[brands.region][:, None]
    slot = np.arange(min(k, int(n_live.max())))[None, :]  # a brand's distinct rooms, at most its region's live
    rooms = np.maximum(live_here, 1)
    # the plain deal repeats a brand's ranks after rooms / gcd slots; one rank on at each repeat
    rank = (position[:, None] + slot * dealt + slot // (rooms // np.gcd(dealt, rooms))) % rooms  # [brand, slot]
    candidates = np.where((slot < live_here) & brands.is_active[:, None],
                          by_region[np.minimum(first[brands.region][:, None] + rank, max(by_region.size - 1, 0))]
                          if by_region.size else NOBODY, NOBODY)
    times = k // rooms + (slot < k % rooms)  # k slots over fewer rooms: each k // rooms, the best one more
    brand_idx, slot_idx = np.nonzero(candidates != NOBODY)
    return brand_idx, slot_idx, candidates[brand_idx, slot_idx], np.broadcast_to(times, candidates.shape)[
        brand_idx, slot_idx]


def run_campaigns(
    brands: BrandState, creators: CreatorState, viewers: ViewerState, watchers: np.ndarray, params: Brands,
    payout: wallet.Payout, prices: PriceTable, ledger: Ledger, step: int, events: EventLog | None = None,
    hour_gifts=None,
) -> dict[str, int]:
    """Run this hour's campaigns; return the hour's flows (and log the coins they move in ``events``).

    ``watchers`` are the viewers watching a live this hour, ascending (drops go to them).
    """
    k = params.lives_per_brand
    flows = {"new_brand_spend_usd": 0, "new_sponsored_hours": 0, "new_brand_coins_gifted": 0,
             "new_coins_dropped": 0, "new_creator_income_usd": 0, "new_platform_revenue_usd": 0}
    if brands.size == 0 or k == 0 or not creators.is_live.any():
        return flows
    brand_idx, slot_idx, room, times = choose_lives(brands, creators, k)
    campaign = brands.campaign[brand_idx]
    sponsored = campaign == SPONSORSHIP
    audience = creators.audience[room]

    # Sponsorship: a fee per slot, while the budget lasts, best rooms first.
    price = to_micro(params.sponsorship_usd_per_live_hour)
    paid = np.where(sponsored, np.clip(brands.budget_left_micro[brand_idx] // price - before_in_brand(times, brand_idx),
                                       0, times), 0)
    n_paid = np.bincount(brand_idx, weights=paid, minlength=brands.size).astype(np.int64)
    brands.budget_left_micro -= n_paid * price
    brands.spend_micro += n_paid * price
    np.add.at(creators.sponsorship_micro, room, paid * price)
    ledger.transfer(Account.BRANDS_OUTSIDE, Account.CREATORS_CASH, int(n_paid.sum()) * price)

    flows["new_brand_spend_usd"] = int(n_paid.sum()) * price
    flows["new_sponsored_hours"] = int(paid.sum())
    if sponsored.all():
        brands.sponsored_hours += n_paid
        np.add.at(brands.impressions, brand_idx, audience * paid)
        return flows

    # Coin campaigns: buy what the rooms need, then act on the rooms the coins cover, best first.
    wanted = np.zeros(room.size, dtype=np.int64)
    is_match, is_drop, is_gift = campaign == MATCHING, campaign == DROPS, campaign == GIFTS
    wanted[is_match] = np.minimum(np.round(params.match_share * creators.coins_this_hour[room[is_match]]),
                                  params.match_cap_coins_per_hour) * times[is_match]
    wanted[is_drop] = params.drop_coins_per_viewer * audience[is_drop] * times[is_drop]
    wanted[is_gift] = params.brand_gift_coins * times[is_gift]
    needed = np.bincount(brand_idx, weights=wanted, minlength=brands.size).astype(np.int64)
    flows["new_brand_spend_usd"] += buy_coins(brands, needed, prices, ledger, events)
    covered = (wanted > 0) & (before_in_brand(wanted, brand_idx) + wanted <= brands.wallet_coins[brand_idx])

    acted = np.where(covered, times, paid)  # slots in which the brand ran its campaign
    brands.sponsored_hours += np.bincount(brand_idx, weights=acted, minlength=brands.size).astype(np.int64)
    np.add.at(brands.impressions, brand_idx, audience * acted)
    flows["new_sponsored_hours"] = int(acted.sum())
    for slot in np.unique(slot_idx[covered]):  # a brand has at most one room per slot: each slot is one vector step
        here = covered & (slot_idx == slot)
        released, released_gross = wallet.spend(brands, brand_idx[here], wanted[here])
        gifting = campaign[here] != DROPS
        coins, rooms, givers = wanted[here][gifting], room[here][gifting], brand_idx[here][gifting]
        gifts = times[here][gifting]  # a room taken several times gets the brand's gift (or match) as often
        diamonds, diamond_value = wallet.issue_diamonds(creators, rooms, coins, released[gifting],
                                                        released_gross[gifting], brands.region[givers], payout, ledger,
                                                        gifts)
        if hour_gifts is not None:
            hour_gifts.add(rooms, coins, diamonds, copies=gifts, brand=givers)
        flows["new_creator_income_usd"] += int(diamond_value.sum())
        flows["new_platform_revenue_usd"] += int(released[gifting].sum() - diamond_value.sum())
        np.add.at(brands.coins_gifted, givers, coins)
        flows["new_brand_coins_gifted"] += int(coins.sum())
        dropping = ~gifting
        np.add.at(brands.coins_dropped, brand_idx[here][dropping], wanted[here][dropping])
        flows["new_coins_dropped"] += drop_coins(viewers, creators, watchers, room[here][dropping], released[dropping],
                                                 released_gross[dropping], params, step, times[here][dropping])
    return flows


def before_in_brand(values: np.ndarray, brand_idx: np.ndarray) -> np.ndarray:
    """For entries sorted by brand: the sum of ``values`` over the same brand's earlier entries."""
    before = np.cumsum(values) - values
    return before - before[np.searchsorted(brand_idx, brand_idx)]


def buy_coins(brands: BrandState, needed: np.ndarray, prices: PriceTable, ledger: Ledger,
              events: EventLog | None = None) -> int:
    """Top up brands' wallets to ``needed`` coins, within what each may spend today.

    Each brand buys its store's largest bundle that today's allowance pays for, as many as it takes
    (or as the allowance pays for); a brand whose allowance pays for no bundle buys nothing.

    Returns:
        What the brands paid (micro-USD).
    """
    shortfall = np.maximum(needed - brands.wallet_coins, 0)
    if not shortfall.any():  # most hours: the wallets hold enough from an earlier bundle
        return 0
    channel = brand_channels(prices)[brands.region]
    gross = prices.gross[brands.region, channel]  # [brand, bundle], ascending coins
    affordable = (prices.coins[brands.region, channel] > 0) & (gross <= brands.budget_left_micro[:, None])
    bundle = gross.shape[1] - 1 - affordable[:, ::-1].argmax(axis=1)
    coins_each = prices.coins[brands.region, channel, bundle]
    gross_each = np.maximum(gross[np.arange(brands.size), bundle], 1)
    wanted = -(-shortfall // np.maximum(coins_each, 1))
    quantity = np.where(affordable.any(axis=1), np.minimum(wanted, brands.budget_left_micro // gross_each), 0)
    bought = wallet.buy(brands, np.arange(brands.size), brands.region, channel, bundle, quantity, prices, ledger,
                        Account.BRANDS_OUTSIDE)
    brands.coin_spend_micro += bought.cost
    if events is not None:
        events.add_purchases(bought, brands.region, channel, quantity, brand=np.arange(brands.size))
    return int(bought.cost.sum())


def brand_channels(prices: PriceTable) -> np.ndarray:
    """[region] the channel brands buy through: the web store if it sells bundles, else the widest."""
    web = prices.channel_names.index("web") if "web" in prices.channel_names else None
    widest = prices.n_bundles.argmax(axis=1)
    if web is None:
        return widest
    return np.where(prices.n_bundles[:, web] > 0, web, widest)


def drop_coins(
    viewers: ViewerState, creators: CreatorState, watchers: np.ndarray, rooms: np.ndarray, value: np.ndarray,
    gross: np.ndarray, params: Brands, step: int, times: np.ndarray | int = 1,
) -> int:
    """Share each drop's coins, value and price equally among the viewers of its room.

    A drop may be ``times`` drops at once, and a room may get several in one slot; the remainder of an
    uneven split of value goes to the room's first viewer, so every micro-USD stays with a coin.
    ``watchers`` are the viewers watching a live this hour, ascending: only their rooms are looked up,
    so the work grows with who watches rather than with the population. Returns the coins dropped.
    """
    if rooms.size == 0:
        return 0
    drops = np.bincount(rooms, weights=np.broadcast_to(times, rooms.shape), minlength=creators.size).astype(np.int64)
    room_value = np.bincount(rooms, weights=value, minlength=creators.size).astype(np.int64)
    room_gross = np.bincount(rooms, weights=gross, minlength=creators.size).astype(np.int64)
    recipients = watchers[drops[viewers.watching[watchers]] > 0]
    room = viewers.watching[recipients]
    audience = creators.audience[room]
    coins = params.drop_coins_per_viewer * drops[room]
    value_each, gross_each = room_value[room] // audience, room_gross[room] // audience
    _, first = np.unique(room, return_index=True)
    value_each[first] += room_value[room[first]] - value_each[first] * audience[first]
    gross_each[first] += room_gross[room[first]] - gross_each[first] * audience[first]

    wallet.receive(viewers, recipients, coins, value_each, gross_each)
    viewers.boosted_until[recipients] = step + params.drop_boost_hours
    return int(coins.sum())


def period_budget_micro(brands: BrandState, params: Brands) -> np.ndarray:
    """Each brand's budget for a campaign period (micro-USD): ``campaign_budget_usd``, a drop campaign's
    ``drops_budget_share`` of it."""
    share = np.where(brands.campaign == DROPS, params.drops_budget_share, 1.0)
    return np.round(to_micro(params.campaign_budget_usd) * share).astype(np.int64)


def pace_budgets(brands: BrandState, params: Brands, day: int) -> None:
    """Give each brand its allowance for ``day``: what is left of its period's budget over the days left.

    What a brand did not spend of yesterday's allowance goes back to its period; a brand whose period
    starts on ``day`` (every ``campaign_period_days`` from its own start day) has its whole budget
    again, and what was left of the last period lapses.
    """
    period = params.campaign_period_days
    brands.period_left_micro += brands.budget_left_micro
    into_period = (day - brands.campaign_start_day) % period
    renewed = into_period == 0
    brands.period_left_micro[renewed] = period_budget_micro(brands, params)[renewed]
    brands.budget_left_micro[:] = brands.period_left_micro // (period - into_period)
    brands.period_left_micro -= brands.budget_left_micro


def _campaigns(hour: Hour) -> None:
    model, config = hour.model, hour.config
    flows = run_campaigns(hour.brands, hour.creators, hour.viewers, hour.watchers, config.brands, model.payout,
                          model.prices, model.ledger, hour.step, hour.events, hour.gifts)
    for name, amount in flows.items():
        hour.flows.add(name, amount)


def _start(hour: Hour) -> None:
    brands, params = hour.brands, hour.config.brands
    period = params.campaign_period_days
    brands.campaign_start_day[:] = hour.draws.choice_index("brands.start_day", np.arange(brands.size), 0, period)
    # Each brand starts at its own point of its period, with the budget for the days left in it.
    days_left = period - (0 - brands.campaign_start_day) % period
    brands.period_left_micro[:] = period_budget_micro(brands, params) * days_left // period
    brands.budget_left_micro[:] = 0
    pace_budgets(brands, params, 0)


def _pace(hour: Hour) -> None:
    pace_budgets(hour.brands, hour.config.brands, hour.step // HOURS_PER_DAY)  # the day about to begin


def _drop_boost(hour: Hour, who: np.ndarray) -> np.ndarray:
    return np.where(hour.viewers.boosted_until[who] > hour.step, hour.config.brands.drop_gift_boost, 1.0)


CAMPAIGNS_PHASE = Phase(
    "brand_campaigns", _campaigns, section="brands",
    reads=("hour.watchers", "creators.is_live", "creators.audience", "creators.coins_this_hour", "creators.region",
           "brands.budget_left_micro", "brands.campaign", "brands.is_active", "brands.region", "viewers.watching"),
    writes=(*wallet.named("brands", (*wallet.BUYS, "coin_spend_micro", "coins_gifted", "coins_dropped",
                                     "sponsored_hours", "impressions")),
            *wallet.named("creators", (*wallet.CREDITS, "sponsorship_micro")),
            *wallet.named("viewers", (*wallet.RECEIVES, "boosted_until")), "ledger", "hour.gifts"),
)
START = Phase("brand_budgets_at_start", _start, section="brands",
              writes=("brands.campaign_start_day", "brands.period_left_micro", "brands.budget_left_micro"))
PACE = Phase("pace_brand_budgets", _pace, section="brands", reads=("brands.campaign_start_day",),
             writes=("brands.period_left_micro", "brands.budget_left_micro"))
MECHANISM = Mechanism(
    "brands", "brands sponsor lives, match gifts, drop free coins or send gifts, within a budget per period",
    section="brands", phases=(CAMPAIGNS_PHASE,), setup=START, events=(Event(PACE, lambda config: 1),),
    modifiers=(Modifier("drop_boost", "watcher", _drop_boost, section="brands"),),
    state=(StateField("brands", "campaign_start_day", "the day its first campaign period starts (0 to the period's "
                      "length - 1)"),
           StateField("brands", "period_left_micro", "what is left of its period's budget after today's allowance")),
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
