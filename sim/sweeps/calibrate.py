"""Fitting a preset's parameters to published facts: the method of simulated moments on common random numbers.

A calibration spec (:class:`CalibrationSpec`) is a sweep spec (base config, ``set``, replicates,
root seed) with a ``calibrate`` section in place of ``grid`` and ``sample``: the parameters to fit,
each with its range, the facts of :data:`sim.sweeps.facts.FACTS` to fit them to, and the facts held
out of the fit and reported as validation (by default every other fact of the preset).

The loss of a parameter vector is the method of simulated moments' (McFadden 1989; Pakes and Pollard
1989) with a diagonal weight: each fitted fact's simulated value is averaged over the spec's
replicates, and the loss is the sum over fitted facts of ``((mean - target) / scale) ** 2``, where
the target is the middle of the fact's published range and the scale its half width. The ranges are
the published uncertainty, so a fact at either end of its range adds 1 to the loss. Replicate ``r``
runs on the same seed at every parameter vector (common random numbers), so two vectors are compared
on the same draws and the search is not led by seed noise.

The search is Optuna's tree-structured Parzen estimator (Bergstra et al. 2011; Watanabe 2023), seeded
from the spec's root seed: it copes with a noisy, expensive objective of a few parameters, where a
simplex (Nelder-Mead) stalls on the noise, and the same spec gives the same trials. The base config's
values enter the search as its first trial, measured on the same seeds, so the fit is never worse
than the start. After the search, a one-at-a-time profile varies each parameter across its range with
the others at the best point (same seeds): how sharply the loss rises around the best value is the
parameter's uncertainty, reported as the values whose loss stays within :data:`PROFILE_TOLERANCE`
of the best one's.

Writing the results (the report, the trials, the fitted config) is :mod:`sim.sweeps.calibrate_report`.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import Field, StringConstraints, model_validator

from sim.engine.config import Config
from sim.engine.config_io import ConfigError, load_config
from sim.engine.resources import check_parallel_memory, estimate_peak_bytes
from sim.io.progress import progress_bar
from sim.io.provenance import config_digest
from sim.sweeps.executors import Executor, default_workers, execute_run, make_executor
from sim.sweeps.facts import FACTS, Fact, RunData, preset_of
from sim.sweeps.spec import (
    DottedPath,
    Range,
    RunSpec,
    SpecModel,
    SweepSpec,
    SweepSpecError,
    TableName,
    as_override_strings,
    load_sweep_spec,
    make_run_id,
    resolve_config,
    run_seed,
    validate_spec,
    with_settings,
)

SAMPLER_STREAM = 3  # child of SeedSequence(root_seed) that seeds the sampler (0: design, 1: runs, 2: bootstrap)
PROFILE_TOLERANCE = 1.0  # loss above the best: one fitted fact moved by one half width of its range
MAX_STARTUP_TRIALS = 10  # random trials before TPE models the loss (Optuna's default)
FACT_NAMES = {fact.name: fact for fact in FACTS}
FactName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]


class CalibrationError(RuntimeError):
    """A run of the calibration failed, so the loss of its parameter vector is unknown."""


class Calibration(SpecModel):
    """What to fit: parameters with ranges, the facts they are fitted to, and the facts held out."""

    parameters: dict[DottedPath, Range] = Field(
        min_length=1, description="Dotted config path to the range it is searched over (low, high, and "
        "optionally scale log or integer).",
    )
    fit: list[FactName] = Field(
        min_length=1, description="Facts (FACTS in sim/sweeps/facts.py) the loss is computed from; each needs a "
        "published range (not a reference figure).",
    )
    hold_out: list[FactName] | None = Field(
        None, description="Facts reported before and after but left out of the loss (validation); default: "
        "every other fact of the fitted facts' preset.",
    )
    trials: int = Field(30, ge=1, le=10_000, description="Parameter vectors the search tries, besides the base "
                        "config's.")
    profile_points: int = Field(
        5, ge=0, le=100, description="Values per parameter, evenly across its range, in the profile around the "
        "best point (0: no profile).",
    )

    @model_validator(mode="after")
    def _known_facts(self) -> Calibration:
        for field, names in (("fit", self.fit), ("hold_out", self.hold_out or [])):
            unknown = [name for name in names if name not in FACT_NAMES]
            if unknown:
                raise ValueError(f"calibrate.{field}: no fact named {unknown[0]!r}; facts are: "
                                 f"{', '.join(FACT_NAMES)}")
            if len(set(names)) < len(names):
                raise ValueError(f"calibrate.{field}: repeated facts in {names}")
        presets = sorted({FACT_NAMES[name].preset for name in [*self.fit, *(self.hold_out or [])]})
        if len(presets) > 1:
            raise ValueError(f"calibrate: the facts describe several presets ({', '.join(presets)}); fit one "
                             "preset's facts")
        references = [name for name in self.fit if FACT_NAMES[name].is_reference]
        if references:
            raise ValueError(f"calibrate.fit: {references[0]!r} is shown for reference and has no range to fit "
                             "to; hold it out instead")
        both = sorted(set(self.fit) & set(self.hold_out or []))
        if both:
            raise ValueError(f"calibrate.hold_out: {both[0]!r} is also fitted; a fact is fitted or held out")
        return self

    @property
    def preset(self) -> str:
        """The preset the facts describe."""
        return FACT_NAMES[self.fit[0]].preset

    @property
    def fit_facts(self) -> list[Fact]:
        """The fitted facts, in the spec's order."""
        return [FACT_NAMES[name] for name in self.fit]

    @property
    def held_out_facts(self) -> list[Fact]:
        """The facts held out: those listed, or every other fact of the preset."""
        if self.hold_out is not None:
            return [FACT_NAMES[name] for name in self.hold_out]
        return [fact for fact in FACTS if fact.preset == self.preset and fact.name not in self.fit]


