"""Measure the creator side: steady state of supply, the share's effect, income over a session, loyalty.

Takes: about 2 minutes on 2 cores (107 s with 5 seeds; docs/calibration.md).

Run on demand::

    .venv/bin/python -m benchmarks.creator_supply --write      # everything; rewrites docs/calibration.md's section
    .venv/bin/python -m benchmarks.creator_supply --seeds 2    # a quick look, printed only

On the default config (the TikTok preset, 20,000 viewers, 400 creators at the start), seeds 0..n-1:

- steady state, 90 days: creators active, live hours a day, creators quitting and joining a day, as
  means over days 30-60 and 60-90 and the largest daily-average deviation of a 10-day window from
  the days 30-90 mean (a day's churn is a small count, so its 10-day window is what is compared);
- income per live hour by the hour of the session (days 30-90, all seeds pooled), F7;
- loyalty over days 30-60: distinct creators a viewer watched (median over viewers who watched)
  and the top 5% of payers gifted (median), the share of watch hours in a favourite's room, and the
  share of the coins the top 5% of payers gifted there;
- how income per live hour grows with followers and quality across creators (least squares on logs,
  creators with income), which sets ``effort.followers_exponent`` and ``quality_exponent``;
- creator share 0.33 -> 0.50, paired by seed, days 60-90 of 90-day runs: live hours, active
  creators, creators' income and the platform's margin (revenue less creators' income), with 95%
  intervals, and the elasticity of live hours with respect to the share.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from benchmarks.doc_sections import publish
from sim.engine.config_io import resolve_config
from sim.engine.mechanisms import loyalty as loyalty_rules
from sim.engine.state import NOBODY
from sim.sweeps.compare import mean_half_width

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "calibration.md"
HOURS_PER_DAY = 24
SESSION_HOURS_SHOWN = 6  # hours of a session shown one by one; later hours are pooled in the last
SAMPLED_VIEWERS = 4000
WINDOW_DAYS = 10


def trace(config: sim.Config, seed: int, loyalty_window: tuple[int, int] = (30, 60)) -> dict:
    """Run one economy hour by hour and record what the summaries do not keep."""
    model = sim.GiftEconomy(config, rng=seed)
    creators, viewers = model.creator_state, model.viewer_state
    per_diamond = config.platform.micro_usd_per_diamond
    # [measure, session length, hour of the session]: income (USD), audience and gifts, summed over
    # the sessions that ended after day 30, and how many such sessions reached each hour
    by_session_hour = np.zeros((3, SESSION_HOURS_SHOWN, SESSION_HOURS_SHOWN))
    hours_by_session_hour = np.zeros((SESSION_HOURS_SHOWN, SESSION_HOURS_SHOWN))
    this_session = np.zeros((3, creators.size, SESSION_HOURS_SHOWN))  # the current session's, by hour
    watched, gifted, in_favourite, watch_hours = [], [], 0, 0
    coins_gifted, coins_in_favourite = np.zeros(viewers.size), np.zeros(viewers.size)  # per viewer, in the window
    sample = np.arange(min(SAMPLED_VIEWERS, model.n_audience))
    for step in range(config.hours):
        day = step // HOURS_PER_DAY
        earned, streamed, gifts_before = creators.diamonds_earned.copy(), creators.live_hours.copy(), None
        received = creators.gifts_received.copy()
        if loyalty_window[0] <= day < loyalty_window[1]:
            gifts_before, coins_before = viewers.gifts_sent.copy(), viewers.coins_gifted.copy()
        model.step()
        live = np.flatnonzero(creators.live_hours > streamed)
        hour_in_session = np.minimum(creators.session_hour[live] - 1, SESSION_HOURS_SHOWN - 1)
        this_session[:, live[hour_in_session == 0]] = 0.0
        this_session[0, live, hour_in_session] += (creators.diamonds_earned[live] - earned[live]) * per_diamond / 1e6
        this_session[1, live, hour_in_session] += creators.audience[live]
        this_session[2, live, hour_in_session] += creators.gifts_received[live] - received[live]
        ended = live[~creators.is_live[live]]
        if day >= 30 and ended.size:
            session_length = creators.session_hour[ended]
            length = np.minimum(session_length, SESSION_HOURS_SHOWN) - 1
            for measure in range(3):
                np.add.at(by_session_hour[measure], length, this_session[measure, ended])
            # hours each session streamed in each column: 1 up to its length, the last column pooling the rest
            hours_in = np.clip(session_length[:, None] - np.arange(SESSION_HOURS_SHOWN)[None, :], 0, 1)
            hours_in[:, -1] = np.maximum(session_length - (SESSION_HOURS_SHOWN - 1), 0)
            np.add.at(hours_by_session_hour, length, hours_in)
        if gifts_before is not None:
            room = viewers.watching[sample]
            is_watching = room != NOBODY
            watched.append(sample[is_watching] * creators.size + room[is_watching])
            gifters = np.flatnonzero((viewers.gifts_sent > gifts_before) & (viewers.watching != NOBODY))
            gifted.append(gifters * creators.size + viewers.watching[gifters])
            coins = viewers.coins_gifted[gifters] - coins_before[gifters]
            coins_gifted[gifters] += coins
            in_a_favourite = loyalty_rules.is_favourite(viewers, gifters, viewers.watching[gifters])
            coins_in_favourite[gifters] += coins * in_a_favourite
            watchers = np.flatnonzero(viewers.watching != NOBODY)
            favourites = np.stack([viewers.followed, viewers.favourite_2, viewers.favourite_3])[:, watchers]
            in_favourite += int((favourites == viewers.watching[watchers]).any(axis=0).sum())
            watch_hours += watchers.size
    return dict(model=model, timeseries=model.timeseries(),
                by_session_hour=by_session_hour, hours_by_session_hour=hours_by_session_hour,
                watched=np.unique(np.concatenate(watched)) if watched else np.empty(0, np.int64),
                gifted=np.unique(np.concatenate(gifted)) if gifted else np.empty(0, np.int64),
                favourite_share=in_favourite / max(watch_hours, 1), coins_gifted=coins_gifted,
                coins_in_favourite=coins_in_favourite)


def daily(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Per day: creators active at its end, live hours, quits and joins."""
    days = timeseries.groupby("day")
    return days.agg(active=("n_creators_active", "last"), live_hours=("n_creators_live", "sum"),
                    quit=("new_creators_churned", "sum"), joined=("new_creators_joined", "sum"))


