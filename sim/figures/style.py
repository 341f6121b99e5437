"""The house style of every giftsim figure: colours, sizes, labels with units, axes, and files.

:data:`HOUSE_STYLE` holds Okabe-Ito colour-blind-safe colours, text sizes of 7 pt and more,
constrained layout so no labels overlap, and text kept as text in SVG and PDF. Every figure function
takes a ``width``: a journal's single column (3.5 in, the default), its double column (7.2 in) or
any width in inches (:func:`figure_width`); text keeps its size in points at every width, so a
figure drawn at the width it is printed is never scaled and its text never shrinks below 7 pt.
:func:`metric_label` is the one place a metric's axis label and unit are written, and
:func:`parameter_label` a config parameter's, from the schema's own title and unit.
:func:`save_figures` writes files without timestamps, so the same results always give
byte-identical files, and with the provenance of the results they were drawn from in each file's
metadata.

Figures are made with :func:`new_figure`, outside pyplot: drawing and saving need no global
backend, pyplot keeps no reference to them, and a notebook shows only the figures it displays.
"""

from __future__ import annotations

import io
import math
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter, StrMethodFormatter
from pydantic import BaseModel

from sim.engine.config import Config, declared_bounds, declared_label, declared_unit
from sim.engine.report import describe

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
COLUMN_WIDTH_IN = 3.5  # a journal's single column (89 mm), the default width of every figure
DOUBLE_COLUMN_WIDTH_IN = 7.2  # a journal's double column, the page's text width (183 mm at Nature, 7.16 in at IEEE)
DEFAULT_HEIGHT_IN = 2.6  # of a figure with one panel
WIDTHS_IN = {"single": COLUMN_WIDTH_IN, "double": DOUBLE_COLUMN_WIDTH_IN}
# Widths a figure may be drawn at: narrower, 7 pt labels no longer fit beside the axes; wider than any page.
MIN_WIDTH_IN, MAX_WIDTH_IN = 2.5, 10.0
DEFAULT_DPI = 300  # raster resolution journals ask for; only PNG uses it
FORMATS = ("png", "svg", "pdf")
HOUSE_STYLE = {
    "figure.figsize": (COLUMN_WIDTH_IN, DEFAULT_HEIGHT_IN),
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
# zlib's fastest level for PNG (Pillow's default is 6): files about a sixth larger, a fifth less time to
# encode five 300-dpi figures (0.61 -> 0.51 s, 2026-12-07), which a default run spends after simulating
SAVE_OPTIONS = {"png": {"pil_kwargs": {"compress_level": 1}}}
# Metadata that would hold the time of writing; None leaves it out so files are reproducible.
NO_TIMESTAMP = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
# Where each format keeps the provenance as one line of text: SVG takes Dublin Core names only and
# PDF's document info its own (PNG keeps every key as a text chunk of its own as well).
PROVENANCE_FIELD = {"png": "Description", "svg": "Description", "pdf": "Subject"}

GREY = "0.55"
MARKERS = ("o", "s", "^", "D", "v", "P", "X")  # distinguishable without colour

# How a declared unit shows on an axis; other units show as declared.
UNIT_DISPLAY = {"1": "0-1", "-": None}
# The unit of an undeclared name (a sweep's parameter, a derived column), from the end of its name.
UNIT_SUFFIXES = {"_usd": "USD", "_share": "0-1", "_ratio": "0-1", "_gini": "0-1"}


def metric_label(name: str) -> str:
    """A metric's label with its unit, e.g. ``"Gross viewer spend (USD)"`` for ``gross_spend_usd``.

    Declared outputs (time-series columns, table columns, summary and per-group keys: see
    :func:`sim.engine.report.describe`) take their declared label and unit; any other name shows as
    its words with the unit its suffix implies (:data:`UNIT_SUFFIXES`): ``price_usd`` becomes
    ``"price (USD)"``, and ``price`` stays ``"price"``.
    """
    declared = describe(name)
    if declared is not None:
        unit = UNIT_DISPLAY.get(declared.unit, declared.unit)
        if unit == declared.label.lower():  # "Gifts (gifts)" says nothing: it is a count
            unit = "count"
        return declared.label if unit is None else f"{declared.label} ({unit})"
    words = " ".join(name.removesuffix("_usd").split("_"))
    unit = next((unit for suffix, unit in UNIT_SUFFIXES.items() if name.endswith(suffix)), None)
    return words if unit is None else f"{words} ({unit})"


def parameter_label(path: str) -> str | None:
    """A config parameter's axis label with its unit, from the schema, e.g. ``"Price multiplier, ID"``.

    ``path`` is the parameter's dotted path (``platform.creator_share``, ``regions.ID.price_multiplier``)
    or a sweep's column for it (dots as double underscores). The label is the field's declared title,
    or its section and name in words (``exploration.share``: "Exploration share"), with the key of a
    region or channel after it; the unit is the one its description declares, with a dimensionless
    ``1`` shown as 0-1 for a field bounded to 0-1 and left out otherwise (a multiplier, an exponent).

    Returns:
        None when ``path`` names no numeric or categorical field of the schema.
    """
    parts = path.replace("__", ".").split(".")
    model: Any = Config
    section, key = "", None
    for i, part in enumerate(parts):
        field = model.model_fields.get(part) if isinstance(model, type) else None
        if field is None:
            return None
        annotation = field.annotation
        if typing.get_origin(annotation) is dict:  # regions.ID..., channels.ID...: the next part is a key
            if i + 2 >= len(parts):
                return None
            key, model = parts[i + 1], typing.get_args(annotation)[1]
            parts.pop(i + 1)
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            section, model = part, annotation
            continue
        if i != len(parts) - 1:
            return None
        # A field's own name can be ambiguous ("share"); its section's name makes it plain.
        label = declared_label(field, part if field.title or key or not section else f"{section}_{part}")
        label = label.replace(" usd ", " USD ")
        label = label if key is None else f"{label}, {key}"
        unit = declared_unit(field)
        if unit is not None and "." in unit:  # a file or a field named in parentheses is not a unit
            unit = None
        if unit is None:  # "(USD, US income scale)" declares its unit among words: the name's suffix says it
            unit = next((unit for suffix, unit in UNIT_SUFFIXES.items() if part.endswith(suffix)), None)
        if unit == "1":
            low, _, high, _ = declared_bounds(field)
            unit = "0-1" if low is not None and high is not None and 0 <= low and high <= 1 else None
        return label if unit is None else f"{label} ({unit})"
    return None


class NotebookFigure(Figure):
    """A figure that a notebook shows inline when it is displayed, whatever pyplot's backend."""

    def _repr_png_(self) -> bytes:
        """The figure as PNG, for IPython's rich display (used when no matplotlib display is set up)."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def figure_width(width: str | float) -> float:
    """A figure's width in inches, from a preset (``"single"``, ``"double"``) or a number of inches.

    Args:
        width: ``"single"`` (:data:`COLUMN_WIDTH_IN`), ``"double"`` (:data:`DOUBLE_COLUMN_WIDTH_IN`),
            or inches, as a number or its text (``7``, ``"6.5"``).

    Raises:
        ValueError: Not a preset, or inches outside :data:`MIN_WIDTH_IN` to :data:`MAX_WIDTH_IN`.
    """
    if isinstance(width, str) and width in WIDTHS_IN:
        return WIDTHS_IN[width]
    try:
        inches = float(width)
    except (TypeError, ValueError):
        inches = math.nan
    if not MIN_WIDTH_IN <= inches <= MAX_WIDTH_IN:  # NaN fails too
        raise ValueError(f"width {width!r} is neither {' nor '.join(map(repr, WIDTHS_IN))} nor inches from "
                         f"{MIN_WIDTH_IN:g} to {MAX_WIDTH_IN:g}")
    return inches


def new_figure(**options: Any) -> Figure:
    """A figure in the current rc settings (call inside ``matplotlib.rc_context(HOUSE_STYLE)``).

    It is drawn and saved by the Agg renderer whatever pyplot's backend is, and pyplot holds no
    reference to it. Options are :class:`~matplotlib.figure.Figure`'s, e.g. ``figsize``.
    """
    fig = NotebookFigure(**options)
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas
    return fig


def save_figures(
    figures: Mapping[str, Figure], directory: str | Path, formats: Iterable[str] = ("png",), dpi: int = DEFAULT_DPI,
    provenance: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write figures as ``directory/<name>.<format>``, without timestamps; return the files written.

    Args:
        figures: Figures by file name (without extension).
        directory: Where to write; created if missing.
        formats: Any of :data:`FORMATS`.
        dpi: PNG resolution.
        provenance: Where the results drawn came from (:func:`sim.io.provenance.figure_provenance`),
            written into every file's metadata: as ``key=value; ...`` text in the PNG's and SVG's
            ``Description`` and the PDF's ``Subject``, and in PNG also as one text chunk per key.

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
            with matplotlib.rc_context(HOUSE_STYLE):  # the SVG and PDF font settings apply when writing
                fig.savefig(path, format=fmt, dpi=dpi, metadata=file_metadata(fmt, provenance),
                            **SAVE_OPTIONS.get(fmt, {}))
            written.append(path)
    return written


def file_metadata(fmt: str, provenance: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The metadata to save a figure with: no timestamp, and the provenance in the format's fields."""
    metadata = dict(NO_TIMESTAMP[fmt])
    if provenance:
        metadata[PROVENANCE_FIELD[fmt]] = "; ".join(f"{key}={value}" for key, value in provenance.items())
        if fmt == "png":
            metadata.update(provenance)
    return metadata


def lower_first(text: str) -> str:
    """A label to follow other words: "Creator income" becomes "creator income", "ARPU" stays."""
    return text[0].lower() + text[1:] if text[:2].istitle() else text


def change_label(label: str) -> str:
    """The label of a change in a quantity: "Creator income (USD)" becomes "Change in creator income (USD)".

    A share's 0-1 is dropped: a change in a share runs from -1 to 1, in the share's own units.
    """
    return f"Change in {lower_first(label.removesuffix(' (0-1)'))}"


def format_value(value: Any) -> str:
    """A parameter value as a tick or legend entry: numbers in the shortest form (0.5, 1, 1.25)."""
    return f"{value:g}" if isinstance(value, int | float | np.number) and not isinstance(value, bool) else str(value)


def common_format(values: np.ndarray) -> str:
    """One format for all ``values``: 3 significant digits for the largest, the same decimals for all.

    Whole numbers with thousands separators from 100 up; equal decimals keep a column of numbers aligned.
    """
    largest = np.nanmax(np.abs(values))
    decimals = 0 if largest >= 100 or largest == 0 else min(2 - math.floor(math.log10(largest)), 6)
    return f"{{:,.{decimals}f}}"


def legend_below(fig: Figure, handles: list, labels: list[str], most_columns: int, **options: Any) -> None:
    """A legend under the axes in as few rows as fit the figure's width, with (up to) as many entries in each."""
    renderer = fig.canvas.get_renderer()
    for rows in range(math.ceil(len(labels) / most_columns), len(labels) + 1):
        columns = math.ceil(len(labels) / rows)  # balanced: 4 entries go 4, 2+2, then 1 a row, never 3+1
        legend = fig.legend(handles, labels, loc="outside lower center", ncols=columns, **options)
        if columns == 1 or legend.get_window_extent(renderer).width <= fig.bbox.width:
            return
        legend.remove()


def plain_number(value: float, _position: int | None = None) -> str:
    """A tick value in positional notation: 0.001, 0.5, 10, 1,000."""
    return f"{value:,.0f}" if value >= 1 else np.format_float_positional(value, trim="-")


def thousands_axis(axis: Axis, values: Iterable[float] | None = None) -> None:
    """Whole numbers with thousands separators (15,000 rather than 15000).

    With ``values``, only when they reach 1,000: smaller ones keep their decimals.
    """
    if values is None or np.nanmax(np.abs(np.asarray(values, dtype=float))) >= 1000:
        axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def percent_axis(axis: Axis) -> None:
    """Show shares (0-1) as percentages."""
    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
