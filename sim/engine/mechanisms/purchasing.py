"""Buying coins: topping up the wallet when a gift needs more coins than it holds.

A viewer short of coins buys, among the bundles of its region and channel that cover the
shortfall, the largest one that costs at most the stock-up share of its monthly budget (heavy
spenders habitually buy big packs, :mod:`~sim.engine.mechanisms.stock_up`; the smallest covering
bundle is always allowed); when none covers it, as many as it takes of its habitual pack (the
largest costing at most that share) or, without the habit, of the largest bundle. The rest of the
month's budget must pay for it; otherwise the gift is not sent. Each purchase splits exactly into tax, the store's or
processor's fee, and the platform's net, which waits in the coin liability until the coins are
gifted (:func:`sim.engine.wallet.buy_into`). Budgets arrive on paydays (:mod:`~sim.engine.mechanisms.income`).
"""

from __future__ import annotations

import numpy as np

from sim.engine import wallet
from sim.engine.kernels import kernel
from sim.engine.ledger import Account, Ledger
from sim.engine.mechanism import Hour, Mechanism, Output
from sim.engine.mechanisms import stock_up
from sim.engine.pricing import PriceTable
from sim.engine.recorder import EventLog
from sim.engine.state import ViewerState


@kernel
def spending_capacity(wallet_coins: int, budget_left_micro: int, coins_per_micro: float) -> int:
    """The most coins a viewer could spend now: its wallet plus what its budget buys at its best rate
    (``prices.best_coins_per_micro`` of its region and channel), rounded down."""
    return wallet_coins + np.int64(np.floor(budget_left_micro * coins_per_micro))


# The flows of a top-up's purchases (all 0 when nobody buys).
_PURCHASE_FLOWS = ("new_purchases", "new_coins_bought", "new_gross_spend_usd", "new_tax_usd", "new_store_fees_usd")


