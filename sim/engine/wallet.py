"""Coin wallets and diamonds: the only code that moves coins, their paid-for value and diamonds.

Viewers (creators off air among them) and brands hold coins in wallets with the same fields:
``wallet_coins``, the net revenue the platform received for them (``wallet_value_micro``) and what
the holder paid for them, tax included (``wallet_gross_micro``). Buying posts the purchase's split
(tax, the store's or processor's fee, the platform's net held as a coin liability) to the ledger;
spending releases value and price pro rata to the coins; a gift issues diamonds, as many as its
payout basis gives (:func:`diamonds_of`), and books the platform's margin. Each function works on
many holders at once (``who`` must not repeat) and refuses to overdraw any one of them.

Each rule is written once, for one wallet or gift, as a compiled kernel (:func:`buy_into`,
:func:`spend_from`, :func:`receive_into`, :func:`diamonds_of`, :func:`credit`): the functions here loop
over them, and a mechanism's own compiled pass (brands' campaigns) calls them directly, then posts to the
ledger once (:func:`post_purchases`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.config import Config, Platform
from sim.engine.kernels import kernel
from sim.engine.ledger import Account, Ledger, LedgerError
from sim.engine.state import CREATOR_INDEX, CreatorState

# The arrays each operation writes, for the phases that call them to declare (Phase.writes, checked by
# tests/test_phase_contract.py). Viewers and brands hold wallets with the same fields.
SPENDS = ("wallet_coins", "wallet_value_micro", "wallet_gross_micro")
BUYS = (*SPENDS, "budget_left_micro", "spend_micro", "tax_micro", "fee_micro", "purchases", "coins_bought")
GIVES = (*SPENDS, "wallet_free_coins", "free_coins_gifted", "coins_gifted", "released_micro", "gifted_gross_micro",
         "diamond_value_sent_micro")
RECEIVES = (*SPENDS, "coins_received", "received_value_micro", "wallet_free_coins")
CREDITS = ("diamonds_held", "diamonds_earned", "gifts_received", "gifts_this_hour", "coins_this_hour")  # creators'


def named(population: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` of ``population`` as a phase names them (``viewers.wallet_coins``)."""
    return tuple(f"{population}.{field}" for field in fields)


@dataclass(frozen=True)
class Payout:
    """How gifted coins become diamonds, by the region the coins were bought in.

    Attributes:
        platform: The creator share, its basis and the diamond's value.
        is_share_of_price: [region] Whether gifts of coins bought there pay on ``share_of_price``
            (``platform.payout_basis`` or the region's own) rather than ``fixed_diamond``.
        ex_tax: [region] The share of a gross price there that is not tax, ``1 / (1 + tax_rate)``.
    """

    platform: Platform
    is_share_of_price: np.ndarray
    ex_tax: np.ndarray

    @classmethod
    def from_config(cls, config: Config) -> Payout:
        """Each region's payout basis and tax, in ``config.regions`` order."""
        bases = config.payout_bases()
        return cls(config.platform, np.array([bases[code] == "share_of_price" for code in config.regions]),
                   np.array([1.0 / (1.0 + region.tax_rate) for region in config.regions.values()]))


@dataclass(frozen=True)
class Purchase:
    """What a batch of purchases cost and bought, one entry per buyer (micro-USD and coins)."""

    coins: np.ndarray
    cost: np.ndarray  # gross, tax included
    tax: np.ndarray
    fee: np.ndarray
    net: np.ndarray


@kernel
def buy_into(holder: int, quantity: int, bundle_coins: int, bundle_gross: int, bundle_tax: int, bundle_fee: int,
             bundle_net: int, budget_left, spend, tax_paid, fee_paid, purchases, coins_bought, wallet_coins,
             wallet_value, wallet_gross) -> tuple[int, int, int, int, int]:
    """Buy ``quantity`` of a bundle (its coins, price, tax, fee and the platform's net) for ``holder``, out of
    a budget that pays for them (the ledger aside: :func:`post_purchases`); return the coins,
    cost, tax, fee and net bought."""
    coins, cost, tax, fee, net = (quantity * bundle_coins, quantity * bundle_gross, quantity * bundle_tax,
                                  quantity * bundle_fee, quantity * bundle_net)
    budget_left[holder] -= cost
    spend[holder] += cost
    tax_paid[holder] += tax
    fee_paid[holder] += fee
    purchases[holder] += quantity
    coins_bought[holder] += coins
    wallet_coins[holder] += coins
    wallet_value[holder] += net
    wallet_gross[holder] += cost
    return coins, cost, tax, fee, net


def post_purchases(ledger: Ledger, source: Account, tax: int, store_fee: int, processor_fee: int, net: int) -> None:
    """Post purchases' split out of the buyers' ``source``: tax, the app stores' and processors' fees, and the
    platform's net, held as a coin liability until the coins are spent (micro-USD)."""
    ledger.transfer(source, Account.TAX_AUTHORITY, tax)
    ledger.transfer(source, Account.APP_STORES, store_fee)
    ledger.transfer(source, Account.PAYMENT_PROCESSOR, processor_fee)
    ledger.transfer(source, Account.COIN_LIABILITY, net)


