"""Figures of runs, of runs side by side and of parameter sweeps, in one house style for publication.

Every figure function takes results and returns a matplotlib :class:`~matplotlib.figure.Figure`;
nothing here runs a model. The house style (:data:`HOUSE_STYLE`): Okabe-Ito colour-blind-safe
colours, units on every axis, sized for a journal's single column (3.5 in wide) with no text under
7 pt at that size, constrained layout so no labels overlap, text kept as text in SVG and PDF, and no
timestamps in any file, so the same results always give byte-identical files.

One run (a results folder, the dict :func:`sim.io.folder.read_results` returns, or a
:class:`sim.RunResult`): :func:`run_figures` draws every figure of :data:`RUN_FIGURES`;
:func:`save_run_figures` writes them (``giftsim plot`` and the results folder use it).

Several runs: :func:`compare_runs_figure`. Sweeps: :func:`sweep_figure` and
:func:`sweep_heatmap_figure`, on a DataFrame with one row per run (the contract is in
:func:`sweep_figure`), and :func:`tradeoff_figure` on a table of changes from a baseline
(:mod:`sim.sweeps.compare`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed or assumed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator, PercentFormatter, StrMethodFormatter  # noqa: E402

from sim.sweeps.compare import DIFFERENCE_COLUMNS, check_replicates, mean_half_width  # noqa: E402
from sim.engine.metrics import gini, lorenz_curve  # noqa: E402

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
COLUMN_WIDTH_IN = 3.5  # a journal's single column; every figure is drawn at this width
DEFAULT_DPI = 300  # raster resolution journals ask for; only PNG uses it
FORMATS = ("png", "svg", "pdf")
HOUSE_STYLE = {
    "figure.figsize": (COLUMN_WIDTH_IN, 2.6),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,  # lays out labels and legends so that nothing overlaps
    "savefig.dpi": DEFAULT_DPI,
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "legend.frameon": False,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "ytick.minor.width": 0.4,
    "lines.linewidth": 1.2,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "image.cmap": "cividis",  # sequential and readable with any colour vision
    "svg.fonttype": "none",  # keep text as text in SVG
    "svg.hashsalt": "giftsim",  # fixed salt: otherwise SVG element ids are random on every save
    "pdf.fonttype": 42,  # embed TrueType so PDF text stays text
}
# Metadata that would hold the time of writing; None leaves it out so files are reproducible.
NO_TIMESTAMP = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}

GREY = "0.55"
MARKERS = ("o", "s", "^", "D", "v", "P", "X")  # distinguishable without colour
CHANNEL_NAMES = {"ios": "iOS", "android": "Android", "web": "Web"}
GROUP_AXIS_LABELS = {"region": "Viewer's region", "channel": "Purchase channel"}
# Axis labels, with units, of the summary's keys, used by the comparison and sweep figures.
METRIC_LABELS = {
    "gross_spend_usd": "Gross viewer spend (USD)",
    "creator_income_usd": "Creator income (USD)",
    "creator_payout_usd": "Creator payouts (USD)",
    "platform_revenue_usd": "Platform revenue (USD)",
    "brand_spend_usd": "Brand spend (USD)",
    "creator_share_of_spend": "Creator share of spend (0-1)",
    "creator_share_of_gifted_spend": "Creator share of gifted spend (0-1)",
    "creator_share_of_gifted_spend_ex_tax": "Creator share of gifted spend ex tax (0-1)",
    "payer_ratio": "Payer ratio (0-1)",
    "arpu_usd": "ARPU (USD per active viewer)",
    "arppu_usd": "ARPPU (USD per payer)",
    "creator_income_gini": "Creator income Gini (0-1)",
    "viewer_spend_gini": "Viewer spend Gini (0-1)",
    "top1_creator_income_share": "Top 1% creators' income share (0-1)",
    "median_creator_income_usd": "Median creator income (USD)",
    "gifts": "Gifts (count)",
    "gifts_per_watch_hour": "Gifts per watch hour (1/viewer-hour)",
    "watch_hours": "Watch hours (viewer-hours)",
}
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


def lorenz_figure(creators: pd.DataFrame, viewers: pd.DataFrame | None = None) -> Figure:
    """Lorenz curves of creator income (and of active viewers' spend), with their Gini in the legend.

    Args:
        creators: ``creators.parquet``; uses ``income_usd``.
        viewers: ``viewers.parquet``; uses ``spend_usd`` of viewers online at least once (as the
            summary's ``viewer_spend_gini`` does). Leave out for creators only.
    """
    series = [("Creator income", creators["income_usd"].to_numpy())]
    if viewers is not None:
        series.append(("Viewer spend", viewers.loc[viewers["hours_online"] > 0, "spend_usd"].to_numpy()))
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH_IN, COLUMN_WIDTH_IN))
        for label, values in series:
            x, y = lorenz_curve(values)
            ax.plot(x, y, label=f"{label} (Gini {gini(values):.2f})")
        ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", linewidth=0.8, label="Equality")
        ax.set(xlabel="Cumulative share of people, lowest first (%)", ylabel="Cumulative share of the total (%)",
               xlim=(0, 1), ylim=(0, 1))
        _percent_axis(ax.xaxis)
        _percent_axis(ax.yaxis)
        ax.set_aspect("equal")
        ax.legend(loc="upper left")
    return fig


def income_ccdf_figure(creators: pd.DataFrame) -> Figure:
    """Complementary CDF of creator income on log-log axes: the share of creators earning at least x.

    Creators who earned nothing cannot sit on a log axis; they count in the shares (which are of all
    creators, so the curve starts at the share who earned anything) and their number is printed.

    Args:
        creators: ``creators.parquet``; uses ``income_usd``.
    """
    income = np.sort(creators["income_usd"].to_numpy(dtype=float))
    earners = income[income > 0]
    # P(income >= x) at each earner's income, over all creators.
    share_at_least = (earners.size - np.arange(earners.size)) / max(income.size, 1)
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots()
        ax.step(earners, share_at_least, where="post", color=OKABE_ITO[0])
        ax.set(xscale="log", yscale="log", ylim=(None, 1), xlabel="Creator income over the run, x (USD)",
               ylabel="Share of creators earning ≥ x")
        for axis in (ax.xaxis, ax.yaxis):  # 0.01, 0.1, 1, 10 read more easily than powers of ten
            axis.set_major_formatter(FuncFormatter(_plain_number))
        ax.text(0.03, 0.03, f"{income.size - earners.size:,} of {income.size:,} creators earned nothing (not shown)",
                transform=ax.transAxes, fontsize=7, color="0.3")
    return fig


def viewer_dollar_figure(summary: Mapping[str, Any], groups: Iterable[str] = ("region", "channel")) -> Figure:
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
    """
    groups = tuple(groups)
    parts = _dollar_parts(summary)
    tables = {group: _groups_with_money(summary[f"by_{group}"]) for group in groups}
    with plt.rc_context(HOUSE_STYLE):
        fig, axes = plt.subplots(
            len(groups), 1, sharex=True, squeeze=False, height_ratios=[max(len(t), 1) for t in tables.values()],
            figsize=(COLUMN_WIDTH_IN, 1.3 + 0.24 * sum(len(t) for t in tables.values())),
        )
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
        _percent_axis(bottom.xaxis)
        fig.align_ylabels(axes[:, 0])
        _legend_below(fig, *axes[0, 0].get_legend_handles_labels(), most_columns=3)
    return fig


def engagement_figure(timeseries: pd.DataFrame) -> Figure:
    """Concurrent viewers and gifts per hour over the run (UTC), showing the daily rhythm.

    Args:
        timeseries: ``timeseries.parquet``; uses ``step``, ``n_viewers_watching`` and ``new_gifts``.
    """
    days = (timeseries["step"] - 1) / 24  # the start of each hour, in days since the start
    with plt.rc_context(HOUSE_STYLE):
        fig, (watching, gifting) = plt.subplots(2, 1, sharex=True, figsize=(COLUMN_WIDTH_IN, 3.0))
        watching.plot(days, timeseries["n_viewers_watching"], color=OKABE_ITO[0], linewidth=0.9)
        watching.set(ylabel="Concurrent viewers\n(viewers)", ylim=(0, None))
        gifting.plot(days, timeseries["new_gifts"], color=OKABE_ITO[1], linewidth=0.9)
        gifting.set(ylabel="Gifts sent\n(gifts per hour)", ylim=(0, None), xlim=(0, days.iloc[-1] + 1 / 24),
                    xlabel="Time since the start (days, UTC)")
        if days.iloc[-1] < 15:  # a tick per day while they stay legible
            gifting.xaxis.set_major_locator(MultipleLocator(1))
        _thousands_axis(watching.yaxis)
        _thousands_axis(gifting.yaxis)
        fig.align_ylabels()
    return fig


def regions_figure(summary: Mapping[str, Any]) -> Figure:
    """Regions compared: ARPU, payer ratio and creator share, by the viewer's region.

    The creator share is shown of all spend and of the spend on coins that were gifted: coins still
    in wallets at the end lower the first, not the second. A dashed line marks the whole run.

    Args:
        summary: ``summary.json``; uses ``by_region``, ``arpu_usd``, ``payer_ratio``,
            ``creator_share_of_spend`` and ``creator_share_of_gifted_spend``.
    """
    table = summary["by_region"]
    names = list(table)
    x = np.arange(len(names))
    arpu = [m["gross_spend_usd"] / m["active_viewers"] if m["active_viewers"] else 0.0 for m in table.values()]
    with plt.rc_context(HOUSE_STYLE):
        fig, (arpu_ax, payer_ax, share_ax) = plt.subplots(3, 1, sharex=True, figsize=(COLUMN_WIDTH_IN, 4.2))
        arpu_ax.bar(x, arpu, width=0.6, color=OKABE_ITO[0])
        arpu_ax.axhline(summary["arpu_usd"], color=GREY, linestyle="--", linewidth=0.8)
        arpu_ax.set_ylabel("ARPU (USD per\nactive viewer)")
        payer_ax.bar(x, [m["payer_ratio"] for m in table.values()], width=0.6, color=OKABE_ITO[2])
        payer_ax.axhline(summary["payer_ratio"], color=GREY, linestyle="--", linewidth=0.8)
        payer_ax.set_ylabel("Payer ratio\n(% of active viewers)")
        _percent_axis(payer_ax.yaxis)
        width = 0.38
        share_ax.bar(x - width / 2, [m["creator_share_of_spend"] for m in table.values()], width=width,
                     color=OKABE_ITO[1], label="Of all spend")
        share_ax.bar(x + width / 2, [m["creator_share_of_gifted_spend"] for m in table.values()], width=width,
                     color=OKABE_ITO[4], label="Of spend on gifted coins")
        for key in ("creator_share_of_spend", "creator_share_of_gifted_spend"):
            share_ax.axhline(summary[key], color=GREY, linestyle="--", linewidth=0.8, label="All regions")
        share_ax.set(ylabel="Creator share\n(% of spend)", ylim=(0, None), xlabel="Viewer's region")
        _percent_axis(share_ax.yaxis)
        share_ax.set_xticks(x, names)
        fig.align_ylabels()
        handles, entries = share_ax.get_legend_handles_labels()
        legend = dict(zip(entries, handles, strict=True))  # the two "All regions" lines need one entry
        legend["All regions"] = legend.pop("All regions")  # the bars first, then the reference line
        _legend_below(fig, list(legend.values()), list(legend.keys()), most_columns=3)
    return fig


def compare_runs_figure(runs: Mapping[str, str | Path | Mapping[str, Any]]) -> Figure:
    """Runs (presets, configs, seeds) side by side: shares and Gini above, dollar totals below.

    Grouped bars, one group per measure and one bar per run; the two panels keep measures with
    different units on different axes.

    Args:
        runs: Label to a results folder, its ``summary.json`` dict, or the dict
            :func:`sim.io.folder.read_results` returns, in the order to draw them; up to eight.

    Raises:
        ValueError: No runs, or more than the palette's eight colours can tell apart.
    """
    if not 0 < len(runs) <= len(OKABE_ITO):
        raise ValueError(f"compare 1 to {len(OKABE_ITO)} runs, got {len(runs)}")
    summaries = {label: _summary(run) for label, run in runs.items()}
    width = 0.8 / len(summaries)
    with plt.rc_context(HOUSE_STYLE):
        fig, (share_ax, dollar_ax) = plt.subplots(2, 1, figsize=(COLUMN_WIDTH_IN, 4.0))
        for ax, measures in ((share_ax, COMPARED_SHARES), (dollar_ax, COMPARED_DOLLARS)):
            x = np.arange(len(measures))
            for i, (label, summary) in enumerate(summaries.items()):
                offset = (i - (len(summaries) - 1) / 2) * width
                ax.bar(x + offset, [summary[key] for key, _ in measures], width=width, color=OKABE_ITO[i],
                       label=label)
            ax.set_xticks(x, [name for _, name in measures])
            ax.axhline(0, color="black", linewidth=0.6)  # platform revenue can be negative
        share_ax.set(ylabel="Share or Gini index (0-1)", ylim=(0, 1))
        dollar_ax.set_ylabel("Total over the run (USD)")
        _thousands_axis(dollar_ax.yaxis)
        _legend_below(fig, *share_ax.get_legend_handles_labels(), most_columns=4)
    return fig


def sweep_figure(
    sweep: pd.DataFrame, parameter: str, metric: str, *, by: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """A metric against one swept parameter: the mean over replicates and its 95% confidence band.

    The sweep DataFrame has one row per run, with

    - one column per swept parameter (any name, e.g. ``"platform.creator_share"``), holding the
      parameter's value in that run;
    - one column per metric (any name, e.g. the summary's ``"creator_income_gini"``);
    - a ``replicate`` column: which replicate the run is (e.g. its seed), distinct among the runs
      at the same parameter values.

    Columns the call does not name are ignored, and runs with the same values of the named
    parameters are the replicates of one point. The band is t-based: the mean plus or minus
    ``t(0.975, n - 1) * s / sqrt(n)`` over the n replicates at a point (s their sample standard
    deviation); points with one replicate get no band.

    Args:
        sweep: The runs, as above.
        parameter: Column on the x axis; numeric values are placed to scale, others in order.
        metric: Column on the y axis.
        by: A second parameter column: one line per value of it.
        labels: Axis labels for columns, with units (e.g. ``{"platform.creator_share": "Creator
            share of coin value (0-1)"}``); summary keys have them already, others show the name.

    Raises:
        ValueError: A named column is missing, or two runs at one point share a replicate (another
            parameter varies among them: select the rows first, or pass it as ``by``).
    """
    keys = [parameter] if by is None else [by, parameter]
    points = _replicate_stats(sweep, keys, metric)
    label = _labeller(labels)
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots()
        lines = points.groupby(by, sort=True) if by is not None else [(None, points)]
        positions = _positions(points[parameter])
        for i, (level, line) in enumerate(lines):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            x = line[parameter].map(positions).to_numpy(dtype=float)
            ax.plot(x, line["mean"], marker="o", markersize=3, color=colour,
                    label=None if by is None else _format_value(level))
            ax.fill_between(x, line["low"], line["high"], color=colour, alpha=0.18, linewidth=0)
        if not pd.api.types.is_numeric_dtype(sweep[parameter]):
            ax.set_xticks(list(positions.values()), [_format_value(v) for v in positions])
        ax.set(xlabel=label(parameter), ylabel=label(metric))
        _thousands_axis(ax.yaxis, points["mean"])
        # Above and below the axes, where neither can cover the data.
        ax.set_title(f"Mean and 95% CI (t) over {_replicate_range(points)} replicates per point", loc="left",
                     fontsize=7, color="0.3")
        if by is not None:
            _legend_below(fig, *ax.get_legend_handles_labels(), most_columns=5, title=label(by))
    return fig


def sweep_heatmap_figure(
    sweep: pd.DataFrame, x: str, y: str, metric: str, *, labels: Mapping[str, str] | None = None,
) -> Figure:
    """A metric's mean over replicates on a grid of two swept parameters, values printed in the cells.

    Takes the sweep DataFrame of :func:`sweep_figure` (one row per run, parameter and metric
    columns, a ``replicate`` column). Parameter values are shown in order, evenly spaced; points
    the sweep did not run are left blank.

    Args:
        sweep: The runs.
        x: Parameter column across.
        y: Parameter column up.
        metric: Column whose mean colours the cells.
        labels: Axis labels for columns, with units, as in :func:`sweep_figure`.

    Raises:
        ValueError: As :func:`sweep_figure`.
    """
    points = _replicate_stats(sweep, [y, x], metric)
    grid = points.pivot(index=y, columns=x, values="mean")
    values = grid.to_numpy(dtype=float)
    label = _labeller(labels)
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH_IN, 2.9))
        image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto")
        ax.set_xticks(range(grid.shape[1]), [_format_value(v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [_format_value(v) for v in grid.index])
        ax.set(xlabel=label(x), ylabel=label(y))
        ax.spines[:].set_visible(False)
        ax.tick_params(length=0)
        colorbar = fig.colorbar(image, ax=ax, label=f"{label(metric)}\nmean of {_replicate_range(points)} replicates")
        _thousands_axis(colorbar.ax.yaxis, values)
        if grid.shape[1] <= 6:  # wider grids leave no room for numbers at 7 pt
            low, high = np.nanmin(values), np.nanmax(values)
            cell_format = _common_format(values)
            for (row, col), value in np.ndenumerate(values):
                if np.isfinite(value):
                    dark_cell = high == low or (value - low) / (high - low) < 0.55  # cividis is dark at its low end
                    ax.text(col, row, cell_format.format(value), ha="center", va="center", fontsize=7,
                            color="white" if dark_cell else "black")
    return fig


def tradeoff_figure(
    changes: pd.DataFrame, x: str, y: str, *, labels: Mapping[str, str] | None = None,
) -> Figure:
    """Two metrics' changes from a baseline point, one marker per point with its intervals on both axes.

    Answers "which options raise ``x`` without lowering ``y``?": those in the shaded quadrant,
    with intervals clear of the axes. Markers are coloured by the first parameter and shaped by
    the second; the baseline sits at the origin.

    Args:
        changes: A differences table (:meth:`sim.query.SweepResults.differences` or
            :func:`sim.sweeps.compare.differences`) holding both metrics: parameter columns, then
            ``metric``, ``difference``, ``low``, ``high`` and the rest of
            :data:`sim.compare.DIFFERENCE_COLUMNS`.
        x: The metric across.
        y: The metric up.
        labels: Labels for metrics and parameter columns, with units, as in :func:`sweep_figure`.

    Raises:
        ValueError: ``changes`` lacks a metric or holds no parameter column.
    """
    parameters = [c for c in changes.columns if c not in DIFFERENCE_COLUMNS]
    held = set(changes["metric"]) if "metric" in changes.columns else set()
    if not parameters or not {x, y} <= held:
        raise ValueError(f"need a differences table with parameter columns and the metrics {x!r} and {y!r}; "
                         f"it has columns {list(changes.columns)} and metrics {sorted(held)}")
    both = changes[changes["metric"] == x].merge(changes[changes["metric"] == y], on=parameters, suffixes=("_x", "_y"))
    label = _labeller(labels)
    colour_by, shape_by = parameters[0], parameters[1] if len(parameters) > 1 else None
    colours = {v: OKABE_ITO[i % len(OKABE_ITO)] for i, v in enumerate(sorted(both[colour_by].unique()))}
    shapes = {v: MARKERS[i % len(MARKERS)] for i, v in enumerate(sorted(both[shape_by].unique()))} if shape_by else {}
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH_IN, 3.4))
        for _, row in both.iterrows():
            ax.errorbar(row["difference_x"], row["difference_y"],
                        xerr=[[row["difference_x"] - row["low_x"]], [row["high_x"] - row["difference_x"]]],
                        yerr=[[row["difference_y"] - row["low_y"]], [row["high_y"] - row["difference_y"]]],
                        color=colours[row[colour_by]], marker=shapes[row[shape_by]] if shape_by else "o",
                        markersize=4, linewidth=0.7, capsize=0)
        ax.axhline(0, color=GREY, linewidth=0.6, linestyle="--", zorder=0)
        ax.axvline(0, color=GREY, linewidth=0.6, linestyle="--", zorder=0)
        # Shade where both metrics rise: the options that win on both counts, once the axes are set.
        x_low, x_high = ax.get_xlim()
        y_low, y_high = ax.get_ylim()
        ax.fill_between([0, max(x_high, 0)], 0, max(y_high, 0), color=OKABE_ITO[2], alpha=0.08, linewidth=0, zorder=0)
        ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high),
               xlabel=f"Change in {_lower_first(label(x))}", ylabel=f"Change in {_lower_first(label(y))}")
        _thousands_axis(ax.xaxis, both[["low_x", "high_x"]].to_numpy().ravel())
        _thousands_axis(ax.yaxis, both[["low_y", "high_y"]].to_numpy().ravel())
        replicates = _replicate_range(both.rename(columns={"n_x": "n"}))
        ax.set_title(f"Mean change, {both['level_x'].iloc[0]:.0%} CI, {replicates} replicates per point", loc="left",
                     fontsize=7, color="0.3")
        # One legend per parameter, side by side under the axes, each titled with the parameter.
        keys = [(colour_by, {v: dict(color=c, marker="o") for v, c in colours.items()}, "left")]
        if shape_by:
            keys.append((shape_by, {v: dict(color=GREY, marker=m) for v, m in shapes.items()}, "right"))
        for column, styles, side in keys:
            handles = [Line2D([], [], linestyle="", markersize=4, **style) for style in styles.values()]
            fig.legend(handles, [_format_value(v) for v in styles], loc=f"outside lower {side}",
                       title=label(column), ncols=math.ceil(len(styles) / 4), alignment="left")
    return fig


