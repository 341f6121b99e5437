"""Cashing out: creators redeem diamonds for cash once a day.

A creator whose diamonds are worth at least the minimum withdrawal redeems as many as the daily
cap allows. The payout provider's fee comes off first, then the agency's share; the creator
receives the rest.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Platform
from sim.engine.ledger import Account, Ledger
from sim.engine.mechanism import Event, Hour, Mechanism, Output, Phase
from sim.engine.pricing import to_micro
from sim.engine.state import CreatorState


def redeem(creators: CreatorState, platform: Platform, ledger: Ledger) -> dict[str, int]:
    """Redeem every eligible creator's diamonds; return the day's flows by output name (micro-USD)."""
    per_diamond = platform.micro_usd_per_diamond
    held_value = creators.diamonds_held * per_diamond
    cap = to_micro(platform.daily_cashout_cap_usd) // per_diamond
    who = np.flatnonzero((held_value >= to_micro(platform.min_withdrawal_usd)) & (held_value > 0))
    diamonds = np.minimum(creators.diamonds_held[who], cap)
    gross = diamonds * per_diamond
    fee = np.minimum(np.round(gross * platform.payout_fee_share).astype(np.int64)
                     + to_micro(platform.payout_fee_fixed_usd), gross)
    agency = np.round((gross - fee) * platform.agency_share).astype(np.int64)
    paid = gross - fee - agency

    creators.diamonds_held[who] -= diamonds
    creators.diamonds_redeemed[who] += diamonds
    creators.payout_micro[who] += paid
    creators.agency_micro[who] += agency
    creators.payout_fee_micro[who] += fee

    ledger.transfer(Account.DIAMOND_LIABILITY, Account.PAYOUT_FEES, int(fee.sum()))
    ledger.transfer(Account.DIAMOND_LIABILITY, Account.AGENCIES, int(agency.sum()))
    ledger.transfer(Account.DIAMOND_LIABILITY, Account.CREATORS_CASH, int(paid.sum()))
    return {
        "new_redemptions": int(who.size),
        "new_diamonds_redeemed": int(diamonds.sum()),
        "new_creator_payout_usd": int(paid.sum()),
    }


def _redeem(hour: Hour) -> None:
    for name, amount in redeem(hour.creators, hour.config.platform, hour.model.ledger).items():
        hour.flows.add(name, amount)


REDEEM = Phase("redeem", _redeem, reads=("creators.diamonds_held",),
               writes=("creators.diamonds_held", "creators.diamonds_redeemed", "creators.payout_micro",
                       "creators.agency_micro", "creators.payout_fee_micro", "ledger"))
MECHANISM = Mechanism(
    "payouts", "creators cash out diamonds once a day, under the minimum and the daily cap",
    events=(Event(REDEEM, lambda config: 1),),
    outputs=(
        Output("new_redemptions", "flow", "creators", "Cash-outs",
               "creators who cashed out (at the day's last hour, 23 UTC; 0 otherwise)"),
        Output("new_diamonds_redeemed", "flow", "diamonds", "Diamonds redeemed", "diamonds cashed out"),
        Output("new_creator_payout_usd", "flow", "USD", "Creator payouts",
               "cash creators received from cash-outs, after fees and agency", cumulative="cum_creator_payout_usd"),
        Output("n_diamond_float", "stock", "diamonds", "Diamond float", "diamonds creators hold at the end of the hour",
               measure=lambda model: int(model.creator_state.diamonds_held.sum()), reads=("creators.diamonds_held",)),
    ),
)
