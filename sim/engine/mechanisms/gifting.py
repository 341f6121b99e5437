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
from sim.engine.ledger import Ledger
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.mechanisms import purchasing
from sim.engine.recorder import EventLog
from sim.engine.state import NOBODY, CreatorState, ViewerState


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
    multiplier: np.ndarray | float, params: Viewers, uniforms: np.ndarray, min_coins: np.ndarray | float = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choose who gifts this hour and which gift.

    Args:
        viewers: The viewers.
        watchers: Indices of the viewers watching a live who could pay for a gift.
        catalog: The gift ladder.
        capacity_coins: For each watcher, the most coins it could spend now.
        multiplier: For each watcher, the product of its room's and its own modifiers.
        params: Viewer behaviour parameters.
        uniforms: ``[2, watchers]`` uniform draws in [0, 1): whether to gift, and which gift.
        min_coins: For each watcher, the cheapest gift it would send (a whale's combo has a floor);
            when no affordable gift reaches it, the dearest affordable one.

    Returns:
        The gifters' indices, the coins of each one's gift, and which watchers gift (a mask).
    """
    hazard = np.minimum(1.0, params.gift_hazard * viewers.propensity[watchers] * multiplier)
    n_affordable = np.searchsorted(catalog.coins, capacity_coins, side="right")
    gifting = (uniforms[0] < hazard) & (n_affordable > 0)
    gifters, n_affordable = watchers[gifting], n_affordable[gifting]
    # Draw from the weights truncated to the affordable part of the ladder, from the floor up.
    lowest = np.minimum(np.searchsorted(catalog.coins, np.broadcast_to(min_coins, gifting.shape)[gifting]),
                        n_affordable - 1)
    below = np.where(lowest > 0, catalog.cumulative_weight[lowest - 1], 0.0)
    reach = below + uniforms[1][gifting] * (catalog.cumulative_weight[n_affordable - 1] - below)
    choice = np.clip(np.searchsorted(catalog.cumulative_weight, reach, side="right"), lowest, n_affordable - 1)
    return gifters, catalog.coins[choice], gifting


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
    events: EventLog | None = None,
) -> dict[str, int]:
    """Move viewers' gifted coins out of their wallets and issue diamonds to the creators watched.

    Each gifter sends ``copies`` of its gift (a combo; ``gift_coins`` is one copy's price) and must
    hold them all in its wallet. ``gift_counts`` (one per catalog item, in catalog order) counts the
    gifts sent; ``events``, when given, logs them.

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


def combo_copies(
    per_event_coins: np.ndarray, gift_coins: np.ndarray, capacity_coins: np.ndarray, max_copies: int,
    uniforms: np.ndarray,
) -> np.ndarray:
    """How many of its gift each gifter sends: what it aims to spend over the gift's price, rounded at random.

    At least one, at most ``max_copies`` and what its coins and budget cover.
    """
    wanted = per_event_coins / gift_coins
    whole = np.floor(wanted) + (uniforms < wanted - np.floor(wanted))
    return np.clip(whole, 1, np.minimum(max_copies, capacity_coins // gift_coins)).astype(np.int64)


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
    per_event, max_copies = plan[0] if plan else (np.zeros(can_pay.size), 1)
    gifters, gift_coins, gifting = draw_gifts(viewers, can_pay, model.catalog, capacity, multiplier, config.viewers,
                                              uniforms, min_coins=per_event / max_copies)
    copies = combo_copies(per_event[gifting], gift_coins, capacity[gifting], max_copies, uniforms[2][gifting])
    has_coins = purchasing.top_up_phase(hour, gifters, gift_coins * copies)
    flows = send_gifts(viewers, creators, gifters[has_coins], gift_coins[has_coins], model.catalog, model.gift_counts,
                       model.payout, model.ledger, copies[has_coins], hour.events)
    for name, amount in flows.items():
        hour.flows.add(name, amount)


GIFT = Phase(
    "gift", _gift,
    reads=("hour.watchers", "viewers.propensity", "viewers.budget_left_micro", "viewers.wallet_coins",
           "room and watcher modifiers"),
    writes=("viewers wallets and totals", "creators.diamonds_held", "creators.gifts_this_hour",
            "creators.coins_this_hour", "viewers.followed (follow-back)", "viewers.owed_creator", "ledger"),
)
MECHANISM = Mechanism(
    "gifting", "watchers who can pay may gift; a short wallet is topped up first", phases=(GIFT,),
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