# What a sweep's figures show, with the axis label of each.
SWEEP_METRICS = {
    "creator_income_usd": "Creator income (USD)",
    "platform_revenue_usd": "Platform revenue (USD)",
    "gross_spend_usd": "Viewers' gross spend (USD)",
    "creator_income_gini": "Creator income Gini (0-1)",
}


def sweep_figures(runs: pd.DataFrame, parameters: Mapping[str, str]) -> dict[str, Figure]:
    """The standard figures of a sweep: each metric against each parameter, and heatmaps over two.

    Args:
        runs: One row per run (``sim.open_results(path).runs``): parameter, metric and ``replicate``
            columns.
        parameters: The swept parameters' columns in ``runs``, each with its axis label.

    Returns:
        Figures by file name: ``<metric>_by_<parameter>`` for every pair (with one line per value
        of the other parameter when a grid has two; left out when a grid varies three or more
        together, as one line would mix them), and ``<metric>_heatmap`` over the first two
        parameters when there are two or more.
    """
    labels = {**SWEEP_METRICS, **parameters}
    columns = list(parameters)
    figures = {}
    for column in columns:
        others = [c for c in columns if c != column]
        mixes_others = runs.duplicated([column, "replicate"]).any()
        if mixes_others and len(others) > 1:
            continue
        by = others[0] if mixes_others else None
        for metric in SWEEP_METRICS:
            figures[f"{metric}_by_{column}"] = sweep_figure(runs, column, metric, by=by, labels=labels)
    if len(columns) >= 2:
        figures.update({f"{metric}_heatmap": sweep_heatmap_figure(runs, columns[0], columns[1], metric, labels=labels)
                        for metric in SWEEP_METRICS})
    return figures