class CalibrationSpec(SweepSpec):
    """A sweep spec whose ``calibrate`` section says what to fit, in place of ``grid`` and ``sample``."""

    calibrate: Calibration = Field(description="The parameters to fit, the facts to fit them to, and those "
                                   "held out.")
    tables: list[TableName] = Field(
        [], description="Not used: a calibration keeps no per-run tables; the facts' tables are read in memory.",
    )

    @model_validator(mode="after")
    def _only_calibrate(self) -> CalibrationSpec:
        if self.grid is not None or self.sample is not None or self.sensitivity is not None:
            raise ValueError("calibrate: in place of grid, sample and sensitivity, not with them; declare the "
                             "fitted parameters' ranges in calibrate.parameters")
        if self.seeds == "independent":
            raise ValueError("seeds: a calibration runs every parameter vector on the same seeds (common "
                             "random numbers): give common or a list of seeds, not independent")
        if self.tables:
            raise ValueError("tables: a calibration stores no per-run tables; leave tables out")
        fixed = sorted(set(self.set) & set(self.calibrate.parameters))
        if fixed:
            raise ValueError(f"calibrate.parameters.{fixed[0]}: also given in set; a parameter is fitted or set")
        return self


def load_calibration_spec(
    spec: CalibrationSpec | Mapping[str, Any] | str | Path, overrides: Iterable[str] = (),
) -> CalibrationSpec:
    """A validated calibration spec from a spec, a plain mapping or a YAML file, with ``overrides`` in its ``set``.

    Raises:
        ConfigError: The file is missing or not YAML (a :class:`SweepSpecError` when the spec is invalid).
    """
    if isinstance(spec, CalibrationSpec):
        return with_settings(spec, overrides)
    if isinstance(spec, Mapping):
        return with_settings(validate_spec(spec, model=CalibrationSpec), overrides)
    return load_sweep_spec(spec, overrides, model=CalibrationSpec)


def target(fact: Fact) -> tuple[float, float]:
    """A fact's target and scale in the loss: the middle of its published range and its half width."""
    return (fact.low + fact.high) / 2, (fact.high - fact.low) / 2


