"""Sensitivity analysis: a Morris screening or Sobol indices of summary metrics, over a sweep's runs.

A spec with a ``sensitivity`` section (:class:`sim.sweeps.spec.Sensitivity`) is a sweep like any
other: :func:`sensitivity` runs it with :func:`sim.sweeps.experiment.sweep` (any executor, into a
sweep folder, resumable), then analyses each metric with SALib and writes the table of indices
into the folder (``sensitivity.parquet`` and ``sensitivity.csv``). :func:`analyze` does the
analysis alone, on a folder's runs.

Replicates share their seeds across points (common random numbers), and a metric is averaged over
a point's replicates before the analysis: the indices are those of the replicate mean, so seed
noise that the replicates do not average away shows up as a spurious effect of every parameter.

The design lives in the unit cube, so the indices are in the metric's units per whole range of a
parameter: Morris's ``mu_star`` (mean absolute elementary effect; Campolongo et al. 2007) is the
typical change of the metric when a parameter moves across its range, ``sigma`` the spread of its
elementary effects (interactions and non-linearity); Sobol's ``S1`` and ``ST`` (Saltelli et al.
2010) are the shares of the metric's variance due to a parameter alone and with its interactions.
Intervals are SALib's bootstrap intervals (``conf``, a half width at ``sensitivity.confidence``);
SALib gives none for Morris's ``sigma``, so :func:`sigma_conf` bootstraps it the same way
(trajectories resampled, normal approximation); ``mu`` has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.sweeps.spec import SweepSpec, param_column
from sim.sweeps.work_estimate import WorkEstimate, estimate_work

INDICES_FILE = "sensitivity"  # .parquet and .csv in the sweep folder
ANALYSIS_STREAM = 2  # child of SeedSequence(root_seed) that drives the bootstrap (0: design, 1: runs)
INDEX_COLUMNS = ["metric", "method", "parameter", "index", "value", "conf", "low", "high", "level", "points",
                 "replicates"]
MAIN_INDEX = {"morris": "mu_star", "sobol": "ST"}  # what ranks the parameters


def planned_work(spec: SweepSpec, side_by_side: int) -> WorkEstimate:
    """The estimate for a sensitivity spec, from its design's size (no design drawn) and one timed run."""
    from sim.engine.config_io import load_config
    from sim.sweeps.spec import as_override_strings

    runs = spec.sensitivity.design_rows * spec.replicates
    return estimate_work(load_config(spec.base, as_override_strings(spec.set)), runs, side_by_side)


class SensitivityError(ValueError):
    """The runs cannot be analysed: a metric is missing or not finite, or points have no finished runs."""


@dataclass(frozen=True)
class SensitivityReport:
    """What :func:`sensitivity` did: the sweep, and the indices it found.

    Attributes:
        sweep: The sweep's report (runs planned, skipped, run, failed, wall time).
        indices: The table of indices (:data:`INDEX_COLUMNS`), empty when runs are missing or failed.
        files: The tables written into the sweep folder.
    """

    sweep: Any  # sim.sweeps.experiment.SweepReport
    indices: pd.DataFrame
    files: list[Path]