def run_figures(results: str | Path | Mapping[str, Any] | Any, names: Iterable[str] | None = None) -> dict[str, Figure]:
    """Draw a run's figures.

    Args:
        results: A results folder, the dict :func:`sim.io.folder.read_results` returns, or a
            :class:`sim.RunResult`.
        names: Which of :data:`RUN_FIGURES` to draw (default all), e.g. ``["lorenz"]``.

    Returns:
        Figure name (the file name without extension) to figure, in :data:`RUN_FIGURES` order.

    Raises:
        KeyError: An unknown figure name.
    """
    wanted = list(RUN_FIGURES) if names is None else list(names)
    unknown = sorted(set(wanted) - set(RUN_FIGURES))
    if unknown:
        raise KeyError(f"unknown figures {unknown}; choose from {list(RUN_FIGURES)}")
    data = _run_data(results)
    figures = {}
    try:
        for name, draw in RUN_FIGURES.items():
            if name in wanted:
                figures[name] = draw(data)
    except BaseException:
        _close(figures)  # pyplot would otherwise keep the figures drawn so far
        raise
    return figures


def save_figures(
    figures: Mapping[str, Figure], directory: str | Path, formats: Iterable[str] = ("png",), dpi: int = DEFAULT_DPI,
) -> list[Path]:
    """Write figures as ``directory/<name>.<format>``, without timestamps; return the files written.

    Raises:
        ValueError: A format other than png, svg and pdf.
    """
    formats = tuple(formats)
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"unknown formats {unknown}; choose from {list(FORMATS)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in figures.items():
        for fmt in formats:
            path = directory / f"{name}.{fmt}"
            with plt.rc_context(HOUSE_STYLE):  # the SVG and PDF font settings apply when writing
                fig.savefig(path, format=fmt, dpi=dpi, metadata=NO_TIMESTAMP[fmt])
            written.append(path)
    return written