def loss(means: Mapping[str, float], facts: Sequence[Fact]) -> float:
    """The sum over ``facts`` of ((simulated mean - target) / scale) ** 2; infinite when a mean is not a number.

    Args:
        means: Each fact's simulated value, averaged over replicates, by name.
        facts: The fitted facts.
    """
    total = 0.0
    for fact in facts:
        middle, half_width = target(fact)
        value = means[fact.name]
        if not math.isfinite(value):
            return math.inf
        total += ((value - middle) / half_width) ** 2
    return total


@dataclass(frozen=True)
class Evaluation:
    """A parameter vector run on the spec's seeds.

    Attributes:
        params: Dotted config path to value.
        values: One row per replicate, one column per fact (fitted and held out); NaN where a run
            cannot compute a fact (e.g. no pack of that size sold).
        loss: The loss of the fitted facts' means (:func:`loss`).
    """

    params: dict[str, Any]
    values: pd.DataFrame
    loss: float

    @property
    def means(self) -> dict[str, float]:
        """Each fact's mean over replicates (NaN when no replicate computes it)."""
        return fact_means(self.values)


def fact_means(values: pd.DataFrame) -> dict[str, float]:
    """Each column's mean over the replicates that compute it; NaN when none does."""
    return {name: float(column.mean()) if column.notna().any() else math.nan for name, column in values.items()}


class MomentEvaluator:
    """Runs parameter vectors of one base config on a fixed list of seeds (common random numbers).

    Args:
        base_config: The config every vector is set on (the spec's ``set`` applied).
        seeds: One seed per replicate, the same at every vector.
        fit: The facts in the loss.
        held_out: The facts reported besides.
        executor: Where the runs go (:func:`sim.sweeps.executors.make_executor`).
    """

    def __init__(self, base_config: Config, seeds: Sequence[int], fit: Sequence[Fact], held_out: Sequence[Fact],
                 executor: Executor):
        self.base = base_config.model_dump(mode="json")
        self.seeds = list(seeds)
        self.fit = list(fit)
        self.facts = [*fit, *held_out]
        self.tables = sorted({name for fact in self.facts for name in fact.tables})
        self.executor = executor
        self.runs = 0

    def evaluate(self, params: Mapping[str, Any], index: int = 0) -> Evaluation:
        """Run ``params`` on every seed and compute each fact per run.

        Args:
            params: Dotted config path to value.
            index: Recorded as the runs' point (a trial's number).

        Raises:
            CalibrationError: A run failed.
        """
        params = dict(params)
        digest = config_digest(resolve_config(self.base, params, source="calibration"))
        runs = [RunSpec(run_id=make_run_id(digest, seed), seed=seed, point=index, replicate=r, params=params)
                for r, seed in enumerate(self.seeds)]
        values = np.full((len(runs), len(self.facts)), np.nan)
        replicate_of = {run.run_id: run.replicate for run in runs}
        for outcome in self.executor.map(execute_run, self.base, runs, self.tables):
            self.runs += 1
            if outcome.status != "ok":
                raise CalibrationError(f"the run of {params} on seed {self.seeds[replicate_of[outcome.run_id]]} "
                                       f"failed: {outcome.error}")
            run = RunData(summary=outcome.row, table=_decoder(outcome.tables))
            values[replicate_of[outcome.run_id]] = [_fact_value(fact, run) for fact in self.facts]
        frame = pd.DataFrame(values, columns=[fact.name for fact in self.facts])
        return Evaluation(params=params, values=frame, loss=loss(fact_means(frame), self.fit))


def _decoder(tables: Mapping[str, bytes]) -> Any:
    """A run's tables by name, from the Parquet bytes a worker sent."""
    return lambda name: pd.read_parquet(io.BytesIO(tables[name]))


def _fact_value(fact: Fact, run: RunData) -> float:
    """A fact's value in one run; NaN when the run has nothing to compute it from (no pack of a size sold)."""
    try:
        return fact.value(run)
    except KeyError:
        return math.nan


