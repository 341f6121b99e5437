"""Creators' daily response to income: effort and follower growth.

Once a day each creator that streamed updates its running average of gift income per live hour
(an exponential average with half-life ``income_memory_days``). Its effort is ``(average / outside
option) ** elasticity``, kept within [0.25, ``max_effort``]: rewarded creators stream more, unrewarded
ones less (incentives raise streamer effort, PACIS 2023). Effort acts mostly on how often a creator
goes live (its chance of streaming on a day scales with effort, up to 0.98) and little on how long
(:mod:`~sim.engine.mechanisms.streaming`: a session stretches as effort ** (1 / hours_cost_exponent),
the cost of another hour rising steeply with the hours already live that day, within a day's hard
limit), so live hours scale as about effort ** (1 + 1 / hours_cost_exponent) until the daily chance
reaches its ceiling. The outside option is what a creator of its standing earns in the calibrated
economy (:func:`sim.engine.state.outside_option_micro`: followers, quality and, where the config says
so, habitual session length and region), and each creator starts out expecting it, so a creator's
effort starts at 1 and moves only when the economy pays more or less than the calibration (a higher
share, a crowded platform). Followers grow outside lives by a Poisson draw with mean
``follower_growth_per_day * quality * followers``; with ``is_option_growing`` the outside option grows
with them (the following its videos win, which it could take elsewhere), so a creator's standing is not
fixed at the one it joined with. Every parameter
is in the ``effort`` section; joining and quitting are :mod:`~sim.engine.mechanisms.supply`'s.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Effort
from sim.engine.mechanism import Event, Hour, Mechanism, Output, Phase
from sim.engine.randomness import poisson_quantile
from sim.engine.state import CreatorState

MIN_EFFORT = 0.25  # a creator that earns little still streams now and then, until it quits (supply)


def income_ratio(creators: CreatorState) -> np.ndarray:
    """Each creator's recent income per live hour over its outside option (1 = as calibrated)."""
    return np.maximum(creators.income_rate_ema / creators.outside_option_micro, 1e-9)


def end_of_day(creators: CreatorState, params: Effort, micro_per_diamond: int, uniforms: np.ndarray) -> None:
    """Update each creator's income per live hour and effort, and grow followers (and, with
    ``params.is_option_growing``, outside options with them).

    A creator's new followers are Poisson, drawn by inversion from its keyed uniform of the day (``uniforms``).
    """
    income = creators.diamonds_earned * micro_per_diamond
    income_today = income - creators.income_at_day_start_micro
    hours_today = creators.live_hours - creators.live_hours_at_day_start
    streamed = hours_today > 0
    weight = 1.0 - 0.5 ** (1.0 / params.income_memory_days)
    rate_today = income_today[streamed] / hours_today[streamed]
    creators.income_rate_ema[streamed] += weight * (rate_today - creators.income_rate_ema[streamed])
    creators.effort[:] = np.clip(income_ratio(creators) ** params.elasticity, MIN_EFFORT, params.max_effort)

    growth = params.follower_growth_per_day * creators.quality * creators.followers * creators.has_joined
    new_followers = poisson_quantile(uniforms, growth)
    if params.is_option_growing:
        # the option goes as followers ** followers_exponent (sim.engine.state.outside_option_micro)
        grown = np.maximum(creators.followers + new_followers, 1) / np.maximum(creators.followers, 1)
        creators.outside_option_micro *= grown**params.followers_exponent
    creators.followers += new_followers
    creators.income_at_day_start_micro[:] = income
    creators.live_hours_at_day_start[:] = creators.live_hours


def _end_of_day(hour: Hour) -> None:
    end_of_day(hour.creators, hour.config.effort, hour.config.platform.micro_usd_per_diamond,
               hour.uniforms("effort.followers", np.arange(hour.creators.size)))


END_OF_DAY = Phase(
    "effort", _end_of_day, section="effort",
    reads=("creators.diamonds_earned", "creators.live_hours", "creators.quality", "creators.outside_option_micro"),
    writes=("creators.income_rate_ema", "creators.effort", "creators.followers", "creators.income_at_day_start_micro",
            "creators.live_hours_at_day_start", "creators.outside_option_micro"),
)
MECHANISM = Mechanism(
    "effort", "daily: effort follows income per live hour against the outside option; followers grow",
    section="effort", events=(Event(END_OF_DAY, lambda config: 1),),
    outputs=(
        Output("n_mean_effort_pct", "stock", "%", "Mean effort",
               "mean effort of the creators who have joined and not quit, in percent (100: as calibrated)",
               measure=lambda model: _mean_effort_pct(model.creator_state),
               reads=("creators.effort", "creators.has_joined", "creators.is_churned")),
    ),
)


def _mean_effort_pct(creators: CreatorState) -> int:
    active = creators.has_joined & ~creators.is_churned
    return round(100 * float(creators.effort[active].mean())) if active.any() else 0
