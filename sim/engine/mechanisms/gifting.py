"""Gifting: who sends a gift this hour, which gift, and how coins become diamonds.

Each watching viewer with money to spend sends at most one gift per hour, with chance
``gift_hazard * propensity * affinity * room``, where ``affinity`` is ``follower_affinity`` when the
viewer follows the creator watched, times ``reciprocity_affinity`` when the viewer is a creator off
air watching the peer who last gifted it (reciprocity: ~$0.18 of each $1 received is given back
within a day, WeChat red packets, arXiv 2023), and the room's multiplier combines

- audience size: ``min(1 + audience_effect * (viewers - 1), audience_effect_cap)``: each extra
  viewer adds ~1% (Lu, Yao, Chen, Grewal 2021), up to a cap where large rooms crowd givers out
  (Yao, Lu, Chen 2023);
- contagion: ``1 + contagion_strength * ln(1 + gifts in the room last hour)``: seeing peers gift
  raises the chance of gifting (Int. J. Human-Computer Interaction 2024), so gifts come in bursts;
  the logarithm saturates;
- fatigue: ``session_fatigue ** hours already streamed``: income per hour falls as a session grows.

The gift is drawn from the catalog with weight
``coins ** -gift_size_exponent`` among the gifts the viewer could afford with the coins in the
wallet plus what the rest of the month's budget buys, so large gifts are rare and only those with
large budgets (whales) can send them.

A sent gift leaves the wallet and issues ``coins * diamonds_per_coin`` diamonds to the creator
watched. The platform recognises, as revenue, the share of the wallet's paid-for value that the
gifted coins carry, and sets aside the diamonds' value for the creator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.config import Creators, Platform, Viewers
from sim.engine.ledger import Account, Ledger
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


def room_multiplier(creators: CreatorState, viewer_params: Viewers, creator_params: Creators) -> np.ndarray:
    """Each creator's room's multiplier on the gifting hazard this hour: audience, contagion, fatigue."""
    audience = np.minimum(
        1.0 + viewer_params.audience_effect * np.maximum(creators.audience - 1, 0), viewer_params.audience_effect_cap
    )
    contagion = 1.0 + viewer_params.contagion_strength * np.log1p(creators.gifts_last_hour)
    fatigue = creator_params.session_fatigue ** creators.session_hour
    return audience * contagion * fatigue


def draw_gifts(
    viewers: ViewerState, watchers: np.ndarray, catalog: Catalog, capacity_coins: np.ndarray,
    multiplier: np.ndarray, params: Viewers, reciprocity_affinity: float, uniforms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose who gifts this hour and which gift.

    Args:
        viewers: The viewers.
        watchers: Indices of the viewers watching a live who could pay for a gift.
        catalog: The gift ladder.
        capacity_coins: For each watcher, the most coins it could spend now.
        multiplier: For each watcher, its room's multiplier (:func:`room_multiplier`) times any
            other personal one (a brand's free-coin drop).
        params: Viewer behaviour parameters.
        reciprocity_affinity: Multiplier when a creator-viewer watches the peer who last gifted it.
        uniforms: ``[2, watchers]`` uniform draws in [0, 1): whether to gift, and which gift.

    Returns:
        The gifters' indices and the coins of each one's gift.
    """
    room = viewers.watching[watchers]
    affinity = np.where(viewers.followed[watchers] == room, params.follower_affinity, 1.0)
    affinity *= np.where(viewers.owed_creator[watchers] == room, reciprocity_affinity, 1.0)
    hazard = np.minimum(1.0, params.gift_hazard * viewers.propensity[watchers] * affinity * multiplier)
    n_affordable = np.searchsorted(catalog.coins, capacity_coins, side="right")
    gifting = (uniforms[0] < hazard) & (n_affordable > 0)
    gifters, n_affordable = watchers[gifting], n_affordable[gifting]
    # Draw from the weights truncated to the affordable (cheapest) part of the ladder.
    reach = uniforms[1][gifting] * catalog.cumulative_weight[n_affordable - 1]
    choice = np.minimum(np.searchsorted(catalog.cumulative_weight, reach, side="right"), n_affordable - 1)
    return gifters, catalog.coins[choice]


