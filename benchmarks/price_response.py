"""Measure how demand answers to price: regional price experiments on the TikTok preset.

Takes: about 1 minute on 2 cores (66 s with 5 seeds; docs/calibration.md).

Run on demand::

    .venv/bin/python -m benchmarks.price_response --write    # prints the table, rewrites docs/calibration.md's
    .venv/bin/python -m benchmarks.price_response --seeds 3  # fewer seeds, faster

Indonesia at 0.25, 0.5, 1 and 2 times today's prices, and Brazil before and after a 58% cut (Twitch's
Mexican cut, 2021), each for 30 days after a 14-day burn-in at that price, on the same seeds (common random
numbers). Reported per region:
payers, coins bought, viewers' gross spend and creators' income from those viewers (means over seeds),
and the arc elasticity of paid spend between two prices, ln(spend ratio) / ln(price ratio), paired by
seed, with a t-based 95% interval, beside the elasticity the demand section configures at today's
price (``1 - conversion_elasticity * a - intensity_elasticity * r``, averaged over the region's viewers).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import sim
from benchmarks.doc_sections import publish
from sim.engine.mechanisms.income import relative_prices
from sim.sweeps.compare import mean_half_width
from sim.sweeps.facts import STEADY_BURN_IN_DAYS

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "calibration.md"
EXPERIMENTS = (("ID", (0.25, 0.5, 1.0, 2.0)), ("BR", (1.0, 0.42)))


def measure(region: str, multiplier: float, seeds: range) -> dict[str, np.ndarray]:
    """Per seed: the region's payers, coins bought, gross spend and the creators' income it paid for."""
    config = sim.load_config(REPO / "configs" / "default.yaml",
                             ["run.days=30", f"run.burn_in_days={STEADY_BURN_IN_DAYS}",
                              f"regions.{region}.price_multiplier={multiplier}"])
    rows = []
    for seed in seeds:
        result = sim.run(config, seed=seed)
        group = result.summary["by_region"][region]
        viewers = result.viewers[result.viewers["region"] == region]
        rows.append((group["payers"], viewers["coins_bought"].sum(), group["gross_spend_usd"],
                     group["platform_revenue_usd"], group["creator_income_usd"]))
    names = ("payers", "coins", "spend_usd", "platform_revenue_usd", "creator_income_usd")
    return dict(zip(names, np.array(rows, dtype=float).T, strict=True))


def configured_elasticity(region: str) -> float:
    """The demand section's elasticity of paid spend at today's price, averaged over the region's viewers."""
    config = sim.load_config(REPO / "configs" / "default.yaml", ["population.viewers=5000"])
    model = sim.GiftEconomy(config, rng=0)
    r, a = relative_prices(model.prices, model.viewer_state, config)
    members = model.viewer_state.region == list(config.regions).index(region)
    demand = config.demand
    return float(np.mean(1 - demand.conversion_elasticity * a[members] - demand.intensity_elasticity * r[members]))


def arc_elasticity(low: dict, high: dict, ratio: float) -> tuple[float, float]:
    """Mean and 95% half-width of ln(spend ratio) / ln(price ratio), paired by seed."""
    values = np.log(high["spend_usd"] / low["spend_usd"]) / np.log(ratio)
    return float(values.mean()), mean_half_width(float(values.std(ddof=1)), values.size)


def table(seeds: range) -> str:
    """Every experiment as a Markdown table."""
    lines = ["| region | price x | payers | coins bought | gross spend (USD) | platform revenue (USD) | "
             "creators' income (USD) | elasticity of paid spend from the row above, measured [95%] | "
             "configured at x1 |", "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    notes = []
    for region, multipliers in EXPERIMENTS:
        configured = configured_elasticity(region)
        previous, spend_by_price, revenue_by_price = None, {}, {}
        for multiplier in multipliers:
            figures = measure(region, multiplier, seeds)
            spend_by_price[multiplier] = figures["spend_usd"].mean()
            revenue_by_price[multiplier] = figures["platform_revenue_usd"].mean()
            elasticity = ""
            if previous is not None:
                mean, half = arc_elasticity(previous[1], figures, multiplier / previous[0])
                elasticity = f"{mean:.2f} [{mean - half:.2f}, {mean + half:.2f}]"
            lines.append(f"| {region} | {multiplier:g} | {figures['payers'].mean():,.0f} "
                         f"| {figures['coins'].mean():,.0f} | {figures['spend_usd'].mean():,.0f} "
                         f"| {figures['platform_revenue_usd'].mean():,.0f} "
                         f"| {figures['creator_income_usd'].mean():,.0f} "
                         f"| {elasticity} | {configured:.2f} |")
            previous = (multiplier, figures)
        if len(multipliers) > 2:
            best = max(spend_by_price, key=spend_by_price.get)
            best_revenue = max(revenue_by_price, key=revenue_by_price.get)
            notes.append(f"{region}: of the prices tried, viewers' gross spend is highest at x{best:g} (the configured "
                         f"demand puts its peak at x{1 / (1 - configured):.2f} of today's prices: 1 / "
                         "(conversion_elasticity * a + intensity_elasticity * r)), the platform's revenue at "
                         f"x{best_revenue:g}: creators are paid per coin at its nominal value whatever the coin sold "
                         "for, so below some price the platform pays out more than it takes in.")
    return "\n".join(lines) + "\n\n" + "\n".join(notes)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds per price (default 5)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/calibration.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    text = (table(range(args.seeds)) + f"\n\n30 measured days of configs/default.yaml (20,000 viewers) after a "
            f"{STEADY_BURN_IN_DAYS}-day burn-in at the same price, seeds "
            f"0-{args.seeds - 1} at every price; generated by `benchmarks/price_response.py` in "
            f"{time.perf_counter() - started:.0f} s.")
    print(text)
    if args.write:
        publish(DOC, "price-response", text)


if __name__ == "__main__":
    main()