@dataclass(frozen=True)
class CalibrationResult:
    """What a calibration found.

    Attributes:
        spec: The spec, with any ``--set`` overrides in its ``set``.
        base_config: The config the fit started from (the spec's ``set`` applied).
        before: The base config's values of the fitted parameters, run on the seeds.
        best: The best vector found in the ranges searched (the base's when it lies in them and nothing
            beat it).
        trials: One row per trial: ``trial``, ``is_base``, one column per parameter, ``loss``, and
            each fact's mean.
        profile: One row per profile point: ``parameter``, ``value``, ``is_best``, ``loss``, and each
            fact's mean; empty when ``profile_points`` is 0.
        seeds: The replicates' seeds.
        runs: Runs made.
        wall_time_s: Seconds the calibration took (s).
        executor: Where the runs executed.
        window_notes: How the runs' window differs from the one each fact is published over.
    """

    spec: CalibrationSpec
    base_config: Config
    before: Evaluation
    best: Evaluation
    trials: pd.DataFrame
    profile: pd.DataFrame
    seeds: list[int]
    runs: int
    wall_time_s: float
    executor: str
    window_notes: dict[str, list[str]]

    @property
    def runs_per_minute(self) -> float:
        """Runs per minute of wall time."""
        return 60.0 * self.runs / self.wall_time_s if self.wall_time_s else 0.0

    def uncertainty(self) -> pd.DataFrame:
        """Per parameter: the best value, and the lowest and highest profile values whose loss is within
        :data:`PROFILE_TOLERANCE` of the best point's (``low``, ``high``; NaN without a profile)."""
        rows = []
        for path in self.spec.calibrate.parameters:
            part = self.profile[self.profile["parameter"] == path] if not self.profile.empty else self.profile
            within = part[part["loss"] <= self.best.loss + PROFILE_TOLERANCE] if not part.empty else part
            rows.append({"parameter": path, "before": self.before.params[path], "best": self.best.params[path],
                         "low": float(within["value"].min()) if not within.empty else math.nan,
                         "high": float(within["value"].max()) if not within.empty else math.nan})
        return pd.DataFrame(rows)


def base_values(config: Config, paths: Iterable[str], source: str = "<calibration>") -> dict[str, Any]:
    """The values a config gives the dotted paths.

    Raises:
        SweepSpecError: A path names no field of the config.
    """
    raw, values, problems = config.model_dump(mode="json"), {}, []
    for path in paths:
        node: Any = raw
        for part in path.split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                problems.append(f"calibrate.parameters.{path}: no such field in the base config; `giftsim "
                                "schema` lists the fields")
                break
        else:
            values[path] = node
    if problems:
        raise SweepSpecError(source, problems)
    return values


def check_ranges(spec: CalibrationSpec, base_config: Config, source: str) -> dict[str, Any]:
    """The base config's values of the fitted parameters, after checking that every range's ends make a valid
    config; before anything runs.

    Raises:
        SweepSpecError: A parameter names no field, or an end of its range is not allowed.
    """
    before = base_values(base_config, spec.calibrate.parameters, source)
    raw, problems = base_config.model_dump(mode="json"), []
    for path, ranged in spec.calibrate.parameters.items():
        for end in (ranged.low, ranged.high):
            value = int(end) if ranged.integer else end
            try:
                resolve_config(raw, {path: value}, source)
            except ConfigError as exc:
                problems.extend(f"calibrate.parameters.{path}: {value:g} is not allowed: {problem}"
                                for problem in exc.problems)
    if problems:
        raise SweepSpecError(source, problems)
    return before


def is_within(params: Mapping[str, Any], ranges: Mapping[str, Range]) -> bool:
    """Whether every parameter lies in the range searched over it, ends included."""
    return all(ranged.low <= params[path] <= ranged.high for path, ranged in ranges.items())


def is_better(evaluation: Evaluation, best: Evaluation | None) -> bool:
    """Whether ``evaluation`` beats ``best`` (None: nothing found yet): a lower loss, or the first finite one."""
    if best is None:
        return True
    return evaluation.loss < best.loss or (math.isinf(best.loss) and math.isfinite(evaluation.loss))


