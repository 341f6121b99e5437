"""Top-ups buy the smallest covering bundle, or several of the largest, within the budget."""

import numpy as np

from sim.engine.ledger import Account, Ledger
from sim.engine.mechanisms.purchasing import top_up
from sim.engine.pricing import PriceTable
from sim.engine.state import draw_viewers


def _one_region_viewers(config, n, budget_micro):
    viewers = draw_viewers(config, 0)
    for name, values in vars(viewers).items():
        setattr(viewers, name, values[:n].copy())
    viewers.region[:] = list(config.regions).index("US")
    viewers.channel[:] = list(config.channels).index("ios")
    viewers.budget_left_micro[:] = budget_micro
    return viewers


def _us_ios(prices):
    """The preset's US in-app bundles: their coins and gross prices (micro-USD), smallest first."""
    us, ios = prices.region_codes.index("US"), prices.channel_names.index("ios")
    n = prices.n_bundles[us, ios]
    assert n >= 3, "these cases need at least three US in-app bundles"
    return prices.coins[us, ios, :n].tolist(), prices.gross[us, ios, :n].tolist()


def test_top_up_buys_the_smallest_covering_bundle_without_a_stock_up_habit(default_config):
    prices = PriceTable.from_config(default_config)
    coins, gross = _us_ios(prices)
    viewers = _one_region_viewers(default_config, 4, 10 * gross[-1])
    viewers.wallet_coins[:] = [0, 10, 0, 500]
    viewers.budget_left_micro[2] = gross[1] - 1  # one micro-USD short of the second bundle
    ledger = Ledger()
    needed = np.array([coins[0] + 1, coins[0], coins[0] + 1, 499])
    enough, flows = top_up(viewers, np.arange(4), needed, prices, 0.0, np.zeros_like(prices.coins), ledger)

    assert enough.tolist() == [True, True, False, True]
    # viewer 0 is one coin over the smallest bundle -> the second; viewer 1, with 10 coins, the smallest;
    # viewer 2 cannot pay for the second; viewer 3 has enough
    assert viewers.coins_bought.tolist() == [coins[1], coins[0], 0, 0]
    assert viewers.wallet_coins.tolist() == [coins[1], coins[0] + 10, 0, 500]
    assert viewers.spend_micro.tolist() == [gross[1], gross[0], 0, 0]
    assert flows["new_gifts_unaffordable"] == 1
    assert ledger.balance(Account.COIN_LIABILITY) == viewers.wallet_value_micro.sum()
    assert -ledger.balance(Account.VIEWERS_OUTSIDE) == viewers.spend_micro.sum()
    assert ledger.violations() == []


def test_a_gift_larger_than_any_bundle_buys_several_of_the_largest(default_config):
    prices = PriceTable.from_config(default_config)
    coins, _ = _us_ios(prices)
    largest_gift = max(g.coins for g in default_config.gifts)
    packs = -(-largest_gift // coins[-1])
    assert packs > 1, "the preset's largest gift should cost more than its largest bundle"
    viewers = _one_region_viewers(default_config, 1, 10**12)
    enough, flows = top_up(viewers, np.arange(1), np.array([largest_gift]), prices, 0.0, np.zeros_like(prices.coins),
                           Ledger())
    assert enough.tolist() == [True]
    assert viewers.coins_bought[0] == packs * coins[-1]
    assert flows["new_purchases"] == packs


def test_stock_up_habit_buys_the_largest_covering_bundle_within_its_share_of_the_budget(default_config):
    prices = PriceTable.from_config(default_config)
    coins, gross = _us_ios(prices)
    between = (gross[2] + gross[3]) // 2 if len(gross) > 3 else 2 * gross[2]  # the third bundle's price < between
    viewers = _one_region_viewers(default_config, 3, 0)
    # a habit of `between`; a larger habit capped by `between` left; a habit of half the smallest bundle
    viewers.budget_monthly_micro[:] = [4 * between, 40 * between, 2 * gross[0]]
    viewers.budget_left_micro[:] = [4 * between, between, 2 * gross[0]]
    sales = np.zeros_like(prices.coins)
    enough, _ = top_up(viewers, np.arange(3), np.array([1, 1, 1]), prices, 0.25, sales, Ledger())
    # the first two buy the third bundle, the largest within their habit; the third's habit is below
    # the smallest bundle, which is still bought
    assert enough.all()
    assert viewers.coins_bought.tolist() == [coins[2], coins[2], coins[0]]
    us, ios = prices.region_codes.index("US"), prices.channel_names.index("ios")
    assert sales[us, ios, :3].tolist() == [1, 0, 2] and sales.sum() == 3


def test_a_top_up_with_nobody_short_buys_nothing_and_reports_every_flow(default_config):
    prices = PriceTable.from_config(default_config)
    viewers = _one_region_viewers(default_config, 3, 10**9)
    viewers.wallet_coins[:] = [5, 50, 500]
    sales, ledger = np.zeros_like(prices.coins), Ledger()
    enough, flows = top_up(viewers, np.arange(3), np.array([5, 1, 499]), prices, 0.25, sales, ledger)
    assert enough.all()
    assert flows == {"new_purchases": 0, "new_coins_bought": 0, "new_gross_spend_usd": 0, "new_tax_usd": 0,
                     "new_store_fees_usd": 0, "new_gifts_unaffordable": 0}
    assert viewers.wallet_coins.tolist() == [5, 50, 500] and sales.sum() == 0 and not ledger.balances.any()
