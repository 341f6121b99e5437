"""Income and demand: budgets arrive on each viewer's own payday, and who pays and how much answer to price.

Every viewer has a willingness to pay for gifts in a month (log-normal, scaled by its region's
income: ``viewers.budget_median_usd``, ``budget_sigma``) and a payday, a day of the 30-day month drawn
uniformly, so income arrives spread over the month rather than all at once. At the end of its payday
a viewer decides whether it pays this month and, if it does, receives the month's budget; what was
left of last month's budget lapses, so a payer who runs dry waits for its next income.

Two margins answer to the price of coins (``demand``; Twitch's 2021 local subscription prices, B):

- conversion: the chance of paying is ``payer_share * exp(-conversion_elasticity * (a - 1))`` (at most
  1), with ``a`` the mean USD price of a coin in the viewer's region and channel, tax included, over
  ``platform.coin_nominal_usd * income_scale``: the price relative to the viewer's means. Its
  elasticity is ``conversion_elasticity * a``, so low-income regions, where ``a`` is large, answer
  more strongly. Each month a viewer keeps last month's status with ``payer_persistence``, else
  decides anew, so payers turn over from month to month while their share stays at the conversion
  chance, where the price puts it;
- intensity: a payer's budget is its willingness to pay times ``r * exp(-intensity_elasticity * (r - 1))``,
  ``r`` the same price over ``coin_nominal_usd`` (not income-adjusted: the willingness to pay already
  is): the coins it buys fall as the price rises, while each costs more.

Both are semi-log, so the total elasticity of paid spend is ``1 - conversion_elasticity * a -
intensity_elasticity * r``, and a region's revenue from its viewers peaks at a price multiplier
``1 / (conversion_elasticity * a + intensity_elasticity * r)`` of today's, whatever the budgets (a
property of the demand declared, up to what the viewers' budgets let them spend). In the 24 hours
after its payday a payer's gifting hazard is multiplied by ``payday_boost`` (Pagel and Vardardottir, B).

Who pays is drawn with :func:`pay_draws`: stratified along willingness to pay by default
(``population.sampling``), so every run's payers are a scale model of the configured distribution.

At the start, each viewer is at a uniformly drawn point of its month: a payer holds the share of its
budget for the days left until its payday. With ``demand`` switched off, payers are drawn once with
``payer_share``, budgets equal the willingness to pay whatever the price, and paydays only refresh
them.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Config
from sim.engine.mechanism import Event, Hour, Mechanism, Modifier, Output, Phase
from sim.engine.pricing import PriceTable
from sim.engine.state import DAYS_PER_MONTH, ViewerState

HOURS_PER_DAY = 24
MONTH_HOURS = DAYS_PER_MONTH * HOURS_PER_DAY


def relative_prices(
    prices: PriceTable, viewers: ViewerState, config: Config, who: np.ndarray | slice = slice(None),
) -> tuple[np.ndarray, np.ndarray]:
    """The price of coins of viewers ``who`` (all by default) relative to the reference (r) and to their means (a)."""
    reference = config.platform.coin_nominal_usd * 1e6
    region = viewers.region[who]
    r = prices.mean_micro_per_coin[region, viewers.channel[who]] / reference
    income_scale = np.array([market.income_scale for market in config.regions.values()])
    return r, r / income_scale[region]


def conversion_chance(base: np.ndarray, a: np.ndarray, elasticity: float) -> np.ndarray:
    """The chance of paying in a month: ``base * exp(-elasticity * (a - 1))``, at most 1."""
    return np.minimum(base * np.exp(-elasticity * (a - 1.0)), 1.0)


def monthly_budget_micro(willingness: np.ndarray, r: np.ndarray, elasticity: float) -> np.ndarray:
    """A payer's budget for the month: its willingness to pay at the price ``r`` (micro-USD)."""
    return np.round(willingness * r * np.exp(-elasticity * (r - 1.0))).astype(np.int64)


