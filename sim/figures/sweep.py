"""Figures of parameter sweeps: a metric along a parameter, over a grid of two, and changes from a baseline.

:func:`sweep_figure`, :func:`sampled_figure` (a parameter a design drew from a range) and
:func:`sweep_heatmap_figure` take a DataFrame with one row per run (the contract is in
:func:`sweep_figure`); :func:`tradeoff_figure` takes a table of changes from a
baseline (:mod:`sim.sweeps.compare`); :func:`sweep_figures` draws a sweep's standard set, as
``giftsim plot`` does for a sweep folder. Each returns matplotlib figures in the house style
(:mod:`sim.figures.style`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sim.figures.style import (
    DEFAULT_HEIGHT_IN,
    GREY,
    HOUSE_STYLE,
    MARKERS,
    OKABE_ITO,
    change_label,
    common_format,
    figure_width,
    format_value,
    legend_below,
    metric_label,
    new_figure,
    parameter_label,
    thousands_axis,
)
from sim.sweeps.compare import DIFFERENCE_COLUMNS, check_replicates, differences, mean_half_width

# What a sweep's standard figures show (labels from metric_label).
SWEEP_METRICS = ("creator_income_usd", "platform_revenue_usd", "gross_spend_usd", "creator_income_gini")
# Metrics bounded to 0-1 by their definition, by the end of their name: a Gini, a ratio, a share of a whole
# (creator_share_of_spend ends otherwise: it exceeds 1 when coins sell below their nominal value).
UNIT_INTERVAL_SUFFIXES = ("_gini", "_ratio", "_share")
MOST_BINS = 10  # of a sampled parameter's running mean
POINTS_PER_BIN = 8  # at least, where there are enough points
DODGE = 0.02  # how far apart neighbouring lines' points are set, as a share of the axis's span
DIVERGING = "PuOr_r"  # changes: purple up, orange down, pale at none; readable with any colour vision


def sweep_figure(
    sweep: pd.DataFrame, parameter: str, metric: str, *, by: str | None = None,
    baseline: Mapping[str, Any] | None = None, labels: Mapping[str, str] | None = None,
    width: str | float = "single",
) -> Figure:
    """A metric against one swept parameter: the mean over replicates and its 95% interval, as bars.

    The sweep DataFrame has one row per run, with

    - one column per swept parameter (any name, e.g. ``"platform.creator_share"``), holding the
      parameter's value in that run;
    - one column per metric (any name, e.g. the summary's ``"creator_income_gini"``);
    - a ``replicate`` column: which replicate the run is (e.g. its seed), distinct among the runs
      at the same parameter values.

    Columns the call does not name are ignored, and runs with the same values of the named
    parameters are the replicates of one point. The interval is t-based: the mean plus or minus
    ``t(0.975, n - 1) * s / sqrt(n)`` over the n replicates at a point (s their sample standard
    deviation); points with one replicate get none. Each line's points are set a little apart
    along the axis, so that the bars of several lines stay apart.

    With a ``baseline`` (the question is a comparison), each point shows its change from the
    baseline point instead, replicate by replicate on common seeds (:func:`sim.sweeps.compare.differences`),
    with the paired difference's 95% interval: an interval clear of the dashed zero line is a change
    the replicates can tell. The baseline point sits at zero as an open marker.

    Args:
        sweep: The runs, as above.
        parameter: Column on the x axis; numeric values are placed to scale, others in order.
        metric: Column on the y axis.
        by: A second parameter column: one line per value of it.
        baseline: The baseline point: a value for ``parameter`` (and ``by``).
        labels: Axis labels for columns, with units (e.g. ``{"platform.creator_share": "Creator
            share of coin value (0-1)"}``); other columns are labelled by :func:`sim.figures.metric_label`
            or, for a config parameter, :func:`sim.figures.style.parameter_label`.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).

    Raises:
        ValueError: A named column is missing, two runs at one point share a replicate (another
            parameter varies among them: select the rows first, or pass it as ``by``), or the
            baseline names other columns or matches no run.
    """
    keys = [parameter] if by is None else [by, parameter]
    if baseline is None:
        points = _replicate_stats(sweep, keys, metric)
    else:
        points = differences(sweep, keys, baseline, [metric]).rename(columns={"difference": "mean"})
    label = _labeller(labels)
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), DEFAULT_HEIGHT_IN))
        ax = fig.subplots()
        lines = list(points.groupby(by, sort=True)) if by is not None else [(None, points)]
        positions = _positions(points[parameter])
        span = (max(positions.values()) - min(positions.values())) or 1.0
        for i, (level, line) in enumerate(lines):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            dodge = (i - (len(lines) - 1) / 2) * DODGE * span
            x = line[parameter].map(positions).to_numpy(dtype=float) + dodge
            mean, low, high = (line[column].to_numpy(dtype=float) for column in ("mean", "low", "high"))
            ax.errorbar(x, mean, yerr=[mean - low, high - mean],
                        marker=MARKERS[i % len(MARKERS)], markersize=3.5, color=colour, capsize=2, elinewidth=0.8,
                        capthick=0.8, label=None if by is None else format_value(level))
            at_base = _is_at(line, baseline) if baseline is not None else np.zeros(len(line), dtype=bool)
            if at_base.any():  # the baseline itself, at zero by construction
                ax.plot(x[at_base], mean[at_base], linestyle="", marker=MARKERS[i % len(MARKERS)], markersize=5,
                        markerfacecolor="white", markeredgecolor=colour, zorder=3)
        if not pd.api.types.is_numeric_dtype(sweep[parameter]):
            ax.set_xticks(list(positions.values()), [format_value(v) for v in positions])
        replicates = _replicate_range(points)
        if baseline is None:
            ax.set(xlabel=label(parameter), ylabel=label(metric))
            title = f"Mean and 95% CI (t) over {replicates} replicates per point"
        else:
            ax.axhline(0, color=GREY, linewidth=0.6, linestyle="--", zorder=0)
            ax.set(xlabel=label(parameter), ylabel=change_label(label(metric)))
            title = f"Paired change from the baseline (open marker),\n95% CI (t), {replicates} replicates per point"
        thousands_axis(ax.yaxis, points[["low", "high"]].to_numpy().ravel())
        # Above and below the axes, where neither can cover the data.
        ax.set_title(title, loc="left", fontsize=7, color="0.3")
        if by is not None:
            legend_below(fig, *ax.get_legend_handles_labels(), most_columns=5, title=label(by))
    return fig


def sampled_figure(
    sweep: pd.DataFrame, parameter: str, metric: str, *, labels: Mapping[str, str] | None = None,
    width: str | float = "single",
) -> Figure:
    """A metric against a parameter a design sampled from a range: one dot per point and a running mean.

    Sampled values are continuous, so each point is drawn where its value is (its mean over
    replicates), and the trend is a binned mean: the points, in order of the parameter, cut into
    bins of equal count (up to :data:`MOST_BINS`, at least :data:`POINTS_PER_BIN` points each
    where there are enough), each drawn at its mean value with the mean of its points and a t-based
    95% band over them, clipped to the metric's valid range (:func:`valid_range`). Other
    parameters vary within a bin, so the band shows their spread as well as the seeds'.

    Args:
        sweep: The runs, as :func:`sweep_figure` takes them (``replicate`` identifies a point's runs
            together with ``parameter`` and whatever else varies: here ``point`` if present).
        parameter: The sampled parameter's column, on the x axis.
        metric: Column on the y axis.
        labels: Axis labels for columns, with units, as in :func:`sweep_figure`.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).

    Raises:
        ValueError: A named column is missing.
    """
    missing = [c for c in (parameter, metric) if c not in sweep.columns]
    if missing:
        raise ValueError(f"the sweep has no column {missing[0]!r}; it has {list(sweep.columns)}")
    keys = ["point"] if "point" in sweep.columns else [parameter]
    points = sweep.groupby(keys, sort=False).agg(x=(parameter, "first"), y=(metric, "mean")).sort_values("x")
    n_bins = max(1, min(MOST_BINS, len(points) // POINTS_PER_BIN))
    bins = np.array_split(np.arange(len(points)), n_bins)
    low_bound, high_bound = valid_range(metric)
    trend = []
    for members in bins:
        values = points["y"].to_numpy(dtype=float)[members]
        mean, half = values.mean(), mean_half_width(values.std(ddof=1) if len(values) > 1 else np.nan, len(values))
        trend.append((points["x"].to_numpy(dtype=float)[members].mean(), mean,
                      np.clip(mean - half, low_bound, high_bound), np.clip(mean + half, low_bound, high_bound)))
    x, mean, low, high = map(np.array, zip(*trend, strict=True))
    label = _labeller(labels)
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), DEFAULT_HEIGHT_IN))
        ax = fig.subplots()
        ax.scatter(points["x"], points["y"], s=6, color=GREY, alpha=0.6, linewidths=0, label="point means")
        ax.plot(x, mean, color=OKABE_ITO[0], marker="o", markersize=3, label="binned mean")
        ax.fill_between(x, low, high, color=OKABE_ITO[0], alpha=0.18, linewidth=0)
        ax.set(xlabel=label(parameter), ylabel=label(metric))
        thousands_axis(ax.yaxis, points["y"])
        ax.set_title(f"{len(points)} points; mean and 95% CI (t) in {n_bins} bins of ~{len(points) // n_bins}",
                     loc="left", fontsize=7, color="0.3")
    return fig


def sweep_heatmap_figure(
    sweep: pd.DataFrame, x: str, y: str, metric: str, *, baseline: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None, width: str | float = "single",
) -> Figure:
    """A metric on a grid of two swept parameters: each cell's mean over replicates and its uncertainty.

    Takes the sweep DataFrame of :func:`sweep_figure` (one row per run, parameter and metric
    columns, a ``replicate`` column). Parameter values are shown in order, evenly spaced; points
    the sweep did not run are left blank. Each cell prints its mean and, under it, the half-width
    of its t-based 95% interval (``±``), so that a difference in colour smaller than the noise
    reads as such.

    With a ``baseline`` (the question is a comparison), each cell shows its change from the
    baseline point instead, paired replicate by replicate (:func:`sim.sweeps.compare.differences`),
    on a diverging scale centred on no change, and cells whose 95% interval includes zero are
    hatched: the replicates cannot tell their change from none.

    Args:
        sweep: The runs.
        x: Parameter column across.
        y: Parameter column up.
        metric: Column whose mean (or change) colours the cells.
        baseline: The baseline point: a value for ``x`` and ``y``.
        labels: Axis labels for columns, with units, as in :func:`sweep_figure`.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).

    Raises:
        ValueError: As :func:`sweep_figure`.
    """
    if baseline is None:
        points = _replicate_stats(sweep, [y, x], metric)
    else:
        points = differences(sweep, [y, x], baseline, [metric]).rename(columns={"difference": "mean"})
        points = points.assign(half=(points["high"] - points["low"]) / 2)  # paired intervals are symmetric
    grid = points.pivot(index=y, columns=x, values="mean")
    values = grid.to_numpy(dtype=float)
    halves = points.pivot(index=y, columns=x, values="half").to_numpy(dtype=float)
    unclear = halves > 0  # the baseline's own cell has no interval: it is no change by construction
    label = _labeller(labels)
    replicates = _replicate_range(points)
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 2.9))
        ax = fig.subplots()
        if baseline is None:
            image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto")
            bar_label = f"{label(metric)}\nmean of {replicates} replicates"
        else:
            reach = np.nanmax(np.abs(values)) or 1.0
            image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=DIVERGING,
                              vmin=-reach, vmax=reach)
            bar_label = f"{change_label(label(metric))}\npaired, {replicates} replicates"
            unclear &= points.pivot(index=y, columns=x, values="low").to_numpy(dtype=float) <= 0
            unclear &= points.pivot(index=y, columns=x, values="high").to_numpy(dtype=float) >= 0
            for (row, col), is_unclear in np.ndenumerate(unclear):
                if is_unclear:  # faded and hatched: the colour of a change the replicates cannot tell from none
                    ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor="white", alpha=0.6, linewidth=0))
                    ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.7",
                                           linewidth=0))
            ax.set_title("Faded and hatched: the change's 95% CI includes 0", loc="left", fontsize=7, color="0.3")
        ax.set_xticks(range(grid.shape[1]), [format_value(v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [format_value(v) for v in grid.index])
        ax.set(xlabel=label(x), ylabel=label(y))
        ax.spines[:].set_visible(False)
        ax.tick_params(length=0)
        colorbar = fig.colorbar(image, ax=ax, label=bar_label)
        thousands_axis(colorbar.ax.yaxis, values)
        if grid.shape[1] <= 6:  # wider grids leave no room for numbers at 7 pt
            cell_format = common_format(np.concatenate([values.ravel(), halves.ravel()]))
            signed = cell_format.replace("{:", "{:+") if baseline is not None else cell_format
            for (row, col), value in np.ndenumerate(values):
                if np.isfinite(value):
                    text = signed.format(value)
                    if np.isfinite(halves[row, col]) and halves[row, col] > 0:
                        text += "\n±" + cell_format.format(halves[row, col])
                    elif baseline is not None:
                        text = "baseline"
                    dark = _is_dark(image, value) and not (baseline is not None and unclear[row, col])
                    ax.text(col, row, text, ha="center", va="center", fontsize=7, linespacing=1.1,
                            color="white" if dark else "black")
    return fig


def tradeoff_figure(
    changes: pd.DataFrame, x: str, y: str, *, labels: Mapping[str, str] | None = None,
    width: str | float = "single",
) -> Figure:
    """Two metrics' changes from a baseline point, one marker per point with its intervals on both axes.

    Answers "which options raise ``x`` without lowering ``y``?": those in the shaded quadrant,
    with intervals clear of the axes. Markers are coloured by the first parameter and shaped by
    the second; the baseline sits at the origin.

    Args:
        changes: A differences table (:meth:`sim.sweeps.results.SweepResults.differences` or
            :func:`sim.sweeps.compare.differences`) holding both metrics: parameter columns, then
            ``metric``, ``difference``, ``low``, ``high`` and the rest of
            :data:`sim.sweeps.compare.DIFFERENCE_COLUMNS`.
        x: The metric across.
        y: The metric up.
        labels: Labels for metrics and parameter columns, with units, as in :func:`sweep_figure`.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).

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
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 3.4))
        ax = fig.subplots()
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
               xlabel=change_label(label(x)), ylabel=change_label(label(y)))
        thousands_axis(ax.xaxis, both[["low_x", "high_x"]].to_numpy().ravel())
        thousands_axis(ax.yaxis, both[["low_y", "high_y"]].to_numpy().ravel())
        replicates = _replicate_range(both.rename(columns={"n_x": "n"}))
        ax.set_title(f"Mean change, {both['level_x'].iloc[0]:.0%} CI, {replicates} replicates per point", loc="left",
                     fontsize=7, color="0.3")
        # One legend per parameter, side by side under the axes, each titled with the parameter.
        keys = [(colour_by, {v: dict(color=c, marker="o") for v, c in colours.items()}, "left")]
        if shape_by:
            keys.append((shape_by, {v: dict(color=GREY, marker=m) for v, m in shapes.items()}, "right"))
        for column, styles, side in keys:
            handles = [Line2D([], [], linestyle="", markersize=4, **style) for style in styles.values()]
            fig.legend(handles, [format_value(v) for v in styles], loc=f"outside lower {side}",
                       title=label(column), ncols=math.ceil(len(styles) / 4), alignment="left")
    return fig


