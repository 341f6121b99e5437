"""Top-ups buy the smallest covering bundle, or several of the largest, within the budget."""

import numpy as np

from sim.behaviour.purchasing import top_up
from sim.ledger import Account, Ledger
from sim.pricing import PriceTable
from sim.state import draw_viewers


def _one_region_viewers(config, n, budget_micro):
    viewers = draw_viewers(config, np.random.default_rng(0))
    for name, values in vars(viewers).items():
        setattr(viewers, name, values[:n].copy())
    viewers.region[:] = list(config.regions).index("US")
    viewers.channel[:] = list(config.channels).index("ios")
    viewers.budget_left_micro[:] = budget_micro
    return viewers


def test_top_up_choices(default_config):
    prices = PriceTable.from_config(default_config)
    viewers = _one_region_viewers(default_config, 4, 200_000_000)
    viewers.wallet_coins[:] = [0, 10, 0, 500]
    viewers.budget_left_micro[2] = 1_000_000  # $1: cannot pay for 330 coins
    ledger = Ledger()
    needed = np.array([100, 60, 300, 499])
    enough, flows = top_up(viewers, np.arange(4), needed, prices, ledger)

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
    enough, flows = top_up(viewers, np.arange(1), np.array([44_999]), prices, Ledger())
    assert enough.tolist() == [True]
    assert viewers.coins_bought[0] == 7 * 6607  # ceil(44,999 / 6,607) = 7
    assert flows["new_purchases"] == 7
