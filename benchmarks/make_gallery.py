"""Regenerate docs/figures.md and docs/figures/: every figure giftsim draws, as a gallery.

Takes: not measured.

Run on demand::

    .venv/bin/python -m benchmarks.make_gallery           # draws every figure, prints their names
    .venv/bin/python -m benchmarks.make_gallery --write   # and saves them and rewrites docs/figures.md

The run figures are those of ``configs/default.yaml`` with seed 0 (what ``giftsim plot`` writes);
the comparison runs the four presets with seed 0; the sweep figures come from a small sweep of the
default config (feed popularity weighting against the share of the feed kept for small creators,
five seeds each, common to every point) built by the DataFrame contract of
:func:`sim.figures.sweep_figure`, with axis labels from the config schema.
"""

from __future__ import annotations

import argparse
import itertools
import re
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

import sim
from sim import figures
from sim.engine.metrics import gini
from sim.sweeps.compare import differences, mean_interval

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "figures.md"
FIGURES = REPO / "docs" / "figures"
DPI = 150  # enough to read on screen; keeps the gallery's PNGs small
DRAWN_ON = "2026-12-07"  # the date the numbers the captions quote were measured: change it with them
SEED = 0
PRESETS = {"TikTok (default)": "default", "Twitch": "twitch", "YouTube": "youtube", "Bigo": "bigo"}
SWEEP = {"creators.popularity_exponent": [0.0, 0.5, 1.0, 1.5], "exploration.share": [0.0, 0.1, 0.3]}
SWEEP_SEEDS = range(5)
SWEEP_METRICS = ("creator_income_gini", "top1_creator_income_share", "creator_income_usd", "platform_revenue_usd")

# Each figure of the gallery: its heading, the call that draws it, and what it shows.
CAPTIONS = {
    "lorenz": ("Lorenz curves", "lorenz_figure(creators, viewers)",
               "Lorenz curves of creator income, of all active viewers' spend and of payers' spend alone, "
               "with their Gini coefficients; the grey diagonal is perfect equality. Most active viewers pay "
               "nothing, so the curve of all their spend runs along the axes (Gini {viewer_gini:.2f}); among payers, "
               "spend has a Gini of {payer_gini:.2f}, against {creator_gini:.2f} for creator income in this run."),
    "income_ccdf": ("Creator income distribution", "income_ccdf_figure(creators)",
                    "Complementary CDF of creator income on log-log axes: the share of all creators who earned at "
                    "least x over the run. A straight stretch is a power-law tail; creators who earned nothing "
                    "are counted in the shares and noted, as a log axis cannot show zero."),
    "viewer_dollar": ("Where each viewer dollar goes", "viewer_dollar_figure(summary)",
                      "Shares of the money paid for viewers' coins that went to tax, app-store and payment fees, "
                      "the platform, creators (and agencies and payout fees, when a run has them), or are still "
                      "in wallets as coins not yet gifted; by the viewer's region and by purchase channel."),
    "regions": ("Regions compared", "regions_figure(summary)",
                "Average revenue per active viewer (of the audience's spend), payer ratio and creator share by the "
                "viewer's region, as the summary reports them. The creator share is shown of all spend and of the "
                "spend on coins that were gifted; dashed lines mark the whole run, the two creator shares' each in "
                "the colour of its bars."),
    "engagement": ("Engagement over time", "engagement_figure(timeseries)",
                   "Concurrent viewers and gifts sent in each simulated hour (UTC): the daily rhythm of "
                   "viewers across time zones, and gifting that grows over the run's first days (no burn-in here) as "
                   "wallets fill."),
    "engagement_double": ("A double-column figure", 'engagement_figure(timeseries, width="double")',
                          "The same figure across a page's two columns (7.2 in; `giftsim plot --width double`): "
                          "the text keeps its size, so printed at this width it stays 7 pt and more, and the "
                          "hours spread out."),
    "compare_runs": ("Presets side by side", "compare_runs_figure({label: results_folder_or_summary, ...})",
                     "The four presets, seed 0, 7 days: creator share of all spend and of gifted spend, and "
                     "creator income Gini (above); gross viewer spend, creator income and platform revenue "
                     "(below)."),
    "sweep": ("A metric along a sweep", "sweep_figure(sweep, parameter, metric, by=...)",
              "Creator income Gini against the feed's popularity exponent, one line per share of the feed kept "
              "for small creators (`exploration.share`): the mean over 5 seeds and its t-based 95% confidence "
              "interval as a bar, each line's points set a little apart so that the bars do not overlap. Axis "
              "labels and units come from the config schema (`sim.figures.style.parameter_label`)."),
    "sweep_change": ("Changes from a baseline along a sweep",
                     "sweep_figure(sweep, parameter, metric, by=..., baseline={...})",
                     "The same sweep as a comparison with the default feed (popularity exponent "
                     "{baseline_exponent:g}, exploration share {baseline_share:g}, the open marker at zero): each "
                     "point's change in creator income Gini, paired seed by seed "
                     "(`sim.sweeps.compare.differences`), with the 95% interval of the paired "
                     "difference; a bar clear of the dashed zero line is a change the five seeds can tell. Pairing "
                     "helps as far as the two arms share their seeds' noise: at the baseline's exploration share, "
                     "the paired intervals are {paired_ratio:.0%} as wide as the same differences' intervals "
                     "without pairing, on average over the exponents."),
    "sweep_heatmap": ("A metric over two swept parameters", "sweep_heatmap_figure(sweep, x, y, metric)",
                      "The top 1% of creators' share of income on the same sweep: each cell's mean over 5 seeds, "
                      "and under it the half-width of its 95% interval (±), here {half_low:.2f} to {half_high:.2f}: "
                      "where they exceed the steps between neighbouring cells, the colours alone would "
                      "overstate what five seeds show, which the paired changes below answer better."),
    "sweep_change_heatmap": ("Changes from a baseline over two swept parameters",
                             "sweep_heatmap_figure(sweep, x, y, metric, baseline={...})",
                             "Each cell's paired change in the top 1%'s share of income from the default feed, "
                             "on a diverging scale centred on no change, with the half-width of its 95% interval; "
                             "cells whose interval includes zero are faded and hatched. Clear of zero here: "
                             "{clear_cells}."),
    "tradeoff": ("Options against a baseline", "tradeoff_figure(changes, x_metric, y_metric)",
                 "Each point of the same sweep against the default feed (popularity exponent {baseline_exponent:g}, "
                 "exploration share {baseline_share:g}, at the origin): the change in creator income and in platform "
                 "revenue, paired by seed, with 95% confidence intervals (`SweepResults.differences` or "
                 "`sim.sweeps.compare.differences`). "
                 "Options in the shaded quadrant raise both."),
}


