"""Published facts the presets are calibrated to, as data: :data:`FACTS`, and checking a results folder
against them (:func:`check`).

Each :class:`Fact` says what is measured and how it is computed from one run (its summary and tables),
the published value or range and its source with its grade (``docs/sources.md``:
A official page or filing, B research or reputable press, C community, D arithmetic from the others),
the preset it describes, and the window it is published over. ``benchmarks/calibrate.py`` runs the
presets against this table and writes ``docs/calibration.md``'s targets from it; ``giftsim facts
RESULTS`` checks a run's folder or a sweep's.

Windows: a figure published per month (monthly actives who pay, a month's pack sales) is compared with
a run that measures 30 days (``window_days``). A figure about behaviour describes an economy that has
been running, so it expects the start's transient left out: ``run.burn_in_days`` of 14 or more
(``docs/calibration.md``, "Steady state and burn-in"). A creator share follows from prices and fees
alone, so it holds over any window from the first gift.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.config_io import load_yaml
from sim.sweeps.compare import mean_half_width
from sim.sweeps.results import RunResults, SweepResults, open_results
from sim.sweeps.store import BASE_CONFIG_FILE, flatten

GRADES = "ABCD"
STEADY_BURN_IN_DAYS = 14  # docs/calibration.md: the start's transient is gone after about two weeks
MONTH_DAYS = 30
# Configs whose results are a preset's: tests/test_presets.py checks that default.yaml equals tiktok.yaml.
SAME_AS_PRESET = {"default": "tiktok"}


@dataclass(frozen=True)
class RunData:
    """What a fact is computed from: one run's summary, flattened (``by_region__US__payers``), and its tables.

    Attributes:
        summary: Summary keys, nested keys joined by ``__`` as in a sweep's ``runs`` table.
        table: A table of the run by name (``viewers``); raises KeyError when the run has no such table.
    """

    summary: Mapping[str, Any]
    table: Callable[[str], pd.DataFrame]

    @classmethod
    def of_result(cls, result: Any) -> RunData:
        """From a :class:`sim.RunResult` in memory."""
        return cls(summary=flatten(result.summary), table=lambda name: getattr(result, name))


@dataclass(frozen=True)
class Fact:
    """One published figure and how a run reproduces it.

    Attributes:
        name: Short identifier, snake_case, unique.
        preset: The preset (``configs/<preset>.yaml``) the figure describes.
        measure: What is measured, in words.
        value: The simulated value, from one run.
        low: Lowest value that counts as met.
        high: Highest value that counts as met.
        source: Where the figure comes from, as published.
        grade: Grades of the sources, e.g. ``"B"`` or ``"C/D"``.
        drivers: The config fields that move the simulated value.
        tables: The tables ``value`` reads besides the summary.
        window_days: Measured days the figure is published over, or None for any window.
        burn_in_days: Burn-in the figure expects (0: it holds from the first gift).
        is_reference: Shown for reference, with no range to meet.
        undefined_when: When a run cannot compute the value (a ratio of 0 to 0), in words; such a run's
            value is NaN, never 0.
    """

    name: str
    preset: str
    measure: str
    value: Callable[[RunData], float]
    low: float
    high: float
    source: str
    grade: str
    drivers: str
    tables: tuple[str, ...] = ()
    window_days: int | None = None
    burn_in_days: int = 0
    is_reference: bool = False
    undefined_when: str = "its denominator is 0"

    @property
    def window(self) -> str:
        """The window the figure applies to, in words."""
        length = f"{self.window_days} days" if self.window_days else "any length"
        start = f"after a burn-in of {self.burn_in_days}+ days" if self.burn_in_days else "from the first day"
        return f"{length}, {start}"

    @property
    def wanted(self) -> str:
        """The published range, as a percentage range, or ``-`` for a figure shown for reference."""
        return "-" if self.is_reference else f"{self.low:.0%}-{self.high:.0%}"

    def is_met(self, value: float) -> bool | None:
        """Whether ``value`` is in the range; None for a reference figure or a value that is not a number."""
        if self.is_reference or not math.isfinite(value):
            return None
        return self.low <= value <= self.high

    def window_notes(self, days: int | None, burn_in_days: int | None) -> list[str]:
        """How a run's window differs from the one the figure is published over."""
        notes = []
        if self.window_days and days is not None and days != self.window_days:
            notes.append(f"measured {days} days; published over {self.window_days}")
        if burn_in_days is not None and burn_in_days < self.burn_in_days:
            notes.append(f"burn-in {burn_in_days} days; expects {self.burn_in_days}+")
        return notes


