"""Buying coins: topping up the wallet when a gift needs more coins than it holds.

A viewer short of coins buys, among the bundles of its region and channel that cover the
shortfall, the largest one that costs at most ``stock_up_share`` of its monthly budget (heavy
spenders habitually buy big packs; the smallest covering bundle is always allowed), or as many
of the largest bundle as it takes when none covers it. The rest of the month's budget must pay
for it; otherwise the gift is not sent. Each purchase splits exactly into tax, the store's or
processor's fee, and the platform's net, which waits in the coin liability until the coins are
gifted.
"""

from __future__ import annotations

import numpy as np

from sim.engine.ledger import Account, Ledger
from sim.engine.pricing import PriceTable
from sim.engine.state import ViewerState


def spending_capacity(viewers: ViewerState, who: np.ndarray, prices: PriceTable) -> np.ndarray:
    """The most coins each viewer could spend now: its wallet plus what its budget buys."""
    rate = prices.best_coins_per_micro[viewers.region[who], viewers.channel[who]]
    return viewers.wallet_coins[who] + np.floor(viewers.budget_left_micro[who] * rate).astype(np.int64)


def top_up(
    viewers: ViewerState, buyers: np.ndarray, coins_needed: np.ndarray, prices: PriceTable,
    stock_up_share: float, bundle_sales: np.ndarray, ledger: Ledger,
) -> tuple[np.ndarray, dict[str, int]]:
    """Buy coins for the viewers whose wallets hold fewer than ``coins_needed``.

    Args:
        viewers: The viewers.
        buyers: Indices of viewers about to gift (unique).
        coins_needed: Coins each of them needs in its wallet.
        prices: Every bundle's price.
        stock_up_share: Share of the monthly budget a viewer will spend on one bundle.
        bundle_sales: ``[region, channel, bundle]`` counts of bundles sold, updated in place.
        ledger: Where the money moves.

    Returns:
        A mask over ``buyers``: True where the wallet now holds enough coins; and this hour's flows.
    """
    shortfall = coins_needed - viewers.wallet_coins[buyers]
    short = shortfall > 0
    who, shortfall = buyers[short], shortfall[short]
    region, channel = viewers.region[who], viewers.channel[who]
    bundle_coins = prices.coins[region, channel]  # [buyer, bundle], ascending coins
    bundle_gross = prices.gross[region, channel]
    n_bundles = prices.n_bundles[region, channel]
    on_sale = np.arange(bundle_coins.shape[1]) < n_bundles[:, None]
    covers = on_sale & (bundle_coins >= shortfall[:, None])
    has_cover = covers.any(axis=1)
    smallest_cover = covers.argmax(axis=1)
    # The habitual spend on one pack, within what is left of the budget, but never below the
    # smallest bundle that does the job (which may then be unaffordable).
    habit = np.minimum(stock_up_share * viewers.budget_monthly_micro[who], viewers.budget_left_micro[who])
    habit = np.maximum(habit, bundle_gross[np.arange(who.size), smallest_cover])
    within_habit = covers & (bundle_gross <= habit[:, None])
    largest_within_habit = bundle_coins.shape[1] - 1 - within_habit[:, ::-1].argmax(axis=1)
    largest = np.maximum(n_bundles - 1, 0)
    bundle = np.where(has_cover, largest_within_habit, largest)
    coins_each = bundle_coins[np.arange(who.size), bundle]
    quantity = np.where(has_cover, 1, -(-shortfall // np.maximum(coins_each, 1)))
    cost = quantity * prices.gross[region, channel, bundle]
    can_pay = (n_bundles > 0) & (cost <= viewers.budget_left_micro[who])

    who, quantity, cost = who[can_pay], quantity[can_pay], cost[can_pay]
    region, channel, bundle = region[can_pay], channel[can_pay], bundle[can_pay]
    coins = quantity * prices.coins[region, channel, bundle]
    tax = quantity * prices.tax[region, channel, bundle]
    fee = quantity * prices.fee[region, channel, bundle]
    net = quantity * prices.net[region, channel, bundle]

    viewers.budget_left_micro[who] -= cost
    viewers.wallet_coins[who] += coins
    viewers.wallet_value_micro[who] += net
    viewers.wallet_gross_micro[who] += cost
    viewers.coins_bought[who] += coins
    viewers.purchases[who] += quantity
    viewers.spend_micro[who] += cost
    viewers.tax_micro[who] += tax
    viewers.fee_micro[who] += fee

    np.add.at(bundle_sales, (region, channel, bundle), quantity)

    to_store = prices.channel_is_app_store[channel]
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.TAX_AUTHORITY, int(tax.sum()))
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.APP_STORES, int(fee[to_store].sum()))
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.PAYMENT_PROCESSOR, int(fee[~to_store].sum()))
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.COIN_LIABILITY, int(net.sum()))

    enough = ~short
    enough[np.flatnonzero(short)[can_pay]] = True
    flows = {
        "new_purchases": int(quantity.sum()),
        "new_coins_bought": int(coins.sum()),
        "new_gross_spend_micro": int(cost.sum()),
        "new_tax_micro": int(tax.sum()),
        "new_store_fees_micro": int(fee.sum()),
        "new_gifts_unaffordable": int(short.sum() - can_pay.sum()),
    }
    return enough, flows
