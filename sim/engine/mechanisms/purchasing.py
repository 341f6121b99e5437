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
    n_buying, buying, bundle, quantity, enough, n_unaffordable = _choose_bundles(
        buyers, np.asarray(coins_needed, dtype=np.int64), viewers.wallet_coins, viewers.region, viewers.channel,
        viewers.budget_monthly_micro, viewers.budget_left_micro, stock_up_share, prices.coins, prices.gross,
        prices.n_bundles, bundle_sales)
    if n_buying == 0:  # nobody short, or nobody able to pay: nothing moves
        return enough, {**dict.fromkeys(_PURCHASE_FLOWS, 0), "new_gifts_unaffordable": n_unaffordable}
    who = buyers[buying[:n_buying]]
    bundle, quantity = bundle[:n_buying], quantity[:n_buying]
    region, channel = viewers.region[who], viewers.channel[who]
    bought = wallet.buy(viewers, who, region, channel, bundle, quantity, prices, ledger, Account.VIEWERS_OUTSIDE)
    if events is not None:
        events.add_purchases(bought, region, channel, quantity, viewer=who)
    flows = {
        "new_purchases": int(quantity.sum()),
        "new_coins_bought": int(bought.coins.sum()),
        "new_gross_spend_usd": int(bought.cost.sum()),
        "new_tax_usd": int(bought.tax.sum()),
        "new_store_fees_usd": int(bought.fee.sum()),
        "new_gifts_unaffordable": n_unaffordable,
    }
    return enough, flows


@kernel
def _choose_bundles(buyers, coins_needed, wallet_coins, region, channel, budget_monthly, budget_left, stock_up_share,
                    coins, gross, n_bundles, bundle_sales):
    """Each short buyer's bundle and quantity (:func:`choose_bundle`), for those whose budget pays for them.

    Returns how many buy, their places in ``buyers`` and their bundles and quantities (the first that many
    entries), the mask of buyers whose wallets will hold enough, and how many are short and cannot pay.
    Counts the bundles bought in ``bundle_sales``.
    """
    n = buyers.size
    buying = np.empty(n, dtype=np.int64)
    bundle = np.empty(n, dtype=np.int64)
    quantity = np.empty(n, dtype=np.int64)
    enough = np.ones(n, dtype=np.bool_)
    n_buying = n_unaffordable = 0
    for i in range(n):
        viewer = buyers[i]
        shortfall = coins_needed[i] - wallet_coins[viewer]
        if shortfall <= 0:
            continue
        r, c = region[viewer], channel[viewer]
        chosen, count = choose_bundle(shortfall, coins[r, c], gross[r, c], n_bundles[r, c], stock_up_share,
                                      budget_monthly[viewer], budget_left[viewer])
        if n_bundles[r, c] > 0 and count * gross[r, c, chosen] <= budget_left[viewer]:
            buying[n_buying], bundle[n_buying], quantity[n_buying] = i, chosen, count
            bundle_sales[r, c, chosen] += count
            n_buying += 1
        else:
            enough[i] = False
            n_unaffordable += 1
    return n_buying, buying, bundle, quantity, enough, n_unaffordable


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
