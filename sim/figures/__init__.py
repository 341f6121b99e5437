"""Figures drawn from results: one run, runs side by side, and sweeps, in one house style for publication.

The public entry point: ``from sim import figures`` and call what is listed here. Every figure
function takes results and returns a matplotlib :class:`~matplotlib.figure.Figure`; nothing here
runs a model.

- One run (:mod:`sim.figures.run`): :func:`run_figures` draws every figure of :data:`RUN_FIGURES`
  from a results folder, the dict :func:`sim.io.folder.read_results` returns, or a
  :class:`sim.RunResult`; :func:`save_run_figures` writes them (``giftsim plot`` uses it). Each
  figure also has its own function (:func:`lorenz_figure`, :func:`regions_figure`, ...).
- Several runs: :func:`compare_runs_figure`.
- Sweeps (:mod:`sim.figures.sweep`): :func:`sweep_figure`, :func:`sampled_figure` (a parameter
  sampled from a range), :func:`sweep_heatmap_figure` and :func:`tradeoff_figure`, and
  :func:`sweep_figures` for a sweep's standard set.
- Sensitivity analyses (:mod:`sim.figures.sensitivity`): :func:`indices_figure`,
  :func:`morris_figure` (the mu*-sigma plane) and :func:`sensitivity_figures`.
- Calibrations (:mod:`sim.figures.calibrate`): :func:`profile_figure`, the loss along each fitted
  parameter around the best point.
- The house style (:mod:`sim.figures.style`): :data:`HOUSE_STYLE`, :data:`OKABE_ITO`, the widths
  every figure function takes as ``width`` (:data:`WIDTHS_IN`: ``"single"`` column,
  :data:`COLUMN_WIDTH_IN`, the default; ``"double"`` column, :data:`DOUBLE_COLUMN_WIDTH_IN`; or
  inches, see :func:`figure_width`), :func:`metric_label` (every metric's label with its unit), and
  :func:`save_figures`, which writes PNG, SVG or PDF (:data:`FORMATS`, :data:`DEFAULT_DPI`) without
  timestamps, so the same results always give byte-identical files, with the provenance of the
  results in each file's metadata.

Figures are made outside pyplot and need no particular matplotlib backend; in a notebook they show
inline when displayed.
"""

from sim.figures.calibrate import profile_figure
from sim.figures.run import (
    COMPARED_DOLLARS,
    COMPARED_SHARES,
    RUN_FIGURES,
    compare_runs_figure,
    engagement_figure,
    income_ccdf_figure,
    lorenz_figure,
    regions_figure,
    run_figures,
    save_run_figures,
    viewer_dollar_figure,
)
from sim.figures.sensitivity import indices_figure, morris_figure, sensitivity_figures
from sim.figures.style import (
    COLUMN_WIDTH_IN,
    DEFAULT_DPI,
    DOUBLE_COLUMN_WIDTH_IN,
    FORMATS,
    HOUSE_STYLE,
    OKABE_ITO,
    WIDTHS_IN,
    figure_width,
    metric_label,
    save_figures,
)
from sim.figures.sweep import (
    SWEEP_METRICS,
    sampled_figure,
    sweep_figure,
    sweep_figures,
    sweep_heatmap_figure,
    tradeoff_figure,
)

__all__ = [
    "COLUMN_WIDTH_IN", "COMPARED_DOLLARS", "COMPARED_SHARES", "DEFAULT_DPI", "DOUBLE_COLUMN_WIDTH_IN", "FORMATS",
    "HOUSE_STYLE", "OKABE_ITO", "RUN_FIGURES", "SWEEP_METRICS", "WIDTHS_IN", "compare_runs_figure", "engagement_figure",
    "figure_width", "income_ccdf_figure", "indices_figure", "lorenz_figure", "metric_label", "morris_figure",
    "profile_figure", "regions_figure", "run_figures", "sampled_figure", "save_figures", "save_run_figures",
    "sensitivity_figures", "sweep_figure", "sweep_figures", "sweep_heatmap_figure", "tradeoff_figure",
    "viewer_dollar_figure",
]
