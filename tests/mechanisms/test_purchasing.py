"""Top-ups buy the smallest covering bundle, or several of the largest, within the budget."""

import numpy as np

from sim.engine.mechanisms.purchasing import top_up
from sim.engine.ledger import Account, Ledger
from sim.engine.pricing import PriceTable
from sim.engine.state import draw_viewers


def _one_region_viewers(config, n, budget_micro):
    viewers = draw_viewers(config, np.random.default_rng(0))
    for name, values in vars(viewers).items():
        setattr(viewers, name, values[:n].copy())
    viewers.region[:] = list(config.regions).index("US")
    viewers.channel[:] = list(config.channels).index("ios")
    viewers.budget_left_micro[:] = budget_micro
    return viewers


def test_top_up_buys_the_smallest_covering_bundle_without_a_stock_up_habit(default_config):
    prices = PriceTable.from_config(default_config)
    viewers = _one_region_viewers(default_config, 4, 200_000_000)
    viewers.wallet_coins[:] = [0, 10, 0, 500]
    viewers.budget_left_micro[2] = 1_000_000  # $1: cannot pay for 330 coins
    ledger = Ledger()
    needed = np.array([100, 60, 300, 499])
    enough, flows = top_up(viewers, np.arange(4), needed, prices, 0.0, np.zeros_like(prices.coins), ledger)

    assert enough.tolist() == [True, True, False, True]
    # viewer 0 short 100 -> one 330-coin bundle; viewer 1 short 50 -> one 65-coin bundle
    assert viewers.coins_bought.tolist() == [330, 65, 0, 0]
    assert viewers.wallet_coins.tolist() == [330, 75, 0, 500]
    us_gross = {c: prices.gross[0, 0, i] for i, c in enumerate([65, 330, 1321, 6607])}
    assert viewers.spend_micro.tolist() == [us_gross[330], us_gross[65], 0, 0]
    assert flows["new_gifts_unaffordable"] == 1
    assert ledger.balance(Account.COIN_LIABILITY) == viewers.wallet_value_micro.sum()
    assert -ledger.balance(Account.VIEWERS_OUTSIDE) == viewers.spend_micro.sum()
    assert ledger.violations() == []


def test_a_gift_larger_than_any_bundle_buys_several_of_the_largest(default_config):
    prices = PriceTable.from_config(default_config)
    viewers = _one_region_viewers(default_config, 1, 10**9)
    enough, flows = top_up(viewers, np.arange(1), np.array([44_999]), prices, 0.0, np.zeros_like(prices.coins), Ledger())
    assert enough.tolist() == [True]
    assert viewers.coins_bought[0] == 7 * 6607  # ceil(44,999 / 6,607) = 7
    assert flows["new_purchases"] == 7


def test_stock_up_habit_buys_the_largest_covering_bundle_within_its_share_of_the_budget(default_config):
    prices = PriceTable.from_config(default_config)
    viewers = _one_region_viewers(default_config, 3, 0)
    viewers.budget_monthly_micro[:] = [200_000_000, 200_000_000, 2_000_000]
    viewers.budget_left_micro[:] = [200_000_000, 30_000_000, 2_000_000]
    sales = np.zeros_like(prices.coins)
    enough, _ = top_up(viewers, np.arange(3), np.array([1, 1, 1]), prices, 0.25, sales, Ledger())
    # $50 habit: the 1,321-coin pack ($21.39); habit capped by the $30 left: still 1,321;
    # $0.50 habit: below the smallest pack, which is still bought
    assert enough.all()
    assert viewers.coins_bought.tolist() == [1321, 1321, 65]
    assert sales[0, 0].tolist() == [1, 0, 2, 0]
