"""Gifting: who sends a gift this hour, which gift, and how coins become diamonds.

Each watching viewer with money to spend sends at most one gift per hour, with chance
``gift_hazard * propensity * affinity * room``, where ``affinity`` is ``follower_affinity`` when the
viewer follows the creator watched, and the room's multiplier combines

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

from sim.config import Creators, Platform, Viewers
from sim.ledger import Account, Ledger
from sim.state import CreatorState, ViewerState


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
    room_factor: np.ndarray, params: Viewers, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose who gifts this hour and which gift.

    Args:
        viewers: The viewers.
        watchers: Indices of the viewers watching a live.
        catalog: The gift ladder.
        capacity_coins: For each watcher, the most coins it could spend now.
        room_factor: Each creator's room multiplier (:func:`room_multiplier`).
        params: Viewer behaviour parameters.
        rng: The gifting random stream.

    Returns:
        The gifters' indices and the coins of each one's gift.
    """
    room = viewers.watching[watchers]
    affinity = np.where(viewers.followed[watchers] == room, params.follower_affinity, 1.0)
    hazard = np.minimum(1.0, params.gift_hazard * viewers.propensity[watchers] * affinity * room_factor[room])
    n_affordable = np.searchsorted(catalog.coins, capacity_coins, side="right")
    gifting = (rng.random(watchers.size) < hazard) & (n_affordable > 0)
    gifters, n_affordable = watchers[gifting], n_affordable[gifting]
    # Draw from the weights truncated to the affordable (cheapest) part of the ladder.
    reach = rng.random(gifters.size) * catalog.cumulative_weight[n_affordable - 1]
    choice = np.minimum(np.searchsorted(catalog.cumulative_weight, reach, side="right"), n_affordable - 1)
    return gifters, catalog.coins[choice]


def send_gifts(
    viewers: ViewerState, creators: CreatorState, gifters: np.ndarray, gift_coins: np.ndarray,
    catalog: Catalog, gift_counts: np.ndarray, platform: Platform, ledger: Ledger,
) -> dict[str, int]:
    """Move gifted coins out of wallets and issue diamonds to the creators watched.

    Every gifter must hold at least its gift in its wallet. ``gift_counts`` (one per catalog item,
    in catalog order) counts the gifts sent.

    Returns:
        This hour's flows: gifts, coins gifted, diamonds issued, and their money (micro-USD).
    """
    wallet = viewers.wallet_coins[gifters]
    value = viewers.wallet_value_micro[gifters]
    gross = viewers.wallet_gross_micro[gifters]
    # The wallet's value and price, pro rata to the coins gifted; all of them when it is emptied.
    released = value * gift_coins // wallet
    released_gross = gross * gift_coins // wallet
    if platform.creator_share_basis == "net_revenue":
        diamonds = (released * platform.creator_share).astype(np.int64)  # a diamond is a micro-USD
    else:
        diamonds = gift_coins * platform.diamonds_per_coin
    diamond_value = diamonds * platform.micro_usd_per_diamond

    viewers.wallet_coins[gifters] = wallet - gift_coins
    viewers.wallet_value_micro[gifters] = value - released
    viewers.wallet_gross_micro[gifters] = gross - released_gross
    viewers.coins_gifted[gifters] += gift_coins
    viewers.gifts_sent[gifters] += 1
    viewers.released_micro[gifters] += released
    viewers.gifted_gross_micro[gifters] += released_gross
    viewers.diamond_value_sent_micro[gifters] += diamond_value

    room = viewers.watching[gifters]
    np.add.at(creators.diamonds_held, room, diamonds)
    np.add.at(creators.diamonds_earned, room, diamonds)
    np.add.at(creators.gifts_received, room, 1)
    creators.gifts_last_hour[:] = np.bincount(room, minlength=creators.size)
    np.add.at(gift_counts, np.searchsorted(catalog.coins, gift_coins), 1)

    ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, int(released.sum()))
    ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY, int(diamond_value.sum()))
    return {
        "new_gifts": int(gifters.size),
        "new_coins_gifted": int(gift_coins.sum()),
        "new_diamonds_issued": int(diamonds.sum()),
        "new_creator_income_micro": int(diamond_value.sum()),
        "new_platform_gift_margin_micro": int(released.sum() - diamond_value.sum()),
    }