def save_run_figures(
    results: str | Path | Mapping[str, Any] | Any, directory: str | Path, *, names: Iterable[str] | None = None,
    formats: Iterable[str] = ("png",), dpi: int = DEFAULT_DPI,
) -> list[Path]:
    """Draw a run's figures (:func:`run_figures`) and write them into ``directory``; return the files.

    Args:
        results: A results folder, the dict :func:`sim.io.folder.read_results` returns, or a
            :class:`sim.RunResult`.
        directory: Where to write; created if missing.
        names: Which of :data:`RUN_FIGURES` (default all).
        formats: Any of ``"png"``, ``"svg"``, ``"pdf"``.
        dpi: PNG resolution.
    """
    figures = run_figures(results, names)
    try:
        return save_figures(figures, directory, formats, dpi)
    finally:
        _close(figures)


# A run's figures, by file name, in the order they are drawn and listed.
RUN_FIGURES: dict[str, Callable[[Mapping[str, Any]], Figure]] = {
    "lorenz": lambda run: lorenz_figure(run["creators"], run["viewers"]),
    "income_ccdf": lambda run: income_ccdf_figure(run["creators"]),
    "viewer_dollar": lambda run: viewer_dollar_figure(run["summary"]),
    "regions": lambda run: regions_figure(run["summary"]),
    "engagement": lambda run: engagement_figure(run["timeseries"]),
}
# The figures every results folder holds (docs/results.md): all of them.
RESULTS_FOLDER_FIGURES = tuple(RUN_FIGURES)


