"""The dashboard's live plots: the run figures of :mod:`sim.figures`, drawn from the model as it runs.

Each plot is a function of the model that SolaraViz calls after every step (or every
``render_interval`` steps); it reads the model's public tables and summary, draws the same figure
``giftsim plot`` draws from a results folder, and shows it as inline SVG. Every bar and line in the
SVG carries an id naming the plot, its panel and its series (``viewer-dollar-ax0-creators-2``,
``engagement-ax1-line0``), so the page itself says what each mark shows: the browser test reads the
plotted values off the page this way.
"""

from __future__ import annotations

import html
import io
import re

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
    svg = svg[svg.index("<svg"):]  # without the XML prolog and doctype, which HTML does not take
    # Scaled to its panel's width by its viewBox, instead of drawn at its size in points
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 style="width: 100%; height: auto"',
                  svg, count=1)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "series"


def figure_view(name: str, fig: Figure | None, empty: str) -> solara.Element:
    """A block with id ``name`` holding ``fig`` as inline SVG, or the text ``empty`` when there is no figure."""
    if fig is None:
        child = solara.Info(empty)
    else:
        child = solara.HTML(tag="div", unsafe_innerHTML=figure_svg(fig, name), style={"max-width": "900px"})
    return solara.Div(children=[child], attributes={"id": name}, style={"width": "100%"})


# Each plot is drawn anew whenever SolaraViz renders the model (after a step, a run's render interval or a
# reset): a plain function of the model, which Mesa wraps in a component that re-renders on every update.
def viewer_dollar(model: GiftEconomy) -> solara.Element:
    """Where each viewer dollar has gone so far: tax, fees, platform, creators and coins not yet gifted."""
    summary = model.summary()
    fig = viewer_dollar_figure(summary, width=WIDTH) if summary["gross_spend_usd"] > 0 else None
    return figure_view("viewer-dollar", fig, "No coins bought yet: step the model.")


def engagement(model: GiftEconomy) -> solara.Element:
    """Concurrent viewers and gifts sent, hour by hour."""
    timeseries = model.timeseries()
    fig = engagement_figure(timeseries, width=WIDTH) if len(timeseries) else None
    return figure_view("engagement", fig, "No hours simulated yet: step the model.")


def concentration(model: GiftEconomy) -> solara.Element:
    """Lorenz curves of creator income and viewer spend so far, with their Gini coefficients."""
    creators = model.creators_table()
    fig = lorenz_figure(creators, model.viewers_table(), width=WIDTH) if creators["income_usd"].sum() > 0 else None
    return figure_view("concentration", fig, "No creator income yet: step the model.")


def regions(model: GiftEconomy) -> solara.Element:
    """ARPU, payer ratio and creator share by the viewer's region."""
    summary = model.summary()
    fig = regions_figure(summary, width=WIDTH) if summary["active_viewers"] > 0 else None
    return figure_view("regions", fig, "No viewer active yet: step the model.")


def headlines(model: GiftEconomy) -> solara.Element:
    """The clock and the run's headline metrics so far, each labelled with its unit."""
    summary = model.summary()
    row = model.last_hour if model.steps else None
    clock = f" (day {row['day']}, {row['hour_utc']:02d}:00 UTC)" if row else ""
    items = "".join(f"<li>{html.escape(metric_label(key))}: {summary[key]:,.4g}</li>" for key in HEADLINES)
    # HTML rather than Markdown, whose maths renderer the page would fetch from a CDN
    return solara.HTML(tag="div", unsafe_innerHTML=f"<b>Hour {model.steps}</b>{clock}<ul>{items}</ul>",
                       attributes={"id": "headlines"})


COMPONENTS = (headlines, viewer_dollar, engagement, concentration, regions)
