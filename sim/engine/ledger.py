"""The double-entry ledger: every micro-USD in the economy, in one place.

Each transfer moves a whole number of micro-USD from one account to another, so the balances
always sum to zero. The outside-money accounts (viewers', brands') are where money enters: their
balances are minus what came in. The platform may run at a loss, so its balance may be negative.
Every other account holds money owed or paid to someone and refuses to go below zero.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Account(IntEnum):
    """The ledger's accounts."""

    VIEWERS_OUTSIDE = 0  # viewers' own money, before it is spent
    BRANDS_OUTSIDE = 1  # brands' own money, before it is spent
    PLATFORM = 2  # what the platform keeps
    TAX_AUTHORITY = 3  # sales tax and VAT
    APP_STORES = 4  # iOS and Android store fees
    PAYMENT_PROCESSOR = 5  # web payment fees
    COIN_LIABILITY = 6  # paid-for coins still in wallets (deferred revenue), valued at net cost
    DIAMOND_LIABILITY = 7  # value of diamonds creators hold and have not redeemed
    CREATORS_CASH = 8  # cash creators have received (payouts and sponsorships)
    AGENCIES = 9  # agencies' cut of payouts
    PAYOUT_FEES = 10  # payout providers' fees on cash-outs


MAY_BE_NEGATIVE = frozenset({Account.VIEWERS_OUTSIDE, Account.BRANDS_OUTSIDE, Account.PLATFORM})
# Balances that are stocks (what is owed now); every other account sums what has flowed in so far, which a
# run's outputs count from the end of its burn-in (sim.engine.measure).
STOCKS = frozenset({Account.COIN_LIABILITY, Account.DIAMOND_LIABILITY})


class LedgerError(RuntimeError):
    """A transfer that would break the ledger's rules."""


class Ledger:
    """Balances of every :class:`Account` in integer micro-USD."""

    def __init__(self) -> None:
        self.balances = np.zeros(len(Account), dtype=np.int64)

    def transfer(self, source: Account, destination: Account, amount: int) -> None:
        """Move ``amount`` micro-USD from ``source`` to ``destination``.

        Raises:
            LedgerError: ``amount`` is negative or not whole, or ``source`` would go below zero
                when it is not allowed to.
        """
        if int(amount) != amount or amount < 0:
            raise LedgerError(f"transfer {source.name} -> {destination.name}: bad amount {amount!r}")
        amount = int(amount)
        if source not in MAY_BE_NEGATIVE and self.balances[source] < amount:
            raise LedgerError(
                f"transfer {source.name} -> {destination.name} of {amount} micro-USD would overdraw "
                f"{source.name} (balance {self.balances[source]})"
            )
        self.balances[source] -= amount
        self.balances[destination] += amount

    def balance(self, account: Account) -> int:
        """The balance of one account (micro-USD)."""
        return int(self.balances[account])

    def as_dict(self) -> dict[str, int]:
        """Every balance by lower-case account name (micro-USD)."""
        return {account.name.lower(): int(self.balances[account]) for account in Account}

    def violations(self) -> list[str]:
        """What is wrong with the balances: an empty list when the books are sound."""
        problems = []
        if int(self.balances.sum()) != 0:
            problems.append(f"balances sum to {int(self.balances.sum())} micro-USD, not 0")
        for account in Account:
            if account not in MAY_BE_NEGATIVE and self.balances[account] < 0:
                problems.append(f"{account.name} is negative ({self.balances[account]})")
        return problems
