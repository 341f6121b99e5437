"""Figure of a calibration: the loss profiled along each fitted parameter around the best point.

:func:`profile_figure` takes the profile table :func:`sim.sweeps.calibrate.calibrate` returns (one row
per parameter and value: ``parameter``, ``value``, ``is_best``, ``loss``) and returns a matplotlib
figure in the house style (:mod:`sim.figures.style`).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.figures.style import GREY, HOUSE_STYLE, OKABE_ITO, figure_width, new_figure

PANEL_HEIGHT_IN = 2.0


def profile_figure(profile: pd.DataFrame, tolerance: float = 1.0, *, log_parameters: tuple[str, ...] = (),
                   width: str | float = "double") -> Figure:
    """One panel per fitted parameter: the loss at values across its range, the others at the best point.

    The loss is the sum over fitted facts of squared distances from their targets in half widths of the
    published ranges. The best point is the filled marker; the dashed line is the best loss plus
    ``tolerance``, so the values under it fit about as well (the parameter's uncertainty).

    Args:
        profile: The profile table, with at least one row.
        tolerance: Loss above the best drawn as the dashed line.
        log_parameters: Parameters searched on a log scale, drawn on a log axis.
        width: Figure width (:func:`sim.figures.style.figure_width`).

    Raises:
        ValueError: The profile is empty.
    """
    if profile.empty:
        raise ValueError("the profile is empty: the calibration ran with profile_points 0")
    parameters = list(dict.fromkeys(profile["parameter"]))
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = new_figure(figsize=(figure_width(width), PANEL_HEIGHT_IN))
        axes = np.atleast_1d(fig.subplots(1, len(parameters), sharey=True))
        losses = profile["loss"].to_numpy(dtype=float)
        is_log_loss = bool(np.isfinite(losses).all() and (losses > 0).all()
                           and losses.max() / losses.min() > 30)
        for ax, parameter in zip(axes, parameters, strict=True):
            part = profile[profile["parameter"] == parameter].sort_values("value")
            best = part[part["is_best"]]
            ax.plot(part["value"], part["loss"], color=OKABE_ITO[0], marker="o", markersize=3,
                    markerfacecolor="white")
            ax.plot(best["value"], best["loss"], color=OKABE_ITO[3], marker="o", markersize=5, linestyle="")
            if not best.empty:
                ax.axhline(float(best["loss"].iloc[0]) + tolerance, color=GREY, linewidth=0.6, linestyle="--")
            if parameter in log_parameters:
                ax.set_xscale("log")
            ax.set_xlabel(parameter)
        if is_log_loss:
            axes[0].set_yscale("log")
        axes[0].set_ylabel(f"Loss (dashed: best + {tolerance:g})")
    return fig