def top_up(
    viewers: ViewerState, buyers: np.ndarray, coins_needed: np.ndarray, prices: PriceTable,
    stock_up_share: float, bundle_sales: np.ndarray, ledger: Ledger, events: EventLog | None = None,
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
        events: Where the purchases are logged, if anywhere.

    Returns:
        A mask over ``buyers``: True where the wallet now holds enough coins; and this hour's flows
        by output name (money in micro-USD).
    """
    n = buyers.size
    enough, who, quantity = np.ones(n, dtype=np.bool_), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    bought = wallet.Purchase(*(np.empty(n, dtype=np.int64) for _ in range(5)))
    n_buying, n_unaffordable, n_bundles, tax, store_fee, processor_fee, net = _top_up(
        buyers, np.asarray(coins_needed, dtype=np.int64), viewers.wallet_coins, viewers.region, viewers.channel,
        viewers.budget_monthly_micro, viewers.budget_left_micro, stock_up_share, prices.coins, prices.gross,
        prices.tax, prices.fee, prices.net, prices.channel_is_app_store, prices.n_bundles, bundle_sales,
        viewers.spend_micro, viewers.tax_micro, viewers.fee_micro, viewers.purchases, viewers.coins_bought,
        viewers.wallet_value_micro, viewers.wallet_gross_micro, enough, who, quantity, bought.coins, bought.cost,
        bought.tax, bought.fee, bought.net)
    if n_buying:
        wallet.post_purchases(ledger, Account.VIEWERS_OUTSIDE, tax, store_fee, processor_fee, net)
        if events is not None:
            who, quantity = who[:n_buying], quantity[:n_buying]
            events.add_purchases(wallet.Purchase(*(column[:n_buying] for column in vars(bought).values())),
                                 viewers.region[who], viewers.channel[who], quantity, viewer=who)
    coins_bought, cost = (int(column[:n_buying].sum()) for column in (bought.coins, bought.cost))
    return enough, {"new_purchases": n_bundles, "new_coins_bought": coins_bought, "new_gross_spend_usd": cost,
                    "new_tax_usd": tax, "new_store_fees_usd": store_fee + processor_fee,
                    "new_gifts_unaffordable": n_unaffordable}


@kernel
def _top_up(buyers, coins_needed, wallet_coins, region, channel, budget_monthly, budget_left, stock_up_share, coins,
            gross, tax, fee, net, is_app_store, n_bundles, bundle_sales, spend, tax_paid, fee_paid, purchases,
            coins_bought, wallet_value, wallet_gross, enough, who, quantity, bought_coins, bought_cost, bought_tax,
            bought_fee, bought_net):
    """:func:`top_up` in one pass: each short buyer's bundle and quantity (:func:`choose_bundle`), bought
    (:func:`sim.engine.wallet.buy_into`) when its budget pays for it, else its gift marked unaffordable.

    Fills ``enough`` (whether each buyer's wallet will hold enough), and the first entries of ``who``,
    ``quantity`` and the purchase's columns, one per buyer who bought; counts the bundles in
    ``bundle_sales``. Returns how many bought, how many were short and could not pay, the bundles bought,
    and the purchases' tax, app stores' fees, processors' fees and net (micro-USD).
    """
    n_buying = n_unaffordable = n_bundles_bought = tax_total = store_fee = processor_fee = net_total = 0
    for i in range(buyers.size):
        viewer = buyers[i]
        shortfall = coins_needed[i] - wallet_coins[viewer]
        if shortfall <= 0:
            continue
        r, c = region[viewer], channel[viewer]
        chosen, count = choose_bundle(shortfall, coins[r, c], gross[r, c], n_bundles[r, c], stock_up_share,
                                      budget_monthly[viewer], budget_left[viewer])
        if n_bundles[r, c] == 0 or count * gross[r, c, chosen] > budget_left[viewer]:
            enough[i] = False
            n_unaffordable += 1
            continue
        bundle_sales[r, c, chosen] += count
        k = n_buying
        who[k], quantity[k] = viewer, count
        bought_coins[k], bought_cost[k], bought_tax[k], bought_fee[k], bought_net[k] = wallet.buy_into(
            viewer, count, coins[r, c, chosen], gross[r, c, chosen], tax[r, c, chosen], fee[r, c, chosen],
            net[r, c, chosen], budget_left, spend, tax_paid, fee_paid, purchases, coins_bought, wallet_coins,
            wallet_value, wallet_gross)
        n_bundles_bought += count
        tax_total += bought_tax[k]
        if is_app_store[c]:
            store_fee += bought_fee[k]
        else:
            processor_fee += bought_fee[k]
        net_total += bought_net[k]
        n_buying += 1
    return n_buying, n_unaffordable, n_bundles_bought, tax_total, store_fee, processor_fee, net_total


@kernel
def choose_bundle(
    shortfall: int, coins: np.ndarray, gross: np.ndarray, n_bundles: int, stock_up_share: float,
    budget_monthly: int, budget_left: int,
) -> tuple[int, int]:
    """The bundle (an index into ``coins`` and ``gross``, ascending coins) and the number of it a buyer buys.

    Its habit, what it spends on one pack, is the stock-up share of its monthly budget, capped by
    ``budget_left`` and raised to the smallest covering bundle's price (which may then be
    unaffordable). Of the bundles covering ``shortfall``, the largest costing at most the habit; when
    none covers it, as many as it takes of the habitual pack (the largest costing at most the habit)
    or, without the habit (``stock_up_share`` 0), of the largest bundle.
    """
    n_slots = coins.size
    smallest_cover, has_cover = 0, False
    for b in range(n_bundles):
        if coins[b] >= shortfall:
            smallest_cover, has_cover = b, True
            break
    habit = max(min(stock_up_share * budget_monthly, budget_left), gross[smallest_cover])
    largest_within_habit = largest_habit_pack = n_slots - 1  # where none qualifies (as NumPy's argmax gives)
    for b in range(n_bundles - 1, -1, -1):
        if gross[b] <= habit:
            largest_habit_pack = b
            break
    for b in range(n_bundles - 1, -1, -1):
        if coins[b] >= shortfall and gross[b] <= habit:
            largest_within_habit = b
            break
    if has_cover:
        return largest_within_habit, 1
    bundle = largest_habit_pack if stock_up_share > 0 else max(n_bundles - 1, 0)
    return bundle, -(-shortfall // max(coins[bundle], 1))


def top_up_phase(hour: Hour, buyers: np.ndarray, coins_needed: np.ndarray) -> np.ndarray:
    """:func:`top_up` within an hour: with the stock-up habit, counting sales and flows."""
    model = hour.model
    enough, flows = top_up(hour.viewers, buyers, coins_needed, model.prices, stock_up.share(hour.config),
                           model.bundle_sales, model.ledger, hour.events)
    for name, amount in flows.items():
        hour.flows.add(name, amount)
    return enough

MECHANISM = Mechanism(
    "purchasing", "a short wallet buys a bundle its budget allows",
    outputs=(
        Output("new_purchases", "flow", "bundles", "Bundles bought", "coin bundles bought"),
        Output("new_coins_bought", "flow", "coins", "Coins bought", "coins bought", cumulative="cum_coins_bought"),
        Output("new_gross_spend_usd", "flow", "USD", "Gross viewer spend", "what viewers paid, tax included",
               cumulative="cum_gross_spend_usd"),
        Output("new_tax_usd", "flow", "USD", "Tax", "sales tax and VAT in that"),
        Output("new_store_fees_usd", "flow", "USD", "Store fees", "app-store and payment-processor fees in that"),
        Output("new_gifts_unaffordable", "flow", "gifts", "Gifts unaffordable",
               "gifts chosen but not sent: no bundle that covered them fitted the budget"),
        Output("n_coin_float", "stock", "coins", "Coin float",
               "coins bought and not yet gifted: in viewers' and brands' wallets at the end of the hour",
               measure=lambda model: int(model.viewer_state.wallet_coins.sum() + model.brand_state.wallet_coins.sum()),
               reads=("viewers.wallet_coins", "brands.wallet_coins")),
    ),
)
