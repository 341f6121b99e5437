"""Creator supply: creators join and quit in answer to what streaming pays against their outside options.

Once a day, after effort (:mod:`~sim.engine.mechanisms.effort`), each creator who has joined and
not quit quits for good with chance ``2 * turnover / (1 + ratio ** (2 * exit_elasticity))``, where
``ratio`` is its recent income per live hour over its outside option: at parity the daily chance is
the turnover, never more than twice it, and it falls towards 0 as streaming pays better. Creators
join at a rate of ``2 * turnover * initial creators / (1 + M ** (-2 * entry_elasticity))`` a day
(a Poisson draw), where ``M``, the earnings on offer, is the entry signal over its value at parity
(below). A joining creator takes the next of the rows set aside for it (region, quality, followers
and schedule were drawn with the others), expects what creators like it earn now (its outside
option times ``M``), brings the followers its videos won it, some of them among the simulated viewers
(:func:`~sim.engine.mechanisms.attention.follow_new_creators`: as many as a creator of its weight had
at the start; viewers gift mostly to creators they follow, so without them a newcomer earns next to
nothing and quits), and goes live once its followers reach the LIVE threshold. With the outside
options calibrated to the economy, entry balances exit and the numbers of creators and live hours
settle; a higher share or a richer audience raises the ratio, so more join, fewer quit and effort
rises (Pu Zhao's commission experiment, B; the split between the margins is an assumption). A
creator below the LIVE threshold cannot go live, so what lives would pay it is not known: it quits at
the turnover, as a creator at parity does (an assumption). Judged by the expectation it joined with,
it would quit more slowly whenever the market pays well, and creators who cannot go live would pile
up; judged as earning nothing (twice the turnover, as earlier on 2026-12-07), they would be about half as
common on a running platform as among those who join, so a run that draws its first creators as
they join lost them for months (creators active fell 5% from days 30-60 to days 60-90).

The entry signal (``entry_signal``) is, over the creators in the market who have streamed, either the
median of their income ratios (``median``, the default) or their income over option-hours (``pooled``:
each one's income per live hour times its live hours so far, summed, over its outside option times the
same hours, summed), divided by ``entry_parity``. The median is higher in a small economy, which spreads
the same money more evenly because its largest rooms are capped by its size (the TikTok preset joining on
the median, days 30-60, 2026-12-07: 1.17 at 20,000 viewers against 1.00 at 200,000), so there creators
kept joining faster than they quit and live hours rose for about 90 days. Pooled, the ratio is money spent
over hours streamed, each about the same per viewer and per creator at any size (5.60 against 5.38), so
entry settles at the same creators per viewer; it is well above 1 where entry balances exit, since income
is concentrated in the largest rooms while the options follow the typical room, and ``entry_parity`` says
where (the preset's 5.5). Following all the money, entry also follows the heaviest payers' spending, so
in a small economy it moves more from seed to seed.

Quitting also selects whatever the outside options do not know: a room earns more per live hour the
longer its sessions (about as the habitual length squared, at given followers and quality), in a
richer region, and as its following grows. Options that ignore these (the defaults) make creators with
short habits, in poorer regions, or new, quit more, and a run whose first creators are drawn as
creators join has its live hours rise for months as the others stay (+5.4% from days 30-60 to days
60-90 at 20,000 viewers, 2026-12-07). The TikTok preset's options know all three
(``effort.habit_exponent``, ``income_scale_exponent``, ``is_option_growing``), which steadies live hours
(docs/calibration.md). With ``creators.start_session_hours_mean`` the creators at the start who can go
live have a running platform's habits instead, the mix this selection keeps
(:func:`~sim.engine.state.draw_creators`); the presets leave it unset.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Supply
from sim.engine.mechanism import Event, Hour, Mechanism, Output, Phase
from sim.engine.mechanisms import attention
from sim.engine.mechanisms.effort import income_ratio
from sim.engine.randomness import poisson_quantile
from sim.engine.state import CreatorState


def quit_chance(ratio: np.ndarray, params: Supply) -> np.ndarray:
    """Daily chance of quitting at income ratio ``ratio``: the turnover at parity, within [0, 2 x turnover]."""
    return 2 * params.turnover_per_day / (1 + ratio ** (2 * params.exit_elasticity))


def joining_rate(ratio: float, n_at_start: int, params: Supply) -> float:
    """Expected creators joining a day at ``ratio``, the entry signal over its parity (:func:`entry_ratio`)."""
    return 2 * params.turnover_per_day * n_at_start / (1 + ratio ** (-2 * params.entry_elasticity))


def _streamed(creators: CreatorState) -> np.ndarray:
    """The creators in the market who have streamed."""
    return creators.has_joined & ~creators.is_churned & (creators.live_hours > 0)


def market_ratio(creators: CreatorState) -> float:
    """The median income ratio of the creators in the market who have streamed (1 when none has)."""
    streamed = _streamed(creators)
    return float(np.median(income_ratio(creators)[streamed])) if streamed.any() else 1.0


def pooled_ratio(creators: CreatorState) -> float:
    """Income over option-hours of the creators in the market who have streamed (1 when none has).

    Each creator's recent income per live hour and its outside option, both weighted by its live hours so
    far: ``sum(income_rate * hours) / sum(option * hours)``, what streaming pays an hour on the platform over
    what the same hours would earn elsewhere.
    """
    streamed = _streamed(creators)
    hours = creators.live_hours[streamed].astype(float)
    option_hours = float(np.dot(creators.outside_option_micro[streamed], hours))
    return float(np.dot(creators.income_rate_ema[streamed], hours)) / option_hours if option_hours > 0 else 1.0


def entry_ratio(creators: CreatorState, params: Supply) -> float:
    """What joining follows: the entry signal (``params.entry_signal``) over its value at parity (1 = parity)."""
    signal = pooled_ratio(creators) if params.entry_signal == "pooled" else market_ratio(creators)
    return signal / params.entry_parity


def end_of_day(creators: CreatorState, params: Supply, n_at_start: int, day: int,
               quit_draws: np.ndarray, join_draw: float, live_min_followers: int = 0) -> tuple[int, np.ndarray]:
    """Let creators quit and join; return how many quit and the rows of those who joined today.

    ``quit_draws`` holds each creator's keyed uniform of the day; ``join_draw`` the market's, from
    which the number joining is drawn (Poisson, by inversion). Those who join are the next rows set
    aside for joiners, whose attributes were drawn with the population. Creators with fewer than
    ``live_min_followers`` followers cannot go live, and quit at the turnover, as at parity.
    """
    ratio = entry_ratio(creators, params)
    active = creators.has_joined & ~creators.is_churned
    ratio_now = np.where(creators.followers >= live_min_followers, income_ratio(creators), 1.0)
    quitting = active & (quit_draws < quit_chance(ratio_now, params))
    creators.is_churned |= quitting
    creators.is_live &= ~quitting

    waiting = np.flatnonzero(~creators.has_joined)
    n_joining = int(poisson_quantile(np.array([join_draw]), joining_rate(ratio, n_at_start, params))[0])
    joining = waiting[: min(n_joining, waiting.size)]
    creators.has_joined[joining] = True
    creators.joined_day[joining] = day
    creators.income_rate_ema[joining] = creators.outside_option_micro[joining] * ratio
    return int(quitting.sum()), joining


def _end_of_day(hour: Hour) -> None:
    day = hour.step // 24
    quit_today, joining = end_of_day(hour.creators, hour.config.supply, hour.config.population.creators,
                                          day, hour.uniforms("supply.quit", np.arange(hour.creators.size)),
                                          hour.uniforms("supply.join", np.zeros(1, dtype=np.int64))[0],
                                          hour.config.creators.live_min_followers)
    hour.flows.add("new_creators_churned", quit_today)
    hour.flows.add("new_creators_joined", joining.size)
    attention.follow_new_creators(hour, joining)


END_OF_DAY = Phase(
    "supply", _end_of_day, section="supply",
    reads=("creators.income_rate_ema", "creators.outside_option_micro", "creators.live_hours", "creators.followers",
           "creators.quality", "creators.session_hours", "creators.region", "viewers.region", "viewers.creator_id"),
    writes=("creators.is_churned", "creators.is_live", "creators.has_joined", "creators.joined_day",
            "creators.income_rate_ema", "viewers.followed", "viewers.favourite_2", "viewers.favourite_3"),
)
MECHANISM = Mechanism(
    "supply", "daily: creators quit when streaming pays less than their outside option, and join when it pays more",
    section="supply", events=(Event(END_OF_DAY, lambda config: 1),),
    outputs=(
        Output("new_creators_churned", "flow", "creators", "Creators quitting",
               "creators who quit for good (at the day's last hour)"),
        Output("new_creators_joined", "flow", "creators", "Creators joining",
               "creators who joined (at the day's last hour)"),
        Output("n_creators_active", "stock", "creators", "Creators active",
               "creators who have joined and not quit, at the end of the hour",
               measure=lambda model: int((model.creator_state.has_joined & ~model.creator_state.is_churned).sum()),
               reads=("creators.has_joined", "creators.is_churned")),
        Output("n_creators_churned", "stock", "creators", "Creators churned", "creators who have quit so far",
               measure=lambda model: int(model.creator_state.is_churned.sum()), reads=("creators.is_churned",)),
    ),
)