def steady_state(traces: list[dict]) -> str:
    """Means over days 30-60 and 60-90 and the largest 10-day deviation from the days 30-90 mean."""
    lines = ["| measure (per day) | days 30-60 | days 60-90 | largest 10-day deviation from the days 30-90 mean, "
             "per seed: mean [min, max] |", "|---|---:|---:|---|"]
    frames = [daily(t["timeseries"]) for t in traces]
    for column, label in (("active", "creators active"), ("live_hours", "live hours"),
                          ("quit", "creators quitting"), ("joined", "creators joining")):
        early = np.mean([f[column].iloc[30:60].mean() for f in frames])
        late = np.mean([f[column].iloc[60:90].mean() for f in frames])
        deviations = []
        for frame in frames:
            window = frame[column].iloc[30:90].to_numpy(dtype=float)
            means = window.reshape(-1, WINDOW_DAYS).mean(axis=1)
            deviations.append(np.max(np.abs(means / window.mean() - 1)))
        lines.append(f"| {label} | {early:,.1f} | {late:,.1f} | {100 * np.mean(deviations):.1f}% "
                     f"[{100 * np.min(deviations):.1f}%, {100 * np.max(deviations):.1f}%] |")
    return "\n".join(lines)


def session_income(traces: list[dict]) -> str:
    """Income per live hour by the session's length and the hour of the session, days 30-90, pooled over seeds."""
    totals = sum(t["by_session_hour"] for t in traces)
    hours = sum(t["hours_by_session_hour"] for t in traces)
    labels = [str(k + 1) for k in range(SESSION_HOURS_SHOWN - 1)] + [f"{SESSION_HOURS_SHOWN}+"]
    lines = ["| session length (h) | sessions | measure, per live hour | whole session | by hour of the session: "
             + " | ".join(labels) + " |", "|---|---:|---|---:|" + "---:|" * SESSION_HOURS_SHOWN]
    for length in range(SESSION_HOURS_SHOWN):
        sessions = hours[length, 0]
        if not sessions:
            continue
        for measure, (name, digits) in enumerate((("income (USD)", 3), ("audience", 1), ("gifts", 2))):
            values = totals[measure, length]
            per_hour = [f"{values[k] / hours[length, k]:,.{digits}f}" if hours[length, k] else "" for k in
                        range(SESSION_HOURS_SHOWN)]
            lead = f"| {labels[length]} | {sessions:,.0f} |" if measure == 0 else "| | |"
            lines.append(f"{lead} {name} | {values.sum() / hours[length].sum():,.{digits}f} | "
                         + " | ".join(per_hour) + " |")
    return "\n".join(lines)