def share_of(key: str, denominator: str) -> Callable[[RunData], float]:
    """A fact's value: a summary key that is a ratio over the summary key ``denominator``; NaN when that is 0.

    The summary reports a ratio of 0 to 0 as 0 (no activity, no rate), which a fact must not: 0 large
    gifts out of 0 is not "large gifts are rare".
    """
    def value(run: RunData) -> float:
        return math.nan if float(run.summary[denominator]) == 0 else float(run.summary[key])

    return value


def top_share_of(key: str) -> Callable[[RunData], float]:
    """A fact's value: a summary key that is the top holders' share of a total; NaN when it is 0.

    The top k of n holders of a positive total hold at least k/n of it, so a top share of exactly 0 is
    the summary's 0 for 0 to 0: nobody held anything.
    """
    def value(run: RunData) -> float:
        share = float(run.summary[key])
        return math.nan if share == 0 else share

    return value


def pack_share(*coins: str) -> Callable[[RunData], float]:
    """A fact's value: the share of coin revenue from bundles of these sizes (coins), 0 for one never sold;
    NaN when nothing was bought (every bundle's share is then 0 to 0, and they sum to 0, not 1)."""
    def value(run: RunData) -> float:
        prefix = "revenue_share_by_bundle_coins__"
        every = [_number(share) for key, share in run.summary.items() if key.startswith(prefix)]
        if not every:
            raise KeyError("revenue_share_by_bundle_coins")
        if not sum(every):
            return math.nan
        return float(sum(_number(run.summary.get(f"{prefix}{c}")) for c in coins))

    return value


def _number(share: Any) -> float:
    """A bundle's share, 0 for one the summary does not list (never sold)."""
    return 0.0 if share is None or pd.isna(share) else float(share)


def creator_share(
    channels: tuple[str, ...] | None = None, ex_tax: bool = True, regions: tuple[str, ...] | None = None,
) -> Callable[[RunData], float]:
    """A fact's value: creator income from viewers' gifts over what those viewers paid for the coins they gifted.

    Only viewers who paid for every coin they hold count: coins a brand dropped carry the brand's
    (web) price into the wallet, which is not what the viewer's own channel charges. NaN when no such
    viewer gifted.
    """
    def value(run: RunData) -> float:
        v = run.table("viewers")
        v = v[(v["coins_received"] == 0) & (v["spend_usd"] > 0)]
        if channels is not None:
            v = v[v["channel"].isin(channels)]
        if regions is not None:
            v = v[v["region"].isin(regions)]
        paid = v["gifted_spend_usd"] * (1 - v["tax_usd"] / v["spend_usd"]) if ex_tax else v["gifted_spend_usd"]
        total = float(paid.sum())
        return float(v["creator_income_usd"].sum()) / total if total > 0 else math.nan

    return value


NO_GIFTS = "no gift was sent"
NO_PAYER_GIFTS = "no payer gifted"
NO_PURCHASES = "no coins were bought"
NO_PAID_GIFTS = "no viewer who paid for their coins gifted them"

