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
(:func:`sim.engine.wallet.issue_diamonds`). The platform recognises, as revenue, the share of the
wallet's paid-for value that the gifted coins carry, and sets aside the diamonds' value for the creator.
A creator gifted by a peer creator follows it back and owes it a gift (reciprocity,
:mod:`~sim.engine.mechanisms.peer_gifting`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine import wallet
from sim.engine.config import Viewers
from sim.engine.kernels import kernel, sorted_position
from sim.engine.ledger import Ledger
from sim.engine.mechanism import Hour, Mechanism, Output, Phase, StateField
from sim.engine.mechanisms import purchasing
from sim.engine.recorder import EventLog
from sim.engine.state import CREATOR_INDEX, NOBODY, CreatorState, ViewerState


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
    viewers: ViewerState, watchers: np.ndarray, catalog: Catalog, capacity_coins: np.ndarray,
    multiplier: np.ndarray | float, params: Viewers, uniforms: np.ndarray, per_event: np.ndarray | float = 0.0,
    max_copies: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choose who gifts this hour, which gift, and how many copies (:func:`choose_gift`, for each watcher).

    Args:
        viewers: The viewers.
        watchers: Indices of the viewers watching a live who could pay for a gift.
        catalog: The gift ladder.
        capacity_coins: For each watcher, the most coins it could spend now.
        multiplier: For each watcher, the product of its room's and its own modifiers.
        params: Viewer behaviour parameters.
        uniforms: ``[3, watchers]`` uniform draws in [0, 1): whether to gift, which gift, and the
            rounding of the number of copies.
        per_event: For each watcher, the coins it aims to spend when it gifts (a combo's plan; 0: one gift).
        max_copies: The most copies of one gift sent at once.

    Returns:
        The gifters' indices, the coins of one copy of each one's gift, and its copies.
    """
    n = watchers.size
    gift_coins, copies = _choose_gifts(
        params.gift_hazard * viewers.propensity[watchers], np.broadcast_to(np.asarray(multiplier, float), n),
        np.asarray(capacity_coins, dtype=np.int64), np.broadcast_to(np.asarray(per_event, float), n), max_copies,
        catalog.coins, catalog.cumulative_weight, np.ascontiguousarray(uniforms, dtype=np.float64))
    gifting = gift_coins > 0
    return watchers[gifting], gift_coins[gifting], copies[gifting]


@kernel
def _choose_gifts(base_hazard, multiplier, capacity, per_event, max_copies, catalog_coins, cumulative_weight,
                  uniforms):
    """Each watcher's gift (its coins, 0 for none) and copies: :func:`choose_gift` in one compiled pass."""
    gift_coins = np.zeros(base_hazard.size, dtype=np.int64)
    copies = np.zeros(base_hazard.size, dtype=np.int64)
    for i in range(base_hazard.size):
        gift_coins[i], copies[i] = choose_gift(
            min(1.0, base_hazard[i] * multiplier[i]), capacity[i], per_event[i], max_copies, catalog_coins,
            cumulative_weight, uniforms[0, i], uniforms[1, i], uniforms[2, i])
    return gift_coins, copies


@kernel
def choose_gift(
    hazard: float, capacity: int, per_event: float, max_copies: int, catalog_coins: np.ndarray,
    cumulative_weight: np.ndarray, u_whether: float, u_which: float, u_copies: float,
) -> tuple[int, int]:
    """One watcher's gift this hour: the coins of one copy (0 for none) and the number of copies.

    It gifts with chance ``hazard`` if it can afford any gift (``capacity`` coins). The gift is drawn
    with the catalog's weights among the affordable ones, from the cheapest costing at least
    ``per_event / max_copies`` coins up (a whale's combo has a floor; when no affordable gift reaches
    it, the dearest affordable one). It sends ``per_event`` over the gift's price copies, rounded at
    random (:func:`combo_copies`).
    """
    n_affordable = sorted_position(catalog_coins, capacity, True)
    if not (u_whether < hazard and n_affordable > 0):
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


def reciprocate(viewers: ViewerState, creators: CreatorState, giving_creator: np.ndarray, rooms: np.ndarray) -> None:
    """A creator gifted by a peer owes it: it follows the peer back and favours its room when off air.

    ``giving_creator`` is each gift's giver as a creator (``NOBODY`` for the audience); creators'
    own viewer rows are the last ``creators.size`` rows, in creator order.
    """
    from_peer = giving_creator != NOBODY
    if not from_peer.any():
        return
    receiver_row = viewers.size - creators.size + rooms[from_peer]
    giver = giving_creator[from_peer]
    viewers.owed_creator[receiver_row] = giver
    new_follow = viewers.followed[receiver_row] != giver
    viewers.followed[receiver_row[new_follow]] = giver[new_follow]
    np.add.at(creators.followers, giver[new_follow], 1)


def send_gifts(
    viewers: ViewerState, creators: CreatorState, gifters: np.ndarray, gift_coins: np.ndarray,
    catalog: Catalog, gift_counts: np.ndarray, payout: wallet.Payout, ledger: Ledger, copies: np.ndarray | int = 1,
    events: EventLog | None = None, is_measuring: bool = True,
) -> dict[str, int]:
    """Move viewers' gifted coins out of their wallets and issue diamonds to the creators watched.

    Each gifter sends ``copies`` of its gift (a combo; ``gift_coins`` is one copy's price) and must
    hold them all in its wallet. ``gift_counts`` (one per catalog item, in catalog order) counts the
    gifts sent; ``events``, when given, logs them. In the measured window (``is_measuring``) each paid
    gift's creator is counted among its giver's distinct creators gifted.

    Returns:
        This hour's flows by output name: gifts, coins gifted, diamonds issued, and their money
        (micro-USD).
    """
    rooms = viewers.watching[gifters]
    given_back = int((viewers.owed_creator[gifters] == rooms).sum())
    copies = np.broadcast_to(copies, gifters.shape)
    coins = gift_coins * copies
    released, diamonds, diamond_value, free = wallet.give(viewers, gifters, coins, creators, rooms, payout, ledger,
                                                          copies)
    if events is not None:
        events.add_gifts(rooms, coins, diamonds, viewer=gifters, gift_coins=gift_coins, copies=copies, free_coins=free)
    viewers.gifts_sent[gifters] += copies
    free_gifts = np.where(free == coins, copies, 0)  # gifts paid for entirely with free coins
    viewers.free_gifts_sent[gifters] += free_gifts
    reciprocate(viewers, creators, viewers.creator_id[gifters], rooms)
    if is_measuring:
        _note_creators_gifted(gifters, rooms, free < coins, viewers.gifted_creator_1, viewers.gifted_creator_2,
                              viewers.gifted_creator_3, viewers.creators_gifted)
    np.add.at(gift_counts, np.searchsorted(catalog.coins, gift_coins), copies)
    return {
        "new_gifts": int(copies.sum()),
        "new_coins_gifted": int(coins.sum()),
        "new_diamonds_issued": int(diamonds.sum()),
        "new_creator_income_usd": int(diamond_value.sum()),
        "new_platform_revenue_usd": int(released.sum() - diamond_value.sum()),
        "new_gifts_given_back": given_back,
        "new_free_gifts": int(free_gifts.sum()),
        "new_free_coins_gifted": int(free.sum()),
    }


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


def _at(factor: np.ndarray | float, index: np.ndarray) -> np.ndarray | float:
    """A per-creator multiplier at ``index``, or the multiplier itself when it is one for all."""
    return factor if np.isscalar(factor) else factor[index]


def _gift(hour: Hour) -> None:
    viewers, creators, model, config = hour.viewers, hour.creators, hour.model, hour.config
    watchers = hour.watchers
    # Only watchers with coins or budget left can afford a gift: most viewers never pay.
    is_able = (viewers.wallet_coins[watchers] > 0) | (viewers.budget_left_micro[watchers] > 0)
    can_pay = watchers[is_able]
    uniforms = hour.uniforms("gifting.gift", can_pay, 3)  # whether, which gift, and the combo's rounding
    multiplier = _at(hour.multiplier("room"), viewers.watching[can_pay]) * hour.multiplier("watcher", can_pay)
    capacity = purchasing.spending_capacity(viewers, can_pay, model.prices)
    plan = [combo.factor(hour, can_pay) for combo in hour.modifiers["combo"]]  # at most one
    per_event, max_copies = plan[0] if plan else (0.0, 1)
    gifters, gift_coins, copies = draw_gifts(viewers, can_pay, model.catalog, capacity, multiplier, config.viewers,
                                             uniforms, per_event, max_copies)
    has_coins = purchasing.top_up_phase(hour, gifters, gift_coins * copies)
    flows = send_gifts(viewers, creators, gifters[has_coins], gift_coins[has_coins], model.catalog, model.gift_counts,
                       model.payout, model.ledger, copies[has_coins], hour.events,
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
            *wallet.named("creators", (*wallet.CREDITS, "followers")), "ledger"),
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
