"""Measure TikTok's 2025 reward scheme (missions) against its 2024 flat share on the TikTok preset.

Takes: not measured.

Run on demand::

    .venv/bin/python -m benchmarks.rewards                       # runs configs/sweeps/tiktok_rewards.yaml
    .venv/bin/python -m benchmarks.rewards --set rewards.stream_to_minimum=false   # without creators' response

Runs the sweep (2 schemes x 5 replicates of 30 days, common random numbers) into ``--out`` (reusing the
runs already there) and prints, for each measure, the flat scheme's mean, the missions scheme's mean and
their paired difference over seeds with a t-based 95% interval (:func:`sim.sweeps.compare.differences`).
Mean session length is live hours over sessions started.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import sim
from sim.sweeps.compare import differences

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "configs" / "sweeps" / "tiktok_rewards.yaml"
PARAMETERS = ["rewards__scheme", "platform__creator_share"]
BASELINE = {"rewards__scheme": "flat", "platform__creator_share": 0.33}
METRICS = ["creator_income_usd", "median_creator_income_usd", "live_hours", "sessions", "mean_session_hours",
           "effective_creator_share", "effective_creator_share_p10", "effective_creator_share_median",
           "effective_creator_share_p90", "reward_usd", "gross_spend_usd", "platform_revenue_usd", "creators_churned"]


def measure(out: Path, overrides: list[str], workers: int | None) -> pd.DataFrame:
    """Run (or complete) the sweep and return the paired differences from the flat scheme."""
    sim.sweep(SPEC, out=out, overrides=overrides, workers=workers, resume=out.exists(), progress=False)
    results = sim.open_results(out)
    sessions = results.query("SELECT run_id, sum(new_sessions_started) AS sessions FROM timeseries GROUP BY run_id")
    runs = results.runs.merge(sessions, on="run_id")
    runs["mean_session_hours"] = runs["live_hours"] / runs["sessions"]
    return differences(runs, PARAMETERS, BASELINE, METRICS)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results" / "sweep-tiktok_rewards")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="dotted.path=value")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    table = measure(args.out, args.overrides, args.workers)
    missions = table[table["rewards__scheme"] == "missions"]
    with pd.option_context("display.width", 200, "display.float_format", "{:,.4f}".format):
        print(missions[["metric", "n", "baseline", "value", "difference", "low", "high"]].to_string(index=False))


if __name__ == "__main__":
    main()
