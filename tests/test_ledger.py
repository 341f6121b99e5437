"""The ledger conserves money and refuses overdrafts."""

import pytest

from sim.engine.ledger import Account, Ledger, LedgerError


def test_transfers_conserve_money():
    ledger = Ledger()
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.COIN_LIABILITY, 1_000)
    ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, 600)
    ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY, 900)
    assert ledger.balance(Account.VIEWERS_OUTSIDE) == -1_000
    assert ledger.balance(Account.PLATFORM) == -300  # a platform may run at a loss
    assert sum(ledger.as_dict().values()) == 0
    assert ledger.violations() == []


def test_an_overdraft_is_refused_and_changes_nothing():
    ledger = Ledger()
    ledger.transfer(Account.VIEWERS_OUTSIDE, Account.COIN_LIABILITY, 100)
    with pytest.raises(LedgerError, match="would overdraw COIN_LIABILITY"):
        ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, 101)
    assert ledger.balance(Account.COIN_LIABILITY) == 100


@pytest.mark.parametrize("amount", [-1, 0.5])
def test_amounts_must_be_whole_and_non_negative(amount):
    with pytest.raises(LedgerError, match="bad amount"):
        Ledger().transfer(Account.VIEWERS_OUTSIDE, Account.PLATFORM, amount)


def test_violations_report_unbalanced_books():
    ledger = Ledger()
    ledger.balances[Account.TAX_AUTHORITY] = -5
    assert ledger.violations() == ["balances sum to -5 micro-USD, not 0", "TAX_AUTHORITY is negative (-5)"]
