"""Backtests: natural experiments on real platforms, rerun as sweeps and compared with what was published.

Each :class:`Backtest` names a sweep spec in ``configs/sweeps/`` that runs the economy before and after the
change, on common random numbers, and the outcomes (:class:`Outcome`) it reads from the runs: a measure at
one point over the same measure at another, replicate by replicate
(:func:`sim.sweeps.compare.paired_values`), summarised as the geometric mean of these ratios less 1 (a
relative change) with a t interval of the mean log ratio over the replicates, beside the published change (a
range; open at one end for "more than doubled"), its source and grade
(``docs/sources.md``). Where one numeric parameter is all that differs, the elasticity
``ln(ratio) / ln(parameter ratio)`` is given too. An outcome with no published figure is a prediction, not a
test.

None of these outcomes is among the facts the presets are calibrated to (:data:`sim.sweeps.facts.FACTS`);
``Backtest.fitting`` says how the same source was used in setting the presets, where it was.
``benchmarks/backtests.py`` runs every backtest and writes ``docs/validation.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.config_io import PRESETS_DIR
from sim.sweeps.compare import mean_interval, paired_values
from sim.sweeps.spec import param_column

SPECS_DIR = PRESETS_DIR / "sweeps"
# The columns of :func:`outcome_table`, in order.
OUTCOME_COLUMNS = ["backtest", "outcome", "measure", "n", "baseline", "value", "change", "low", "high",
                   "elasticity", "elasticity_low", "elasticity_high", "published", "published_low",
                   "published_high", "published_elasticity_low", "published_elasticity_high", "verdict"]


@dataclass(frozen=True)
class Outcome:
    """One comparison a backtest makes, and the published change it is set against.

    Attributes:
        name: Short identifier, snake_case, unique within its backtest.
        measure: What is compared, in words.
        metric: The column of the runs table compared (a summary key, ``by_region__BR__payers`` for a
            nested one).
        baseline: The point before the change: dotted config path to value, for every swept parameter.
        point: The point after it, in the same form.
        published: The published change, in words; None when nothing was published (a prediction).
        low: The lowest relative change that agrees with the published one (``1.0``: doubled).
        high: The highest; ``math.inf`` for a change published as "more than".
    """

    name: str
    measure: str
    metric: str
    baseline: Mapping[str, Any]
    point: Mapping[str, Any]
    published: str | None = None
    low: float = math.nan
    high: float = math.nan

    @property
    def is_test(self) -> bool:
        """Whether a published change is there to compare with."""
        return self.published is not None


@dataclass(frozen=True)
class Backtest:
    """A natural experiment as data: the sweep that reruns it, its outcomes, and where the facts come from.

    Attributes:
        name: Short identifier, snake_case, unique.
        title: The event, in a few words.
        spec: The sweep spec's file name in ``configs/sweeps/``.
        event: What happened on the platform, and the model's analogue.
        source: Where the published outcome comes from.
        grade: Grade of the source (A official, B research or reputable press, C community, D arithmetic).
        fitting: How the same source was used in setting the presets, if at all.
        outcomes: The comparisons read from the sweep.
    """

    name: str
    title: str
    spec: str
    event: str
    source: str
    grade: str
    fitting: str
    outcomes: tuple[Outcome, ...]

    @property
    def spec_path(self) -> Path:
        """The sweep spec's path."""
        return SPECS_DIR / self.spec


