"""Gifting: who sends a gift this hour, which gift, and how coins become diamonds.

Each watching viewer with money to spend sends at most one gift per hour, with chance
``gift_hazard * propensity``. The gift is drawn from the catalog with weight
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

from sim.config import Platform, Viewers
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


def draw_gifts(
    viewers: ViewerState, watchers: np.ndarray, catalog: Catalog, capacity_coins: np.ndarray,
    params: Viewers, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose who gifts this hour and which gift.

    Args:
        viewers: The viewers.
        watchers: Indices of the viewers watching a live.
        catalog: The gift ladder.
        capacity_coins: For each watcher, the most coins it could spend now.
        params: Viewer behaviour parameters.
        rng: The gifting random stream.

    Returns:
        The gifters' indices and the coins of each one's gift.
    """
    hazard = np.minimum(1.0, params.gift_hazard * viewers.propensity[watchers])
    n_affordable = np.searchsorted(catalog.coins, capacity_coins, side="right")
    gifting = (rng.random(watchers.size) < hazard) & (n_affordable > 0)
    gifters, n_affordable = watchers[gifting], n_affordable[gifting]
    # Draw from the weights truncated to the affordable (cheapest) part of the ladder.
    reach = rng.random(gifters.size) * catalog.cumulative_weight[n_affordable - 1]
    choice = np.minimum(np.searchsorted(catalog.cumulative_weight, reach, side="right"), n_affordable - 1)
    return gifters, catalog.coins[choice]


def send_gifts(
    viewers: ViewerState, creators: CreatorState, gifters: np.ndarray, gift_coins: np.ndarray,
    platform: Platform, ledger: Ledger,
) -> dict[str, int]:
    """Move gifted coins out of wallets and issue diamonds to the creators watched.

    Every gifter must hold at least its gift in its wallet.

    Returns:
        This hour's flows: gifts, coins gifted, diamonds issued, and their money (micro-USD).
    """
    wallet = viewers.wallet_coins[gifters]
    value = viewers.wallet_value_micro[gifters]
    released = value * gift_coins // wallet  # the wallet's value, pro rata; all of it when emptied
    diamonds = gift_coins * platform.diamonds_per_coin
    diamond_value = diamonds * platform.micro_usd_per_diamond

    viewers.wallet_coins[gifters] = wallet - gift_coins
    viewers.wallet_value_micro[gifters] = value - released
    viewers.coins_gifted[gifters] += gift_coins
    viewers.gifts_sent[gifters] += 1
    viewers.released_micro[gifters] += released
    viewers.diamond_value_sent_micro[gifters] += diamond_value

    room = viewers.watching[gifters]
    np.add.at(creators.diamonds_held, room, diamonds)
    np.add.at(creators.diamonds_earned, room, diamonds)
    np.add.at(creators.gifts_received, room, 1)

    ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, int(released.sum()))
    ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY, int(diamond_value.sum()))
    return {
        "new_gifts": int(gifters.size),
        "new_coins_gifted": int(gift_coins.sum()),
        "new_diamonds_issued": int(diamonds.sum()),
        "new_creator_income_micro": int(diamond_value.sum()),
        "new_platform_gift_margin_micro": int(released.sum() - diamond_value.sum()),
    }
