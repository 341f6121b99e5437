"""The dashboard's plots: the run figures of :mod:`sim.figures`, drawn from the model for a screen pane.

Each plot draws the same figure ``giftsim plot`` draws from a results folder, from the model as it
stands, and returns it as inline SVG. For a screen, not a journal column: a figure is drawn at
:data:`SCREEN_WIDTH_IN`, narrower than a column, and the page scales it to its pane, which is
:data:`PANE_MIN_PX` to :data:`PANE_MAX_PX` wide (a 390 px phone's one column, a desktop's two); so
its smallest text, 7 pt in the house style, shows at 11 to 14 px (:func:`text_px`), where the
double-column figure shrunk into a pane showed 5 px. At 3.2 in the figures' longest axis labels
still fit (at 2.8 in the viewer-dollar figure's was cut).

Every bar and line in the SVG carries an id naming the plot, its panel and its series
(``viewer-dollar-ax0-creators-2``, ``engagement-ax1-line0``), so the page itself says what each mark
shows: the browser test reads the plotted values off the page this way.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import matplotlib
from matplotlib.figure import Figure

from sim.engine.model import GiftEconomy
from sim.figures import HOUSE_STYLE, engagement_figure, lorenz_figure, regions_figure, viewer_dollar_figure

SCREEN_WIDTH_IN = 3.2  # narrow, so that the house style's 7-8 pt text is large once the figure fills its pane
PANE_MIN_PX, PANE_MAX_PX = 370, 460  # a plot's pane: a 390 px phone's one column, a 1280 px desktop's two
CSS_PX_PER_PT = 96 / 72  # the browser's px per point of an SVG drawn in points
SMALLEST_TEXT_PT = 7  # the house style's tick labels and legends (sim.figures.style.HOUSE_STYLE)


def text_px(pane_px: float, points: float = SMALLEST_TEXT_PT) -> float:
    """How tall, in CSS px, text of ``points`` shows in a figure of :data:`SCREEN_WIDTH_IN` scaled to ``pane_px``."""
    return points * CSS_PX_PER_PT * pane_px / (SCREEN_WIDTH_IN * 96)


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
    # Scaled to its pane's width by its viewBox, instead of drawn at its size in points
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 style="width: 100%; height: auto"',
                  svg, count=1)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "series"


def viewer_dollar(model: GiftEconomy) -> Figure | None:
    """Where each viewer dollar has gone so far: tax, fees, platform, creators and coins not yet gifted."""
    summary = model.summary()
    return viewer_dollar_figure(summary, width=SCREEN_WIDTH_IN) if summary["gross_spend_usd"] > 0 else None


def engagement(model: GiftEconomy) -> Figure | None:
    """Concurrent viewers and gifts sent, hour by hour."""
    timeseries = model.timeseries()
    return engagement_figure(timeseries, width=SCREEN_WIDTH_IN) if len(timeseries) else None


def concentration(model: GiftEconomy) -> Figure | None:
    """Lorenz curves of creator income and viewer spend so far, with their Gini coefficients."""
    creators = model.creators_table()
    if creators["income_usd"].sum() <= 0:
        return None
    return lorenz_figure(creators, model.viewers_table(), width=SCREEN_WIDTH_IN)


def regions(model: GiftEconomy) -> Figure | None:
    """ARPU, payer ratio and creator share by the viewer's region."""
    summary = model.summary()
    return regions_figure(summary, width=SCREEN_WIDTH_IN) if summary["active_viewers"] > 0 else None


# Each plot: its name (the id of its block on the page), a title, how it is drawn, what shows before there is data.
PLOTS: tuple[tuple[str, str, Callable[[GiftEconomy], Figure | None], str], ...] = (
    ("viewer-dollar", "Where each viewer dollar went", viewer_dollar, "No coins bought yet: step the model."),
    ("engagement", "Viewers and gifts, hour by hour", engagement, "No hours simulated yet: step the model."),
    ("concentration", "Concentration of income and spend", concentration, "No creator income yet: step the model."),
    ("regions", "Regions compared", regions, "No viewer active yet: step the model."),
)


def draw_plots(model: GiftEconomy) -> dict[str, str | None]:
    """Every plot of :data:`PLOTS` as inline SVG, by name; None where there is nothing to draw yet."""
    drawn = {}
    for name, _, draw, _ in PLOTS:
        fig = draw(model)
        drawn[name] = None if fig is None else figure_svg(fig, name)
    return drawn