def analyze(runs: pd.DataFrame, spec: SweepSpec, metrics: Iterable[str] | None = None) -> pd.DataFrame:
    """The sensitivity indices of each metric, from a sensitivity sweep's runs.

    Args:
        runs: One row per finished run (``sim.open_results(path).runs``): ``point``, ``replicate``
            and the metric columns.
        spec: The sweep's spec, with its ``sensitivity`` section; the design is drawn again from it.
        metrics: Summary keys to analyse (default: the spec's ``sensitivity.metrics``).

    Returns:
        One row per metric, parameter and index (:data:`INDEX_COLUMNS`): Morris's ``mu_star``
        and ``sigma`` (with their bootstrap intervals) and ``mu``, or Sobol's ``S1`` and ``ST`` (with
        theirs); ``conf`` is the interval's half width, ``level`` its confidence level, ``points`` the
        design's distinct points
        and ``replicates`` the runs averaged at each.

    Raises:
        ValueError: The spec has no ``sensitivity`` section.
        SensitivityError: A metric is not a numeric column of the runs or is not finite at some
            point, or a point of the design has no finished run.
    """
    if spec.sensitivity is None:
        raise ValueError(f"the sweep {spec.name!r} has no sensitivity section; it is not a sensitivity analysis")
    design = spec.sensitivity
    metrics = list(metrics or design.metrics)
    numeric = [c for c in runs.columns if pd.api.types.is_numeric_dtype(runs[c]) and c not in
               ("point", "replicate", "seed", *map(param_column, spec.parameters))]
    unknown = [m for m in metrics if m not in numeric]
    if unknown:
        raise SensitivityError(f"metric {unknown[0]!r}: not a numeric summary key of these runs; choose from "
                               f"{', '.join(sorted(numeric))}")
    units, row_points, points = design.row_points(spec.root_seed)
    means = runs.groupby("point")[metrics].mean()
    replicates = runs.groupby("point")["replicate"].count()
    missing = sorted(set(range(len(points))) - set(means.index))
    if missing:
        raise SensitivityError(f"{len(missing)} of the design's {len(points)} points have no finished run "
                               f"(the first: point {missing[0]}); complete the sweep with --resume")
    seed = int(np.random.SeedSequence(spec.root_seed, spawn_key=(ANALYSIS_STREAM,)).generate_state(1)[0])
    rows = []
    for metric in metrics:
        y = means.loc[row_points, metric].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            bad = int(np.asarray(row_points)[~np.isfinite(y)][0])
            raise SensitivityError(f"metric {metric!r}: not finite at point {bad} ({points[bad]}); choose a "
                                   "metric defined at every point")
        common = dict(metric=metric, method=design.method, level=design.confidence, points=len(points),
                      replicates=int(replicates.min()))
        for parameter, index, value, conf in _indices(design, units, y, seed):
            rows.append({**common, "parameter": parameter, "index": index, "value": value, "conf": conf,
                         "low": value - conf, "high": value + conf})
    return pd.DataFrame(rows, columns=INDEX_COLUMNS)


def _indices(design: Any, units: np.ndarray, y: np.ndarray, seed: int
             ) -> list[tuple[str, str, float, float]]:
    """(parameter, index, value, interval half width) from SALib; NaN where SALib gives no interval."""
    problem = design.problem()
    if design.method == "morris":
        from SALib.analyze import morris

        found = morris.analyze(problem, units, y, num_resamples=design.resamples, conf_level=design.confidence,
                               num_levels=design.levels, seed=seed)
        names = ("mu_star", "mu", "sigma")
        effects = elementary_effects(units, y)
        confs = {"mu_star": found["mu_star_conf"],
                 "sigma": sigma_conf(effects, design.resamples, design.confidence, seed)}
    else:
        from SALib.analyze import sobol

        found = sobol.analyze(problem, y, calc_second_order=False, num_resamples=design.resamples,
                              conf_level=design.confidence, seed=seed)
        names = ("S1", "ST")
        confs = {"S1": found["S1_conf"], "ST": found["ST_conf"]}
    nan = np.full(len(design.parameters), np.nan)
    return [(parameter, name, float(found[name][i]), float(np.asarray(confs.get(name, nan))[i]))
            for name in names for i, parameter in enumerate(design.parameters)]


