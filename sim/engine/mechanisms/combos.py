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
    viewers, model, params = hour.viewers, hour.model, hour.config.combos
    coins_per_micro = model.prices.best_coins_per_micro[viewers.region[who], viewers.channel[who]]
    # what it has over the watching it expects before its next payday (at least a day's)
    has_coins = viewers.wallet_coins[who] + viewers.budget_left_micro[who] * coins_per_micro
    hours_left = np.maximum(MONTH_HOURS - hours_since_payday(hour.step, viewers.payday[who]), HOURS_PER_DAY)
    month_left = hours_left / MONTH_HOURS
    pace = params.spend_share * has_coins / np.maximum(viewers.expected_watch_hours[who] * month_left, 1e-9)
    base_hazard = np.maximum(hour.config.viewers.gift_hazard * viewers.propensity[who], 1e-12)  # 0: never gifts
    return pace / base_hazard, params.max_copies


EXPECT_WATCH_HOURS = Phase("expect_watch_hours", _expect_watch_hours, section="combos",
                           reads=("viewers.activity",), writes=("viewers.expected_watch_hours",))
MECHANISM = Mechanism(
    "combos", "a gifter sends a combo of its gift, sized so that it spends its budget", section="combos",
    setup=EXPECT_WATCH_HOURS,
    modifiers=(Modifier("combos", "combo", _plan, section="combos"),),
    state=(StateField("viewers", "expected_watch_hours", "hours it expects to watch in a month", fill=0.0,
                      dtype=np.float64),),
)