FACTS = (
    Fact("payer_ratio", "tiktok", "payer ratio (payers / active viewers, 30 days)",
         share_of("payer_ratio", "active_viewers"),
         0.03, 0.08, "3-8% of monthly actives pay: Huya 3.7-7.1% (A), Bigo 4.4% (C)", "A/C",
         "viewers.payer_share, demand.conversion_elasticity",
         window_days=MONTH_DAYS, burn_in_days=STEADY_BURN_IN_DAYS, undefined_when="no viewer was active"),
    Fact("creator_share_in_app", "tiktok", "creator share of gifted spend, in-app, ex tax",
         creator_share(("ios", "android")), 0.31, 0.35, "~31% (BBC 2022, B); ~33% by arithmetic (D)", "B/D",
         "platform.creator_share, coin_nominal_usd, store fee", tables=("viewers",), undefined_when=NO_PAID_GIFTS),
    Fact("creator_share_web", "tiktok", "creator share of gifted spend, web, ex tax", creator_share(("web",)),
         0.38, 0.47, "~38-47% on web (D): web coins ~25% cheaper (B/C)", "B/C/D",
         "web bundle prices, platform.creator_share", tables=("viewers",), undefined_when=NO_PAID_GIFTS),
    Fact("pack_1321_share", "tiktok", "1,321-coin pack's share of coin revenue", pack_share("1321"), 0.20, 0.30,
         "~25% of coin revenue (data.ai, Dec 2023, B)", "B", "stock_up.share, viewers.budget_median_usd",
         window_days=MONTH_DAYS, burn_in_days=STEADY_BURN_IN_DAYS, undefined_when=NO_PURCHASES),
    Fact("pack_1321_peers_share", "tiktok", "the same with its web and Indonesian peers (1,300 and 1,400 coins)",
         pack_share("1321", "1300", "1400"), 0.0, 1.0,
         "reported for reference: data.ai's ~25% is of the 1,321-coin pack alone (B)", "B", "as above",
         window_days=MONTH_DAYS, burn_in_days=STEADY_BURN_IN_DAYS, is_reference=True, undefined_when=NO_PURCHASES),
    Fact("top20_payer_gift_share", "tiktok", "top 20% of payers' share of gift value",
         top_share_of("top20_payer_gift_share"), 0.90, 0.98, "90-98% (Inke 97%: Tu et al., IEEE MIPR 2018, B)",
         "B", "viewers.budget_sigma, combos", burn_in_days=STEADY_BURN_IN_DAYS, undefined_when=NO_PAYER_GIFTS),
    Fact("top1_payer_gift_share", "tiktok", "top 1% of payers' share of gift value",
         top_share_of("top1_payer_gift_share"), 0.30, 0.60, "30-60% (C)", "C", "viewers.budget_sigma, combos",
         burn_in_days=STEADY_BURN_IN_DAYS, undefined_when=NO_PAYER_GIFTS),
    Fact("large_gift_count_share", "tiktok", "share of gifts that are large (1,000+ coins)",
         share_of("large_gift_count_share", "gifts"), 0.0, 0.02, "large gifts are rare (C); no figure: we ask under 2%",
         "C", "viewers.gift_size_exponent, budget_sigma", burn_in_days=STEADY_BURN_IN_DAYS,
         undefined_when=NO_GIFTS),
    Fact("large_gift_value_share", "tiktok", "share of gift value in large gifts (1,000+ coins)",
         share_of("large_gift_value_share", "gifts"), 0.15, 1.0,
         "large gifts carry a large share of value (B/C); no figure: we ask at least 15%", "B/C",
         "viewers.gift_size_exponent, budget_sigma", burn_in_days=STEADY_BURN_IN_DAYS, undefined_when=NO_GIFTS),
    Fact("paid_gifters_to_3_or_fewer", "tiktok", "share of paid gifters who gift to 3 or fewer creators (30 days)",
         top_share_of("paid_gifters_to_3_or_fewer_share"), 0.70, 0.85,
         "77% of viewers attend only the top 3 streamers they watch (Inke: Tu et al., IEEE MIPR 2018, B)", "B",
         "follower_affinity.stranger_multiplier, loyalty", window_days=MONTH_DAYS,
         burn_in_days=STEADY_BURN_IN_DAYS, undefined_when=NO_PAYER_GIFTS),
    # US prices, as the source's: the preset's other regions pay the same USD numbers VAT included.
    Fact("twitch_creator_share_us", "twitch", "creator share of gifted spend, US, ex tax",
         creator_share(regions=("US",)), 0.71, 0.81, "$0.01 per Bit on $0.0123-0.014 per Bit: ~71-81% (C/D)",
         "C/D", "platform.creator_share, Bits bundles", tables=("viewers",), undefined_when=NO_PAID_GIFTS),
    Fact("youtube_creator_share_web", "youtube", "creator share of gifted spend, web, ex tax",
         creator_share(("web",)), 0.65, 0.70, "70% after tax (A); web processor fees lower it a little", "A",
         "platform.creator_share (net basis), web fee", tables=("viewers",), undefined_when=NO_PAID_GIFTS),
    Fact("youtube_creator_share_ios", "youtube", "creator share of gifted spend, iOS, ex tax",
         creator_share(("ios",)), 0.47, 0.51, "~49% on iOS: 70% of what is left after Apple's 30% (A/D)", "A/D",
         "platform.creator_share, iOS fee", tables=("viewers",), undefined_when=NO_PAID_GIFTS),
    Fact("bigo_creator_share", "bigo", "creator share of gifted spend, incl. tax", creator_share(ex_tax=False),
         0.22, 0.26, "~24% by arithmetic: 210 beans per $1 against $1.96 per 100 diamonds (C/D)", "C/D",
         "platform.creator_share", tables=("viewers",), undefined_when=NO_PAID_GIFTS),
)


