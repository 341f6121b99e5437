"""Combos: whales spend what they have, by sending several of a gift at once.

A payer paces what it has, coins held and budget left, over the hours it expects to watch until its
next payday (its activity level times the daily rhythm, at least a day's): it aims to spend
``spend_share`` of that per watched hour, in coins. Each time it gifts, it aims to spend ``s = pace /
(gift_hazard * propensity)`` coins, so that at its base gifting hazard it spends at that pace. A payer
that spent fast sends smaller combos, one that spent slowly larger ones, so its spending spreads over
its month instead of running dry in the days after payday. It chooses its gift as anyone does (weight
``coins ** -gift_size_exponent`` among the affordable) but from ``s / max_copies`` coins up, and sends
``s / gift's coins`` copies of it (rounded at random; at least 1, at most ``max_copies`` and what it
can afford). A payer with 100 times the budget gifts as often, in larger combos of larger gifts,
rather than stopping at one small gift an hour; small payers send single small gifts as before.
Modifiers of the hazard (affinity, contagion, a drop's boost) still raise how often anyone gifts.
Combos of one gift and streaks of large gifts are how whales give on live platforms (C); the pace
rule and its cap are assumptions.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import kernel
from sim.engine.mechanism import Hour, Mechanism, Modifier, Phase, StateField
from sim.engine.mechanisms.activity import online_probability
from sim.engine.mechanisms.income import MONTH_HOURS, hours_since_payday
from sim.engine.state import DAYS_PER_MONTH

HOURS_PER_DAY = 24


def _expect_watch_hours(hour: Hour) -> None:
    config, viewers = hour.config, hour.viewers
    daily = online_probability(np.arange(HOURS_PER_DAY), config.viewers).sum()  # expected online hours a day
    weekend = config.weekend.activity_multiplier if config.weekend.enabled else 1.0
    viewers.expected_watch_hours[:] = DAYS_PER_MONTH * daily * (5 + 2 * weekend) / 7 * viewers.activity


def _plan(hour: Hour, who: np.ndarray) -> tuple[np.ndarray, int]:
    """Coins each of ``who`` aims to spend when it gifts (its pace at its base hazard), and the combo cap."""
    viewers, params = hour.viewers, hour.config.combos
    coins_per_gift = _coins_per_gift(who, hour.step, viewers.wallet_coins, viewers.budget_left_micro, viewers.region,
                                     viewers.channel, hour.model.prices.best_coins_per_micro, viewers.payday,
                                     viewers.expected_watch_hours, viewers.propensity, params.spend_share,
                                     hour.config.viewers.gift_hazard)
    return coins_per_gift, params.max_copies


_hours_since_payday = kernel(hours_since_payday)  # income's rule, compiled for one viewer at a time


@kernel
def _coins_per_gift(who, step, wallet_coins, budget_left, region, channel, coins_per_micro, payday, expected_hours,
                    propensity, spend_share, gift_hazard):
    """:func:`_plan`'s coins per gift, viewer by viewer."""
    coins = np.empty(who.size)
    for i in range(who.size):
        viewer = who[i]
        # what it has over the watching it expects before its next payday (at least a day's)
        has_coins = wallet_coins[viewer] + budget_left[viewer] * coins_per_micro[region[viewer], channel[viewer]]
        hours_left = max(MONTH_HOURS - _hours_since_payday(step, payday[viewer]), HOURS_PER_DAY)
        month_left = hours_left / MONTH_HOURS
        pace = spend_share * has_coins / max(expected_hours[viewer] * month_left, 1e-9)
        coins[i] = pace / max(gift_hazard * propensity[viewer], 1e-12)  # a base hazard of 0: never gifts
    return coins


EXPECT_WATCH_HOURS = Phase("expect_watch_hours", _expect_watch_hours, section="combos",
                           reads=("viewers.activity",), writes=("viewers.expected_watch_hours",))
MECHANISM = Mechanism(
    "combos", "a gifter sends a combo of its gift, sized so that it spends its budget", section="combos",
    setup=EXPECT_WATCH_HOURS,
    modifiers=(Modifier("combos", "combo", _plan, section="combos"),),
    state=(StateField("viewers", "expected_watch_hours", "hours it expects to watch in a month", fill=0.0,
                      dtype=np.float64),),
)