def run_sweep() -> pd.DataFrame:
    """The sweep as the plotting contract wants it: one row per run, parameters, metrics, replicate."""
    rows = []
    for values in itertools.product(*SWEEP.values()):
        point = dict(zip(SWEEP, values, strict=True))
        config = sim.load_config(REPO / "configs" / "default.yaml", [f"{k}={v}" for k, v in point.items()])
        for seed in SWEEP_SEEDS:
            summary = sim.run(config, seed=seed).summary
            rows.append({**point, "replicate": seed, **{key: summary[key] for key in SWEEP_METRICS}})
    return pd.DataFrame(rows)


def draw_all() -> tuple[dict[str, Figure], dict[str, object]]:
    """Every figure of the gallery, by file name, and the numbers its captions quote (measured on the same data)."""
    default = sim.load_config(REPO / "configs" / "default.yaml")
    run = sim.run(default, seed=SEED)
    drawn = figures.run_figures(run)
    drawn["engagement_double"] = figures.engagement_figure(run.timeseries, width="double")
    presets = {label: sim.run(sim.load_config(REPO / "configs" / f"{name}.yaml"), seed=SEED)
               for label, name in PRESETS.items()}
    drawn["compare_runs"] = figures.compare_runs_figure({label: run.summary for label, run in presets.items()})
    sweep = run_sweep()
    parameter, by = SWEEP
    baseline = {parameter: default.creators.popularity_exponent, by: default.exploration.share}
    drawn["sweep"] = figures.sweep_figure(sweep, parameter, "creator_income_gini", by=by)
    drawn["sweep_change"] = figures.sweep_figure(sweep, parameter, "creator_income_gini", by=by, baseline=baseline)
    drawn["sweep_heatmap"] = figures.sweep_heatmap_figure(sweep, parameter, by, "top1_creator_income_share")
    drawn["sweep_change_heatmap"] = figures.sweep_heatmap_figure(sweep, parameter, by, "top1_creator_income_share",
                                                                 baseline=baseline)
    changes = differences(sweep, list(SWEEP), baseline, ["creator_income_usd", "platform_revenue_usd"])
    drawn["tradeoff"] = figures.tradeoff_figure(changes, "creator_income_usd", "platform_revenue_usd")
    return drawn, caption_numbers(run, sweep, baseline)