@kernel
def spend_from(wallet_coins, wallet_value, wallet_gross, holder: int, coins: int) -> tuple[int, int]:
    """Take ``coins`` out of the wallet of ``holder``, which holds them; return the net value and the price
    they carry (:func:`give`'s rule for one wallet)."""
    held = wallet_coins[holder]
    released = wallet_value[holder] * coins // held if held > 0 else 0
    released_gross = wallet_gross[holder] * coins // held if held > 0 else 0
    wallet_coins[holder] = held - coins
    wallet_value[holder] -= released
    wallet_gross[holder] -= released_gross
    return released, released_gross


def receive(holders, who: np.ndarray, coins: np.ndarray, value: np.ndarray, gross: np.ndarray) -> None:
    """Put coins someone else paid for (a brand's free-coin drop) into the wallets of ``who``."""
    n = len(who)
    _receive(np.asarray(who, dtype=np.int64), np.array(np.broadcast_to(coins, n), dtype=np.int64),
             np.array(np.broadcast_to(value, n), dtype=np.int64), np.array(np.broadcast_to(gross, n), dtype=np.int64),
             holders.wallet_coins, holders.wallet_value_micro, holders.wallet_gross_micro, holders.coins_received,
             holders.received_value_micro, holders.wallet_free_coins)


@kernel
def _receive(who, coins, value, gross, wallet_coins, wallet_value, wallet_gross, coins_received, received_value,
             wallet_free_coins) -> None:
    """:func:`receive`, wallet by wallet."""
    for i in range(who.size):
        receive_into(who[i], coins[i], value[i], gross[i], wallet_coins, wallet_value, wallet_gross, coins_received,
                     received_value, wallet_free_coins)


@kernel
def receive_into(holder: int, coins: int, value: int, gross: int, wallet_coins, wallet_value, wallet_gross,
                 coins_received, received_value, wallet_free_coins) -> None:
    """Put ``coins`` carrying net ``value`` and price ``gross`` that someone else paid for into the wallet of
    ``holder``, as free coins (:func:`receive`'s rule for one wallet)."""
    wallet_coins[holder] += coins
    wallet_value[holder] += value
    wallet_gross[holder] += gross
    coins_received[holder] += coins
    received_value[holder] += value
    wallet_free_coins[holder] += coins


def give(
    viewers, who: np.ndarray, coins: np.ndarray, creators: CreatorState, rooms: np.ndarray, payout: Payout,
    ledger: Ledger, gifts: np.ndarray | int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Viewers ``who`` give ``coins`` from their wallets to the creators ``rooms`` (``gifts`` gifts each).

    Keeps each viewer's totals of what it gave (coins, the net value and price they carried, the
    diamonds' value, and how many of the coins were free ones, which are given first), issues the
    diamonds on the payout basis of the viewer's region (:func:`diamonds_of`) and credits them
    (:func:`credit`), in one compiled pass; then books the platform's revenue and the diamonds' value
    (:func:`post_gifts`).

    Raises:
        LedgerError: A wallet holds fewer coins than it is asked to give (and nothing has moved).

    Returns:
        The net value each gift carried, its diamonds, their value (micro-USD), and its free coins.
    """
    n = len(who)
    released, diamonds, diamond_value, free = (np.empty(n, dtype=np.int64) for _ in range(4))
    # Arrays of one type and layout whoever gives (a single count broadcasts), so the kernel compiles once.
    is_held, released_total, value_total = _give(
        np.asarray(who, dtype=np.int64), np.asarray(coins, dtype=np.int64), np.asarray(rooms, dtype=CREATOR_INDEX),
        np.array(np.broadcast_to(gifts, n), dtype=np.int64), viewers.region, viewers.wallet_coins,
        viewers.wallet_value_micro, viewers.wallet_gross_micro, viewers.wallet_free_coins, viewers.free_coins_gifted,
        viewers.coins_gifted, viewers.released_micro, viewers.gifted_gross_micro, viewers.diamond_value_sent_micro,
        *payout_terms(payout), creators.diamonds_held, creators.diamonds_earned, creators.gifts_received,
        creators.gifts_this_hour, creators.coins_this_hour, released, diamonds, diamond_value, free)
    if not is_held:
        raise LedgerError("a wallet holds fewer coins than it is asked to give")
    post_gifts(ledger, released_total, value_total)
    return released, diamonds, diamond_value, free


@kernel
def _give(who, coins, rooms, gifts, region, wallet_coins, wallet_value, wallet_gross, wallet_free_coins,
          free_coins_gifted, coins_gifted, released_micro, gifted_gross, diamond_value_sent, is_share_of_price, ex_tax,
          is_net_revenue, creator_share, diamonds_per_coin, micro_usd_per_diamond, diamonds_held, diamonds_earned,
          gifts_received, gifts_this_hour, coins_this_hour, released, diamonds, diamond_value,
          free) -> tuple[bool, int, int]:
    """:func:`give` in one pass, after checking every wallet: whether they held the coins (if not, nothing
    moved), and the total net value released and diamonds' value issued (micro-USD)."""
    for i in range(who.size):
        if coins[i] > wallet_coins[who[i]]:
            return False, 0, 0
    released_total = value_total = 0
    for i in range(who.size):
        viewer = who[i]
        free[i] = min(wallet_free_coins[viewer], coins[i])
        wallet_free_coins[viewer] -= free[i]
        free_coins_gifted[viewer] += free[i]
        released[i], released_gross = spend_from(wallet_coins, wallet_value, wallet_gross, viewer, coins[i])
        diamonds[i] = diamonds_of(coins[i], released[i], released_gross, region[viewer], is_share_of_price, ex_tax,
                                  is_net_revenue, creator_share, diamonds_per_coin, micro_usd_per_diamond)
        diamond_value[i] = diamonds[i] * micro_usd_per_diamond
        credit(rooms[i], diamonds[i], coins[i], gifts[i], diamonds_held, diamonds_earned, gifts_received,
               gifts_this_hour, coins_this_hour)
        coins_gifted[viewer] += coins[i]
        released_micro[viewer] += released[i]
        gifted_gross[viewer] += released_gross
        diamond_value_sent[viewer] += diamond_value[i]
        released_total += released[i]
        value_total += diamond_value[i]
    return True, released_total, value_total


def post_gifts(ledger: Ledger, released: int, diamond_value: int) -> None:
    """Post gifts' coins: the platform recognises their net value as revenue and sets aside the diamonds'
    value (micro-USD)."""
    ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, released)
    ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY, diamond_value)