def release_coins(
    wallet_coins: np.ndarray, wallet_value: np.ndarray, wallet_gross: np.ndarray, coins: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Take ``coins`` out of wallets; return the net value and the price they carry.

    Value and price leave pro rata to the coins, in whole micro-USD, and all of them leave with the
    last coin. The arrays are one row per wallet and are updated in place.
    """
    released = wallet_value * coins // wallet_coins
    released_gross = wallet_gross * coins // wallet_coins
    wallet_coins -= coins
    wallet_value -= released
    wallet_gross -= released_gross
    return released, released_gross


def diamonds_for(coins: np.ndarray, released: np.ndarray, platform: Platform) -> np.ndarray:
    """Diamonds a gift of ``coins`` (carrying net value ``released``) issues to its creator."""
    if platform.creator_share_basis == "net_revenue":
        return (released * platform.creator_share).astype(np.int64)  # a diamond is a micro-USD
    return coins * platform.diamonds_per_coin


def credit_creators(creators: CreatorState, rooms: np.ndarray, diamonds: np.ndarray, coins: np.ndarray) -> None:
    """Give each room's creator its diamonds and count the gifts and coins it received this hour."""
    np.add.at(creators.diamonds_held, rooms, diamonds)
    np.add.at(creators.diamonds_earned, rooms, diamonds)
    np.add.at(creators.gifts_received, rooms, 1)
    np.add.at(creators.gifts_this_hour, rooms, 1)
    np.add.at(creators.coins_this_hour, rooms, coins)


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


def book_gifts(ledger: Ledger, released: np.ndarray, diamond_value: np.ndarray) -> None:
    """The platform recognises the gifted coins' net value and sets aside the diamonds' value."""
    ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, int(released.sum()))
    ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY, int(diamond_value.sum()))


def send_gifts(
    viewers: ViewerState, creators: CreatorState, gifters: np.ndarray, gift_coins: np.ndarray,
    catalog: Catalog, gift_counts: np.ndarray, platform: Platform, ledger: Ledger,
) -> dict[str, int]:
    """Move viewers' gifted coins out of their wallets and issue diamonds to the creators watched.

    Every gifter must hold at least its gift in its wallet. ``gift_counts`` (one per catalog item,
    in catalog order) counts the gifts sent.

    Returns:
        This hour's flows: gifts, coins gifted, diamonds issued, and their money (micro-USD).
    """
    wallet = (viewers.wallet_coins[gifters], viewers.wallet_value_micro[gifters], viewers.wallet_gross_micro[gifters])
    released, released_gross = release_coins(*wallet, gift_coins)
    viewers.wallet_coins[gifters], viewers.wallet_value_micro[gifters], viewers.wallet_gross_micro[gifters] = wallet
    diamonds = diamonds_for(gift_coins, released, platform)
    diamond_value = diamonds * platform.micro_usd_per_diamond

    viewers.coins_gifted[gifters] += gift_coins
    viewers.gifts_sent[gifters] += 1
    viewers.released_micro[gifters] += released
    viewers.gifted_gross_micro[gifters] += released_gross
    viewers.diamond_value_sent_micro[gifters] += diamond_value
    rooms = viewers.watching[gifters]
    given_back = int((viewers.owed_creator[gifters] == rooms).sum())
    credit_creators(creators, rooms, diamonds, gift_coins)
    reciprocate(viewers, creators, viewers.creator_id[gifters], rooms)
    np.add.at(gift_counts, np.searchsorted(catalog.coins, gift_coins), 1)
    book_gifts(ledger, released, diamond_value)
    return {
        "new_gifts": int(gifters.size),
        "new_coins_gifted": int(gift_coins.sum()),
        "new_diamonds_issued": int(diamonds.sum()),
        "new_creator_income_micro": int(diamond_value.sum()),
        "new_platform_gift_margin_micro": int(released.sum() - diamond_value.sum()),
        "new_gifts_given_back": given_back,
    }
