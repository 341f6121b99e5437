"""How precise one run's answer is: seed-to-seed spread, whales, and how well two arms stay paired.

Takes: about 3 minutes on 2 cores (``--viewers 20000 200000 --seeds 8 --pairs 4 --answer``: 176 s on 2
workers; docs/precision.md).

Measures, on the default config (``run.days`` 30 after a 14-day burn-in) at a given size:

- the seed-to-seed coefficient of variation of gross spend, creator income and platform revenue,
  under stratified and i.i.d. sampling (``population.sampling``);
- the top viewer's share of spend and the top 1% of payers' share of gifted value, seed by seed;
- Indonesia's coin price x0.8 against x1.0 on the same seeds: how far the other regions' gross spend
  moves (it should not: their draws are the same), and the 95% t half-width of the paired change in
  creator income, relative to the baseline's income.

Usage::

    .venv/bin/python -m benchmarks.precision                      # 20,000 viewers, 8 seeds, 4 pairs
    .venv/bin/python -m benchmarks.precision --viewers 200000 --seeds 8 --pairs 0
    .venv/bin/python -m benchmarks.precision --viewers 20000 --seeds 16 --pairs 8 --answer --write   # docs/precision.md
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
from scipy import stats

import sim
from benchmarks.doc_sections import publish

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "precision.md"
HEADLINE = ("gross_spend_usd", "creator_income_usd", "platform_revenue_usd")


def _one(args: tuple) -> dict:
    viewers, seed, sampling, id_price, settings = args
    creators, brands = max(1, viewers // 50), max(1, viewers // 2000)
    config = sim.load_config("configs/default.yaml", overrides=[
        f"population.viewers={viewers}", f"population.creators={creators}", f"population.brands={brands}",
        f"population.sampling={sampling}", "run.days=30", "run.burn_in_days=14",
        f"regions.ID.price_multiplier={id_price}", *settings])
    result = sim.run(config, seed=seed)
    s = result.summary
    return {"seed": seed, "sampling": sampling, "id_price": id_price, **{k: s[k] for k in HEADLINE},
            "top_viewer_spend_share": s["top_viewer_spend_share"], "effective_payers": s["effective_payers"],
            "top1_payer_gift_share": s["top1_payer_gift_share"],
            "by_region": {r: v["gross_spend_usd"] for r, v in s["by_region"].items()}}


def _cv(values: list[float]) -> float:
    return float(np.std(values, ddof=1) / np.mean(values))


def seed_spread(viewers: int, seeds: int, sampling: str, pool: ProcessPoolExecutor,
                settings: tuple[str, ...] = ()) -> tuple[list[dict], str]:
    """Run ``seeds`` seeds; a Markdown row of the CVs and the whales' shares."""
    rows = list(pool.map(_one, [(viewers, seed, sampling, 1.0, settings) for seed in range(seeds)]))
    cvs = " | ".join(f"{_cv([r[k] for r in rows]):.1%}" for k in HEADLINE)
    top = [r["top_viewer_spend_share"] for r in rows]
    top1 = [r["top1_payer_gift_share"] for r in rows]
    in_band = sum(0.30 <= t <= 0.60 for t in top1)
    return rows, (f"| {viewers:,} | {sampling} | {seeds} | {cvs} | {np.mean(top):.1%} ({min(top):.1%}-{max(top):.1%}) "
                  f"| {min(top1):.0%}-{max(top1):.0%} ({in_band} of {seeds} in 30-60%) |")


def pairing(viewers: int, pairs: int, pool: ProcessPoolExecutor, settings: tuple[str, ...] = ()) -> str:
    """Indonesia x0.8 against x1.0 on ``pairs`` seeds: a Markdown paragraph of what moved."""
    jobs = [(viewers, seed, "stratified", price, settings) for seed in range(pairs) for price in (1.0, 0.8)]
    rows = list(pool.map(_one, jobs))
    base, cut = rows[0::2], rows[1::2]
    others = [abs(c["by_region"][r] / b["by_region"][r] - 1) for b, c in zip(base, cut, strict=True)
              for r in b["by_region"] if r != "ID" and b["by_region"][r] > 0]
    change = np.array([c["creator_income_usd"] - b["creator_income_usd"] for b, c in zip(base, cut, strict=True)])
    income = np.mean([b["creator_income_usd"] for b in base])
    half = stats.t.ppf(0.975, pairs - 1) * change.std(ddof=1) / np.sqrt(pairs)
    return (f"- {viewers:,} viewers, {pairs} pairs (seeds 0-{pairs - 1}): the other regions' gross spend moved by "
            f"a median {np.median(others):.2%} (largest {max(others):.2%}); the change in creator income was "
            f"{change.mean() / income:+.1%} of the baseline's, 95% t half-width {half / income:.1%}.")