def elementary_effects(units: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Morris's elementary effects, one row per trajectory and one column per parameter.

    Each trajectory is (parameters + 1) consecutive rows of the design, each row changing one
    coordinate of the one before; the effect is the change in ``y`` over the change in that
    coordinate (in the unit cube, so per whole range), as SALib computes them.
    """
    dimensions = units.shape[1]
    steps = units.reshape(-1, dimensions + 1, dimensions)
    outputs = np.asarray(y, dtype=float).reshape(-1, dimensions + 1)
    moves = np.diff(steps, axis=1)  # (trajectories, dimensions, dimensions): one non-zero per step
    moved = np.abs(moves).argmax(axis=2)
    effects = np.empty((len(steps), dimensions))
    for trajectory in range(len(steps)):
        step = np.arange(dimensions)
        effects[trajectory, moved[trajectory]] = (np.diff(outputs[trajectory])
                                                  / moves[trajectory, step, moved[trajectory]])
    return effects


def sigma_conf(effects: np.ndarray, resamples: int, confidence: float, seed: int) -> np.ndarray:
    """Half width of a bootstrap interval of each parameter's sigma: trajectories resampled with
    replacement, and the normal approximation SALib uses for mu_star's interval."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(effects), size=(resamples, len(effects)))
    sigmas = effects[picks].std(axis=1, ddof=1)  # (resamples, parameters)
    return norm.ppf(0.5 + confidence / 2) * sigmas.std(axis=0, ddof=1)


def analyze_folder(path: str | Path, metrics: Iterable[str] | None = None) -> pd.DataFrame:
    """The indices of a sensitivity sweep's folder, from its stored spec and finished runs (see :func:`analyze`)."""
    from sim.sweeps.results import open_results

    results = open_results(path)
    return analyze(results.runs, results.spec, metrics)


def could_be_summary_key(name: str) -> bool:
    """Whether ``name`` is a summary key, or a nested one flattened (``by_region__US__gross_spend_usd``),
    whose groups only the runs themselves know."""
    from sim.engine.report import SUMMARY_KEYS

    return name in {key.name for key in SUMMARY_KEYS} or "__" in name


def write_indices(indices: pd.DataFrame, out: str | Path) -> list[Path]:
    """Write the table of indices into a sweep folder as ``sensitivity.parquet`` and ``sensitivity.csv``."""
    out = Path(out)
    files = [out / f"{INDICES_FILE}.parquet", out / f"{INDICES_FILE}.csv"]
    indices.to_parquet(files[0], index=False)
    indices.to_csv(files[1], index=False)
    return files


def sensitivity(
    spec: SweepSpec | Mapping[str, Any] | str | Path, *, metrics: Iterable[str] | None = None,
    out: str | Path | None = None, workers: int | None = None, scheduler: Any = None,
    dask_local: int | None = None, resume: bool = False, overrides: Iterable[str] = (),
    progress: bool | None = None,
) -> SensitivityReport:
    """Run a sensitivity spec as a sweep, analyse it, and write the indices into its folder.

    Args:
        spec: A spec with a ``sensitivity`` section: a YAML file, a mapping, or a :class:`SweepSpec`.
        metrics: Summary keys to analyse (default: the spec's ``sensitivity.metrics``).
        out, workers, scheduler, dask_local, resume, overrides, progress: As :func:`sim.sweep`.

    Returns:
        The sweep's report and the indices; no indices (an empty table) when runs failed, as
        every point of the design is needed.

    Raises:
        ConfigError: The spec is invalid (a ``SweepSpecError``), or has no ``sensitivity`` section.
        SensitivityError: A metric cannot be analysed (checked once the runs are in).
        SweepExistsError: ``out`` exists and ``resume`` is False; the other errors of running are
            those of :func:`sim.sweep`.
    """
    from sim.sweeps.experiment import as_spec, sweep
    from sim.sweeps.results import open_results
    from sim.sweeps.spec import SweepSpecError

    source = str(spec) if isinstance(spec, (str, Path)) else "<sweep>"
    given, spec = spec, as_spec(spec, overrides)
    if spec.sensitivity is None:
        raise SweepSpecError(source, ["sensitivity: missing; a sensitivity spec declares method and parameter "
                                      "ranges there (docs/sensitivity.md); run grid and sample specs with "
                                      "giftsim sweep"])
    unknown = [metric for metric in (metrics or spec.sensitivity.metrics) if not could_be_summary_key(metric)]
    if unknown:  # before any run: a typo would otherwise cost the whole sweep
        field = "--metric" if metrics else "sensitivity.metrics"
        raise SweepSpecError(source, [f"{field}: {unknown[0]!r} is not a summary key; `giftsim schema` and "
                                      "docs/results.md list them (e.g. creator_income_usd, payer_ratio)"])
    # The spec as given, so that errors in planning name its file.
    report = sweep(given, out=out, workers=workers, scheduler=scheduler, dask_local=dask_local, resume=resume,
                   overrides=overrides, progress=progress)
    if not report.is_complete:
        return SensitivityReport(sweep=report, indices=pd.DataFrame(columns=INDEX_COLUMNS), files=[])
    indices = analyze(open_results(report.out).runs, spec, metrics)
    return SensitivityReport(sweep=report, indices=indices, files=write_indices(indices, report.out))