def pay_draws(hour: Hour, who: np.ndarray, month: int) -> tuple[np.ndarray, np.ndarray]:
    """For viewers ``who`` deciding in ``month``: a uniform for keeping last month's status, and one for paying.

    Under stratified sampling, the second is the viewer's ``payer_latent`` shifted by the month's
    keyed offset (mod 1): payers are then spread along willingness to pay, so each stretch of
    willingness pays in proportion to its chance and the same whales pay in both arms of a pair;
    under ``iid``, each viewer's own keyed uniform for the month.
    """
    keeps = hour.draws.uniforms("income.keeps", who, month)
    if hour.config.population.sampling == "iid":
        return keeps, hour.draws.uniforms("income.pays", who, month)
    shift = hour.draws.uniforms("income.month_shift", np.zeros(1, dtype=np.int64), month)[0]
    return keeps, np.mod(hour.viewers.payer_latent[who] + shift, 1.0)


def _pay(hour: Hour, who: np.ndarray, share_of_month: np.ndarray | float, month: int) -> None:
    """Viewers ``who`` decide whether they pay in ``month`` and receive ``share_of_month`` of its budget.

    In the first month (0) every viewer decides afresh: there is no last month's status to keep.
    """
    viewers, demand = hour.viewers, hour.config.demand
    if demand.enabled:
        r, a = relative_prices(hour.model.prices, viewers, hour.config, who)  # only the viewers paid today
        chance = conversion_chance(viewers.conversion_base[who], a, demand.conversion_elasticity)
        keeps_draw, pays_draw = pay_draws(hour, who, month)
        # Keep last month's status, or decide anew: the share paying stays at the conversion chance.
        keeps = (keeps_draw < demand.payer_persistence) & (month > 0)
        viewers.is_payer[who] = np.where(keeps, viewers.is_payer[who], pays_draw < chance)
        budget = monthly_budget_micro(viewers.willingness_micro[who], r, demand.intensity_elasticity)
    else:
        budget = viewers.willingness_micro[who]
    budget = np.where(viewers.is_payer[who], budget, 0)
    viewers.budget_monthly_micro[who] = budget
    viewers.budget_left_micro[who] = np.round(budget * share_of_month).astype(np.int64)


def _start(hour: Hour) -> None:
    viewers = hour.viewers
    everyone = np.arange(viewers.size)
    if not hour.config.demand.enabled:  # payers drawn once, as the conversion chance at US prices says
        viewers.is_payer[:] = pay_draws(hour, everyone, 0)[1] < viewers.conversion_base
    # Each viewer starts at a uniform point of its month: the budget left is for the days to its payday.
    _pay(hour, everyone, (viewers.payday + 1) / DAYS_PER_MONTH, month=0)


def _paydays(hour: Hour) -> None:
    day = hour.step // HOURS_PER_DAY - 1  # the day that has just ended, from 0
    _pay(hour, np.flatnonzero(hour.viewers.payday == day % DAYS_PER_MONTH), 1.0, month=day // DAYS_PER_MONTH + 1)


def hours_since_payday(step: int, payday: np.ndarray) -> np.ndarray:
    """Hours from the end of each viewer's last payday to the end of the hour being simulated (0 to 719)."""
    paid_at = (payday + 1) * HOURS_PER_DAY  # payday's end, in hours into the month
    return (step - 1 - paid_at) % MONTH_HOURS


def _payday_factor(hour: Hour, who: np.ndarray) -> np.ndarray:
    since = hours_since_payday(hour.step, hour.viewers.payday[who])
    return np.where(since < HOURS_PER_DAY, hour.config.demand.payday_boost, 1.0)


START = Phase("income_at_start", _start, reads=("viewers.willingness_micro", "viewers.payday", "viewers.payer_latent",
                                                "prices"),
              writes=("viewers.is_payer", "viewers.budget_monthly_micro", "viewers.budget_left_micro"))
PAYDAYS = Phase("paydays", _paydays, reads=("viewers.willingness_micro", "viewers.payday", "viewers.payer_latent",
                                             "prices"),
                writes=("viewers.is_payer", "viewers.budget_monthly_micro", "viewers.budget_left_micro"))
MECHANISM = Mechanism(
    "income", "budgets arrive on each viewer's payday; who pays and how much answer to the price of coins",
    setup=START, events=(Event(PAYDAYS, lambda config: 1),),
    modifiers=(Modifier("payday", "watcher", _payday_factor, section="demand"),),
    outputs=(Output("n_payers_this_month", "stock", "viewers", "Payers this month",
                    "viewers (and creators' own rows) paying this month, at the end of the hour",
                    # count_nonzero: a bool array's sum() converts it first, 8x slower at 1,000,000 rows
                    measure=lambda model: np.count_nonzero(model.viewer_state.is_payer), reads=("viewers.is_payer",)),),
)