def time_to_answer(workers: int) -> str:
    """Run configs/sweeps/indonesia_price.yaml (replicates until +/-2%) and say how long the answer took."""
    from sim.sweeps.compare import holm_comparison, mean_interval

    baseline = {"regions__ID__price_multiplier": 1.0}
    with tempfile.TemporaryDirectory() as folder:
        load = os.getloadavg()[0]
        report = sim.sweep(REPO / "configs" / "sweeps" / "indonesia_price.yaml", out=Path(folder) / "answer",
                           workers=workers, progress=False)
        results = sim.open_results(Path(folder) / "answer")
        table = holm_comparison(results.runs, results.parameter_columns, baseline,
                                ["gross_spend_usd", "creator_income_usd", "platform_revenue_usd", "payers"])
        changes = results.differences(baseline, ["creator_income_usd"])  # at 95%
        paired = changes.loc[changes["regions__ID__price_multiplier"] != 1.0].iloc[0]
        at_baseline = results.runs.loc[results.runs["regions__ID__price_multiplier"] == 1.0, "creator_income_usd"]
    mean, low, high = mean_interval(at_baseline)
    unpaired_half, paired_half = (high - low) / 2, (paired["high"] - paired["low"]) / 2
    lines = [f"- `giftsim sweep configs/sweeps/indonesia_price.yaml` on {workers} workers: {report.succeeded} runs in "
             f"{report.wall_time_s:.0f} s (load average {load:.1f} at the start); {report.precision_note}.",
             f"- Pairing's worth: the 95% half-width of the baseline's mean creator income over those replicates is "
             f"{unpaired_half / mean:.1%} of it; that of the paired change, {paired_half / mean:.1%}: "
             f"{unpaired_half / paired_half:.1f} times narrower.",
             "- `giftsim compare` on it (Bonferroni intervals over 4 metrics, Holm-adjusted p-values):"]
    for _, row in table.iterrows():
        scale = abs(row["baseline"])
        low, high = row["low"] / scale, row["high"] / scale
        lines.append(f"  - {row['metric']}: {row['relative']:+.1%} [{low:+.1%}, {high:+.1%}], "
                     f"p = {row['p_holm']:.2g}: {row['verdict']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, nargs="+", default=[20_000])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sampling", nargs="+", default=["stratified", "iid"])
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="PATH=VALUE",
                        help="a config setting for every run (to probe a mechanism's part)")
    parser.add_argument("--answer", action="store_true", help="also time the Indonesia question to +/-2%%")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/precision.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    table, paired = [], []
    with ProcessPoolExecutor(args.workers) as pool:
        for viewers in args.viewers:
            for sampling in args.sampling if args.seeds else ():
                _, row = seed_spread(viewers, args.seeds, sampling, pool, tuple(args.settings))
                print(row, flush=True)
                table.append(row)
            if args.pairs:
                paired.append(pairing(viewers, args.pairs, pool, tuple(args.settings)))
                print(paired[-1], flush=True)
    answer = time_to_answer(args.workers) if args.answer else None
    if answer:
        print(answer)
    stamp = f"Measured {date.today()} by `python -m benchmarks.precision {' '.join(sys.argv[1:])}` " \
            f"({time.perf_counter() - started:.0f} s on {args.workers} workers, load average " \
            f"{os.getloadavg()[0]:.1f} at the end)."
    print(stamp)
    if args.write:
        header = ["| viewers | sampling | seeds | CV gross spend | CV creator income | CV platform revenue "
                  "| top viewer's share of spend: mean (range) | top 1% of payers' share of gifts |",
                  "|---|---|---|---|---|---|---|---|"]
        if table:
            publish(DOC, "precision_spread", "\n".join([*header, *table, "", stamp]))
        if paired:
            publish(DOC, "precision_pairing", "\n".join([*paired, "", stamp]))
        if answer:
            publish(DOC, "precision_answer", "\n".join([answer, "", stamp]))


if __name__ == "__main__":
    main()
