"""Measure whether the economy is the same at every size: intensive metrics, supply and sessions at two sizes.

Takes: about 1-3 minutes on 2 cores (50-75 s with 3 seeds at 20,000 and 200,000 viewers, 90 days each, with
nothing else running on 2026-12-07; two to three minutes under other work).

Run on demand::

    .venv/bin/python -m benchmarks.scale_invariance --write       # prints the tables, rewrites docs/calibration.md's
    .venv/bin/python -m benchmarks.scale_invariance --sizes 2000 8000 --seeds 2   # smaller, faster, lumpier
    .venv/bin/python -m benchmarks.scale_invariance --burn-in 56 --set effort.typical_usd_per_live_hour=0.033

The TikTok preset (``configs/default.yaml``) with its creators and brands scaled with its viewers (the
preset's 50 viewers per creator and 2,000 per brand), run for a 28-day burn-in (``--burn-in``) then 62
measured days on each seed (90 days in all). Per size, the mean over seeds and the lowest and highest
seed, of:

- viewers per live room (viewer-hours watching over creator-hours live, the measured days), the share of
  active creators live in an hour, creators active over the measured days per creator at the start,
  brands' CPM, the payer ratio, the creator share of viewers' spend and ARPU (the run's summary), the
  share of viewers' gifts paid with coins brands dropped (by count and by coins), and the share of paid
  gifters who gave to 3 or fewer creators (loyal gifting; over all 62 measured days, not a month);
- creator supply over the last 60 days (days 30-90 of the default 90): creators active, those of them with
  the LIVE threshold's followers (who can go live) and live hours a day, the largest deviation of a
  10-day average from the 60 days' mean, and the drift from the first 30 days to the last 30;
- sessions (the measured days): mean, median and 99th percentile of a session's length, the longest
  continuous live stretch (back-to-back sessions joined), and the most live hours a day any creator
  averaged over the days it was active.

The last column of the first table is the largest size's mean over the smallest's, less one.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import sim
from benchmarks.doc_sections import publish

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "calibration.md"
HOURS_PER_DAY = 24
BURN_IN_DAYS, MEASURED_DAYS = 28, 62
WINDOW_DAYS = 10
SUPPLY_DAYS = 60  # the supply's last 60 days: two halves of 30 days, six windows of 10


def scaled_config(viewers: int, days: int = BURN_IN_DAYS + MEASURED_DAYS, burn_in_days: int = BURN_IN_DAYS,
                  overrides: tuple[str, ...] = ()) -> sim.Config:
    """The preset at ``viewers`` viewers, its creators and brands in the preset's proportion, then ``overrides``."""
    base = sim.load_config(REPO / "configs" / "default.yaml")
    scale = viewers / base.population.viewers
    return sim.load_config(REPO / "configs" / "default.yaml", [
        f"population.viewers={viewers}", f"population.creators={max(1, round(base.population.creators * scale))}",
        f"population.brands={max(1, round(base.population.brands * scale))}",
        f"run.days={days - burn_in_days}", f"run.burn_in_days={burn_in_days}", *overrides])


def sessions(live: np.ndarray, session_hour: np.ndarray) -> tuple[np.ndarray, int]:
    """Session lengths and the longest continuous live stretch, from ``[hour, creator]`` records.

    ``live`` says whether a creator streamed that hour, ``session_hour`` how many hours its session had run
    at the hour's end; a session ends at a live hour followed by an hour off air or by a new session's first.
    """
    padded = np.vstack([live, np.zeros((1, live.shape[1]), dtype=bool)])
    next_hour = np.vstack([session_hour[1:], np.zeros((1, live.shape[1]), dtype=session_hour.dtype)])
    ends = live & (~padded[1:] | (next_hour == 1))
    lengths = session_hour[ends]
    longest = 0
    for column in live.T:  # runs of consecutive live hours
        edges = np.diff(np.concatenate([[0], column.astype(np.int8), [0]]))
        if edges.any():
            longest = max(longest, int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max()))
    return lengths, longest