def payout_terms(payout: Payout) -> tuple:
    """The payout's fields as :func:`diamonds_of` takes them, after a gift's own."""
    platform = payout.platform
    return (payout.is_share_of_price, payout.ex_tax, platform.creator_share_basis == "net_revenue",
            platform.creator_share, platform.diamonds_per_coin, platform.micro_usd_per_diamond)


@kernel
def diamonds_of(coins: int, released: int, released_gross: int, region: int, is_share_of_price: np.ndarray,
                ex_tax: np.ndarray, is_net_revenue: bool, creator_share: float, diamonds_per_coin: int,
                micro_usd_per_diamond: int) -> int:
    """One gift's diamonds, on the payout basis of the region its coins were bought in (the payout's fields
    as :func:`payout_terms` gives them).

    A gift is ``coins`` bought in ``region`` carrying net value ``released`` and price ``released_gross``
    (tax included).

    - ``creator_share_basis: net_revenue``: ``creator_share`` of the net value, a diamond being a micro-USD.
    - ``fixed_diamond`` (the default; TikTok): ``diamonds_per_coin`` a coin, each worth
      ``micro_usd_per_diamond`` whatever the buyer paid, so a region's price cut comes out of the platform's
      margin (at Brazil's price x0.42 creators get nearly all a Brazilian viewer pays).
    - ``share_of_price``: ``creator_share`` of what the buyer paid for the coins less tax, in whole diamonds
      at the same fixed ``micro_usd_per_diamond`` (rounded down; the platform keeps the remainder, so money
      stays exact), so creators' pay follows the local price, as Twitch's did after its 2021 local prices.

    Why the price less tax, and neither the platform's net nor the gross with tax: ``creator_share`` is a
    share of ``coin_nominal_usd``, the US listed in-app price before sales tax with the store's fee inside;
    share_of_price keeps that base and puts the price actually paid in it, so on the US in-app packs the two
    bases pay the same to within 1% and only a lower price (a region's, or the web store's, about 25% below
    the app stores') lowers the pay. A share of the
    net would also cut creators by the store's fee everywhere (that is ``creator_share_basis: net_revenue``),
    and tax is never the platform's to share, yet in a VAT region the gross includes it. Tax comes off at
    the region's rate, ``gross / (1 + tax_rate)`` being the listed price whether tax is included or added
    (:func:`sim.engine.pricing.price_bundle`); a brand's coins dropped to a viewer count at the viewer's
    region's rate and basis.
    """
    if is_net_revenue:  # a diamond is a micro-USD
        return int(released * creator_share)
    if is_share_of_price[region]:
        return int(np.floor(released_gross * ex_tax[region] * creator_share / micro_usd_per_diamond))
    return coins * diamonds_per_coin


@kernel
def credit(room: int, diamonds: int, coins: int, gifts: int, diamonds_held, diamonds_earned, gifts_received,
           gifts_this_hour, coins_this_hour) -> None:
    """Credit the creator ``room`` with ``gifts`` gifts of ``coins`` in all, issuing ``diamonds``
    (:func:`give`'s rule for one gift)."""
    diamonds_held[room] += diamonds
    diamonds_earned[room] += diamonds
    gifts_received[room] += gifts
    gifts_this_hour[room] += gifts
    coins_this_hour[room] += coins