def caption_numbers(run, sweep: pd.DataFrame, baseline: dict[str, float]) -> dict[str, object]:
    """What the captions say, computed from the data the figures show."""
    parameter, by = SWEEP
    active = run.viewers[(run.viewers["creator_id"] == -1) & (run.viewers["watch_hours"] > 0)]
    spend = active["spend_usd"].to_numpy()
    paired = differences(sweep, list(SWEEP), baseline, ["creator_income_gini"])
    unpaired = differences(sweep, list(SWEEP), baseline, ["creator_income_gini"], paired=False)
    at_share = (paired[by] == baseline[by]) & (paired[parameter] != baseline[parameter])
    ratio = ((paired["high"] - paired["low"])[at_share] / (unpaired["high"] - unpaired["low"])[at_share]).mean()
    cells = sweep.groupby(list(SWEEP))["top1_creator_income_share"].agg(lambda v: mean_interval(v)[2] - v.mean())
    change = differences(sweep, list(SWEEP), baseline, ["top1_creator_income_share"])
    clear = change[(change["low"] > 0) | (change["high"] < 0)]
    return {
        "viewer_gini": gini(spend), "payer_gini": gini(spend[spend > 0]),
        "creator_gini": run.summary["creator_income_gini"],
        "baseline_exponent": baseline[parameter], "baseline_share": baseline[by], "paired_ratio": ratio,
        "half_low": cells.min(), "half_high": cells.max(),
        "clear_cells": "; ".join(f"exponent {row[parameter]:g} with {row[by]:g} of the feed kept for small creators "
                                 f"({row['difference']:+.3f})" for _, row in clear.iterrows()) or "none",
    }


def gallery(written: list[Path], numbers: dict[str, object]) -> str:
    """docs/figures.md, embedding the PNGs written, with the captions' numbers filled in."""
    lines = [
        "# Figures",
        "",
        "Every figure `sim.figures` draws. Each function takes results (DataFrames, the summary, or a results",
        "folder) and returns a matplotlib Figure. The first five are one run's figures, here of the default",
        "config (`configs/default.yaml`, seed 0, 7 days); `giftsim plot RESULTS` writes them for any results",
        "folder. The comparison and sweep figures take several runs and are drawn from Python",
        "(`from sim import figures`; one run's figures are in `sim/figures/run.py`, sweeps' in",
        "`sim/figures/sweep.py`, the house style, labels and saving in `sim/figures/style.py`).",
        "",
        "All share one house style: the Okabe-Ito colour-blind-safe palette (cividis for heatmaps of values,",
        "purple to orange for changes), units on every axis (a swept config parameter's label and unit are the",
        "schema's), intervals drawn as bars rather than overlapping bands, 3.5 in wide (a journal's single",
        "column) by default, or 7.2 in (`width=\"double\"`, two",
        "columns) or any width in inches, with no text under 7 pt at that width, constrained layout, text kept",
        "as text in SVG and PDF, and no timestamps, so the same results give byte-identical files. These PNGs",
        "are at 150 dpi; `giftsim plot` writes 300 dpi by default.",
        "",
        "Generated by `benchmarks/make_gallery.py` (`.venv/bin/python -m benchmarks.make_gallery --write`); run it",
        f"again after changing a figure. Drawn and measured {DRAWN_ON}.",
        "",
    ]
    for path in written:
        title, call, caption = CAPTIONS[path.stem]
        lines += [f"## {title}", "", f"`figures.{call}`, file `{path.stem}.png`", "",
                  f"![{title}](figures/{path.name})", "", caption.format(**numbers), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Draw the gallery with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help=f"save the figures in {FIGURES.relative_to(REPO)}/ and rewrite {DOC.relative_to(REPO)}")
    args = parser.parse_args(argv)
    drawn, numbers = draw_all()
    if not args.write:
        print(f"{len(drawn)} figures drawn ({', '.join(drawn)}); --write saves them and rewrites "
              f"{DOC.relative_to(REPO)}")
        return
    # Figures the gallery embedded before and draws no more; other docs' figures share the folder.
    embedded = re.findall(r"\]\(figures/([\w-]+)\.png\)", DOC.read_text(encoding="utf-8")) if DOC.exists() else []
    for stale in embedded:
        if stale not in drawn:
            (FIGURES / f"{stale}.png").unlink(missing_ok=True)
    written = figures.save_figures(drawn, FIGURES, formats=["png"], dpi=DPI)
    DOC.write_text(gallery(written, numbers), encoding="utf-8")
    print(f"{len(written)} figures in {FIGURES.relative_to(REPO)}; {DOC.relative_to(REPO)} rewritten")


if __name__ == "__main__":
    main()
