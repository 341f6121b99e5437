"""The payout basis: fixed diamonds, or a share of what the buyer paid in its region (sim.engine.wallet)."""

import numpy as np
import pytest

import sim
from sim import GiftEconomy
from sim.engine import wallet
from sim.engine.ledger import Account, Ledger
from sim.engine.state import draw_creators, draw_viewers
from tests.conftest import DEFAULT_CONFIG

US, BR = 0, 4  # indices in the default config's regions: US, GB, DE, ID, BR


def _two_gifts(config):
    """A US and a Brazilian viewer each give 100 coins to creator 0; return diamonds, the ledger and the states.

    The US viewer's coins cost 1,070,000 micro-USD with its 7% sales tax (1,000,000 before it), the
    Brazilian's 546,250 with its 9.25% tax included (500,000 before it): about half the US price, as at a
    price multiplier of 0.42 with Brazil's exchange rate. Their net values are 650,000 and 300,000.
    """
    viewers, creators = draw_viewers(config, 0), draw_creators(config, 0)
    for state in (viewers, creators):
        for name, values in vars(state).items():
            setattr(state, name, values[:2].copy())
    viewers.region[:] = [US, BR]
    viewers.wallet_coins[:] = [100, 100]
    viewers.wallet_value_micro[:] = [650_000, 300_000]
    viewers.wallet_gross_micro[:] = [1_070_000, 546_250]
    ledger = Ledger()
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.COIN_LIABILITY, 950_000)
    _, diamonds, value, _ = wallet.give(viewers, np.arange(2), np.array([100, 100]), creators, np.array([0, 0]),
                                        wallet.Payout.from_config(config), ledger)
    return diamonds, value, ledger


def test_a_cheap_region_pays_less_under_share_of_price_and_the_same_under_fixed_diamond(default_config):
    assert default_config.platform.micro_usd_per_diamond == 4983  # 0.33 x 0.0151 USD
    diamonds, value, ledger = _two_gifts(default_config)  # fixed_diamond, the default
    assert diamonds.tolist() == [100, 100] and value.tolist() == [498_300, 498_300]  # whatever each paid
    assert ledger.balance(Account.PLATFORM) == 950_000 - 996_600  # Brazil's gift costs the platform money

    shared = sim.load_config(DEFAULT_CONFIG, ["platform.payout_basis=share_of_price"])
    diamonds, value, ledger = _two_gifts(shared)
    # 0.33 x 1,000,000 / 4,983 = 66.2 -> 66; 0.33 x 500,000 / 4,983 = 33.1 -> 33
    assert diamonds.tolist() == [66, 33] and value.tolist() == [328_878, 164_439]
    assert ledger.balance(Account.PLATFORM) == 950_000 - 493_317  # it keeps the rounding's remainder
    assert ledger.balance(Account.DIAMOND_LIABILITY) == 99 * 4983 and ledger.violations() == []


def test_a_gift_larger_than_its_wallet_is_refused_and_nothing_moves(default_config):
    viewers, creators = draw_viewers(default_config, 0), draw_creators(default_config, 0)
    viewers.wallet_coins[:2] = [100, 10]  # the second viewer cannot give 50
    viewers.wallet_value_micro[:2] = [650_000, 65_000]
    viewers.wallet_free_coins[:2] = [5, 5]
    before = {name: values.copy() for name, values in (*vars(viewers).items(), *vars(creators).items())}
    ledger = Ledger()
    with pytest.raises(sim.engine.ledger.LedgerError, match="fewer coins than it is asked to give"):
        wallet.give(viewers, np.arange(2), np.array([50, 50]), creators, np.array([0, 1]),
                    wallet.Payout.from_config(default_config), ledger)
    after = {name: values for name, values in (*vars(viewers).items(), *vars(creators).items())}
    assert [name for name in before if not np.array_equal(before[name], after[name])] == []
    assert ledger.balances.tolist() == [0] * len(Account)


def test_a_region_may_set_its_own_payout_basis():
    config = sim.load_config(DEFAULT_CONFIG, ["regions.BR.payout_basis=share_of_price"])
    assert config.payout_bases() == {"US": "fixed_diamond", "GB": "fixed_diamond", "DE": "fixed_diamond",
                                     "ID": "fixed_diamond", "BR": "share_of_price"}
    diamonds, _, _ = _two_gifts(config)
    assert diamonds.tolist() == [100, 33]


def test_share_of_price_is_refused_on_a_net_revenue_share():
    with pytest.raises(sim.ConfigError, match="platform.payout_basis: share_of_price needs platform.creator_share"):
        sim.load_config(DEFAULT_CONFIG, ["platform.creator_share_basis=net_revenue",
                                         "platform.payout_basis=share_of_price"])
    with pytest.raises(sim.ConfigError, match="regions.BR.payout_basis: share_of_price needs"):
        sim.load_config(DEFAULT_CONFIG, ["platform.creator_share_basis=net_revenue",
                                         "regions.BR.payout_basis=share_of_price"])


def test_the_books_balance_every_day_under_share_of_price(small_config):
    model = GiftEconomy(small_config, rng=3, **{"platform.payout_basis": "share_of_price",
                                                "regions.BR.price_multiplier": 0.42})
    for _ in range(small_config.run.days):
        for _ in range(24):
            model.step()
        assert model.invariant_violations() == []
    summary = model.summary()
    assert summary["creator_income_usd"] > 0 and summary["brand_coins_gifted"] > 0


@pytest.mark.slow
def test_share_of_price_keeps_the_platforms_revenue_from_a_price_cut_region():
    # At Brazil x0.42, fixed diamonds pay creators nearly all a Brazilian pays; a share of the price does not.
    base = ["population.viewers=3000", "population.creators=100", "run.days=7", "regions.BR.price_multiplier=0.42"]
    revenue = {basis: np.array([sim.run(sim.load_config(DEFAULT_CONFIG, [*base, f"platform.payout_basis={basis}"]),
                                        seed=seed).summary["by_region"]["BR"]["platform_revenue_usd"]
                                for seed in range(3)])
               for basis in ("fixed_diamond", "share_of_price")}
    assert (revenue["share_of_price"] > revenue["fixed_diamond"]).all()