def check_computable(before: Evaluation, facts: Sequence[Fact], source: str) -> None:
    """Refuse to fit facts that the base config's runs cannot compute (a ratio of 0 to 0 on every seed).

    A fact that no run computes has no value to fit; fitting it as 0 would pull the parameters toward
    an economy with nothing in it.

    Raises:
        SweepSpecError: Naming each such fact and why (:attr:`Fact.undefined_when`).
    """
    means = before.means
    problems = [f"calibrate.fit: {fact.name} cannot be computed at the base config's values: "
                f"{fact.undefined_when} in any of the {len(before.values)} runs (0 to 0); hold it out, or give "
                "the spec's economy what it needs (more viewers, more days)"
                for fact in facts if not math.isfinite(means[fact.name])]
    if problems:
        raise SweepSpecError(source, problems)


def planned_work(spec: CalibrationSpec, side_by_side: int, trials: int | None = None) -> Any:
    """The estimate (:class:`sim.sweeps.work_estimate.WorkEstimate`) of a calibration's runs before any is run.

    The base point, each trial and each profile point run the spec's replicates side by side, one
    point after another, so the rounds are the points times the rounds of one point's replicates.
    """
    from sim.sweeps.work_estimate import estimate_work

    section = spec.calibrate
    points = 1 + (trials if trials is not None else section.trials) + len(section.parameters) * section.profile_points
    side_by_side = max(1, min(side_by_side, spec.replicates))
    return estimate_work(load_config(spec.base, as_override_strings(spec.set)), points * spec.replicates,
                         side_by_side, rounds=points * math.ceil(spec.replicates / side_by_side))


def _distributions(spec: CalibrationSpec) -> dict[str, Any]:
    import optuna

    return {path: (optuna.distributions.IntDistribution(int(r.low), int(r.high)) if r.integer else
                   optuna.distributions.FloatDistribution(r.low, r.high, log=r.scale == "log"))
            for path, r in spec.calibrate.parameters.items()}


def _sampler_seed(root_seed: int) -> int:
    """The sampler's seed: 32 bits from the root seed's sampler stream (NumPy's RandomState takes 32)."""
    return int(np.random.SeedSequence(root_seed, spawn_key=(SAMPLER_STREAM,)).generate_state(1)[0])


def _row(index: int, evaluation: Evaluation, **flags: Any) -> dict[str, Any]:
    return {"trial": index, **flags, **evaluation.params, "loss": evaluation.loss, **evaluation.means}


