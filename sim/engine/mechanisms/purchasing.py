"""Buying coins: topping up the wallet when a gift needs more coins than it holds.

A viewer short of coins buys, among the bundles of its region and channel that cover the
shortfall, the largest one that costs at most the stock-up share of its monthly budget (heavy
spenders habitually buy big packs, :mod:`~sim.engine.mechanisms.stock_up`; the smallest covering
bundle is always allowed); when none covers it, as many as it takes of its habitual pack (the
largest costing at most that share) or, without the habit, of the largest bundle. The rest of the
month's budget must pay for it; otherwise the gift is not sent. Each purchase splits exactly into tax, the store's or
processor's fee, and the platform's net, which waits in the coin liability until the coins are
gifted (:func:`sim.engine.wallet.buy`). Budgets arrive on paydays (:mod:`~sim.engine.mechanisms.income`).
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


def spending_capacity(viewers: ViewerState, who: np.ndarray, prices: PriceTable) -> np.ndarray:
    """The most coins each viewer could spend now: its wallet plus what its budget buys."""
    rate = prices.best_coins_per_micro[viewers.region[who], viewers.channel[who]]
    return viewers.wallet_coins[who] + np.floor(viewers.budget_left_micro[who] * rate).astype(np.int64)


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
    shortfall = coins_needed - viewers.wallet_coins[buyers]
    short = shortfall > 0
    who, shortfall = buyers[short], shortfall[short]
    region, channel = viewers.region[who], viewers.channel[who]
    bundle, quantity, can_pay = _choose_bundles(shortfall, region, channel, viewers.budget_monthly_micro[who],
                                                viewers.budget_left_micro[who], stock_up_share, prices.coins,
                                                prices.gross, prices.n_bundles)

    who, quantity = who[can_pay], quantity[can_pay]
    region, channel, bundle = region[can_pay], channel[can_pay], bundle[can_pay]
    bought = wallet.buy(viewers, who, region, channel, bundle, quantity, prices, ledger, Account.VIEWERS_OUTSIDE)
    np.add.at(bundle_sales, (region, channel, bundle), quantity)
    if events is not None:
        events.add_purchases(bought, region, channel, quantity, viewer=who)

    enough = ~short
    enough[np.flatnonzero(short)[can_pay]] = True
    flows = {
        "new_purchases": int(quantity.sum()),
        "new_coins_bought": int(bought.coins.sum()),
        "new_gross_spend_usd": int(bought.cost.sum()),
        "new_tax_usd": int(bought.tax.sum()),
        "new_store_fees_usd": int(bought.fee.sum()),
        "new_gifts_unaffordable": int(short.sum() - can_pay.sum()),
    }
    return enough, flows


@kernel
def _choose_bundles(shortfall, region, channel, budget_monthly, budget_left, stock_up_share, coins, gross, n_bundles):
    """Each buyer's bundle and quantity (:func:`choose_bundle`), and whether its budget pays for them."""
    bundle = np.zeros(shortfall.size, dtype=np.int64)
    quantity = np.zeros(shortfall.size, dtype=np.int64)
    can_pay = np.zeros(shortfall.size, dtype=np.bool_)
    for i in range(shortfall.size):
        r, c = region[i], channel[i]
        bundle[i], quantity[i] = choose_bundle(shortfall[i], coins[r, c], gross[r, c], n_bundles[r, c],
                                               stock_up_share, budget_monthly[i], budget_left[i])
        can_pay[i] = n_bundles[r, c] > 0 and quantity[i] * gross[r, c, bundle[i]] <= budget_left[i]
    return bundle, quantity, can_pay


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
               measure=lambda model: int(model.viewer_state.wallet_coins.sum() + model.brand_state.wallet_coins.sum())),
    ),
)