def loyalty(traces: list[dict]) -> str:
    """Distinct creators watched and gifted per viewer over days 30-60, and how much is in favourites' rooms."""
    watched, gifted_top, favourite, top_in_favourite = [], [], [], []
    for t in traces:
        model = t["model"]
        n = model.creator_state.size
        per_viewer = np.bincount(t["watched"] // n)
        watched.append(np.median(per_viewer[per_viewer > 0]))
        gifts_per_viewer = np.bincount(t["gifted"] // n, minlength=model.n_audience)[: model.n_audience]
        spend = model.viewer_state.spend_micro[: model.n_audience]
        payers = np.flatnonzero(spend > 0)
        top = payers[spend[payers] >= np.quantile(spend[payers], 0.95)] if payers.size else payers
        gifted_top.append(np.median(gifts_per_viewer[top]) if top.size else np.nan)
        favourite.append(t["favourite_share"])
        top_in_favourite.append(t["coins_in_favourite"][top].sum() / max(t["coins_gifted"][top].sum(), 1))
    return (f"Days 30-60, means over seeds: a viewer who watched (of the first {SAMPLED_VIEWERS:,}) watched "
            f"{np.mean(watched):.1f} distinct creators (median over viewers); the top 5% of payers by spend "
            f"gifted to {np.nanmean(gifted_top):.1f} distinct creators (median); "
            f"{100 * np.mean(favourite):.0f}% of watch hours were in a favourite's room, and the top 5% of payers gave "
            f"{100 * np.mean(top_in_favourite):.0f}% of the coins they gifted there (seed by seed "
            f"{100 * min(top_in_favourite):.0f}-{100 * max(top_in_favourite):.0f}%).")


def earnings_by_standing(traces: list[dict]) -> str:
    """Least squares of log income per live hour on log followers and log quality, across creators."""
    rows = []
    for t in traces:
        creators = t["model"].creators_table()
        has_income = (creators["live_hours"] > 0) & (creators["income_usd"] > 0)
        c = creators[has_income]
        rows.append(np.column_stack([np.log(c["income_usd"] / c["live_hours"]), np.log(c["followers"]),
                                     np.log(c["quality"])]))
    data = np.concatenate(rows)
    design = np.column_stack([np.ones(len(data)), data[:, 1], data[:, 2]])
    coef, *_ = np.linalg.lstsq(design, data[:, 0], rcond=None)
    return (f"Across creators with income (all seeds, {len(data):,} creators), log income per live hour = "
            f"{coef[0]:.2f} + {coef[1]:.2f} log followers + {coef[2]:.2f} log quality "
            "(followers at the end of the run).")


def share_effect(config: sim.Config, seeds: range) -> str:
    """Creator share 0.33 -> 0.50 on the same seeds: days 60-90 of 90-day runs."""
    measures = {}
    for share in (0.33, 0.50):
        shared = resolve_config(config, {"platform.creator_share": share})
        rows = []
        for seed in seeds:
            frame = sim.run(shared, seed=seed).timeseries
            window, early = frame[frame["day"] > 60], frame[(frame["day"] > 7) & (frame["day"] <= 21)]
            rows.append((early["n_creators_live"].sum() / 14, window["n_creators_live"].sum() / 30,
                         window["n_creators_active"].mean(),
                         window["new_creator_income_usd"].sum(),
                         (window["new_platform_revenue_usd"] - window["new_creator_income_usd"]).sum(),
                         window["new_gross_spend_usd"].sum()))
        measures[share] = np.array(rows)
    low, high = measures[0.33], measures[0.50]
    lines = ["| measure | share 0.33 | share 0.50 | change [95%] |", "|---|---:|---:|---|"]
    labels = ("live hours a day, days 8-21 (short run)", "live hours a day, days 61-90",
              "creators active, days 61-90", "creators' income, days 61-90 (USD)",
              "platform's margin, days 61-90: revenue less creators' income (USD)",
              "viewers' gross spend, days 61-90 (USD)")
    for k, label in enumerate(labels):
        if "margin" in label:  # near zero at 0.33: a change in USD, not in percent
            change = high[:, k] - low[:, k]
            half = mean_half_width(float(change.std(ddof=1)), change.size)
            lines.append(f"| {label} | {low[:, k].mean():,.0f} | {high[:, k].mean():,.0f} | "
                         f"{change.mean():+,.0f} [{change.mean() - half:+,.0f}, {change.mean() + half:+,.0f}] |")
            continue
        change = high[:, k] / low[:, k] - 1
        half = mean_half_width(float(change.std(ddof=1)), change.size)
        lines.append(f"| {label} | {low[:, k].mean():,.1f} | {high[:, k].mean():,.1f} | "
                     f"{100 * change.mean():+.1f}% [{100 * (change.mean() - half):+.1f}%, "
                     f"{100 * (change.mean() + half):+.1f}%] |")
    for k, when in ((0, "in the short run (days 8-21)"), (1, "at steady state (days 61-90)")):
        elasticity = np.log(high[:, k] / low[:, k]) / np.log(0.50 / 0.33)
        half = mean_half_width(float(elasticity.std(ddof=1)), elasticity.size)
        lines.append(f"\nElasticity of live hours with respect to the creator share {when}: {elasticity.mean():.2f} "
                     f"[{elasticity.mean() - half:.2f}, {elasticity.mean() + half:.2f}].")
    lines.append("\nPu Zhao's commission changes imply 0.74 (5% -> 20%) and 1.83 (20% -> 5%) for creators' posts with "
                 "respect to their take, measured in the weeks after each change.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds (default 5)")
    parser.add_argument("--days", type=int, default=90, help="days per run (default 90)")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="config overrides")
    parser.add_argument("--no-share", action="store_true", help="skip the creator-share comparison")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/calibration.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    config = sim.load_config(REPO / "configs" / "default.yaml", [f"run.days={args.days}", *args.set])
    seeds = range(args.seeds)
    traces = [trace(config, seed) for seed in seeds]
    parts = [steady_state(traces), session_income(traces), loyalty(traces), earnings_by_standing(traces)]
    if not args.no_share:
        parts.append(share_effect(config, seeds))
    text = "\n\n".join(parts) + (
        f"\n\n{args.days}-day runs of configs/default.yaml (the TikTok preset, 20,000 viewers, 400 creators at the "
        f"start), seeds 0-{args.seeds - 1}; generated by `benchmarks/creator_supply.py` in "
        f"{time.perf_counter() - started:.0f} s.")
    print(text)
    if args.write:
        publish(DOC, "creator-supply", text)


if __name__ == "__main__":
    main()
