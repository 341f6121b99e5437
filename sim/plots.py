"""Figures of a run, in one house style: Okabe-Ito colour-blind-safe colours, units on every axis.

Each function takes results (DataFrames or the summary) and returns a matplotlib Figure; nothing
here runs a model. :func:`save_run_figures` writes the standard set into a results folder.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed or assumed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.metrics import gini, lorenz_curve  # noqa: E402

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
HOUSE_STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "svg.fonttype": "none",  # keep text as text in SVG
    "pdf.fonttype": 42,  # embed TrueType so PDF text stays text
}
# Where each viewer dollar went, in stacking order, with the summary key of each part.
DOLLAR_PARTS = (
    ("tax_usd", "Tax"), ("store_fees_usd", "Store and payment fees"),
    ("platform_revenue_usd", "Platform"), ("creator_income_usd", "Creators"),
    ("unspent_usd", "Coins not yet gifted"),
)


def lorenz_figure(creators: pd.DataFrame, viewers: pd.DataFrame | None = None) -> Figure:
    """Lorenz curves of creator income (and of active viewers' spend), with their Gini."""
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots()
        series = [("Creator income", creators["income_usd"].to_numpy())]
        if viewers is not None:
            series.append(("Viewer spend", viewers.loc[viewers["hours_online"] > 0, "spend_usd"].to_numpy()))
        for label, values in series:
            x, y = lorenz_curve(values)
            ax.plot(x, y, label=f"{label} (Gini {gini(values):.2f})")
        ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=0.8, label="Equality")
        ax.set(xlabel="Share of people, poorest first", ylabel="Cumulative share of total",
               xlim=(0, 1), ylim=(0, 1), title="Concentration of income and spend")
        ax.set_aspect("equal")
        ax.legend(frameon=False, loc="upper left")
    return fig


def money_flow_figure(summary: dict) -> Figure:
    """Where each viewer dollar went, by the viewer's region (shares of gross spend)."""
    regions = summary["by_region"]
    names = [r for r, m in regions.items() if m["gross_spend_usd"] > 0]
    with plt.rc_context(HOUSE_STYLE):
        fig, ax = plt.subplots()
        left = np.zeros(len(names))
        for key, label in DOLLAR_PARTS:
            share = np.array([regions[r][key] / regions[r]["gross_spend_usd"] for r in names])
            ax.barh(names, share, left=left, label=label)
            left += share
        ax.set(xlabel="Share of what viewers paid (1)", ylabel="Viewer's region", xlim=(0, 1),
               title="Where each viewer dollar went")
        ax.invert_yaxis()
        ax.legend(frameon=False, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    return fig


def engagement_figure(timeseries: pd.DataFrame) -> Figure:
    """Concurrent viewers and gifts per hour over the run (UTC), showing the daily rhythm."""
    with plt.rc_context(HOUSE_STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, sharex=True)
        days = (timeseries["step"] - 1) / 24
        top.plot(days, timeseries["n_viewers_watching"], color=OKABE_ITO[0])
        top.set(ylabel="Concurrent viewers", title="Hourly engagement")
        bottom.plot(days, timeseries["new_gifts"], color=OKABE_ITO[1])
        bottom.set(ylabel="Gifts per hour", xlabel="Time since start (days, UTC)")
        fig.align_ylabels()
    return fig


def save_run_figures(
    directory: Path, timeseries: pd.DataFrame, viewers: pd.DataFrame, creators: pd.DataFrame,
    summary: dict, formats: tuple[str, ...] = ("png",),
) -> list[Path]:
    """Draw the standard figures of one run into ``directory``; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    figures = {
        "lorenz": lorenz_figure(creators, viewers),
        "viewer_dollar": money_flow_figure(summary),
        "engagement": engagement_figure(timeseries),
    }
    written = []
    for name, fig in figures.items():
        for fmt in formats:
            path = directory / f"{name}.{fmt}"
            with plt.rc_context(HOUSE_STYLE):
                fig.savefig(path, format=fmt, metadata=_no_timestamp(fmt))
            written.append(path)
        plt.close(fig)
    return written


def _no_timestamp(fmt: str) -> dict:
    """Metadata that keeps files byte-identical for identical results."""
    return {"CreationDate": None} if fmt == "pdf" else {"Date": None} if fmt == "svg" else {}
