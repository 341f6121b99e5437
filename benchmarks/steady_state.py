"""Measure the start's transient, and how long a burn-in (``run.burn_in_days``) removes it.

Takes: about 3 minutes on 2 cores (198 s at 200,000 viewers, 5 seeds; docs/calibration.md).

Run on demand::

    .venv/bin/python -m benchmarks.steady_state --write      # prints the table, rewrites docs/calibration.md's
    .venv/bin/python -m benchmarks.steady_state --viewers 20000 --seeds 3   # smaller, faster, lumpier

The TikTok preset (``configs/default.yaml``) with its populations scaled to ``--viewers`` (creators and
brands in the preset's proportion), run for the longest burn-in tried plus 60 days, without a burn-in,
on each seed. A burn-in of B days (whole weeks) gives exactly the same hours as the first B days of
such a run (``tests/test_measure.py`` checks it), so each burn-in's measured window is days B+1 to
B+60 of it. Per burn-in: daily paid spend (viewers' gross spend, ``new_gross_spend_usd``) summed over
the seeds, its 7-day moving average over the window's days 1-60 relative to the window's mean (the
lowest and highest), and the mean daily spend of week 1 against week 4, each with the same for the
least and most of the seeds taken one by one; and the coin float (coins in viewers' and brands' wallets) at the
burn-in's end, in days of purchases (the summary's ``coin_float_days`` is the viewers' own at a run's end).
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
WINDOW_DAYS = 60
BURN_INS = (0, 7, 14, 21, 28, 35, 42)


def daily_series(viewers: int, days: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each day of a run without burn-in: viewers' gross spend (USD), and the coin float at the day's end in days
    of purchases (coins in wallets over the run's mean coins bought a day)."""
    base = sim.load_config(REPO / "configs" / "default.yaml")
    scale = viewers / base.population.viewers
    config = sim.load_config(REPO / "configs" / "default.yaml", [
        f"population.viewers={viewers}", f"population.creators={round(base.population.creators * scale)}",
        f"population.brands={max(1, round(base.population.brands * scale))}", f"run.days={days}",
        "run.burn_in_days=0"])
    days_of = sim.run(config, seed=seed).timeseries.groupby("day")
    bought = days_of["new_coins_bought"].sum().to_numpy()
    return days_of["new_gross_spend_usd"].sum().to_numpy(), days_of["n_coin_float"].last().to_numpy() / bought.mean()


def window_figures(daily: np.ndarray, burn_in: int) -> tuple[float, float, float]:
    """For the window after ``burn_in`` days: the lowest and highest 7-day average over the window's mean, and
    week 1's mean over week 4's."""
    window = daily[burn_in:burn_in + WINDOW_DAYS]
    weekly = np.convolve(window, np.ones(7) / 7, mode="valid") / window.mean()
    return float(weekly.min()), float(weekly.max()), float(window[:7].mean() / window[21:28].mean())


def table(viewers: int, seeds: range) -> str:
    """The markdown table: one row per burn-in."""
    days = max(BURN_INS) + WINDOW_DAYS
    series = [daily_series(viewers, days, seed) for seed in seeds]
    per_seed = np.array([spend for spend, _ in series])
    coin_float = np.mean([float_days for _, float_days in series], axis=0)
    total = per_seed.sum(axis=0)
    lines = ["| burn-in (days) | 7-day average / window mean, lowest - highest | week 1 / week 4 | "
             "week 1 / week 4, seeds one by one (lowest - highest) | mean daily spend (USD, all seeds) | "
             "coin float at the burn-in's end (days of purchases, mean over seeds) |",
             "|---:|---|---:|---|---:|---:|"]
    for burn_in in BURN_INS:
        low, high, weeks = window_figures(total, burn_in)
        one_by_one = [window_figures(daily, burn_in)[2] for daily in per_seed]
        lines.append(f"| {burn_in} | {low:.2f} - {high:.2f} | {weeks:.2f} | {min(one_by_one):.2f} - "
                     f"{max(one_by_one):.2f} | {total[burn_in:burn_in + WINDOW_DAYS].mean():,.0f} | "
                     f"{coin_float[burn_in - 1] if burn_in else 0:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=200_000, help="viewers (default 200,000)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds (default 5)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/calibration.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    text = (table(args.viewers, range(args.seeds)) + f"\n\nconfigs/default.yaml at {args.viewers:,} viewers (creators "
            f"and brands scaled with them), seeds 0-{args.seeds - 1}, {max(BURN_INS) + WINDOW_DAYS} days each; "
            f"generated by `benchmarks/steady_state.py` in {time.perf_counter() - started:.0f} s.")
    print(text)
    if args.write:
        publish(DOC, "steady-state", text)


if __name__ == "__main__":
    main()
