"""The books must balance: the checks run after any step, in tests and on demand.

- the ledger's balances sum to zero, and no account that must stay non-negative is negative;
- coins bought (by viewers and brands) = coins gifted + coins in wallets; viewers' wallets hold the
  coins brands dropped to them, which left the brands' wallets;
- diamonds earned = diamonds redeemed + diamonds held; no creator's reward diamonds (a reward scheme's,
  :mod:`~sim.engine.mechanisms.rewards`) exceed its diamonds earned;
- the coin liability equals the value of the coins in wallets, the diamond liability the value of
  the diamonds held, and creators' cash what creators were paid;
- no wallet, budget or balance of any agent is negative.
"""

from __future__ import annotations

from sim.engine.ledger import Account, Ledger
from sim.engine.state import INDEX_FIELDS, BrandState, CreatorState, ViewerState


def invariant_violations(
    v: ViewerState, c: CreatorState, b: BrandState, ledger: Ledger, micro_usd_per_diamond: int,
    index_fields: frozenset[str] = INDEX_FIELDS,
) -> list[str]:
    """Every broken invariant, as one sentence each; an empty list when all hold.

    ``index_fields`` names the arrays of creator indices (``NOBODY`` is -1), which may be negative.
    """
    problems = list(ledger.violations())

    def expect(name: str, left: int, right: int) -> None:
        if int(left) != int(right):
            problems.append(f"{name}: {int(left)} != {int(right)}")

    expect("viewers: coins bought + received = gifted + in wallets", v.coins_bought.sum() + v.coins_received.sum(),
           v.coins_gifted.sum() + v.wallet_coins.sum())
    expect("brands: coins bought = gifted + dropped + in wallets", b.coins_bought.sum(),
           b.coins_gifted.sum() + b.coins_dropped.sum() + b.wallet_coins.sum())
    expect("coins dropped = coins received", b.coins_dropped.sum(), v.coins_received.sum())
    expect("viewers: free coins received = free coins gifted + in wallets", v.coins_received.sum(),
           v.free_coins_gifted.sum() + v.wallet_free_coins.sum())
    if (v.wallet_free_coins > v.wallet_coins).any():
        problems.append("some viewer holds more free coins than coins")
    expect("diamonds earned = redeemed + held", c.diamonds_earned.sum(),
           c.diamonds_redeemed.sum() + c.diamonds_held.sum())
    rewarded = getattr(c, "reward_diamonds", None)  # added by the rewards mechanism to a model's creators
    if rewarded is not None and (rewarded > c.diamonds_earned).any():
        problems.append("some creator's reward diamonds exceed its diamonds earned")
    expect("coin liability = value of wallets", ledger.balance(Account.COIN_LIABILITY),
           v.wallet_value_micro.sum() + b.wallet_value_micro.sum())
    expect("diamond liability = value of diamonds held", ledger.balance(Account.DIAMOND_LIABILITY),
           c.diamonds_held.sum() * micro_usd_per_diamond)
    expect("creators' cash = payouts + sponsorships", ledger.balance(Account.CREATORS_CASH),
           c.payout_micro.sum() + c.sponsorship_micro.sum())
    expect("viewers' outside money = minus their spend", -ledger.balance(Account.VIEWERS_OUTSIDE), v.spend_micro.sum())
    expect("brands' outside money = minus their spend", -ledger.balance(Account.BRANDS_OUTSIDE), b.spend_micro.sum())
    for population, state in (("viewer", v), ("creator", c), ("brand", b)):
        for name, values in vars(state).items():
            if values.dtype.kind in "iuf" and values.size and values.min() < 0 and name not in index_fields:
                problems.append(f"some {population}'s {name} is negative ({values.min()})")
    return problems
