"""One run's figures, and runs side by side.

Each function takes a run's results (its tables or its summary) and returns a matplotlib
:class:`~matplotlib.figure.Figure` in the house style (:mod:`sim.figures.style`); nothing here runs a
model. :func:`run_figures` draws every figure of :data:`RUN_FIGURES` from a results folder, the dict
:func:`sim.io.folder.read_results` returns, or a :class:`sim.RunResult`, and :func:`save_run_figures`
writes them (``giftsim plot`` and the results folder use it). :func:`compare_runs_figure` sets runs
side by side. Every number drawn is one the run reported (``summary.json`` or its tables).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MultipleLocator

from sim.engine.metrics import gini, lorenz_curve
from sim.figures.style import (
    COLUMN_WIDTH_IN,
    DEFAULT_DPI,
    DEFAULT_HEIGHT_IN,
    GREY,
    HOUSE_STYLE,
    OKABE_ITO,
    figure_width,
    legend_below,
    metric_label,
    new_figure,
    percent_axis,
    plain_number,
    save_figures,
    thousands_axis,
)
from sim.io.folder import read_results
from sim.io.provenance import figure_provenance, run_meta

CHANNEL_NAMES = {"ios": "iOS", "android": "Android", "web": "Web"}
GROUP_AXIS_LABELS = {"region": "Viewer's region", "channel": "Purchase channel"}
# The groups of bars in the comparison of runs: one panel per unit, so bars on an axis share it.
COMPARED_SHARES = (
    ("creator_share_of_spend", "Creator share\nof spend"),
    ("creator_share_of_gifted_spend", "Creator share of\ngifted spend"),
    ("creator_income_gini", "Creator\nincome Gini"),
)
COMPARED_DOLLARS = (
    ("gross_spend_usd", "Gross\nviewer spend"),
    ("creator_income_usd", "Creator\nincome"),
    ("platform_revenue_usd", "Platform\nrevenue"),
)


# Points a Lorenz curve is drawn with at most: a double column at 300 dpi is about 2,100 pixels wide, so the
# drawn curve is the same, where a million viewers' 1,000,001 points took 0.15-0.25 s more to draw and save.
LORENZ_POINTS = 4001


def lorenz_figure(creators: pd.DataFrame, viewers: pd.DataFrame | None = None, *, width: str | float = "single"
                  ) -> Figure:
    """Lorenz curves of creator income (and of viewers' spend), with their Gini in the legend.

    Most active viewers pay nothing, so the curve of all active viewers' spend (the summary's
    ``viewer_spend_gini``, near 1) runs along the axes; the curve of payers' spend alone shows how
    concentrated spending is among those who pay (the whales).

    Args:
        creators: ``creators.parquet``; uses ``income_usd``.
        viewers: ``viewers.parquet``; uses ``spend_usd`` of viewers online at least once (as the
            summary's ``viewer_spend_gini`` does), and of those who spent anything (payers).
            Leave out for creators only.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).
    """
    series = [("Creator income", creators["income_usd"].to_numpy())]
    if viewers is not None:
        spend = viewers.loc[viewers["hours_online"] > 0, "spend_usd"].to_numpy()
        series += [("Active viewers' spend", spend), ("Payers' spend", spend[spend > 0])]
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), COLUMN_WIDTH_IN))  # square at one column's width
        ax = fig.subplots()
        for (label, values), style in zip(series, ("-", ":", "--"), strict=False):
            x, y = thinned(*lorenz_curve(values), LORENZ_POINTS)
            ax.plot(x, y, linestyle=style, label=f"{label} (Gini {gini(values):.2f})")
        ax.plot([0, 1], [0, 1], color=GREY, linestyle="-", linewidth=0.6, label="Equality")
        ax.set(xlabel="Cumulative share of people, lowest first (%)", ylabel="Cumulative share of the total (%)",
               xlim=(0, 1), ylim=(0, 1))
        percent_axis(ax.xaxis)
        percent_axis(ax.yaxis)
        ax.set_aspect("equal")
        ax.legend(loc="upper left")
    return fig


def thinned(x: np.ndarray, y: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``most`` points of a curve, evenly spaced along it by index, the first and last kept."""
    if x.size <= most:
        return x, y
    keep = np.unique(np.linspace(0, x.size - 1, most).round().astype(np.int64))
    return x[keep], y[keep]