def measure(config: sim.Config, seed: int) -> dict[str, float]:
    """Run one economy hour by hour; return its intensive metrics, supply and session figures."""
    model = sim.GiftEconomy(config, rng=seed)
    creators = model.creator_state
    total_hours = config.total_hours
    live = np.zeros((total_hours, creators.size), dtype=bool)
    session_hour = np.zeros((total_hours, creators.size), dtype=np.int32)
    active = np.zeros(total_hours)
    can_go_live = np.zeros(total_hours)  # active with the LIVE threshold's followers
    active_days = np.zeros(creators.size)
    for step in range(total_hours):
        streamed = creators.live_hours.copy()
        model.step()
        live[step] = creators.live_hours > streamed
        session_hour[step] = creators.session_hour
        is_active = creators.has_joined & ~creators.is_churned
        active[step] = is_active.sum()
        can_go_live[step] = (is_active & (creators.followers >= config.creators.live_min_followers)).sum()
        if step >= config.burn_in_hours and step % HOURS_PER_DAY == 0:
            active_days += is_active
    window = slice(config.burn_in_hours, total_hours)
    n_live = live.sum(axis=1)
    frame = model.timeseries()
    summary = model.summary()
    lengths, longest = sessions(live[window], session_hour[window])
    live_per_day = live[window].sum(axis=0) / np.maximum(active_days, 1)
    daily_active = active.reshape(-1, HOURS_PER_DAY)[:, -1]
    daily_can_go_live = can_go_live.reshape(-1, HOURS_PER_DAY)[:, -1]
    daily_live = n_live.reshape(-1, HOURS_PER_DAY).sum(axis=1)
    viewer_gifts = summary["gifts"]
    figures = {
        "viewers_per_live_room": frame["n_viewers_watching"].sum() / max(frame["n_creators_live"].sum(), 1),
        "share_live": float(np.mean(n_live[window] / np.maximum(active[window], 1))),
        "creators_active": float(active[window].mean() / config.population.creators),
        "brand_cpm_usd": summary["brand_cpm_usd"],
        "payer_ratio": summary["payer_ratio"],
        "creator_share_of_spend": summary["creator_share_of_spend"],
        "arpu_usd": summary["arpu_usd"] * 30 / config.run.days,  # a month's
        "drop_gift_share": summary["free_gifts"] / max(viewer_gifts, 1),
        "drop_coin_share": summary["free_coins_gifted"] / max(int(model.viewer_state.coins_gifted.sum()), 1),
        "few_creators_share": summary["paid_gifters_to_3_or_fewer_share"],
        "mean_session_h": float(lengths.mean()) if lengths.size else 0.0,
        "median_session_h": float(np.median(lengths)) if lengths.size else 0.0,
        "p99_session_h": float(np.quantile(lengths, 0.99)) if lengths.size else 0.0,
        "longest_stretch_h": float(longest),
        "top_live_hours_per_day": float(live_per_day.max()),
    }
    supply = (("active", daily_active), ("can_go_live", daily_can_go_live), ("live_hours", daily_live))
    for name, daily in supply if daily_active.size - config.run.burn_in_days >= SUPPLY_DAYS else ():
        span = daily[-SUPPLY_DAYS:].astype(float)
        means = span.reshape(-1, WINDOW_DAYS).mean(axis=1)
        figures[f"{name}_deviation"] = float(np.max(np.abs(means / span.mean() - 1)))
        figures[f"{name}_drift"] = float(span[SUPPLY_DAYS // 2:].mean() / span[:SUPPLY_DAYS // 2].mean() - 1)
    return figures


INTENSIVE = (("viewers_per_live_room", "viewers per live room", "{:.1f}"),
             ("share_live", "share of active creators live in an hour", "{:.1%}"),
             ("creators_active", "creators active per creator at the start", "{:.2f}"),
             ("brand_cpm_usd", "brands' CPM (USD)", "{:.2f}"),
             ("payer_ratio", "payer ratio", "{:.2%}"),
             ("creator_share_of_spend", "creator share of viewers' spend", "{:.1%}"),
             ("arpu_usd", "ARPU, a month (USD)", "{:.3f}"),
             ("drop_gift_share", "viewers' gifts paid with dropped coins, by count", "{:.1%}"),
             ("drop_coin_share", "viewers' gifted coins that brands dropped", "{:.1%}"),
             ("few_creators_share", "paid gifters who gave to 3 or fewer creators (over the 62 days)", "{:.1%}"))
STEADY = (("active_deviation", "creators active: largest 10-day deviation, last 60 days", "{:.1%}"),
          ("active_drift", "creators active: last 30 days over the 30 before, less one", "{:+.1%}"),
          ("can_go_live_deviation", "creators who can go live: largest 10-day deviation, last 60 days", "{:.1%}"),
          ("can_go_live_drift", "creators who can go live: last 30 days over the 30 before, less one", "{:+.1%}"),
          ("live_hours_deviation", "live hours: largest 10-day deviation, last 60 days", "{:.1%}"),
          ("live_hours_drift", "live hours: last 30 days over the 30 before, less one", "{:+.1%}"),
          ("mean_session_h", "mean session (h)", "{:.2f}"),
          ("median_session_h", "median session (h)", "{:.1f}"),
          ("p99_session_h", "99th percentile session (h)", "{:.1f}"),
          ("longest_stretch_h", "longest continuous live stretch (h)", "{:.0f}"),
          ("top_live_hours_per_day", "most live hours a day of any creator, on average (h)", "{:.1f}"))


def cell(values: list[float], fmt: str) -> str:
    """Mean [lowest, highest] over seeds."""
    return f"{fmt.format(np.mean(values))} [{fmt.format(min(values))}, {fmt.format(max(values))}]"


def tables(results: dict[int, list[dict[str, float]]]) -> str:
    """The two Markdown tables: intensive metrics with the change between the sizes, then supply and sessions."""
    sizes = sorted(results)
    head = " | ".join(f"{size:,} viewers: mean [min, max]" for size in sizes)
    lines = [f"| measure | {head} | {sizes[-1]:,} over {sizes[0]:,} |", "|---|" + "---|" * len(sizes) + "---:|"]
    for key, label, fmt in INTENSIVE:
        columns = [[run[key] for run in results[size]] for size in sizes]
        ratio = np.mean(columns[-1]) / np.mean(columns[0]) - 1 if np.mean(columns[0]) else float("nan")
        lines.append(f"| {label} | " + " | ".join(cell(c, fmt) for c in columns) + f" | {ratio:+.1%} |")
    lines += ["", f"| measure | {head} |", "|---|" + "---|" * len(sizes)]
    for key, label, fmt in STEADY:
        lines.append(f"| {label} | " + " | ".join(cell([run[key] for run in results[s]], fmt) for s in sizes) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000], help="viewers (default 20,000 "
                        "and 200,000)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per size (default 3)")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="config overrides")
    parser.add_argument("--burn-in", type=int, default=BURN_IN_DAYS, help=f"burn-in days, a whole number of weeks "
                        f"(default {BURN_IN_DAYS}); {MEASURED_DAYS} measured days follow")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/calibration.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = {}
    for size in args.sizes:
        config = scaled_config(size, args.burn_in + MEASURED_DAYS, args.burn_in, tuple(args.set))
        results[size] = [measure(config, seed) for seed in range(args.seeds)]
    text = (tables(results) + f"\n\nconfigs/default.yaml with creators and brands scaled with viewers, "
            f"{args.burn_in + MEASURED_DAYS}-day runs ({args.burn_in}-day burn-in; the supply's last 60 days are days "
            f"{args.burn_in + MEASURED_DAYS - SUPPLY_DAYS}-{args.burn_in + MEASURED_DAYS}), seeds 0-{args.seeds - 1}"
            f"{''.join(', ' + o for o in args.set)}; generated by `benchmarks/scale_invariance.py` "
            f"in {time.perf_counter() - started:.0f} s.")
    print(text)
    if args.write:
        publish(DOC, "scale-invariance", text)


if __name__ == "__main__":
    main()
