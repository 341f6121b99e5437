"""Gifting: who sends a gift this hour, which gift, and how coins become diamonds.

Each watching viewer with money to spend sends at most one gift per hour, with chance
``gift_hazard * propensity * room * personal``: ``room`` is the product of the ``room`` modifiers of
the creator watched (audience size, contagion, fatigue, a battle) and ``personal`` the product of the
``watcher`` modifiers (affinity for a followed creator, reciprocity, a brand's free-coin drop), each
declared by its own mechanism. A watcher's draws are keyed by its row and the hour, so a change in
who can pay (a brand's free coins) leaves everyone else's draws as they were: runs with and without a
brand stay comparable.

The gift is drawn from the catalog with weight ``coins ** -gift_size_exponent`` among the gifts the
viewer could afford with the coins in the wallet plus what the rest of the month's budget buys, so
large gifts are rare and only those with large budgets (whales) can send them. A wallet short of
coins is topped up first (:mod:`~sim.engine.mechanisms.purchasing`).

A sent gift leaves the wallet and issues diamonds to the creator watched
(:func:`sim.engine.wallet.give`). The platform recognises, as revenue, the share of the
wallet's paid-for value that the gifted coins carry, and sets aside the diamonds' value for the creator.
A creator gifted by a peer creator follows it back and owes it a gift (reciprocity,
:mod:`~sim.engine.mechanisms.peer_gifting`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine import wallet
from sim.engine.config import Viewers
from sim.engine.kernels import kernel, keyed_uniform, sorted_position
from sim.engine.ledger import Ledger
from sim.engine.mechanism import Hour, HourGifts, Mechanism, ModifierTarget, Output, Phase, StateField
from sim.engine.mechanisms import purchasing
from sim.engine.pricing import PriceTable
from sim.engine.state import CREATOR_INDEX, NOBODY, CreatorState, ViewerState
from sim.engine.threads import in_halves


@dataclass(frozen=True)
class Catalog:
    """The gift ladder sorted by price, with cumulative choice weights."""

    coins: np.ndarray  # int64, ascending
    cumulative_weight: np.ndarray

    @classmethod
    def build(cls, gift_coins: list[int], size_exponent: float) -> Catalog:
        """Sort the catalog and weight each gift by ``coins ** -size_exponent``."""
        coins = np.sort(np.asarray(gift_coins, dtype=np.int64))
        return cls(coins, np.cumsum(coins.astype(float) ** -size_exponent))


def draw_gifts(
    viewers: ViewerState, watchers: np.ndarray, catalog: Catalog, prices: PriceTable, room_multiplier: np.ndarray,
    watcher_multiplier: np.ndarray, params: Viewers, keys: np.ndarray, per_event: np.ndarray | None = None,
    max_copies: int = 1, kernel_threads: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choose who gifts this hour, which gift (:func:`choose_gift`), and how many copies.

    A watcher can spend its wallet's coins and what the rest of its budget buys
    (:func:`~sim.engine.mechanisms.purchasing.spending_capacity`).

    Args:
        viewers: The viewers.
        watchers: Indices of the viewers watching a live who could pay for a gift.
        catalog: The gift ladder.
        prices: Every bundle's price (the best rate at which a budget buys coins).
        room_multiplier: For each creator, the product of its room's modifiers.
        watcher_multiplier: For each watcher, the product of its own modifiers.
        params: Viewer behaviour parameters.
        keys: The keys of the three draws (uint64): whether to gift, which gift, and the rounding of the
            number of copies; a watcher's uniforms are those of its row under them.
        per_event: For each watcher, the coins it aims to spend when it gifts (a combo's plan); None: one gift.
        max_copies: The most copies of one gift sent at once.
        kernel_threads: Two or more: the watchers' halves decided at once (:func:`sim.engine.threads.in_halves`).

    Returns:
        The gifters' indices, the coins of one copy of each one's gift, and its copies.
    """
    per_event = np.zeros(watchers.size) if per_event is None else np.asarray(per_event, dtype=np.float64)
    room_multiplier = np.asarray(room_multiplier, dtype=np.float64)
    watcher_multiplier = np.asarray(watcher_multiplier, dtype=np.float64)

    def draw(part: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _draw_gifts(watchers[part], keys, params.gift_hazard, viewers.propensity, viewers.watching,
                           room_multiplier, watcher_multiplier[part], viewers.wallet_coins, viewers.budget_left_micro,
                           viewers.region, viewers.channel, prices.best_coins_per_micro, per_event[part], max_copies,
                           catalog.coins, catalog.cumulative_weight)

    parts = in_halves(kernel_threads, watchers.size, draw)
    return parts[0] if len(parts) == 1 else tuple(np.concatenate(column) for column in zip(*parts, strict=True))


@kernel
def _draw_gifts(watchers, keys, gift_hazard, propensity, watching, room_multiplier, watcher_multiplier, wallet_coins,
                budget_left, region, channel, coins_per_micro, per_event, max_copies, catalog_coins, cumulative_weight):
    """:func:`draw_gifts` in one compiled pass: the gifters, their gifts' coins and copies.

    A watcher gifts with chance ``gift_hazard * propensity * room * personal`` (capped at 1) if it can afford
    a gift; only those whose draw falls under that chance go on to choose one (:func:`choose_gift`).
    """
    gifters = np.empty_like(watchers)
    gift_coins = np.empty(watchers.size, dtype=np.int64)
    copies = np.empty(watchers.size, dtype=np.int64)
    n = 0
    for i in range(watchers.size):
        viewer = watchers[i]
        multiplier = room_multiplier[watching[viewer]] * watcher_multiplier[i]
        if not keyed_uniform(keys[0], viewer) < min(1.0, gift_hazard * propensity[viewer] * multiplier):
            continue
        capacity = purchasing.spending_capacity(wallet_coins[viewer], budget_left[viewer],
                                                coins_per_micro[region[viewer], channel[viewer]])
        gifters[n] = viewer
        gift_coins[n], copies[n] = choose_gift(capacity, per_event[i], max_copies, catalog_coins, cumulative_weight,
                                               keyed_uniform(keys[1], viewer), keyed_uniform(keys[2], viewer))
        n += gift_coins[n] > 0
    return gifters[:n], gift_coins[:n], copies[:n]


@kernel
def choose_gift(
    capacity: int, per_event: float, max_copies: int, catalog_coins: np.ndarray, cumulative_weight: np.ndarray,
    u_which: float, u_copies: float,
) -> tuple[int, int]:
    """A gifter's gift: the coins of one copy (0 when it can afford none, ``capacity`` coins) and the copies.

    The gift is drawn with the catalog's weights among the affordable ones, from the cheapest costing at
    least ``per_event / max_copies`` coins up (a whale's combo has a floor; when no affordable gift reaches
    it, the dearest affordable one). It sends ``per_event`` over the gift's price copies, rounded at
    random (:func:`combo_copies`).
    """
    n_affordable = sorted_position(catalog_coins, float(capacity), True)  # float: one compiled version less
    if n_affordable == 0:
        return 0, 0
    lowest = min(sorted_position(catalog_coins, per_event / max_copies, False), n_affordable - 1)
    below = cumulative_weight[lowest - 1] if lowest > 0 else 0.0
    reach = below + u_which * (cumulative_weight[n_affordable - 1] - below)
    choice = min(max(sorted_position(cumulative_weight, reach, True), lowest), n_affordable - 1)
    gift = catalog_coins[choice]
    return gift, combo_copies(per_event, gift, capacity, max_copies, u_copies)


@kernel
def combo_copies(per_event: float, gift_coins: int, capacity_coins: int, max_copies: int, uniform: float) -> int:
    """How many of its gift a gifter sends: what it aims to spend over the gift's price, rounded at random.

    At least one, at most ``max_copies`` and what its coins and budget cover.
    """
    wanted = per_event / gift_coins
    whole = np.floor(wanted) + (1.0 if uniform < wanted - np.floor(wanted) else 0.0)
    return int(min(max(whole, 1.0), min(max_copies, capacity_coins // gift_coins)))


@kernel
def reciprocate(first_creator_row: int, gifters: np.ndarray, creator_id: np.ndarray, rooms: np.ndarray,
                owed_creator: np.ndarray, followed: np.ndarray, followers: np.ndarray) -> None:
    """A creator gifted by a peer owes it: it follows the peer back and favours its room when off air.

    ``gifters`` gave to ``rooms``; a gifter whose row is a creator's (``creator_id``, ``NOBODY`` for the
    audience) is a peer. Creators' own viewer rows start at ``first_creator_row``, in creator order, and
    their ``owed_creator`` and ``followed`` are set. A creator gifted by several peers in one hour owes the
    last and follows the last it did not follow at the start of the hour; each new follow adds to its
    giver's ``followers``.
    """
    is_new = np.zeros(rooms.size, dtype=np.bool_)
    for i in range(rooms.size):
        giver = creator_id[gifters[i]]
        if giver != NOBODY:
            is_new[i] = followed[first_creator_row + rooms[i]] != giver
    for i in range(rooms.size):
        giver = creator_id[gifters[i]]
        if giver != NOBODY:
            receiver = first_creator_row + rooms[i]
            owed_creator[receiver] = giver
            if is_new[i]:
                followed[receiver] = giver
                followers[giver] += 1


def send_gifts(
    viewers: ViewerState, creators: CreatorState, gifters: np.ndarray, gift_coins: np.ndarray,
    catalog: Catalog, gift_counts: np.ndarray, payout: wallet.Payout, ledger: Ledger, copies: np.ndarray | int = 1,
    gifts: HourGifts | None = None, is_measuring: bool = True,
) -> dict[str, int]:
    """Move viewers' gifted coins out of their wallets and issue diamonds to the creators watched.

    Each gifter sends ``copies`` of its gift (a combo; ``gift_coins`` is one copy's price) and must
    hold them all in its wallet. ``gift_counts`` (one per catalog item, in catalog order) counts the
    gifts sent, which are published to the hour's ``gifts`` when given. In the measured window
    (``is_measuring``) each paid gift's creator is counted among its giver's distinct creators gifted.

    Returns:
        This hour's flows by output name: gifts, coins gifted, diamonds issued, and their money
        (micro-USD).
    """
    rooms = viewers.watching[gifters]
    copies = np.full(gifters.size, copies, dtype=np.int64) if np.ndim(copies) == 0 else copies
    coins = gift_coins * copies
    released, diamonds, diamond_value, free = wallet.give(viewers, gifters, coins, creators, rooms, payout, ledger,
                                                          copies)
    if gifts is not None:
        gifts.add(rooms, coins, diamonds, viewer=gifters, gift_coins=gift_coins, copies=copies, free_coins=free)
    flows = dict(zip(_GIFT_FLOWS, _tally_gifts(
        gifters, rooms, gift_coins, copies, coins, free, diamonds, diamond_value, released, viewers.owed_creator,
        viewers.gifts_sent, viewers.free_gifts_sent, catalog.coins, gift_counts), strict=True))
    reciprocate(viewers.size - creators.size, gifters, viewers.creator_id, rooms, viewers.owed_creator,
                viewers.followed, creators.followers)
    if is_measuring:
        _note_creators_gifted(gifters, rooms, free < coins, viewers.gifted_creator_1, viewers.gifted_creator_2,
                              viewers.gifted_creator_3, viewers.creators_gifted)
    return flows


_GIFT_FLOWS = ("new_gifts", "new_coins_gifted", "new_diamonds_issued", "new_creator_income_usd",
               "new_platform_revenue_usd", "new_free_gifts", "new_free_coins_gifted", "new_gifts_given_back")


@kernel
def _tally_gifts(gifters, rooms, gift_coins, copies, coins, free, diamonds, diamond_value, released, owed_creator,
                 gifts_sent, free_gifts_sent, catalog_coins, gift_counts):
    """Count the gifts the wallets gave: by giver (all, and those paid for entirely with free coins) and by
    catalog item; return the flows of :data:`_GIFT_FLOWS`, in that order (gifts given back: to the peer
    the giver owes, before this hour's gifts are reciprocated)."""
    n_gifts = n_coins = n_diamonds = value = n_released = n_free_gifts = n_free = n_given_back = 0
    for i in range(gifters.size):
        viewer = gifters[i]
        gifts_sent[viewer] += copies[i]
        if free[i] == coins[i]:  # a combo's copies are all free gifts, or none
            free_gifts_sent[viewer] += copies[i]
            n_free_gifts += copies[i]
        gift_counts[sorted_position(catalog_coins, float(gift_coins[i]), False)] += copies[i]
        n_given_back += owed_creator[viewer] == rooms[i]
        n_gifts += copies[i]
        n_coins += coins[i]
        n_diamonds += diamonds[i]
        value += diamond_value[i]
        n_released += released[i]
        n_free += free[i]
    return n_gifts, n_coins, n_diamonds, value, n_released - value, n_free_gifts, n_free, n_given_back


# Distinct creators a viewer gifted paid coins to, counted up to this (meaning "this many or more"): enough
# to say whether a payer's gifts went to 3 or fewer creators, as Inke's loyalty figure asks.
MAX_CREATORS_COUNTED = 4


@kernel
def _note_creators_gifted(gifters, rooms, is_paid, first, second, third, count) -> None:
    """Count each paid gift's creator among its giver's distinct creators gifted (the first three kept)."""
    for i in range(gifters.size):
        viewer, room = gifters[i], rooms[i]
        if not is_paid[i] or count[viewer] >= MAX_CREATORS_COUNTED:
            continue
        if room == first[viewer] or room == second[viewer] or room == third[viewer]:
            continue
        if count[viewer] == 0:
            first[viewer] = room
        elif count[viewer] == 1:
            second[viewer] = room
        elif count[viewer] == 2:
            third[viewer] = room
        count[viewer] += 1


@kernel
def _who_can_pay(watchers, wallet_coins, budget_left):
    """The watchers with coins in their wallets or budget left: the only ones who can afford a gift."""
    can_pay = np.empty_like(watchers)
    n = 0
    for i in range(watchers.size):
        can_pay[n] = watchers[i]
        n += wallet_coins[watchers[i]] > 0 or budget_left[watchers[i]] > 0
    return can_pay[:n]


def _product(hour: Hour, target: ModifierTarget, size: int, *args) -> np.ndarray:
    """:meth:`Hour.multiplier` of ``target`` as ``size`` floats, for a kernel (one for all when it is a number)."""
    product = hour.multiplier(target, *args)
    return np.full(size, product) if np.ndim(product) == 0 else np.asarray(product, dtype=np.float64)


def _gift(hour: Hour) -> None:
    viewers, creators, model, config = hour.viewers, hour.creators, hour.model, hour.config
    # Only watchers with coins or budget left can afford a gift: most viewers never pay.
    can_pay = _who_can_pay(hour.watchers, viewers.wallet_coins, viewers.budget_left_micro)
    if can_pay.size == 0:
        return
    plan = [combo.factor(hour, can_pay) for combo in hour.modifiers["combo"]]  # at most one
    per_event, max_copies = plan[0] if plan else (None, 1)
    gifters, gift_coins, copies = draw_gifts(
        viewers, can_pay, model.catalog, model.prices, _product(hour, "room", creators.size),
        _product(hour, "watcher", can_pay.size, can_pay), config.viewers,
        hour.draws.keys("gifting.gift", hour.step, 3),  # whether, which gift, and the combo's rounding
        per_event, max_copies, model.kernel_threads)
    if gifters.size == 0:
        return
    has_coins = purchasing.top_up_phase(hour, gifters, gift_coins * copies)
    flows = send_gifts(viewers, creators, gifters[has_coins], gift_coins[has_coins], model.catalog, model.gift_counts,
                       model.payout, model.ledger, copies[has_coins], hour.gifts,
                       is_measuring=hour.is_measuring)
    for name, amount in flows.items():
        hour.flows.add(name, amount)


GIFT = Phase(
    "gift", _gift,
    reads=("hour.watchers", "viewers.propensity", "viewers.budget_left_micro", "viewers.wallet_coins",
           "viewers.watching", "viewers.creator_id", "viewers.region", "viewers.channel", "room and watcher modifiers"),
    writes=(*wallet.named("viewers", (*wallet.GIVES, *wallet.BUYS, "gifts_sent", "free_gifts_sent", "owed_creator",
                                      "followed", "creators_gifted", "gifted_creator_1", "gifted_creator_2",
                                      "gifted_creator_3")),
            *wallet.named("creators", (*wallet.CREDITS, "followers")), "ledger", "hour.gifts"),
)
GIFTED_CREATORS = ("gifted_creator_1", "gifted_creator_2", "gifted_creator_3")
MECHANISM = Mechanism(
    "gifting", "watchers who can pay may gift; a short wallet is topped up first", phases=(GIFT,),
    state=(
        *(StateField("viewers", name, f"the {place} distinct creator it gifted paid coins to in the measured window "
                     "(-1: none yet)", fill=NOBODY, dtype=CREATOR_INDEX, is_creator_index=True, is_window_measure=True)
          for name, place in zip(GIFTED_CREATORS, ("first", "second", "third"), strict=True)),
        StateField("viewers", "creators_gifted", "distinct creators it gifted paid coins to in the measured window, "
                   f"counted up to {MAX_CREATORS_COUNTED} (meaning {MAX_CREATORS_COUNTED} or more)", dtype=np.int8,
                   is_window_measure=True),
    ),
    outputs=(
        Output("new_gifts", "flow", "gifts", "Gifts", "gifts sent by viewers, paid and free", cumulative="cum_gifts"),
        Output("new_free_gifts", "flow", "gifts", "Free gifts",
               "of those, gifts paid for entirely with coins brands dropped free"),
        Output("new_free_coins_gifted", "flow", "coins", "Free coins gifted",
               "coins gifted that brands had dropped free (a viewer gives its free coins first)"),
        Output("new_coins_gifted", "flow", "coins", "Coins gifted", "coins sent as gifts",
               cumulative="cum_coins_gifted"),
        Output("new_diamonds_issued", "flow", "diamonds", "Diamonds issued", "diamonds the gifts issued to creators"),
        Output("new_creator_income_usd", "flow", "USD", "Creator income",
               "value of all diamonds issued to creators this hour: from viewers' gifts and brands'",
               cumulative="cum_creator_income_usd"),
        Output("new_platform_revenue_usd", "flow", "USD", "Platform revenue",
               "what the platform kept from gifts: the gifted coins' paid-for net value less the diamonds' value",
               cumulative="cum_platform_revenue_usd"),
        Output("new_gifts_given_back", "flow", "gifts", "Gifts given back",
               "gifts from a creator (off air) to the peer who last gifted it"),
    ),
)
