"""Coin wallets and diamonds: the only code that moves coins, their paid-for value and diamonds.

Viewers (creators off air among them) and brands hold coins in wallets with the same fields:
``wallet_coins``, the net revenue the platform received for them (``wallet_value_micro``) and what
the holder paid for them, tax included (``wallet_gross_micro``). Buying posts the purchase's split
(tax, the store's or processor's fee, the platform's net held as a coin liability) to the ledger;
spending releases value and price pro rata to the coins; a gift issues diamonds and books the
platform's margin. Each function works on many holders at once (``who`` must not repeat) and
refuses to overdraw any one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.config import Platform
from sim.engine.ledger import Account, Ledger, LedgerError
from sim.engine.pricing import PriceTable
from sim.engine.state import CreatorState


@dataclass(frozen=True)
class Purchase:
    """What a batch of purchases cost and bought, one entry per buyer (micro-USD and coins)."""

    coins: np.ndarray
    cost: np.ndarray  # gross, tax included
    tax: np.ndarray
    fee: np.ndarray
    net: np.ndarray


def buy(
    holders, who: np.ndarray, region: np.ndarray, channel: np.ndarray, bundle: np.ndarray,
    quantity: np.ndarray, prices: PriceTable, ledger: Ledger, source: Account,
) -> Purchase:
    """Buy ``quantity`` of a bundle for each holder in ``who``, out of its budget.

    Args:
        holders: A population with wallet fields, ``budget_left_micro`` and purchase totals.
        who: The buyers' indices (unique).
        region, channel, bundle: Which bundle each buyer buys (indices into ``prices``).
        quantity: How many of it.
        prices: Every bundle's price and split.
        ledger: Where the money moves.
        source: The buyers' outside-money account.

    Raises:
        LedgerError: A purchase costs more than its buyer's budget left.
    """
    purchase = Purchase(
        coins=quantity * prices.coins[region, channel, bundle], cost=quantity * prices.gross[region, channel, bundle],
        tax=quantity * prices.tax[region, channel, bundle], fee=quantity * prices.fee[region, channel, bundle],
        net=quantity * prices.net[region, channel, bundle],
    )
    if np.any(purchase.cost > holders.budget_left_micro[who]):
        raise LedgerError("a purchase costs more than its buyer's budget left")
    holders.budget_left_micro[who] -= purchase.cost
    holders.spend_micro[who] += purchase.cost
    holders.tax_micro[who] += purchase.tax
    holders.fee_micro[who] += purchase.fee
    holders.purchases[who] += quantity
    holders.coins_bought[who] += purchase.coins
    holders.wallet_coins[who] += purchase.coins
    holders.wallet_value_micro[who] += purchase.net
    holders.wallet_gross_micro[who] += purchase.cost

    to_store = prices.channel_is_app_store[channel]
    ledger.transfer(source, Account.TAX_AUTHORITY, int(purchase.tax.sum()))
    ledger.transfer(source, Account.APP_STORES, int(purchase.fee[to_store].sum()))
    ledger.transfer(source, Account.PAYMENT_PROCESSOR, int(purchase.fee[~to_store].sum()))
    ledger.transfer(source, Account.COIN_LIABILITY, int(purchase.net.sum()))
    return purchase


def spend(holders, who: np.ndarray, coins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Take ``coins`` out of the wallets of ``who``; return the net value and the price they carry.

    Value and price leave pro rata to the coins, in whole micro-USD, and all of them leave with the
    last coin.

    Raises:
        LedgerError: A wallet holds fewer coins than it is asked to spend.
    """
    held = holders.wallet_coins[who]
    if np.any(coins > held):
        raise LedgerError("a wallet holds fewer coins than it is asked to spend")
    value, gross = holders.wallet_value_micro[who], holders.wallet_gross_micro[who]
    released = value * coins // held
    released_gross = gross * coins // held
    holders.wallet_coins[who] = held - coins
    holders.wallet_value_micro[who] = value - released
    holders.wallet_gross_micro[who] = gross - released_gross
    return released, released_gross


def receive(holders, who: np.ndarray, coins: np.ndarray, value: np.ndarray, gross: np.ndarray) -> None:
    """Put coins someone else paid for (a brand's free-coin drop) into the wallets of ``who``."""
    holders.wallet_coins[who] += coins
    holders.wallet_value_micro[who] += value
    holders.wallet_gross_micro[who] += gross
    holders.coins_received[who] += coins
    holders.received_value_micro[who] += value
    holders.wallet_free_coins[who] += coins


def give(
    viewers, who: np.ndarray, coins: np.ndarray, creators: CreatorState, rooms: np.ndarray, platform: Platform,
    ledger: Ledger, gifts: np.ndarray | int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Viewers ``who`` give ``coins`` from their wallets to the creators ``rooms`` (``gifts`` gifts each).

    Keeps each viewer's totals of what it gave (coins, the net value and price they carried, the
    diamonds' value, and how many of the coins were free ones, which are given first) and issues the
    diamonds (:func:`issue_diamonds`).

    Returns:
        The net value each gift carried, its diamonds, their value (micro-USD), and its free coins.
    """
    free = np.minimum(viewers.wallet_free_coins[who], coins)
    viewers.wallet_free_coins[who] -= free
    viewers.free_coins_gifted[who] += free
    released, released_gross = spend(viewers, who, coins)
    diamonds, diamond_value = issue_diamonds(creators, rooms, coins, released, platform, ledger, gifts)
    viewers.coins_gifted[who] += coins
    viewers.released_micro[who] += released
    viewers.gifted_gross_micro[who] += released_gross
    viewers.diamond_value_sent_micro[who] += diamond_value
    return released, diamonds, diamond_value, free


def diamonds_for(coins: np.ndarray, released: np.ndarray, platform: Platform) -> np.ndarray:
    """Diamonds a gift of ``coins`` (carrying net value ``released``) issues to its creator."""
    if platform.creator_share_basis == "net_revenue":
        return (released * platform.creator_share).astype(np.int64)  # a diamond is a micro-USD
    return coins * platform.diamonds_per_coin


def issue_diamonds(
    creators: CreatorState, rooms: np.ndarray, coins: np.ndarray, released: np.ndarray, platform: Platform,
    ledger: Ledger, gifts: np.ndarray | int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Turn gifts of ``coins`` (carrying net value ``released``) into diamonds for each room's creator.

    Each entry may be several gifts at once (``gifts``: a combo of the same gift), counted as such.

    The platform recognises the coins' net value as revenue and sets aside the diamonds' value.

    Returns:
        Each gift's diamonds and their value (micro-USD).
    """
    diamonds = diamonds_for(coins, released, platform)
    diamond_value = diamonds * platform.micro_usd_per_diamond
    np.add.at(creators.diamonds_held, rooms, diamonds)
    np.add.at(creators.diamonds_earned, rooms, diamonds)
    np.add.at(creators.gifts_received, rooms, gifts)
    np.add.at(creators.gifts_this_hour, rooms, gifts)
    np.add.at(creators.coins_this_hour, rooms, coins)
    ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, int(released.sum()))
    ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY, int(diamond_value.sum()))
    return diamonds, diamond_value