def calibrate(
    spec: CalibrationSpec | Mapping[str, Any] | str | Path, *, workers: int | None = None, scheduler: Any = None,
    dask_local: int | None = None, overrides: Iterable[str] = (), trials: int | None = None,
    progress: bool | None = None,
) -> CalibrationResult:
    """Fit a spec's parameters to its facts, then profile the loss around the best point.

    Args:
        spec: A calibration spec: a YAML file, a mapping in the file's format, or a :class:`CalibrationSpec`.
        workers, scheduler, dask_local: Where the runs go, as :func:`sim.sweep`; a trial's replicates run
            side by side, trials one after another.
        overrides: ``dotted.path=value`` settings added to the spec's ``set``.
        trials: Trials of the search, in place of the spec's ``calibrate.trials``.
        progress: Show a progress bar over trials and profile points (None: on a terminal only).

    Returns:
        The fit; :func:`sim.sweeps.calibrate_report.write_calibration` writes it to a folder.

    Raises:
        ConfigError: The spec is invalid, a parameter names no field or its range is not allowed, or
            the base config does not describe the facts' preset (a ``SweepSpecError``).
        InsufficientMemoryError: The replicates that would run side by side need more memory than is
            available (checked before any run).
        CalibrationError: A run failed, or no parameter vector in the ranges computed every fitted fact.
        SweepSpecError: A fitted fact cannot be computed at the base config's values (checked on its runs,
            before the search).
    """
    import optuna

    started = time.perf_counter()
    source = str(spec) if isinstance(spec, (str, Path)) else "<calibration>"
    spec = load_calibration_spec(spec, overrides)
    if trials is not None:
        spec = spec.model_copy(update={"calibrate": spec.calibrate.model_copy(update={"trials": trials})})
    section = spec.calibrate
    base_config = load_config(spec.base, as_override_strings(spec.set))
    base_preset = preset_of(load_config(spec.base).name)
    if base_preset != section.preset:
        raise SweepSpecError(source, [f"calibrate.fit: the facts describe {section.preset}, but the base config is "
                                      f"{base_preset}; fit a preset to its own facts"])
    before_params = check_ranges(spec, base_config, source)
    if scheduler is None:  # on a cluster, each worker checks its own runs
        check_parallel_memory(estimate_peak_bytes(base_config),
                              min(dask_local or workers or default_workers(), spec.replicates))
    seeds = [run_seed(spec.root_seed, 0, r, spec.seeds) for r in range(spec.replicates)]
    facts = [*section.fit_facts, *section.held_out_facts]
    run = base_config.run
    notes = {fact.name: fact.window_notes(run.days, run.burn_in_days) for fact in facts}
    distributions = _distributions(spec)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=_sampler_seed(spec.root_seed), multivariate=True,
                                         n_startup_trials=max(1, min(MAX_STARTUP_TRIALS, section.trials // 3)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    n_profile = len(section.parameters) * section.profile_points
    with make_executor(workers, scheduler, dask_local) as executor:
        evaluator = MomentEvaluator(base_config, seeds, section.fit_facts, section.held_out_facts, executor)
        bar = progress_bar(progress, total=1 + section.trials + n_profile, unit="point",
                           desc=f"calibrate {spec.name}", dynamic_ncols=True)
        try:
            before = evaluator.evaluate(before_params)
            check_computable(before, section.fit_facts, source)
            rows = [_row(0, before, is_base=True)]
            # The start informs the search as its first trial, without being run again, and is the fit to
            # beat, when it lies in the ranges searched: a fitted value always does.
            best = before if is_within(before.params, section.parameters) else None
            if best is not None:
                study.add_trial(optuna.trial.create_trial(params=before_params, distributions=distributions,
                                                          value=before.loss))
            bar.update()
            for number in range(1, section.trials + 1):
                trial = study.ask(distributions)
                evaluation = evaluator.evaluate(trial.params, number)
                study.tell(trial, evaluation.loss)  # infinite where a fitted fact cannot be computed
                rows.append(_row(number, evaluation, is_base=False))
                if is_better(evaluation, best):
                    best = evaluation
                if best is not None:
                    bar.set_postfix(best_loss=f"{best.loss:.3g}")
                bar.update()
            if best is None or not math.isfinite(best.loss):
                raise CalibrationError(f"no trial in the ranges searched computed every fitted fact "
                                       f"({', '.join(section.fit)}) on every seed; widen the ranges or hold out "
                                       "the facts that cannot be computed")
            profile = _profile(spec, evaluator, best, bar)
        finally:
            bar.close()
        description = executor.description
    return CalibrationResult(
        spec=spec, base_config=base_config, before=before, best=best, trials=pd.DataFrame(rows), profile=profile,
        seeds=seeds, runs=evaluator.runs, wall_time_s=time.perf_counter() - started, executor=description,
        window_notes={name: found for name, found in notes.items() if found})


def _profile(spec: CalibrationSpec, evaluator: MomentEvaluator, best: Evaluation, bar: Any) -> pd.DataFrame:
    """Each parameter at ``profile_points`` values evenly across its range (and at its best value), the
    others at the best point, on the same seeds."""
    points = spec.calibrate.profile_points
    rows = []
    for path, ranged in spec.calibrate.parameters.items() if points else ():
        units = np.linspace(0.0, 1.0, points) if points > 1 else np.array([0.5])
        # Clipped: exp(log(high)) can come out a rounding error above high.
        values = sorted({min(max(ranged.value(float(u)), ranged.low), ranged.high) for u in units}
                        | {best.params[path]})
        for value in values:
            if value == best.params[path]:
                evaluation = best
            else:
                evaluation = evaluator.evaluate({**best.params, path: value}, -1)
                bar.update()
            rows.append({"parameter": path, "value": value, "is_best": evaluation is best, "loss": evaluation.loss,
                         **evaluation.means})
    return pd.DataFrame(rows, columns=None if rows else ["parameter", "value", "is_best", "loss"])
