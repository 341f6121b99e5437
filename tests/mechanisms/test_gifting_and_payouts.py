"""Gifts turn coins into diamonds at their paid-for value; cash-outs respect minimum, cap and fees."""

import numpy as np
import pytest

from sim.engine import wallet
from sim.engine.config import Platform
from sim.engine.ledger import Account, Ledger
from sim.engine.mechanisms import add_state
from sim.engine.mechanisms.gifting import Catalog, draw_gifts, reciprocate, send_gifts
from sim.engine.mechanisms.payouts import redeem
from sim.engine.pricing import PriceTable
from sim.engine.state import NOBODY, draw_creators, draw_viewers


def _small(config, n_viewers=2, n_creators=2):
    viewers, creators = draw_viewers(config, 0), draw_creators(config, 0)
    add_state({"viewers": viewers, "creators": creators})
    for state, n in ((viewers, n_viewers), (creators, n_creators)):
        for name, values in vars(state).items():
            setattr(state, name, values[:n].copy())
    return viewers, creators


def test_sending_a_gift_releases_its_share_of_the_wallet_value(default_config):
    platform = Platform(coin_nominal_usd=0.01, creator_share=0.5)  # 1 diamond = 5,000 micro-USD
    payout = wallet.Payout.from_config(default_config.model_copy(update={"platform": platform}))
    viewers, creators = _small(default_config)
    ledger = Ledger()
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.COIN_LIABILITY, 700_000 + 300)
    viewers.wallet_coins[:] = [100, 3]
    viewers.wallet_value_micro[:] = [700_000, 300]
    viewers.watching[:] = [1, 1]
    viewers.wallet_gross_micro[:] = [1_500_000, 45]
    catalog = Catalog.build([1, 3, 30], 0.6)
    counts = np.zeros(3, dtype=np.int64)
    flows = send_gifts(viewers, creators, np.arange(2), np.array([30, 3]), catalog, counts, payout, ledger)

    assert viewers.wallet_coins.tolist() == [70, 0]
    assert viewers.released_micro.tolist() == [210_000, 300]  # 30% of the wallet; all of an emptied one
    assert viewers.gifted_gross_micro.tolist() == [450_000, 45]
    assert counts.tolist() == [0, 1, 1]
    assert creators.gifts_this_hour.tolist() == [0, 2]
    assert creators.diamonds_held.tolist() == [0, 33]
    assert flows["new_creator_income_usd"] == 33 * 5_000  # money flows are counted in micro-USD
    assert ledger.balance(Account.DIAMOND_LIABILITY) == 165_000
    assert ledger.balance(Account.PLATFORM) == 210_300 - 165_000
    assert ledger.violations() == []


def test_a_creator_gifted_by_two_peers_in_one_hour_owes_the_last_and_follows_those_it_did_not_follow():
    # rows 0-2 are the audience's, rows 3-5 creators 0-2's own; creator 0 follows creator 2 at the start
    creator_id = np.array([NOBODY, NOBODY, NOBODY, 0, 1, 2], dtype=np.int32)
    owed, followed = np.full(6, NOBODY, dtype=np.int32), np.full(6, NOBODY, dtype=np.int32)
    followed[3] = 2
    followers = np.zeros(3, dtype=np.int64)
    # a viewer, then creators 1 and 2, gift creator 0's room
    reciprocate(3, np.array([0, 4, 5]), creator_id, np.array([0, 0, 0], dtype=np.int32), owed, followed, followers)
    assert owed.tolist() == [NOBODY, NOBODY, NOBODY, 2, NOBODY, NOBODY]  # the last peer to gift
    # it follows back creator 1, new to it; creator 2 it followed already at the start of the hour
    assert followed[3] == 1
    assert followers.tolist() == [0, 1, 0]