def presets() -> list[str]:
    """The presets some fact describes, sorted."""
    return sorted({fact.preset for fact in FACTS})


def preset_of(config_name: str) -> str:
    """The preset whose facts apply to a config: itself, or the preset it equals (``default`` is ``tiktok``)."""
    return SAME_AS_PRESET.get(config_name, config_name)


def is_grade(text: str) -> bool:
    """Whether ``text`` is one grade or several joined by ``/`` (``"B"``, ``"C/D"``)."""
    return re.fullmatch(f"[{GRADES}](/[{GRADES}])*", text) is not None


@dataclass(frozen=True)
class FolderWindow:
    """What a results folder simulated: its config's name and its measured window."""

    config_name: str
    days: int | None
    burn_in_days: int | None


def folder_window(results: RunResults | SweepResults) -> FolderWindow:
    """The config name and window of a run's folder (``meta.json``) or a sweep's (``base_config.yaml``)."""
    if isinstance(results, RunResults):
        meta = json.loads((results.path / "meta.json").read_text(encoding="utf-8"))
        return FolderWindow(meta["config_name"], meta.get("days"), meta.get("burn_in_days"))
    base = load_yaml((results.path / BASE_CONFIG_FILE).read_text(encoding="utf-8"))
    run = base.get("run", {})
    days = None if "run.days" in results.spec.parameters else run.get("days")
    burn_in = None if "run.burn_in_days" in results.spec.parameters else run.get("burn_in_days", 0)
    return FolderWindow(base["name"], days, burn_in)


def _run_data(results: RunResults | SweepResults, row: Mapping[str, Any]) -> RunData:
    def table(name: str) -> pd.DataFrame:
        return results.run_table(name, row["run_id"])

    return RunData(summary=dict(row), table=table)


def _stored_tables(results: RunResults | SweepResults) -> tuple[str, ...]:
    return tuple(results.tables) if isinstance(results, RunResults) else tuple(results.spec.tables)


def _runs(count: int) -> str:
    return "the run" if count == 1 else f"any of the {count} runs"


