"""Creators' daily response to income: effort, follower growth and quitting.

Once a day each creator that streamed updates its running average of gift income per live hour
(an exponential average with half-life ``income_memory_days``). Its effort, which scales both its
chance of streaming on a day and its session length, is ``(average / reservation) ** elasticity``,
kept within [0.25, 2]: rewarded creators stream more and longer, unrewarded ones less (incentives
raise streamer effort, PACIS 2023). A creator whose average stays under a tenth of the reservation
quits with ``quit_probability`` a day. Followers grow outside lives by a Poisson draw with mean
``follower_growth_per_day * quality * followers``. Every parameter is in the ``effort`` section.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Effort
from sim.engine.mechanism import Event, Hour, Mechanism, Output, Phase
from sim.engine.state import CreatorState

EFFORT_RANGE = (0.25, 2.0)
QUIT_BELOW_SHARE_OF_RESERVATION = 0.1


def end_of_day(creators: CreatorState, params: Effort, micro_per_diamond: int, rng: np.random.Generator) -> int:
    """Apply the day's effort, growth and quitting; return how many creators quit today."""
    income = creators.diamonds_earned * micro_per_diamond
    income_today = income - creators.income_at_day_start_micro
    hours_today = creators.live_hours - creators.live_hours_at_day_start
    streamed = hours_today > 0
    weight = 1.0 - 0.5 ** (1.0 / params.income_memory_days)
    rate_today = income_today[streamed] / hours_today[streamed]
    creators.income_rate_ema[streamed] += weight * (rate_today - creators.income_rate_ema[streamed])

    reservation = params.reservation_usd_per_live_hour * 1e6
    relative = np.maximum(creators.income_rate_ema / reservation, 1e-9)
    creators.effort[:] = np.clip(relative**params.elasticity, *EFFORT_RANGE)

    struggling = ~creators.is_churned & (relative < QUIT_BELOW_SHARE_OF_RESERVATION)
    quitting = struggling & (rng.random(creators.size) < params.quit_probability)
    creators.is_churned |= quitting

    growth = params.follower_growth_per_day * creators.quality * creators.followers
    creators.followers += rng.poisson(growth)
    creators.income_at_day_start_micro[:] = income
    creators.live_hours_at_day_start[:] = creators.live_hours
    return int(quitting.sum())


def _end_of_day(hour: Hour) -> None:
    churned = end_of_day(hour.creators, hour.config.effort, hour.config.platform.micro_usd_per_diamond,
                         hour.rng("effort"))
    hour.flows.add("new_creators_churned", churned)


END_OF_DAY = Phase(
    "effort", _end_of_day, section="effort",
    reads=("creators.diamonds_earned", "creators.live_hours", "creators.quality"),
    writes=("creators.income_rate_ema", "creators.effort", "creators.is_churned", "creators.followers"),
)
MECHANISM = Mechanism(
    "effort", "daily: effort follows income per live hour; poorly paid creators may quit; followers grow",
    section="effort", events=(Event(END_OF_DAY, lambda config: 1),),
    outputs=(
        Output("new_creators_churned", "flow", "creators", "Creators quitting",
               "creators who quit for good (at the day's last hour)"),
        Output("n_creators_churned", "stock", "creators", "Creators churned", "creators who have quit so far",
               measure=lambda model: int(model.creator_state.is_churned.sum())),
    ),
)