def _run_data(results: str | Path | Mapping[str, Any] | Any) -> Mapping[str, Any]:
    if isinstance(results, str | Path):
        from sim.io.folder import read_results  # here: sim.io.folder imports this module

        return read_results(results)
    if isinstance(results, Mapping):
        return results
    return {name: getattr(results, name) for name in ("timeseries", "viewers", "creators", "summary")}


def _close(figures: Mapping[str, Figure]) -> None:
    for fig in figures.values():
        plt.close(fig)


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


def _replicate_stats(sweep: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Per point (unique values of ``keys``): replicates, mean, and the t-based 95% band of the mean."""
    check_replicates(sweep, keys, [metric])
    stats = sweep.groupby(keys, sort=True)[metric].agg(n="count", mean="mean", sd="std").reset_index()
    half = np.array([mean_half_width(sd, int(n)) for sd, n in zip(stats["sd"], stats["n"], strict=True)])
    return stats.assign(low=stats["mean"] - half, high=stats["mean"] + half)


def _positions(values: pd.Series) -> dict[Any, float]:
    """Where each parameter value goes on the axis: to scale if numeric, else evenly in order."""
    levels = sorted(values.unique())
    if pd.api.types.is_numeric_dtype(values):
        return {level: float(level) for level in levels}
    return {level: float(i) for i, level in enumerate(levels)}


def _replicate_range(points: pd.DataFrame) -> str:
    low, high = int(points["n"].min()), int(points["n"].max())
    return f"{low}" if low == high else f"{low}-{high}"


def _labeller(labels: Mapping[str, str] | None) -> Callable[[str], str]:
    known = {**METRIC_LABELS, **(labels or {})}
    return lambda column: known.get(column, column)


def _lower_first(text: str) -> str:
    """A label to follow other words: "Creator income" becomes "creator income", "ARPU" stays."""
    return text[0].lower() + text[1:] if text[:2].istitle() else text


def _format_value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float | np.number) and not isinstance(value, bool) else str(value)


def _common_format(values: np.ndarray) -> str:
    """One format for all ``values``: 3 significant digits for the largest, the same decimals for all.

    Whole numbers with thousands separators from 100 up; equal decimals keep a column of numbers aligned.
    """
    largest = np.nanmax(np.abs(values))
    decimals = 0 if largest >= 100 or largest == 0 else min(2 - math.floor(math.log10(largest)), 6)
    return f"{{:,.{decimals}f}}"


def _legend_below(fig: Figure, handles: list, labels: list[str], most_columns: int, **options: Any) -> None:
    """A legend under the axes in as few rows as fit the figure's width, with (up to) as many entries in each."""
    renderer = fig.canvas.get_renderer()
    for rows in range(math.ceil(len(labels) / most_columns), len(labels) + 1):
        columns = math.ceil(len(labels) / rows)  # balanced: 4 entries go 4, 2+2, then 1 a row, never 3+1
        legend = fig.legend(handles, labels, loc="outside lower center", ncols=columns, **options)
        if columns == 1 or legend.get_window_extent(renderer).width <= fig.bbox.width:
            return
        legend.remove()


def _plain_number(value: float, _position: int | None = None) -> str:
    """A tick value in positional notation: 0.001, 0.5, 10, 1,000."""
    return f"{value:,.0f}" if value >= 1 else np.format_float_positional(value, trim="-")


def _thousands_axis(axis: matplotlib.axis.Axis, values: Iterable[float] | None = None) -> None:
    """Whole numbers with thousands separators (15,000 rather than 15000).

    With ``values``, only when they reach 1,000: smaller ones keep their decimals.
    """
    if values is None or np.nanmax(np.abs(np.asarray(values, dtype=float))) >= 1000:
        axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _percent_axis(axis: matplotlib.axis.Axis) -> None:
    """Show shares (0-1) as percentages."""
    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