def income_ccdf_figure(creators: pd.DataFrame, *, width: str | float = "single") -> Figure:
    """Complementary CDF of creator income on log-log axes: the share of creators earning at least x.

    Creators who earned nothing cannot sit on a log axis; they count in the shares (which are of all
    creators, so the curve starts at the share who earned anything) and their number is printed.

    Args:
        creators: ``creators.parquet``; uses ``income_usd``.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).
    """
    income = np.sort(creators["income_usd"].to_numpy(dtype=float))
    earners = income[income > 0]
    # P(income >= x) at each earner's income, over all creators.
    share_at_least = (earners.size - np.arange(earners.size)) / max(income.size, 1)
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), DEFAULT_HEIGHT_IN))
        ax = fig.subplots()
        ax.step(earners, share_at_least, where="post", color=OKABE_ITO[0])
        ax.set(xscale="log", yscale="log", ylim=(None, 1), xlabel="Creator income over the run, x (USD)",
               ylabel="Share of creators earning ≥ x")
        for axis in (ax.xaxis, ax.yaxis):  # 0.01, 0.1, 1, 10 read more easily than powers of ten
            axis.set_major_formatter(FuncFormatter(plain_number))
        ax.text(0.03, 0.03, f"{income.size - earners.size:,} of {income.size:,} creators earned nothing (not shown)",
                transform=ax.transAxes, fontsize=7, color="0.3")
    return fig


def viewer_dollar_figure(
    summary: Mapping[str, Any], groups: Iterable[str] = ("region", "channel"), *, width: str | float = "single",
) -> Figure:
    """Where each viewer dollar went: tax, store fees, platform, creators, agencies, unspent coins.

    One panel per grouping (the viewer's region, the purchase channel), one bar per group, each the
    shares of the money paid for that group's coins: what viewers paid, plus what brands paid for
    coins they dropped into those viewers' wallets (the summary cannot tell the two apart after the
    coins are gifted, so both count). The parts sum to 100%. When the run had agencies or payout
    fees, their part of creator income is shown, estimated in every group at the run-wide rate
    (the summary records them per run, not per group).

    Args:
        summary: ``summary.json``; uses ``by_region``, ``by_channel``, ``creator_income_usd``,
            ``agency_usd`` and ``payout_fees_usd``.
        groups: Groupings to draw, one panel each: ``"region"``, ``"channel"`` or both.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).
    """
    groups = tuple(groups)
    parts = _dollar_parts(summary)
    tables = {group: _groups_with_money(summary[f"by_{group}"]) for group in groups}
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 1.3 + 0.24 * sum(len(t) for t in tables.values())))
        axes = fig.subplots(len(groups), 1, sharex=True, squeeze=False,
                            height_ratios=[max(len(t), 1) for t in tables.values()])
        for ax, (group, table) in zip(axes[:, 0], tables.items(), strict=True):
            names = [CHANNEL_NAMES.get(name, name) if group == "channel" else name for name in table]
            total = np.array([m["gross_spend_usd"] + m["dropped_value_usd"] for m in table.values()])
            left = np.zeros(len(table))
            for label, colour, value in parts:
                share = np.array([value(m) for m in table.values()]) / total
                ax.barh(names, share, left=left, height=0.7, color=colour, label=label)
                left += share
            ax.set_ylabel(GROUP_AXIS_LABELS[group])
            ax.invert_yaxis()  # first group on top, in the config's order
        bottom = axes[-1, 0]
        bottom.set(xlim=(0, 1), xlabel="Share of the money paid for viewers' coins (%)")
        percent_axis(bottom.xaxis)
        fig.align_ylabels(axes[:, 0])
        legend_below(fig, *axes[0, 0].get_legend_handles_labels(), most_columns=3)
    return fig


def engagement_figure(timeseries: pd.DataFrame, *, width: str | float = "single") -> Figure:
    """Concurrent viewers and gifts per hour over the run (UTC), showing the daily rhythm.

    Args:
        timeseries: ``timeseries.parquet``; uses ``step``, ``n_viewers_watching`` and ``new_gifts``.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).
    """
    days = (timeseries["step"] - 1) / 24  # the start of each hour, in days since the start
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 3.0))
        watching, gifting = fig.subplots(2, 1, sharex=True)
        watching.plot(days, timeseries["n_viewers_watching"], color=OKABE_ITO[0], linewidth=0.9)
        watching.set(ylabel="Concurrent viewers\n(viewers)", ylim=(0, None))
        gifting.plot(days, timeseries["new_gifts"], color=OKABE_ITO[1], linewidth=0.9)
        gifting.set(ylabel="Gifts sent\n(gifts per hour)", ylim=(0, None), xlim=(0, days.iloc[-1] + 1 / 24),
                    xlabel="Time since the start (days, UTC)")
        if days.iloc[-1] < 15:  # a tick per day while they stay legible
            gifting.xaxis.set_major_locator(MultipleLocator(1))
        thousands_axis(watching.yaxis)
        thousands_axis(gifting.yaxis)
        fig.align_ylabels()
    return fig


