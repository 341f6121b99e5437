"""Figures of a sensitivity analysis: each parameter's indices with their intervals, and Morris's mu*-sigma plane.

Each function takes the table of indices :func:`sim.sweeps.sensitivity.analyze` returns (one row
per metric, parameter and index, with ``value``, ``low`` and ``high``) and returns a matplotlib
figure in the house style (:mod:`sim.figures.style`).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.figures.style import (
    GREY,
    HOUSE_STYLE,
    MARKERS,
    OKABE_ITO,
    figure_width,
    metric_label,
    new_figure,
    thousands_axis,
)

SHOWN_INDICES = {"morris": ("mu_star",), "sobol": ("S1", "ST")}
LABELLED_SHARE = 0.1  # of the largest mu*: parameters below it go unlabelled in the mu*-sigma plane
LABEL_PLACES = ((3, 2, "left"), (3, -8, "left"), (-3, 2, "right"), (-3, -8, "right"))  # points, alignment
INDEX_LABELS = {"mu_star": "μ* (mean |elementary effect|)", "sigma": "σ (spread of elementary effects)",
                "S1": "S1 (first order)", "ST": "ST (total)"}


def indices_figure(indices: pd.DataFrame, metric: str, *, width: str | float = "single") -> Figure:
    """One metric's indices per parameter, largest first, each with its bootstrap interval.

    Morris screenings show ``mu_star`` (in the metric's units per whole range of a parameter);
    Sobol analyses show ``S1`` and ``ST`` side by side (shares of variance, 0-1).

    Raises:
        ValueError: The table holds no indices of ``metric``.
    """
    rows = _metric_rows(indices, metric)
    method = rows["method"].iloc[0]
    shown = SHOWN_INDICES[method]
    main = rows[rows["index"] == shown[-1]].sort_values("value")  # the largest at the top
    order = list(main["parameter"])
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 1.2 + 0.22 * len(order)))
        ax = fig.subplots()
        offsets = np.linspace(-0.15, 0.15, len(shown)) if len(shown) > 1 else [0.0]
        for i, (name, offset) in enumerate(zip(shown, offsets, strict=True)):
            part = rows[rows["index"] == name].set_index("parameter").loc[order]
            y = np.arange(len(order)) + offset
            err = np.vstack([part["value"] - part["low"], part["high"] - part["value"]])
            ax.errorbar(part["value"], y, xerr=np.nan_to_num(err), color=OKABE_ITO[i], marker=MARKERS[i],
                        markersize=4, linestyle="", linewidth=0.8, capsize=0, label=INDEX_LABELS[name])
        ax.set_yticks(range(len(order)), order)
        ax.axvline(0, color=GREY, linewidth=0.6, linestyle="--", zorder=0)
        confidence = _level(rows)
        if method == "morris":
            ax.set_xlabel("μ* (per whole range)")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))  # thousands with separators need the room
            thousands_axis(ax.xaxis, rows[["low", "high", "value"]].to_numpy().ravel())
        else:
            ax.set_xlabel("Share of the variance")
            ax.legend(loc="lower right", frameon=False)
        # The metric, then how the indices were found, above the axes.
        ax.set_title(f"{metric_label(metric)}\n{method.capitalize()}, {rows['points'].iloc[0]} points x "
                     f"{rows['replicates'].iloc[0]} reps, {confidence} CI",
                     loc="right", fontsize=7, color="0.3")
    return fig


def morris_figure(indices: pd.DataFrame, metric: str, *, width: str | float = "single") -> Figure:
    """A Morris screening's mu*-sigma plane for one metric: one labelled marker per parameter.

    Parameters far to the right matter; those high above the dashed line sigma = mu* act through
    interactions or non-linearly. Bars are the bootstrap intervals of mu* and sigma.

    Raises:
        ValueError: The table holds no Morris indices of ``metric``.
    """
    rows = _metric_rows(indices, metric)
    if rows["method"].iloc[0] != "morris":
        raise ValueError(f"the indices of {metric!r} come from a {rows['method'].iloc[0]} analysis, not morris")
    wide = rows.pivot(index="parameter", columns="index", values="value")
    low, high = ({name: rows[rows["index"] == name].set_index("parameter")[end].reindex(wide.index)
                  for name in ("mu_star", "sigma")} for end in ("low", "high"))
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), 3.0))
        ax = fig.subplots()
        bars = {axis: np.nan_to_num([wide[name] - low[name], high[name] - wide[name]])
                for axis, name in (("xerr", "mu_star"), ("yerr", "sigma"))}
        ax.errorbar(wide["mu_star"], wide["sigma"], **bars, color=OKABE_ITO[0], marker="o", markersize=4,
                    linestyle="", linewidth=0.8, capsize=0)
        top = float(np.nanmax([high["mu_star"].max(), high["sigma"].max(), 0.0])) or 1.0
        ax.plot([0, top], [0, top], color=GREY, linewidth=0.6, linestyle="--", zorder=0)
        # Labels on the parameters that matter; those crowded near the origin are named in a note.
        labelled = wide["mu_star"] >= LABELLED_SHARE * wide["mu_star"].max()
        ax.set(xlim=(0, top * 1.05), ylim=(0, top * 1.05), xlabel=INDEX_LABELS["mu_star"],
               ylabel=INDEX_LABELS["sigma"])
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=4))  # thousands with separators need the room
            thousands_axis(axis, [0, top])
        fig.canvas.draw()  # the ticks' labels take their places, so that names can avoid them
        named = _label_points(ax, wide[labelled].sort_values("mu_star", ascending=False))
        notes = []
        if len(named) < labelled.sum():
            notes += ["not named (crowded):", *(p for p in wide.index[labelled] if p not in named)]
        if not labelled.all():
            notes += ["near 0:", *wide.index[~labelled]]
        if notes:
            ax.text(0.98, 0.98, "\n".join(notes), transform=ax.transAxes, ha="right", va="top", fontsize=6,
                    color="0.3")
        ax.set_title(f"{metric_label(metric)}\nper whole range of a parameter; {_level(rows)} intervals",
                     loc="left", fontsize=7, color="0.3")
    return fig


def sensitivity_figures(indices: pd.DataFrame, *, width: str | float = "single") -> dict[str, Figure]:
    """Every figure of a table of indices, by file name: ``indices_<metric>`` for each metric, and
    ``morris_<metric>`` (the mu*-sigma plane) for a Morris screening."""
    figures = {}
    for metric in dict.fromkeys(indices["metric"]):
        figures[f"indices_{metric}"] = indices_figure(indices, metric, width=width)
        if (indices.loc[indices["metric"] == metric, "method"] == "morris").all():
            figures[f"morris_{metric}"] = morris_figure(indices, metric, width=width)
    return figures


def _label_points(ax, points: pd.DataFrame) -> list[str]:
    """Name each point beside it, on the first side (above right, below right, above left, below left)
    where the name stays inside the figure and overlaps no name placed before nor an axis's labels;
    return the names placed (a point with no such side goes unnamed)."""
    renderer = ax.figure.canvas.get_renderer()
    figure_box = ax.figure.bbox
    placed = [label.get_window_extent(renderer) for axis in (ax.xaxis, ax.yaxis)
              for label in (axis.label, *axis.get_ticklabels()) if label.get_visible() and label.get_text()]
    named = []
    for parameter, row in points.iterrows():
        for dx, dy, side in LABEL_PLACES:
            text = ax.annotate(parameter, (row["mu_star"], row["sigma"]), xytext=(dx, dy), ha=side,
                               textcoords="offset points", fontsize=6)
            box = text.get_window_extent(renderer)
            is_inside = (figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1
                         and figure_box.y0 <= box.y0 and box.y1 <= figure_box.y1)
            if is_inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                named.append(parameter)
                break
            text.remove()
    return named


def _metric_rows(indices: pd.DataFrame, metric: str) -> pd.DataFrame:
    rows = indices[indices["metric"] == metric]
    if rows.empty:
        raise ValueError(f"no indices of {metric!r}; the table holds {sorted(set(indices['metric']))}")
    return rows


def _level(rows: pd.DataFrame) -> str:
    """The intervals' confidence level, e.g. '95%'."""
    return f"{rows['level'].iloc[0]:.0%}"