def _pair(path: str, before: Any, after: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return {path: before}, {path: after}


_BR_PRICE = _pair("regions.BR.price_multiplier", 1.0, 0.42)
_RISE, _REVERSAL = _pair("platform.creator_share", 0.95, 0.80), _pair("platform.creator_share", 0.80, 0.95)
_PRESET_RISE = _pair("platform.creator_share", 0.33, 0.278)
_PRESET_REVERSAL = _pair("platform.creator_share", 0.278, 0.33)
_FLAT = {"rewards.scheme": "flat", "platform.creator_share": 0.33}
_MISSIONS = {"rewards.scheme": "missions", "platform.creator_share": 0.132}
_POSTS_CUT, _POSTS_RAISED = "posts -12% (commission 5% -> 20%)", "posts +37% (commission 20% -> 5%)"

BACKTESTS: tuple[Backtest, ...] = (
    Backtest(
        "twitch_price_cut", "Twitch local subscription prices, 2021", "backtest_twitch_price.yaml",
        "Twitch cut Mexico's tier-1 subscription price 58% (115 -> 48 MXN) in May 2021; in a Brazil test the "
        "lower price more than doubled both subscribers and creators' revenue (creators were compensated for "
        "the cut for the first months). Model: every coin bundle in Brazil 58% cheaper (price multiplier "
        "1 -> 0.42) on the TikTok preset; Brazilian payers and the creators' income from Brazilian viewers, "
        "30 days after a 14-day burn-in.",
        "Twitch's announcement, as reported by the press (docs/sources.md, 'Price response')", "B",
        "Not fitted and not among the calibration facts (FACTS), but read when setting a parameter by hand: "
        "demand.conversion_elasticity (0.6) was chosen with this result in view (a 58% cut that more than "
        "doubles subscribers needs e >= 0.36; "
        "sim/engine/config.py), together with Latin America's lower subscribing share. The test is not "
        "independent of the preset.",
        (Outcome("brazil_payers", "Brazilian viewers who bought coins (payers)", "by_region__BR__payers",
                 *_BR_PRICE, "subscribers more than doubled", 1.0, math.inf),
         Outcome("brazil_creator_income", "creators' income from Brazilian viewers (USD)",
                 "by_region__BR__creator_income_usd", *_BR_PRICE, "creators' revenue more than doubled",
                 1.0, math.inf),
         Outcome("brazil_gross_spend", "Brazilian viewers' gross spend on coins (USD)",
                 "by_region__BR__gross_spend_usd", *_BR_PRICE)),
    ),
    Backtest(
        "twitch_price_cut_share", "Twitch local subscription prices, 2021, creators paid a share of the price",
        "backtest_twitch_price_share.yaml",
        "The same price cut as twitch_price_cut (Brazil's coin bundles 58% cheaper, price multiplier 1 -> 0.42, "
        "on the TikTok preset; 30 days after a 14-day burn-in, the same seeds), under Twitch's rule for paying "
        "creators instead of TikTok's: platform.payout_basis share_of_price, so a gift pays its creator "
        "platform.creator_share of what the viewer paid for its coins, less tax, and after the cut creators' "
        "payouts follow the lower local price, as Twitch's did once the first months' compensation ended.",
        "Twitch's announcement, as reported by the press (docs/sources.md, 'Price response')", "B",
        "As twitch_price_cut: demand.conversion_elasticity (0.6) was chosen with the payers' result in view, "
        "so the payer outcome is not independent of the preset; the payout basis changes nothing that was "
        "fitted. Twitch compensated creators for the cut in its first months, which the published creators' "
        "revenue may include and the model does not.",
        (Outcome("brazil_payers", "Brazilian viewers who bought coins (payers)", "by_region__BR__payers",
                 *_BR_PRICE, "subscribers more than doubled", 1.0, math.inf),
         Outcome("brazil_creator_income", "creators' income from Brazilian viewers (USD)",
                 "by_region__BR__creator_income_usd", *_BR_PRICE, "creators' revenue more than doubled",
                 1.0, math.inf),
         Outcome("brazil_gross_spend", "Brazilian viewers' gross spend on coins (USD)",
                 "by_region__BR__gross_spend_usd", *_BR_PRICE),
         Outcome("brazil_platform_revenue", "the platform's revenue from Brazilian viewers' gifts (USD)",
                 "by_region__BR__platform_revenue_usd", *_BR_PRICE)),
    ),
    Backtest(
        "commission_change", "Commission 5% -> 20% -> 5% on a paid-content platform, 2019",
        "backtest_commission.yaml",
        "A Chinese paid-content creator platform raised its commission from 5% to 20% in August 2019: "
        "creators' posts fell 12% (prices +3%); the reversal to 5% raised posts 37% (prices +11%, answers "
        "+15%), measured in the weeks after each change. Model: the creator share 0.95 <-> 0.80, and the "
        "same 16% cut of the take at the TikTok preset's level (0.33 <-> 0.278); live hours (the analogue "
        "of posts) and creators who streamed, days 57-91 of runs with the share set from the start "
        "(10,000 viewers, 200 creators).",
        "Pu Zhao, working paper (docs/sources.md, 'Creator supply and the commission')", "B",
        "Not fitted and not among the calibration facts (FACTS), but read when setting a parameter by hand. Its "
        "elasticities, 0.74-1.83, are read as creators' own response to their pay (content there is sold item by "
        "item); with viewers' spending held by their budgets, the economy-wide analogue is lower, e / (1 + e): "
        "0.43-0.65 (docs/calibration.md). effort.elasticity (1.5 in the TikTok preset, whose outside options know "
        "the habit, the region and the following) and effort.max_effort (4), with a daily chance of streaming of "
        "0.45, were chosen so that the preset's live hours answer the creator share 0.33 -> 0.50 with about 0.43.",
        (Outcome("rise_live_hours", "live hours, share 0.95 -> 0.80", "live_hours", *_RISE, _POSTS_CUT,
                 -0.12, -0.12),
         Outcome("reversal_live_hours", "live hours, share 0.80 -> 0.95", "live_hours", *_REVERSAL,
                 _POSTS_RAISED, 0.37, 0.37),
         Outcome("rise_creators", "creators who streamed, share 0.95 -> 0.80", "creators_streamed", *_RISE),
         Outcome("reversal_creators", "creators who streamed, share 0.80 -> 0.95", "creators_streamed",
                 *_REVERSAL),
         Outcome("preset_rise_live_hours", "live hours, share 0.33 -> 0.278 (the preset's level)",
                 "live_hours", *_PRESET_RISE, _POSTS_CUT, -0.12, -0.12),
         Outcome("preset_reversal_live_hours", "live hours, share 0.278 -> 0.33 (the preset's level)",
                 "live_hours", *_PRESET_REVERSAL, _POSTS_RAISED, 0.37, 0.37)),
    ),
    Backtest(
        "tiktok_rewards_2025", "TikTok Scaled LIVE Rewards, 2025", "tiktok_rewards.yaml",
        "From 10 February 2025 TikTok (US) replaced creators' ~50% of diamond value with up to 40% from "
        "per-LIVE missions plus up to 13% from weekly missions (20% for LIVEs under 5 minutes). Model: "
        "tiktok_2024's flat share 0.33 against tiktok_2025's missions (20% floor, 0.132 base), 30 days on "
        "the TikTok economy (20,000 viewers). No outcome of the change has been published: these are "
        "predictions, not tests.",
        "TikTok Creator Academy (docs/sources.md, 'Reward schemes')", "A/C",
        "The scheme's published shares set configs/tiktok_2025.yaml; its mission targets are assumptions. "
        "No outcome exists to fit or test.",
        (Outcome("creator_income", "creators' income (USD)", "creator_income_usd", _FLAT, _MISSIONS),
         Outcome("live_hours", "live hours", "live_hours", _FLAT, _MISSIONS),
         Outcome("creators_streamed", "creators who streamed", "creators_streamed", _FLAT, _MISSIONS),
         Outcome("effective_creator_share", "effective creator share (income over the nominal value of gifts received)",
                 "effective_creator_share", _FLAT, _MISSIONS),
         Outcome("platform_revenue", "platform revenue (USD)", "platform_revenue_usd", _FLAT, _MISSIONS)),
    ),
)


def columns(point: Mapping[str, Any]) -> dict[str, Any]:
    """A point's dotted paths as the runs table's columns."""
    return {param_column(path): value for path, value in point.items()}


def parameter_ratio(outcome: Outcome) -> float:
    """The ratio of the one numeric parameter that differs between the outcome's points, else NaN."""
    changed = [path for path in outcome.baseline if outcome.baseline[path] != outcome.point[path]]
    if len(changed) != 1:
        return math.nan
    before, after = outcome.baseline[changed[0]], outcome.point[changed[0]]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after))
    return float(after) / float(before) if numeric and before and after else math.nan


