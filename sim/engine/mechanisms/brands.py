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
into the viewers' wallets: each slot's drops into a room share their value and price equally among its
viewers, the first of them taking what an uneven split leaves, so every micro-USD stays with a coin.
Impressions are the viewer-hours of the rooms a brand acted in. Campaigns pace their budgets: each
brand's period starts on its own day (drawn uniformly over the period's length), and each day it may
spend what is left of the period's budget over the days left, so budgets are spread over the period
rather than spent in the first hours after a common refresh.
"""

from __future__ import annotations

import numpy as np

from sim.engine import wallet
from sim.engine.config import CAMPAIGNS, Brands
from sim.engine.kernels import kernel
from sim.engine.ledger import Account, Ledger, LedgerError
from sim.engine.mechanism import Event, Hour, HourGifts, Mechanism, Modifier, Output, Phase, StateField
from sim.engine.pricing import PriceTable, to_micro
from sim.engine.recorder import EventLog
from sim.engine.state import CREATOR_INDEX, BrandState, CreatorState, ViewerState

HOURS_PER_DAY = 24
SPONSORSHIP, MATCHING, DROPS, GIFTS = (CAMPAIGNS.index(c) for c in ("sponsorship", "matching", "drops", "gifts"))


def choose_lives(brands: BrandState, creators: CreatorState,
                 k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each active brand's rooms this hour, best first: ``(brand, slot, creator, times)``, ``times`` of its
    ``k`` slots in each room, in brand order and each brand's in slot order.

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
    with fewer rooms than a large one's. The cost is linear in brands and creators (and the ranking's sort).
    """
    brand, slot, room, times, n = _deal(
        np.asarray(creators.is_live, dtype=np.bool_), np.asarray(creators.region, dtype=np.int64),
        np.asarray(creators.audience, dtype=np.int64), np.asarray(brands.region, dtype=np.int64),
        np.asarray(brands.is_active, dtype=np.bool_), k)
    return brand[:n], slot[:n], room[:n], times[:n]


@kernel
def _deal(is_live, creator_region, audience, brand_region, is_active, k):
    """:func:`choose_lives` in one compiled pass: its four arrays, of which the first ``n`` entries are the
    slots (loops rather than NumPy's functions, which compile slowly)."""
    n_regions = 1
    for row in range(creator_region.size):  # index loops: iterating an array compiles slowly
        n_regions = max(n_regions, creator_region[row] + 1)
    for b in range(brand_region.size):
        n_regions = max(n_regions, brand_region[b] + 1)
    n_live, n_brands = np.zeros(n_regions, dtype=np.int64), np.zeros(n_regions, dtype=np.int64)
    n_all = 0
    for row in range(creator_region.size):
        if is_live[row]:
            n_live[creator_region[row]] += 1
            n_all += 1
    for b in range(brand_region.size):
        n_brands[brand_region[b]] += 1
    first = np.zeros(n_regions, dtype=np.int64)  # where each region's ranking starts
    most_live = 0
    for region in range(n_regions):
        first[region] = first[region - 1] + n_live[region - 1] if region > 0 else 0
        most_live = max(most_live, n_live[region])

    # the live creators region by region, each region's by audience, the largest first (equal ones in row order)
    rows = np.empty(n_all, dtype=np.int64)
    n = 0
    for row in range(creator_region.size):
        if is_live[row]:
            rows[n] = row
            n += 1
    ranked, place = np.empty(n_all, dtype=np.int64), np.zeros(n_regions, dtype=np.int64)
    for region in range(n_regions):
        place[region] = first[region]
    by_audience = sort_by_audience(rows, audience)
    for i in range(n_all):
        row = by_audience[i]
        ranked[place[creator_region[row]]] = row
        place[creator_region[row]] += 1

    slots = min(k, most_live)  # a brand's distinct rooms, at most its region's live
    most = brand_region.size * slots
    brand, slot = np.empty(most, dtype=np.int64), np.empty(most, dtype=np.int64)
    room, times = np.empty(most, dtype=np.int64), np.empty(most, dtype=np.int64)
    # Every brand of a region holds its place in the deal, switched off or not: switching one off (to
    # measure its lift) leaves the others' rooms as they were, so the two runs differ by that brand alone.
    position = np.zeros(n_regions, dtype=np.int64)  # the next brand's place among its region's brands
    n = 0
    for b in range(brand_region.size):
        region = brand_region[b]
        live = n_live[region]
        if is_active[b]:
            for s in range(min(slots, live)):
                brand[n], slot[n] = b, s
                room[n] = ranked[first[region] + dealt_rank(position[region], s, n_brands[region], live)]
                times[n] = k // live + (1 if s < k % live else 0)  # k slots over fewer rooms: the best once more
                n += 1
        position[region] += 1
    return brand, slot, room, times, n


