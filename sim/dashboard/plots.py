"""The dashboard's live plots: the run figures of :mod:`sim.figures`, drawn from the model as it runs.

Each plot is a function of the model that SolaraViz calls after every step (or every
``render_interval`` steps); it reads the model's public tables and summary, draws the same figure
``giftsim plot`` draws from a results folder, and shows it as inline SVG. Every bar and line in the
SVG carries an id naming the plot, its panel and its series (``viewer-dollar-ax0-creators-2``,
``engagement-ax1-line0``), so the page itself says what each mark shows: the browser test reads the
plotted values off the page this way.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import matplotlib
import solara
from matplotlib.figure import Figure

from sim.engine.model import GiftEconomy
from sim.figures import (
    HOUSE_STYLE,
    engagement_figure,
    lorenz_figure,
    metric_label,
    regions_figure,
    viewer_dollar_figure,
)

WIDTH = "double"  # of every figure (sim.figures.figure_width); the browser scales the SVG to its panel
HEADLINES = ("gross_spend_usd", "creator_income_usd", "platform_revenue_usd", "creator_share_of_spend",
             "creator_income_gini", "top1_creator_income_share", "payer_ratio", "arpu_usd")


def figure_svg(fig: Figure, name: str) -> str:
    """``fig`` as an inline ``<svg>`` element whose bars and lines have ids (see the module docstring)."""
    for axes_index, ax in enumerate(fig.axes):
        for container in ax.containers:
            series = _slug(container.get_label())
            for index, bar in enumerate(container):
                bar.set_gid(f"{name}-ax{axes_index}-{series}-{index}")
        for index, line in enumerate(ax.get_lines()):
            line.set_gid(f"{name}-ax{axes_index}-line{index}")
    buffer = io.BytesIO()
    with matplotlib.rc_context(HOUSE_STYLE):  # the style the figure was drawn in: text stays text
        fig.savefig(buffer, format="svg")
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]  # without the XML prolog and doctype, which HTML does not take


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "series"


@solara.component
def FigureView(name: str, draw: Callable[[], Figure | None], empty: str):
    """A figure as inline SVG in a block with id ``name``, or the text ``empty`` while there is nothing to draw."""
    fig = draw()
    with solara.Div(attributes={"id": name}, style={"width": "100%"}):
        if fig is None:
            solara.Info(empty)
        else:
            solara.HTML(tag="div", unsafe_innerHTML=figure_svg(fig, name),
                        style={"width": "100%", "max-width": "900px"}, classes=["giftsim-figure"])


def viewer_dollar(model: GiftEconomy):
    """Where each viewer dollar has gone so far: tax, fees, platform, creators and coins not yet gifted."""
    def draw() -> Figure | None:
        summary = model.summary()
        return viewer_dollar_figure(summary, width=WIDTH) if summary["gross_spend_usd"] > 0 else None
    return FigureView("viewer-dollar", draw, "No coins bought yet: step the model.")


def engagement(model: GiftEconomy):
    """Concurrent viewers and gifts sent, hour by hour."""
    def draw() -> Figure | None:
        timeseries = model.timeseries()
        return engagement_figure(timeseries, width=WIDTH) if len(timeseries) else None
    return FigureView("engagement", draw, "No hours simulated yet: step the model.")


def concentration(model: GiftEconomy):
    """Lorenz curves of creator income and viewer spend so far, with their Gini coefficients."""
    def draw() -> Figure | None:
        creators = model.creators_table()
        if creators["income_usd"].sum() <= 0:
            return None
        return lorenz_figure(creators, model.viewers_table(), width=WIDTH)
    return FigureView("concentration", draw, "No creator income yet: step the model.")


def regions(model: GiftEconomy):
    """ARPU, payer ratio and creator share by the viewer's region."""
    def draw() -> Figure | None:
        summary = model.summary()
        return regions_figure(summary, width=WIDTH) if summary["active_viewers"] > 0 else None
    return FigureView("regions", draw, "No viewer active yet: step the model.")


def headlines(model: GiftEconomy):
    """The clock and the run's headline metrics so far, each labelled with its unit."""
    summary = model.summary()
    row = model.last_hour if model.steps else None
    lines = [f"**Hour {model.steps}**" + (f" (day {row['day']}, {row['hour_utc']:02d}:00 UTC)" if row else ""), ""]
    lines += [f"- {metric_label(key)}: {summary[key]:,.4g}" for key in HEADLINES]
    return solara.Markdown("\n".join(lines))


COMPONENTS = (headlines, viewer_dollar, engagement, concentration, regions)