def verdict(outcome: Outcome, low: float, high: float) -> str:
    """How the model's interval ``[low, high]`` of the relative change stands to the published range."""
    if not outcome.is_test:
        return "prediction"
    if not (math.isfinite(low) and math.isfinite(high)):
        return "no interval"
    if high < outcome.low:
        return "below"
    if low > outcome.high:
        return "above"
    return "agrees" if outcome.low <= low and high <= outcome.high else "overlaps"


def _log_over(value: float, ratio: float) -> float:
    """``ln(1 + value) / ln(ratio)``: a relative change as an elasticity; NaN where undefined."""
    if not math.isfinite(ratio) or ratio <= 0 or ratio == 1 or not 1 + value > 0:
        return math.nan
    return math.log1p(value) / math.log(ratio) if math.isfinite(value) else math.copysign(math.inf, math.log(ratio))


def outcome_table(backtest: Backtest, runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Every outcome of a backtest from its sweep's runs: the model's change beside the published one.

    Args:
        backtest: The backtest.
        runs: Its sweep's runs table (``sim.open_results(folder).runs``): one row per finished run.
        level: The confidence level of the intervals.

    Returns:
        One row per outcome (:data:`OUTCOME_COLUMNS`): ``n`` replicates paired (those with the measure above 0
        at both points), the means ``baseline`` and ``value`` at the two points, the relative change
        ``change`` (0.5 is 50% more: the geometric mean of the paired ratios, less 1) with its interval
        ``low``, ``high`` (the t interval of the mean log ratio, transformed the same way); the mean
        elasticity with its t interval (NaN unless one numeric parameter differs); the published change in
        words and as a range of relative changes (and of elasticities), and the ``verdict``: ``agrees`` (the
        interval lies in the published range), ``overlaps``, ``below``, ``above``, or ``prediction`` where
        nothing was published.

    Raises:
        ValueError: A point or metric is missing from the runs.
    """
    rows = []
    for outcome in backtest.outcomes:
        baseline, point = columns(outcome.baseline), columns(outcome.point)
        pairs = paired_values(runs, list(baseline), baseline, point, outcome.metric)
        pairs = pairs[(pairs["baseline"] > 0) & (pairs["point"] > 0)]  # a ratio's logarithm needs both
        logs = np.log(pairs["point"] / pairs["baseline"])
        change, low, high = np.expm1(mean_interval(logs, level))
        by = parameter_ratio(outcome)
        elasticity = mean_interval(logs / math.log(by), level) if math.isfinite(by) else (math.nan,) * 3
        published_elasticity = sorted((_log_over(outcome.low, by), _log_over(outcome.high, by)))
        rows.append((backtest.name, outcome.name, outcome.measure, len(pairs), pairs["baseline"].mean(),
                     pairs["point"].mean(), change, low, high, *elasticity, outcome.published, outcome.low,
                     outcome.high, *published_elasticity,
                     verdict(outcome, low, high)))
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)