def regions_figure(summary: Mapping[str, Any], *, width: str | float = "single") -> Figure:
    """Regions compared: ARPU, payer ratio and creator share, by the viewer's region.

    The creator share is shown of all spend and of the spend on coins that were gifted: coins still
    in wallets at the end lower the first, not the second. A dashed line marks the whole run, in
    the colour of the bars it belongs to.

    Args:
        summary: ``summary.json``; uses ``arpu_usd``, ``payer_ratio``, ``creator_share_of_spend`` and
            ``creator_share_of_gifted_spend``, of the whole run and of each region in ``by_region``.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).
    """
    table = summary["by_region"]
    names = list(table)
    x = np.arange(len(names))
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 4.2))
        arpu_ax, payer_ax, share_ax = fig.subplots(3, 1, sharex=True)
        arpu_ax.bar(x, [m["arpu_usd"] for m in table.values()], width=0.6, color=OKABE_ITO[0])
        arpu_ax.axhline(summary["arpu_usd"], color=GREY, linestyle="--", linewidth=0.8)
        arpu_ax.set_ylabel(metric_label("arpu_usd").replace(" (", "\n(", 1))  # the name, then its unit
        payer_ax.bar(x, [m["payer_ratio"] for m in table.values()], width=0.6, color=OKABE_ITO[2])
        payer_ax.axhline(summary["payer_ratio"], color=GREY, linestyle="--", linewidth=0.8)
        payer_ax.set_ylabel("Payer ratio\n(% of active viewers)")
        percent_axis(payer_ax.yaxis)
        bar_width = 0.38
        shares = (("creator_share_of_spend", "Of all spend", OKABE_ITO[1], -1),
                  ("creator_share_of_gifted_spend", "Of spend on gifted coins", OKABE_ITO[4], 1))
        for key, label, colour, side in shares:
            share_ax.bar(x + side * bar_width / 2, [m[key] for m in table.values()], width=bar_width, color=colour,
                         label=label)
            # Two run-wide shares: each line in its bars' colour, so that the two stay apart
            share_ax.axhline(summary[key], color=colour, linestyle="--", linewidth=0.8)
        share_ax.set(ylabel="Creator share\n(% of spend)", ylim=(0, None), xlabel="Viewer's region")
        percent_axis(share_ax.yaxis)
        share_ax.set_xticks(x, names)
        fig.align_ylabels()
        handles, entries = share_ax.get_legend_handles_labels()
        handles.append(Line2D([], [], color=GREY, linestyle="--", linewidth=0.8))
        legend_below(fig, handles, [*entries, "All regions (dashed)"], most_columns=3)
    return fig


def compare_runs_figure(runs: Mapping[str, str | Path | Mapping[str, Any]], *, width: str | float = "single"
                        ) -> Figure:
    """Runs (presets, configs, seeds) side by side: shares and Gini above, dollar totals below.

    Grouped bars, one group per measure and one bar per run; the two panels keep measures with
    different units on different axes.

    Args:
        runs: Label to a results folder, its ``summary.json`` dict, or the dict
            :func:`sim.io.folder.read_results` returns, in the order to draw them; up to eight.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).

    Raises:
        ValueError: No runs, or more than the palette's eight colours can tell apart.
    """
    if not 0 < len(runs) <= len(OKABE_ITO):
        raise ValueError(f"compare 1 to {len(OKABE_ITO)} runs, got {len(runs)}")
    summaries = {label: _summary(run) for label, run in runs.items()}
    bar_width = 0.8 / len(summaries)
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 4.0))
        share_ax, dollar_ax = fig.subplots(2, 1)
        for ax, measures in ((share_ax, COMPARED_SHARES), (dollar_ax, COMPARED_DOLLARS)):
            x = np.arange(len(measures))
            for i, (label, summary) in enumerate(summaries.items()):
                offset = (i - (len(summaries) - 1) / 2) * bar_width
                ax.bar(x + offset, [summary[key] for key, _ in measures], width=bar_width, color=OKABE_ITO[i],
                       label=label)
            ax.set_xticks(x, [name for _, name in measures])
            ax.axhline(0, color="black", linewidth=0.6)  # platform revenue can be negative
        share_ax.set(ylabel="Share or Gini index (0-1)", ylim=(0, 1))
        dollar_ax.set_ylabel("Total over the run (USD)")
        thousands_axis(dollar_ax.yaxis)
        legend_below(fig, *share_ax.get_legend_handles_labels(), most_columns=4)
    return fig