def test_gift_choice_stays_within_what_a_viewer_can_afford(default_config):
    viewers, _ = _small(default_config, n_viewers=2000)
    viewers.propensity[:] = 100.0  # everyone who can, gifts
    viewers.watching[:] = 0
    catalog_coins = [g.coins for g in default_config.gifts]
    smallest, largest = min(catalog_coins), max(catalog_coins)
    catalog = Catalog.build(catalog_coins, default_config.viewers.gift_size_exponent)
    prices = PriceTable.from_config(default_config)
    # half can afford only small gifts, from their wallets; half any, from what their budgets buy
    viewers.wallet_coins[:] = np.where(np.arange(2000) < 1000, 10, 0)
    viewers.budget_left_micro[:] = np.where(np.arange(2000) < 1000, 0, 10**9)
    capacity = np.where(np.arange(2000) < 1000, 10, largest)
    assert (viewers.budget_left_micro[1000:] * prices.best_coins_per_micro[viewers.region[1000:],
                                                                           viewers.channel[1000:]] > largest).all()
    gifters, coins, _ = draw_gifts(viewers, np.arange(2000), catalog, prices, np.ones(1), np.ones(2000),
                                   default_config.viewers, np.array([1, 2, 3], dtype=np.uint64))
    assert gifters.size == 2000
    assert (coins <= capacity[gifters]).all()
    assert coins[gifters >= 1000].max() > 10_000  # whales do send the large gifts
    assert np.mean(coins[gifters >= 1000] == smallest) > np.mean(coins[gifters >= 1000] == largest)  # but rarely


@pytest.mark.parametrize(
    ("held", "expected_redeemed"),
    [(1_999, 0), (2_000, 2_000), (500_000, 200_000)],  # $9.995 below the $10 minimum; cap $1,000
)
def test_redeem_minimum_and_daily_cap(default_config, held, expected_redeemed):
    platform = Platform(coin_nominal_usd=0.01, creator_share=0.5, min_withdrawal_usd=10,
                        daily_cashout_cap_usd=1000, payout_fee_share=0.02, agency_share=0.35)
    _, creators = _small(default_config, n_creators=1)
    ledger = Ledger()
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.DIAMOND_LIABILITY, held * 5_000)
    creators.diamonds_held[:] = held
    creators.diamonds_earned[:] = held
    redeem(creators, platform, ledger)

    gross = expected_redeemed * 5_000
    fee = round(gross * 0.02)
    agency = round((gross - fee) * 0.35)
    assert creators.diamonds_redeemed[0] == expected_redeemed
    assert creators.payout_micro[0] == gross - fee - agency
    assert ledger.balance(Account.PAYOUT_FEES) == fee
    assert ledger.balance(Account.AGENCIES) == agency
    assert ledger.balance(Account.DIAMOND_LIABILITY) == (held - expected_redeemed) * 5_000


def test_free_coins_are_given_first_and_counted_apart(default_config):
    viewers = draw_viewers(default_config, 0)
    creators = draw_creators(default_config, 0)
    who = np.array([0, 1])
    viewers.wallet_coins[who] = [90, 90]  # bought: 90 coins for a net 0.9 USD each wallet
    viewers.wallet_value_micro[who] = [900_000, 900_000]
    viewers.wallet_gross_micro[who] = [1_350_000, 1_350_000]
    viewers.coins_bought[who] = [90, 90]
    wallet.receive(viewers, who, np.array([10, 10]), np.array([100_000, 100_000]), np.array([150_000, 150_000]))
    assert viewers.wallet_coins[who].tolist() == [100, 100] and viewers.wallet_free_coins[who].tolist() == [10, 10]
    ledger = Ledger()
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.COIN_LIABILITY, 2_000_000)
    *_, free = wallet.give(viewers, who, np.array([5, 15]), creators, np.array([0, 0]),
                           wallet.Payout.from_config(default_config), ledger)
    assert free.tolist() == [5, 10]  # free coins go first
    assert viewers.wallet_free_coins[who].tolist() == [5, 0]
    assert viewers.free_coins_gifted[who].tolist() == [5, 10]