def sweep_figures(runs: pd.DataFrame, parameters: Mapping[str, str], *, sampled: Iterable[str] = (),
                  baseline: Mapping[str, Any] | None = None, width: str | float = "single") -> dict[str, Figure]:
    """The standard figures of a sweep: each metric against each parameter, and heatmaps over two.

    Args:
        runs: One row per run (``sim.open_results(path).runs``): parameter, metric and ``replicate``
            columns.
        parameters: The swept parameters' columns in ``runs``, each with its axis label (None or
            empty: the schema's, :func:`sim.figures.style.parameter_label`).
        sampled: Those of the columns whose values a design drew from a range
            (``SweepSpec.sampled_parameters``): drawn by :func:`sampled_figure`, not as categories.
        baseline: The baseline point of a sweep on common seeds (a value for every column of
            ``parameters``): the figures then show each point's paired change from it, with its
            interval, beside the means.
        width: ``"single"`` (the default), ``"double"`` or inches (:func:`sim.figures.figure_width`).

    Returns:
        Figures by file name: ``<metric>_by_<parameter>`` for every pair (with one line per value
        of the other parameter when a grid has two; left out when a grid varies three or more
        together, as one line would mix them; a scatter with a binned mean for a sampled
        parameter), and ``<metric>_heatmap`` over the first two parameters when there are two or
        more and none is sampled; with a baseline, ``<metric>_change_by_<parameter>`` and
        ``<metric>_change_heatmap`` as well.
    """
    columns = list(parameters)
    labels = {column: label for column, label in parameters.items() if label}
    sampled = [column for column in sampled if column in parameters]
    figures = {}
    for column in sampled:
        for metric in SWEEP_METRICS:
            figures[f"{metric}_by_{column}"] = sampled_figure(runs, column, metric, labels=labels, width=width)
    if sampled:
        return figures
    for column in columns:
        others = [c for c in columns if c != column]
        mixes_others = runs.duplicated([column, "replicate"]).any()
        if mixes_others and len(others) > 1:
            continue
        by = others[0] if mixes_others else None
        for metric in SWEEP_METRICS:
            figures[f"{metric}_by_{column}"] = sweep_figure(runs, column, metric, by=by, labels=labels, width=width)
            if baseline is not None:
                point = {key: baseline[key] for key in ([column] if by is None else [by, column])}
                figures[f"{metric}_change_by_{column}"] = sweep_figure(runs, column, metric, by=by, baseline=point,
                                                                       labels=labels, width=width)
    if len(columns) >= 2:
        for metric in SWEEP_METRICS:
            figures[f"{metric}_heatmap"] = sweep_heatmap_figure(runs, columns[0], columns[1], metric, labels=labels,
                                                                width=width)
            if baseline is not None and len(columns) == 2:
                figures[f"{metric}_change_heatmap"] = sweep_heatmap_figure(
                    runs, columns[0], columns[1], metric, baseline=baseline, labels=labels, width=width)
    return figures