def check(path: str | Path, preset: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Every fact against a results folder: one row per fact (and per point of a sweep).

    Args:
        path: A run's results folder or a sweep's.
        preset: The preset whose facts apply; by default the folder's config's (``preset_of``).
        level: The confidence level of a sweep's intervals over replicates.

    Returns:
        Columns ``fact``, ``preset``, ``measure``, ``point`` (then the swept parameters), ``status``
        (``checked``, ``other preset`` or ``cannot compute``), ``n`` (runs), ``value`` (the mean over
        runs), ``low_ci`` and ``high_ci`` (the t interval; NaN for one run), ``published``, ``low``,
        ``high``, ``met`` (True, False, or None for a reference figure or one that cannot be computed),
        ``source``, ``grade``, ``window`` and ``note`` (why not computed, or how the folder's window
        differs). A fact whose value is 0 to 0 in every run of a point (no payers, no gifts:
        :attr:`Fact.undefined_when`) is ``cannot compute`` with a NaN value, never 0 or met; runs
        where it is 0 to 0 are left out of a point's mean, and the note says how many. Its ``attrs``
        hold the folder's ``config_name``, the ``preset`` checked, ``days`` and ``burn_in_days``.

    Raises:
        NotSweepResultsError: ``path`` holds neither a sweep's results nor a run's.
        DamagedSweepError, DamagedRunError: A file of the folder is not whole.
    """
    results = open_results(path)
    window = folder_window(results)
    applies_to = preset or preset_of(window.config_name)
    parameters = [] if isinstance(results, RunResults) else results.parameter_columns
    runs = results.runs
    points = runs.groupby("point", sort=True) if not runs.empty else []
    stored = _stored_tables(results)
    rows = []
    for fact in FACTS:
        base = {"fact": fact.name, "preset": fact.preset, "measure": fact.measure, "published": fact.wanted,
                "low": fact.low, "high": fact.high, "source": fact.source, "grade": fact.grade,
                "window": fact.window}
        empty = {"point": None, **dict.fromkeys(parameters), "n": 0, "value": math.nan, "low_ci": math.nan,
                 "high_ci": math.nan, "met": None}
        if fact.preset != applies_to:
            rows.append({**base, **empty, "status": "other preset",
                         "note": f"describes {fact.preset}; the folder is {window.config_name}"})
            continue
        missing = [name for name in fact.tables if name not in stored]
        if missing or runs.empty:
            if not missing:
                note = "no finished runs"
            elif isinstance(results, RunResults):
                note = f"the folder has no {missing[0]} table"
            else:
                note = f"the sweep stored no {missing[0]} table; add {missing[0]} to its spec's tables"
            rows.append({**base, **empty, "status": "cannot compute", "note": note})
            continue
        for point, group in points:
            try:
                values = pd.Series([fact.value(_run_data(results, row)) for row in group.to_dict("records")])
            except KeyError as exc:
                rows.append({**base, **empty, "point": point, "status": "cannot compute",
                             "note": f"the results have no {exc.args[0]}; run the config again"})
                break
            where = {"point": point, **group.iloc[0][parameters].to_dict()}
            undefined, values = int(values.isna().sum()), values.dropna()
            if values.empty:  # 0 to 0 in every run: not 0, and never met
                rows.append({**base, **empty, **where, "status": "cannot compute",
                             "note": f"{fact.undefined_when} in {_runs(undefined)}: the ratio is 0 to 0"})
                continue
            mean = float(values.mean())
            half = mean_half_width(float(values.std(ddof=1)), len(values), 0.5 + level / 2)
            notes = fact.window_notes(window.days, window.burn_in_days)
            if undefined:
                notes.append(f"{fact.undefined_when} in {undefined} of the {len(group)} runs (0 to 0), left out "
                             "of the mean")
            # every fact is a share: a t interval reaching below 0 or above 1 is cut at the bound
            rows.append({**base, **where, "n": len(values), "value": mean, "low_ci": max(mean - half, 0.0),
                         "high_ci": min(mean + half, 1.0), "met": fact.is_met(mean), "status": "checked",
                         "note": "; ".join(notes)})
    columns = ["fact", "preset", "measure", "point", *parameters, "status", "n", "value", "low_ci", "high_ci",
               "published", "low", "high", "met", "source", "grade", "window", "note"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["point"] = pd.array([row["point"] for row in rows], dtype="Int64")
    frame.attrs.update(config_name=window.config_name, preset=applies_to, days=window.days,
                       burn_in_days=window.burn_in_days)
    return frame