@kernel
def dealt_rank(position: int, slot: int, dealt: int, live: int) -> int:
    """The rank of the room that the brand at ``position`` among a region's ``dealt`` brands takes in ``slot``,
    among the region's ``live`` rooms: the plain deal's, which repeats a brand's ranks after
    ``live / gcd(dealt, live)`` slots, moved on by one rank at each repeat."""
    divisor, rest = dealt, live  # their greatest common divisor, by Euclid's algorithm
    while rest:
        divisor, rest = rest, divisor % rest
    return (position + slot * dealt + slot // (live // divisor)) % live


@kernel
def sort_by_audience(rows: np.ndarray, audience: np.ndarray) -> np.ndarray:
    """``rows`` by ``audience``, the largest first, rows of equal audience in their order: a merge sort,
    written out because Numba's stable ``np.argsort`` takes about a second to compile."""
    order, merged = rows.copy(), np.empty_like(rows)
    n, width = rows.size, 1
    while width < n:
        for low in range(0, n, 2 * width):
            middle, high = min(low + width, n), min(low + 2 * width, n)
            left, right = low, middle
            for out in range(low, high):
                if right >= high or (left < middle and audience[order[left]] >= audience[order[right]]):
                    merged[out] = order[left]
                    left += 1
                else:
                    merged[out] = order[right]
                    right += 1
        order, merged = merged, order
        width *= 2
    return order


def run_campaigns(
    brands: BrandState, creators: CreatorState, viewers: ViewerState, watchers: np.ndarray, params: Brands,
    payout: wallet.Payout, prices: PriceTable, ledger: Ledger, step: int, events: EventLog | None = None,
    hour_gifts: HourGifts | None = None,
) -> dict[str, int]:
    """Run this hour's campaigns; return the hour's flows (and log the coins they move in ``events``).

    ``watchers`` are the viewers watching a live this hour, ascending (drops go to them); ``hour_gifts``, when
    given, takes the hour's gifts, in the order sent, as one batch (:class:`sim.engine.mechanism.HourGifts`,
    which logs them in the event log). The brands choose their rooms (:func:`choose_lives`); then one
    compiled pass (:func:`_campaign_hour`) pays the sponsorships, buys the coins the other slots want
    (:func:`brand_bundle`) and acts in the slots those coins cover, moving coins and money by
    :mod:`sim.engine.wallet`'s rules for one wallet; the ledger then takes each kind of posting once for the
    hour. The kernels are the only implementation of these rules (``NUMBA_DISABLE_JIT=1`` runs the same
    source as Python).

    Raises:
        LedgerError: A brand's purchase would cost more than its allowance left.
    """
    k = params.lives_per_brand
    flows = {"new_brand_spend_usd": 0, "new_sponsored_hours": 0, "new_brand_coins_gifted": 0,
             "new_coins_dropped": 0, "new_creator_income_usd": 0, "new_platform_revenue_usd": 0}
    if brands.size == 0 or k == 0 or not creators.is_live.any():
        return flows
    brand, _, room, times = choose_lives(brands, creators, k)
    web = prices.channel_names.index("web") if "web" in prices.channel_names else -1
    purchases = np.zeros((7, brands.size), dtype=np.int64)  # quantity, channel, coins, cost, tax, fee, net
    gifts = np.empty((5, brand.size), dtype=np.int64)  # creator, coins, diamonds, gifts, brand
    totals = _campaign_hour(
        purchases, gifts, brand, room, times, brands.campaign, brands.region, brands.budget_left_micro,
        brands.spend_micro, brands.coin_spend_micro, brands.tax_micro, brands.fee_micro, brands.purchases,
        brands.coins_bought, brands.wallet_coins, brands.wallet_value_micro, brands.wallet_gross_micro,
        brands.sponsored_hours, brands.impressions, brands.coins_gifted, brands.coins_dropped, creators.audience,
        creators.sponsorship_micro, creators.diamonds_held, creators.diamonds_earned, creators.gifts_received,
        creators.gifts_this_hour, creators.coins_this_hour, to_micro(params.sponsorship_usd_per_live_hour),
        params.match_share, params.match_cap_coins_per_hour, params.drop_coins_per_viewer, params.brand_gift_coins,
        prices.coins, prices.gross, prices.tax, prices.fee, prices.net, prices.channel_is_app_store, prices.n_bundles,
        web, *wallet.payout_terms(payout), watchers, viewers.watching, viewers.wallet_coins, viewers.wallet_value_micro,
        viewers.wallet_gross_micro, viewers.coins_received, viewers.received_value_micro, viewers.wallet_free_coins,
        viewers.boosted_until, step + params.drop_boost_hours)
    (is_paid, sponsorship, tax, store_fee, processor_fee, net, coin_cost, hours, coins_gifted, released,
     diamond_value, coins_dropped, n_gifts) = (int(total) for total in totals)
    if not is_paid:
        raise LedgerError("a brand's purchase costs more than its allowance left")
    # Each kind of posting once for the hour, where the hour has one (a transfer of nothing changes nothing).
    if sponsorship:
        ledger.transfer(Account.BRANDS_OUTSIDE, Account.CREATORS_CASH, sponsorship)
    if coin_cost:
        wallet.post_purchases(ledger, Account.BRANDS_OUTSIDE, tax, store_fee, processor_fee, net)
    if released or diamond_value:
        wallet.post_gifts(ledger, released, diamond_value)
    if events is not None:
        quantity, channel, *bought = purchases
        events.add_purchases(wallet.Purchase(*bought), brands.region, channel, quantity, brand=np.arange(brands.size))
    if hour_gifts is not None:  # the hour's gifts in the order sent, published as one batch
        room, coins, diamonds, times, brand = gifts[:, :n_gifts]
        hour_gifts.add(room, coins, diamonds, copies=times, brand=brand)
    flows["new_brand_spend_usd"] = sponsorship + coin_cost
    flows["new_sponsored_hours"] = hours
    flows["new_brand_coins_gifted"] = coins_gifted
    flows["new_coins_dropped"] = coins_dropped
    flows["new_creator_income_usd"] = diamond_value
    flows["new_platform_revenue_usd"] = released - diamond_value
    return flows


@kernel
def _campaign_hour(bought, gifts, brand, room, times, campaign, brand_region, budget_left, spend, coin_spend, tax_paid,
                   fee_paid, purchases, coins_bought, wallet_coins, wallet_value, wallet_gross, sponsored_hours,
                   impressions, coins_gifted, coins_dropped, audience, sponsorship_micro, diamonds_held,
                   diamonds_earned, gifts_received, gifts_this_hour, coins_this_hour, price, match_share, match_cap,
                   drop_coins, gift_coins, bundle_coins, bundle_gross, bundle_tax, bundle_fee, bundle_net, is_app_store,
                   n_bundles, web, is_share_of_price, ex_tax, is_net_revenue, creator_share, diamonds_per_coin,
                   micro_usd_per_diamond, watchers, watching, viewer_coins, viewer_value, viewer_gross, coins_received,
                   received_value, free_coins, boosted_until, boosted_to):
    """:func:`run_campaigns`' hour in the rooms :func:`choose_lives` dealt, the ledger and the event log aside.

    Sponsorships pay a fee per slot while the budget lasts, best rooms first. Each brand short of the coins
    its other slots want buys bundles of its store (:func:`brand_channel`, :func:`brand_bundle`) out of
    today's allowance. A slot is covered when its brand's wallet holds the coins it wants after those of
    the brand's better slots. Slot by slot (every brand's first slot, then every brand's second, ...: the
    event log's order), a covered slot spends its coins from the brand's wallet; a gift (or match) issues
    their diamonds to the room's creator; a drop's value and price are shared equally among the room's
    ``audience``, each slot's drops into a room on their own (:func:`drop_share`), and go with the coins to
    the room's ``watchers``, boosted until ``boosted_to``.

    Fills ``bought`` (zeros) with each brand's purchase ``[quantity, channel, coins, cost, tax, fee, net]`` and
    the first ``n_gifts`` columns of ``gifts`` with the gifts in the order sent ``[creator, coins, diamonds,
    gifts, brand]``.

    Returns:
        The hour's totals: whether every purchase was paid, sponsorships paid, the purchases' tax, app stores'
        and processors' fees, net and cost, sponsored hours, coins gifted, their net value released and their
        diamonds' value, coins dropped (micro-USD, coins) and ``n_gifts``.
    """
    n, n_brands = brand.size, budget_left.size
    paid, wanted = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    n_paid, needed = np.zeros(n_brands, dtype=np.int64), np.zeros(n_brands, dtype=np.int64)
    before = np.int64(0)  # the brand's slots before this one (typed: a literal 0 would compile paid_slots twice)
    for e in range(n):
        b, creator = brand[e], room[e]
        if e == 0 or brand[e - 1] != b:
            before = np.int64(0)
        if campaign[b] == SPONSORSHIP:
            paid[e] = paid_slots(budget_left[b], price, before, times[e])
            sponsorship_micro[creator] += paid[e] * price
            n_paid[b] += paid[e]
        else:
            wanted[e] = coins_wanted(campaign[b], times[e], coins_this_hour[creator], audience[creator], match_share,
                                     match_cap, drop_coins, gift_coins)
            needed[b] += wanted[e]
        before += times[e]

    sponsorship, tax, store_fee, processor_fee, net, cost, is_paid = 0, 0, 0, 0, 0, 0, True
    for b in range(n_brands):
        budget_left[b] -= n_paid[b] * price
        spend[b] += n_paid[b] * price
        sponsorship += n_paid[b] * price
        r = brand_region[b]
        c = brand_channel(n_bundles[r], web)
        bought[1, b] = c
        if needed[b] <= wallet_coins[b]:
            continue
        bundle, quantity = brand_bundle(needed[b] - wallet_coins[b], bundle_coins[r, c], bundle_gross[r, c],
                                        budget_left[b])
        if quantity * bundle_gross[r, c, bundle] > budget_left[b]:  # refused (run_campaigns raises)
            is_paid = False
            continue
        bought[0, b] = quantity
        bought[2, b], bought[3, b], bought[4, b], bought[5, b], bought[6, b] = wallet.buy_into(
            b, quantity, bundle_coins[r, c, bundle], bundle_gross[r, c, bundle], bundle_tax[r, c, bundle],
            bundle_fee[r, c, bundle], bundle_net[r, c, bundle], budget_left, spend, tax_paid, fee_paid, purchases,
            coins_bought, wallet_coins, wallet_value, wallet_gross)
        coin_spend[b] += bought[3, b]
        cost += bought[3, b]
        tax += bought[4, b]
        if is_app_store[c]:
            store_fee += bought[5, b]
        else:
            processor_fee += bought[5, b]
        net += bought[6, b]

    covered = np.zeros(n, dtype=np.bool_)
    starts = np.zeros(n + 1, dtype=np.int64)  # where each brand's slots start, then n
    n_acting, most_slots, hours, is_dropping = 0, 0, 0, False
    for e in range(n):
        b = brand[e]
        if e == 0 or brand[e - 1] != b:
            starts[n_acting] = e
            n_acting += 1
            before = 0
        covered[e] = wanted[e] > 0 and before + wanted[e] <= wallet_coins[b]
        before += wanted[e]
        acted = times[e] if covered[e] else paid[e]
        sponsored_hours[b] += acted
        impressions[b] += audience[room[e]] * acted
        hours += acted
        most_slots = max(most_slots, e - starts[n_acting - 1] + 1)
        is_dropping |= covered[e] and campaign[b] == DROPS
    starts[n_acting] = n

    n_gifts, gifted, released_total, diamond_value = 0, 0, 0, 0
    # The rooms dropped into, listed (a room's place in the list + 1, 0 for none): each one's drops, each
    # viewer's share of value and price, the first viewer's remainders, and this slot's drops, value and price.
    listed = np.zeros(audience.size if is_dropping else 0, dtype=np.int64)
    n_rooms = 0
    room_of, drops, slot_drops = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    value_each, value_first = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    gross_each, gross_first = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    slot_value, slot_gross = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for s in range(most_slots):
        for j in range(n_acting):
            e = starts[j] + s
            if e >= starts[j + 1] or not covered[e]:
                continue
            b, creator, coins = brand[e], room[e], wanted[e]
            released, released_gross = wallet.spend_from(wallet_coins, wallet_value, wallet_gross, b, coins)
            if campaign[b] == DROPS:
                coins_dropped[b] += coins
                if listed[creator] == 0:
                    room_of[n_rooms] = creator
                    n_rooms += 1
                    listed[creator] = n_rooms
                d = listed[creator] - 1
                slot_drops[d] += times[e]
                slot_value[d] += released
                slot_gross[d] += released_gross
                continue
            diamonds = wallet.diamonds_of(coins, released, released_gross, brand_region[b], is_share_of_price, ex_tax,
                                          is_net_revenue, creator_share, diamonds_per_coin, micro_usd_per_diamond)
            # the creator as the type viewers' gifts credit it with: one compiled version of the rule
            wallet.credit(CREATOR_INDEX(creator), diamonds, coins, times[e], diamonds_held, diamonds_earned,
                          gifts_received, gifts_this_hour, coins_this_hour)
            coins_gifted[b] += coins
            gifts[0, n_gifts], gifts[1, n_gifts], gifts[2, n_gifts] = creator, coins, diamonds
            gifts[3, n_gifts], gifts[4, n_gifts] = times[e], b
            n_gifts += 1
            gifted += coins
            released_total += released
            diamond_value += diamonds * micro_usd_per_diamond
        for d in range(n_rooms):  # each slot's drops into a room are shared on their own
            if slot_drops[d] > 0:
                share, remainder = drop_share(slot_value[d], audience[room_of[d]])
                value_each[d] += share
                value_first[d] += remainder
                share, remainder = drop_share(slot_gross[d], audience[room_of[d]])
                gross_each[d] += share
                gross_first[d] += remainder
                drops[d] += slot_drops[d]
                slot_drops[d], slot_value[d], slot_gross[d] = 0, 0, 0

    coins_given = 0
    if n_rooms > 0:
        has_first = np.zeros(n_rooms, dtype=np.bool_)
        for i in range(watchers.size):
            viewer = watchers[i]
            d = listed[watching[viewer]] - 1
            if d < 0:
                continue
            value, gross = value_each[d], gross_each[d]
            if not has_first[d]:  # the room's first watcher takes the remainders: every micro-USD stays with a coin
                value, gross = value + value_first[d], gross + gross_first[d]
                has_first[d] = True
            wallet.receive_into(viewer, drop_coins * drops[d], value, gross, viewer_coins, viewer_value, viewer_gross,
                                coins_received, received_value, free_coins)
            boosted_until[viewer] = boosted_to
            coins_given += drop_coins * drops[d]
    return (is_paid, sponsorship, tax, store_fee, processor_fee, net, cost, hours, gifted,
            released_total, diamond_value, coins_given, n_gifts)


@kernel
def paid_slots(budget_left_micro: int, price_micro: int, slots_before: int, times: int) -> int:
    """How many of a sponsorship's ``times`` slots in one room its budget pays for, after its ``slots_before``
    earlier ones this hour."""
    return min(max(budget_left_micro // price_micro - slots_before, 0), times)


@kernel
def coins_wanted(campaign: int, times: int, room_coins: int, audience: int, match_share: float, match_cap: int,
                 drop_coins: int, gift_coins: int) -> int:
    """The coins a coin campaign's ``times`` slots in one room want: a match of the ``room_coins`` viewers gifted
    there this hour (rounded half to even, capped), ``drop_coins`` for each of its ``audience``, or the brand's
    gift; 0 for a sponsorship."""
    if campaign == MATCHING:
        return int(min(np.rint(match_share * room_coins), match_cap) * times)
    if campaign == DROPS:
        return drop_coins * audience * times
    if campaign == GIFTS:
        return gift_coins * times
    return 0


@kernel
def brand_channel(n_bundles: np.ndarray, web: int) -> int:
    """The channel a brand buys through (``n_bundles``: its region's bundles on sale by channel): the web store
    (channel ``web``, -1 for none) if it sells bundles, else the one with most (the first of equals)."""
    if web >= 0 and n_bundles[web] > 0:
        return web
    widest = 0
    for channel in range(n_bundles.size):
        if n_bundles[channel] > n_bundles[widest]:
            widest = channel
    return widest


@kernel
def brand_bundle(shortfall: int, coins: np.ndarray, gross: np.ndarray, budget_left_micro: int) -> tuple[int, int]:
    """The bundle a brand short of ``shortfall`` coins buys (an index into its store's ``coins`` and ``gross``,
    ascending coins) and how many: the largest that today's allowance pays for, as many as it takes or as
    the allowance pays for; none (0 of the last) if the allowance pays for no bundle."""
    for bundle in range(gross.size - 1, -1, -1):
        if coins[bundle] > 0 and gross[bundle] <= budget_left_micro:
            return bundle, min(-(-shortfall // coins[bundle]), budget_left_micro // max(gross[bundle], 1))
    return gross.size - 1, 0


@kernel
def drop_share(amount: int, audience: int) -> tuple[int, int]:
    """Each of a room's ``audience`` viewers' equal share of a drop's ``amount`` (micro-USD, rounded down) and the
    remainder, which the first viewer takes too. A room dropped into has viewers: a drop wants coins for each."""
    share = amount // audience
    return share, amount - share * audience


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