def _replicate_stats(sweep: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Per point (unique values of ``keys``): replicates, mean, and the t-based 95% interval of the mean: its
    half-width, and its ends clipped to the metric's valid range."""
    check_replicates(sweep, keys, [metric])
    stats = sweep.groupby(keys, sort=True)[metric].agg(n="count", mean="mean", sd="std").reset_index()
    half = np.array([mean_half_width(sd, int(n)) for sd, n in zip(stats["sd"], stats["n"], strict=True)])
    low, high = valid_range(metric)
    return stats.assign(half=half, low=(stats["mean"] - half).clip(low, high),
                        high=(stats["mean"] + half).clip(low, high))


def valid_range(metric: str) -> tuple[float | None, float | None]:
    """The values a metric can take by definition, for clipping intervals: 0-1 for Ginis, ratios and
    shares (:data:`UNIT_INTERVAL_SUFFIXES`), unbounded (None, None) otherwise."""
    return (0.0, 1.0) if metric.endswith(UNIT_INTERVAL_SUFFIXES) else (None, None)


def _positions(values: pd.Series) -> dict[Any, float]:
    """Where each parameter value goes on the axis: to scale if numeric, else evenly in order."""
    levels = sorted(values.unique())
    if pd.api.types.is_numeric_dtype(values):
        return {level: float(level) for level in levels}
    return {level: float(i) for i, level in enumerate(levels)}


def _is_at(points: pd.DataFrame, point: Mapping[str, Any]) -> np.ndarray:
    """Which rows of ``points`` are at ``point``: every column's value equal, numbers within rounding."""
    return np.logical_and.reduce([
        np.isclose(points[column].to_numpy(dtype=float), float(value), rtol=1e-9, atol=0.0)
        if pd.api.types.is_numeric_dtype(points[column]) else (points[column] == value).to_numpy()
        for column, value in point.items()])


def _is_dark(image, value: float) -> bool:
    """Whether a cell of ``value`` is dark enough under ``image``'s colour map to need white text."""
    red, green, blue, _ = image.cmap(image.norm(value))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 0.5  # perceived lightness (ITU-R BT.601 weights)


def _replicate_range(points: pd.DataFrame) -> str:
    low, high = int(points["n"].min()), int(points["n"].max())
    return f"{low}" if low == high else f"{low}-{high}"


def _labeller(labels: Mapping[str, str] | None) -> Callable[[str], str]:
    """Each column's label: as given, else the config parameter's (from the schema), else the metric's."""
    given = labels or {}
    return lambda column: given.get(column) or parameter_label(column) or metric_label(column)