def run_figures(
    results: str | Path | Mapping[str, Any] | Any, names: Iterable[str] | None = None, *,
    width: str | float = "single",
) -> dict[str, Figure]:
    """Draw a run's figures.

    Args:
        results: A results folder, the dict :func:`sim.io.folder.read_results` returns, or a
            :class:`sim.RunResult`.
        names: Which of :data:`RUN_FIGURES` to draw (default all), e.g. ``["lorenz"]``.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).

    Returns:
        Figure name (the file name without extension) to figure, in :data:`RUN_FIGURES` order.

    Raises:
        KeyError: An unknown figure name.
        ValueError: An unknown width.
    """
    wanted = list(RUN_FIGURES) if names is None else list(names)
    unknown = sorted(set(wanted) - set(RUN_FIGURES))
    if unknown:
        raise KeyError(f"unknown figures {unknown}; choose from {list(RUN_FIGURES)}")
    data = _run_data(results)
    return {name: draw(data, width) for name, draw in RUN_FIGURES.items() if name in wanted}


def save_run_figures(
    results: str | Path | Mapping[str, Any] | Any, directory: str | Path, *, names: Iterable[str] | None = None,
    formats: Iterable[str] = ("png",), dpi: int = DEFAULT_DPI, width: str | float = "single",
) -> list[Path]:
    """Draw a run's figures (:func:`run_figures`) and write them into ``directory``; return the files.

    Each file records where the run came from (:func:`sim.io.provenance.figure_provenance`): from
    the folder's ``meta.json``, or for a :class:`sim.RunResult` from the run's config and seed and
    the giftsim checkout drawing it. A dict without ``meta`` gives files without provenance.

    Args:
        results: A results folder, the dict :func:`sim.io.folder.read_results` returns, or a
            :class:`sim.RunResult`.
        directory: Where to write; created if missing.
        names: Which of :data:`RUN_FIGURES` (default all).
        formats: Any of ``"png"``, ``"svg"``, ``"pdf"``.
        dpi: PNG resolution.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).
    """
    data = _run_data(results)
    return save_figures(run_figures(data, names, width=width), directory, formats, dpi,
                        provenance=_provenance(results, data))


# A run's figures, by file name, in the order they are drawn and listed; each drawn at a width.
RUN_FIGURES: dict[str, Callable[[Mapping[str, Any], str | float], Figure]] = {
    "lorenz": lambda run, width: lorenz_figure(run["creators"], run["viewers"], width=width),
    "income_ccdf": lambda run, width: income_ccdf_figure(run["creators"], width=width),
    "viewer_dollar": lambda run, width: viewer_dollar_figure(run["summary"], width=width),
    "regions": lambda run, width: regions_figure(run["summary"], width=width),
    "engagement": lambda run, width: engagement_figure(run["timeseries"], width=width),
}


def _run_data(results: str | Path | Mapping[str, Any] | Any) -> Mapping[str, Any]:
    if isinstance(results, str | Path):
        return read_results(results)
    if isinstance(results, Mapping):
        return results
    return {name: getattr(results, name) for name in ("timeseries", "viewers", "creators", "summary")}


def _provenance(results: str | Path | Mapping[str, Any] | Any, data: Mapping[str, Any]) -> dict[str, str] | None:
    """The provenance of a results folder or dict from its meta, or of a RunResult as its folder would record it."""
    if "meta" in data:
        return figure_provenance(data["meta"])
    if isinstance(results, Mapping):
        return None
    return figure_provenance(run_meta(results.config, results.seed))


def _summary(run: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    """The summary of a results folder, of a read_results dict, or the summary itself."""
    if isinstance(run, str | Path):
        return json.loads((Path(run) / "summary.json").read_text(encoding="utf-8"))
    return run["summary"] if "summary" in run else run


def _dollar_parts(summary: Mapping[str, Any]) -> list[tuple[str, str, Callable[[Mapping[str, float]], float]]]:
    """The parts of a group's coin money, in stacking order: label, colour, and its USD in a group."""
    income = summary["creator_income_usd"]
    cut = (summary["agency_usd"] + summary["payout_fees_usd"]) / income if income else 0.0
    parts = [
        ("Tax", OKABE_ITO[5], lambda m: m["tax_usd"]),
        ("Store and payment fees", OKABE_ITO[1], lambda m: m["store_fees_usd"]),
        ("Platform", OKABE_ITO[0], lambda m: m["platform_revenue_usd"]),
        ("Creators", OKABE_ITO[2], lambda m: m["creator_income_usd"] * (1 - cut)),
    ]
    if cut > 0:
        parts.append(("Agencies and payout fees", OKABE_ITO[4], lambda m: m["creator_income_usd"] * cut))
    parts.append(("Coins not yet gifted", "0.82", lambda m: m["unspent_usd"]))
    return parts


def _groups_with_money(table: Mapping[str, Mapping[str, float]]) -> dict[str, Mapping[str, float]]:
    return {name: m for name, m in table.items() if m["gross_spend_usd"] + m["dropped_value_usd"] > 0}
