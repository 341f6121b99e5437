"""What a sweep is: the YAML spec, and its expansion into one run spec per run.

A sweep spec names a base config, changes to it that hold for every run (``set``), the swept
parameters, and a number of replicates. Parameters are given by dotted path (as with ``--set``)
either with explicit values (``grid``, combined as a product or zipped) or as ranges sampled by a
design (``sample``: random, Latin hypercube or Sobol); a spec with both crosses every grid point
with every sampled point. A ``sensitivity`` section in place of both declares ranges for a
sensitivity analysis (a Morris screening or a Sobol design, drawn by SALib; the analysis itself is
:mod:`sim.sweeps.sensitivity`). ``docs/sweeps.md`` and ``docs/sensitivity.md`` document the format.

Randomness comes from the spec's ``root_seed`` alone, through :class:`numpy.random.SeedSequence`:
its child 0 drives the sampling design and its child 1 the runs' seeds. With ``seeds: common`` (the
default) replicate ``r`` has the same seed at every point: common random numbers, so differences
between points are not drowned in noise between seeds. With ``seeds: independent`` every run has
its own seed; with a list of seeds, replicate ``r`` has the list's ``r``-th seed at every point. A
run's id is a hash of its resolved config and its seed: the same run has the same id in every
sweep, which is how a results folder knows which runs it already holds.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.engine.config import Config
from sim.engine.config_io import (
    ConfigError,
    apply_overrides,
    config_from_dict,
    describe_error,
    dump_yaml,
    load_config,
    parse_override,
    read_yaml_mapping,
)
from sim.engine.resources import estimate_peak_bytes
from sim.io.provenance import config_digest  # the resolved config's hash, as run folders record it
from sim.sweeps.precision import Precision

TableName = Literal[  # the tables of a run's results folder, sim.io.folder.TABLES
    "timeseries", "viewers", "creators", "brands", "ledger"]
RUN_ID_HEX_DIGITS = 16
MAX_REPORTED_PROBLEMS = 5
MAX_SEED = 2**63 - 1  # seeds fit int64 columns
MAX_RUNS = 1_000_000  # runs in one sweep: its plan is held in memory, and one file per run is written
DESIGN_STREAM, RUN_SEED_STREAM = 0, 1  # children of SeedSequence(root_seed)

DottedPath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$")]


class SweepSpecError(ConfigError):
    """A sweep spec that cannot be used, with one line per problem (field, value, what is allowed)."""


class SpecModel(BaseModel):
    """Base of the spec's sections: frozen, and unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Grid(SpecModel):
    """Parameters with explicit values."""

    combine: Literal["product", "zip"] | None = Field(
        None, description="How the values of several parameters combine: product (every combination) "
        "or zip (the i-th values together; every list the same length). Required with more than one "
        "parameter.",
    )
    parameters: dict[DottedPath, list[Any]] = Field(
        min_length=1, description="Dotted config path (as with --set, e.g. platform.creator_share) to "
        "its list of values.",
    )

    @model_validator(mode="after")
    def _values_combine(self) -> Grid:
        for path, values in self.parameters.items():
            if not values:
                raise ValueError(f"grid.parameters.{path}: needs at least one value")
            # zipped lists may repeat a value (a one-at-a-time design does): their rows must differ instead
            if self.combine != "zip" and len(set(_canonical(values))) < len(values):
                raise ValueError(f"grid.parameters.{path}: repeated values in {values}; each run would be run twice")
        if len(self.parameters) > 1 and self.combine is None:
            raise ValueError("grid.combine: required with more than one parameter: product (every "
                             "combination) or zip (the i-th values together)")
        lengths = {path: len(values) for path, values in self.parameters.items()}
        if self.combine == "zip" and len(set(lengths.values())) > 1:
            raise ValueError(f"grid.combine: zip needs lists of one length, got {lengths}")
        if self.combine == "zip":
            rows = list(zip(*(_canonical(values) for values in self.parameters.values()), strict=True))
            first_seen: dict[tuple[str, ...], int] = {}
            repeated = [i + 1 for i, row in enumerate(rows) if first_seen.setdefault(row, i) != i]
            if repeated:
                raise ValueError(f"grid.parameters: zipped points {repeated} (counting from 1) repeat an earlier "
                                 "point; each run would be run twice")
        return self

    @property
    def n_points(self) -> int:
        """How many points the grid has, without listing them."""
        lengths = [len(values) for values in self.parameters.values()]
        return lengths[0] if self.combine == "zip" else math.prod(lengths)

    def points(self) -> list[dict[str, Any]]:
        """One mapping of path to value per grid point, in the order the values are listed."""
        paths = list(self.parameters)
        columns = [self.parameters[p] for p in paths]
        rows = zip(*columns, strict=True) if self.combine == "zip" else itertools.product(*columns)
        return [dict(zip(paths, row, strict=True)) for row in rows]


def _canonical(values: list[Any]) -> list[str]:
    """Values as comparable text: equal values give equal text, whatever their types' hashing."""
    return [json.dumps(v, sort_keys=True, default=str) for v in values]


class Range(SpecModel):
    """A parameter's range, for sampling designs."""

    low: float = Field(description="Smallest value.")
    high: float = Field(description="Largest value; greater than low.")
    scale: Literal["linear", "log"] = Field(
        "linear", description="linear: uniform between low and high; log: uniform in log(value) (low > 0).",
    )
    integer: bool = Field(
        False, description="Whole numbers from low to high inclusive, each equally likely (linear scale only).",
    )

    @model_validator(mode="after")
    def _valid_range(self) -> Range:
        if not self.high > self.low:
            raise ValueError(f"high must be greater than low (got low {self.low}, high {self.high})")
        if self.scale == "log" and self.low <= 0:
            raise ValueError(f"scale log needs low > 0 (got {self.low})")
        if self.integer and (self.scale == "log" or not self.low.is_integer() or not self.high.is_integer()):
            raise ValueError("integer needs scale linear and whole-number low and high")
        return self

    def value(self, unit: float) -> float | int:
        """The value at ``unit`` (0 <= unit < 1) of the way through the range."""
        if self.integer:
            return min(int(self.low) + math.floor(unit * (self.high - self.low + 1)), int(self.high))
        if self.scale == "log":
            return math.exp(math.log(self.low) + unit * (math.log(self.high) - math.log(self.low)))
        return self.low + unit * (self.high - self.low)


class Sample(SpecModel):
    """Parameters with ranges, sampled by a design."""

    design: Literal["random", "lhs", "sobol"] = Field(
        description="random: independent uniform draws; lhs: Latin hypercube (every range cut into "
        "`samples` strata, one draw in each); sobol: scrambled Sobol sequence (samples a power of two)."
    )
    samples: int = Field(ge=1, le=1_000_000, description="Number of sampled points.")
    parameters: dict[DottedPath, Range] = Field(
        min_length=1, description="Dotted config path to its range.",
    )

    @model_validator(mode="after")
    def _sobol_power_of_two(self) -> Sample:
        if self.design == "sobol" and self.samples & (self.samples - 1):
            below = 1 << (self.samples.bit_length() - 1)
            raise ValueError(f"sample.samples: sobol needs a power of two (got {self.samples}; "
                             f"try {below} or {below * 2})")
        return self

    def points(self, root_seed: int) -> list[dict[str, Any]]:
        """One mapping of path to value per sampled point, drawn from the root seed's design stream."""
        rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(DESIGN_STREAM,)))
        dimensions = len(self.parameters)
        if self.design == "random":
            units = rng.random((self.samples, dimensions))
        else:
            from scipy.stats import qmc  # slow to import; only sampled designs need it

            if self.design == "lhs":
                units = qmc.LatinHypercube(dimensions, rng=rng).random(self.samples)
            else:
                units = qmc.Sobol(dimensions, rng=rng).random_base2(self.samples.bit_length() - 1)
        return [{path: ranged.value(float(u)) for (path, ranged), u in zip(self.parameters.items(), row, strict=True)}
                for row in units]


class Sensitivity(SpecModel):
    """Parameters with ranges for a sensitivity analysis: a Morris screening or a Sobol design (SALib).

    The design is drawn in the unit cube and each coordinate mapped onto its parameter's range
    (:meth:`Range.value`); points the design visits twice (Morris trajectories may cross) are run
    once. The analysis reads the design back from the spec, so the folder needs no copy of it.
    """

    method: Literal["morris", "sobol"] = Field(
        description="morris: elementary effects along random one-at-a-time trajectories (Morris 1991; "
        "Campolongo et al. 2007), which screens many parameters cheaply; sobol: Saltelli's design for "
        "first-order and total Sobol indices (Saltelli et al. 2010), which needs many more runs.",
    )
    trajectories: int | None = Field(
        None, ge=2, le=10_000, description="morris: number of trajectories, each of (parameters + 1) points "
        "(10 to 50 is usual).",
    )
    levels: int = Field(
        4, ge=2, le=100, description="morris: grid levels per parameter (even; 4 is usual).",
    )
    samples: int | None = Field(
        None, ge=2, le=1_000_000, description="sobol: base samples N, a power of two; the design has "
        "N x (parameters + 2) points.",
    )
    parameters: dict[DottedPath, Range] = Field(
        min_length=2, description="Dotted config path to its range (low, high, and optionally scale and integer).",
    )
    metrics: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]+$")]] = Field(
        ["creator_income_usd", "platform_revenue_usd", "payer_ratio"], min_length=1,
        description="Summary keys (columns of the runs table) analysed by default; giftsim sensitivity "
        "--metric chooses others.",
    )
    resamples: int = Field(1000, ge=10, le=100_000, description="Bootstrap resamples for the intervals.")
    confidence: float = Field(0.95, gt=0.5, lt=1.0, description="Level of the bootstrap intervals.")

    @model_validator(mode="after")
    def _size_for_method(self) -> Sensitivity:
        if self.method == "morris":
            if self.trajectories is None:
                raise ValueError("sensitivity.trajectories: required with method morris (e.g. 10)")
            if self.samples is not None:
                raise ValueError("sensitivity.samples: for method sobol; morris takes trajectories")
            if self.levels % 2:
                raise ValueError(f"sensitivity.levels: must be even (got {self.levels}; try {self.levels + 1})")
        else:
            if self.samples is None:
                raise ValueError("sensitivity.samples: required with method sobol (a power of two, e.g. 64)")
            if self.trajectories is not None:
                raise ValueError("sensitivity.trajectories: for method morris; sobol takes samples")
            if self.samples & (self.samples - 1):
                below = 1 << (self.samples.bit_length() - 1)
                raise ValueError(f"sensitivity.samples: sobol needs a power of two (got {self.samples}; "
                                 f"try {below} or {below * 2})")
        return self

    @property
    def design_rows(self) -> int:
        """Rows of the design, repeated points included."""
        dimensions = len(self.parameters)
        if self.method == "morris":
            return self.trajectories * (dimensions + 1)
        return self.samples * (dimensions + 2)

    def problem(self) -> dict[str, Any]:
        """SALib's problem on the unit cube, one dimension per parameter."""
        return {"num_vars": len(self.parameters), "names": list(self.parameters),
                "bounds": [[0.0, 1.0]] * len(self.parameters)}

    def design(self, root_seed: int) -> np.ndarray:
        """The design in the unit cube (one row per design row), drawn from the root seed's design stream."""
        seed = int(np.random.SeedSequence(root_seed, spawn_key=(DESIGN_STREAM,)).generate_state(1)[0])
        if self.method == "morris":
            from SALib.sample import morris  # slow to import; only sensitivity designs need it

            return morris.sample(self.problem(), self.trajectories, num_levels=self.levels, seed=seed)
        from SALib.sample import sobol

        return sobol.sample(self.problem(), self.samples, calc_second_order=False, seed=seed)

    def values(self, units: np.ndarray) -> list[tuple[Any, ...]]:
        """Each design row's parameter values, in the order of ``parameters``."""
        ranges = list(self.parameters.values())
        return [tuple(_plain(ranged.value(float(u))) for ranged, u in zip(ranges, row, strict=True)) for row in units]

    def row_points(self, root_seed: int) -> tuple[np.ndarray, list[int], list[dict[str, Any]]]:
        """The design, each row's point, and the distinct points in order of first appearance.

        Returns:
            The unit-cube design, the index of each row's point, and one mapping of path to value
            per distinct point.
        """
        units = self.design(root_seed)
        index: dict[tuple[Any, ...], int] = {}
        rows = [index.setdefault(values, len(index)) for values in self.values(units)]
        paths = list(self.parameters)
        return units, rows, [dict(zip(paths, values, strict=True)) for values in index]

    def points(self, root_seed: int) -> list[dict[str, Any]]:
        """One mapping of path to value per distinct point of the design."""
        return self.row_points(root_seed)[2]


class SweepSpec(SpecModel):
    """A sweep: a base config, the parameters to vary, replicates and the root seed."""

    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,100}$")] = Field(
        "sweep", description="Name of the sweep; the default results folder is results/sweep-<name>. "
        "Defaults to the spec file's name.",
    )
    base: Path = Field(description="The base config file; a relative path is relative to the spec file.")
    set: dict[DottedPath, Any] = Field(
        {}, description="Dotted config path to the value it takes in every run (e.g. population sizes).",
    )
    grid: Grid | None = Field(None, description="Parameters with explicit values.")
    sample: Sample | None = Field(None, description="Parameters with ranges, sampled by a design.")
    sensitivity: Sensitivity | None = Field(
        None, description="Parameters with ranges for a sensitivity analysis (giftsim sensitivity), in place "
        "of grid and sample.",
    )
    replicates: int = Field(1, ge=1, le=100_000, description="Runs per point, each with its own seed; or "
                            "{until: {metric, relative_half_width}, max: N, batch: 4}: replicates added in batches "
                            "until every point's paired change is that precise, at most N (sim.sweeps.precision).")
    precision: Precision | None = Field(
        None, description="Set by replicates: {until: ...}: the precision the replicates are added until; "
        "replicates is then the cap.",
    )
    root_seed: int = Field(0, ge=0, le=MAX_SEED, description="The one seed every run's seed derives from.")
    seeds: Literal["common", "independent"] | list[int] = Field(
        "common", description="common: replicate r has the same seed at every point (common random "
        "numbers); independent: every run has its own seed; a list of seeds: replicate r has the r-th "
        "seed at every point (common random numbers on chosen seeds; replicates defaults to the "
        "list's length).",
    )
    tables: list[TableName] = Field(
        ["timeseries", "creators"], description="Per-run tables stored besides the summary row, each "
        "partitioned by run: any of timeseries, viewers, creators, brands, ledger.",
    )

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds_kind(cls, value: Any) -> Any:
        # One message for both kinds, rather than one per member of the union.
        is_seed_list = isinstance(value, list) and all(type(seed) is int for seed in value)
        if value in ("common", "independent") or is_seed_list:
            return value
        raise ValueError(
            f"Input should be 'common' or 'independent', or a list of seeds (whole numbers), got {value!r}"
        )

    @model_validator(mode="before")
    @classmethod
    def _replicates_until(cls, data: Any) -> Any:
        if not (isinstance(data, Mapping) and isinstance(data.get("replicates"), Mapping)):
            return data
        asked = dict(data["replicates"])
        unknown = set(asked) - {"until", "max", "batch"}
        if unknown or "until" not in asked or "max" not in asked:
            raise ValueError(f"replicates: a number, or {{until: {{metric, relative_half_width}}, max: N, batch: B}} "
                             f"(batch optional), got {asked!r}")
        until = asked["until"]
        if not isinstance(until, Mapping):
            raise ValueError(f"replicates.until: a mapping of metric and relative_half_width, got {until!r}")
        batch = {"batch": asked["batch"]} if "batch" in asked else {}
        return {**data, "replicates": asked["max"], "precision": {**until, **batch}}

    @model_validator(mode="before")
    @classmethod
    def _replicates_from_seeds(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("seeds"), list) and "replicates" not in data:
            return {**data, "replicates": len(data["seeds"])}
        return data

    @model_validator(mode="after")
    def _each_path_once(self) -> SweepSpec:
        if self.sensitivity is not None:
            if self.grid is not None or self.sample is not None:
                raise ValueError("sensitivity: in place of grid and sample, not with them; declare every varied "
                                 "parameter's range in sensitivity.parameters")
            if self.seeds == "independent":
                raise ValueError("seeds: a sensitivity analysis runs every point on the same seeds (common "
                                 "random numbers): give common or a list of seeds, not independent")
        seen: dict[str, str] = {}
        for section, paths in (("set", self.set), ("grid.parameters", self.grid.parameters if self.grid else {}),
                               ("sample.parameters", self.sample.parameters if self.sample else {}),
                               ("sensitivity.parameters", self.sensitivity.parameters if self.sensitivity else {})):
            for path in paths:
                if path in seen:
                    raise ValueError(f"{section}.{path}: already given in {seen[path]}; give each path once")
                seen[path] = section
        if len(set(self.tables)) < len(self.tables):
            raise ValueError(f"tables: repeated names in {self.tables}")
        points = (self.grid.n_points if self.grid else 1) * (self.sample.samples if self.sample else 1)
        runs = (self.sensitivity.design_rows if self.sensitivity else points) * self.replicates  # at most
        if runs > MAX_RUNS:
            raise ValueError(f"the sweep has {runs:,} runs (points x replicates); at most {MAX_RUNS:,} in one "
                             "sweep: split it, or lower replicates, samples or trajectories")
        if isinstance(self.seeds, list):
            if len(self.seeds) != self.replicates:
                raise ValueError(f"seeds: {len(self.seeds)} seeds for {self.replicates} replicates; give one "
                                 "seed per replicate")
            if not all(0 <= seed <= MAX_SEED for seed in self.seeds):
                raise ValueError(f"seeds: each seed must be from 0 to 2**63 - 1, got {self.seeds}")
            if len(set(self.seeds)) < len(self.seeds):
                raise ValueError(f"seeds: repeated seeds in {self.seeds}; each run would be run twice")
        return self

    @property
    def has_common_seeds(self) -> bool:
        """Whether replicate r has the same seed at every point (common random numbers)."""
        return self.seeds != "independent"

    @property
    def parameters(self) -> list[str]:
        """The swept parameters' dotted paths: grid first, then sampled (or those of the sensitivity analysis)."""
        return [*(self.grid.parameters if self.grid else {}), *(self.sample.parameters if self.sample else {}),
                *(self.sensitivity.parameters if self.sensitivity else {})]

    @property
    def sampled_parameters(self) -> list[str]:
        """The parameters whose values a design draws from a range (continuous, not a list of values)."""
        return [*(self.sample.parameters if self.sample else {}),
                *(self.sensitivity.parameters if self.sensitivity else {})]

    def points(self) -> list[dict[str, Any]]:
        """Every point of the sweep: each grid point crossed with each sampled point, or the distinct
        points of the sensitivity design."""
        if self.sensitivity is not None:
            return self.sensitivity.points(self.root_seed)
        grid_points = self.grid.points() if self.grid else [{}]
        sample_points = self.sample.points(self.root_seed) if self.sample else [{}]
        return [{**g, **s} for g in grid_points for s in sample_points]


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its parameter values and seed; what a worker needs besides the base config.

    Attributes:
        run_id: Hash of the run's resolved config and seed (hex).
        seed: The run's seed, from the root seed.
        point: Index of the parameter point (0-based, in the spec's order).
        replicate: Index of the replicate at that point (0-based).
        params: Dotted config path to value, for every swept parameter.
    """

    run_id: str
    seed: int
    point: int
    replicate: int
    params: dict[str, Any]


@dataclass(frozen=True)
class SweepPlan:
    """A spec expanded: the base config with ``set`` applied, and every run."""

    spec: SweepSpec
    base_config: Config
    runs: list[RunSpec]
    peak_run_bytes: int = 0  # the largest run's memory estimate (sim.engine.resources)

    @property
    def parameters(self) -> list[str]:
        """The swept parameters' dotted paths."""
        return self.spec.parameters


def param_column(path: str) -> str:
    """The column that holds a swept parameter in the results: dots become double underscores."""
    return path.replace(".", "__")


def load_sweep_spec(path: str | Path, overrides: Iterable[str] = (), model: type[SweepSpec] = SweepSpec) -> SweepSpec:
    """Read a YAML sweep spec; its ``base`` is resolved against the spec file's folder.

    Args:
        path: The spec file.
        overrides: ``dotted.path=value`` strings added to the spec's ``set`` (values read as YAML),
            e.g. ``population.viewers=500`` to run a spec on a small population.
        model: The kind of spec: :class:`SweepSpec` or a subclass with sections of its own
            (:class:`sim.sweeps.calibrate.CalibrationSpec`).

    Raises:
        ConfigError: The file is missing or not YAML (a :class:`SweepSpecError` when the spec is invalid).
    """
    path = Path(path)
    raw = read_yaml_mapping(path)
    raw.setdefault("name", path.stem)
    if isinstance(raw.get("base"), str):
        raw["base"] = str((path.parent / raw["base"]).resolve())
    return with_settings(validate_spec(raw, source=str(path), model=model), overrides, source=str(path))


def validate_spec(raw: Mapping[str, Any], source: str = "<sweep>", model: type[SweepSpec] = SweepSpec) -> SweepSpec:
    """Validate a plain mapping into a :class:`SweepSpec` (or the subclass ``model``), one problem per line."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise SweepSpecError(source, [describe_error(e) for e in exc.errors()]) from None


def with_settings(spec: SweepSpec, overrides: Iterable[str], source: str = "<sweep>") -> SweepSpec:
    """The spec with ``dotted.path=value`` overrides added to its ``set`` (later ones win)."""
    try:
        settings = dict(spec.set) | dict(parse_override(override, source) for override in overrides)
    except ConfigError as exc:
        raise SweepSpecError(exc.source, exc.problems) from None
    if settings == spec.set:
        return spec
    return validate_spec({**spec.model_dump(), "set": settings}, source, model=type(spec))


def as_override_strings(values: Mapping[str, Any]) -> list[str]:
    """``path=value`` strings whose values :func:`sim.engine.config_io.apply_overrides` reads back exactly."""
    # YAML written by the loader's own dumper, which quotes text that would read back as a number.
    return [f"{path}={dump_yaml(value, default_flow_style=True)}" for path, value in values.items()]


def resolve_config(base_config: Mapping[str, Any], params: Mapping[str, Any], source: str = "<sweep>") -> Config:
    """The base config (a plain mapping) with a run's parameter values set, validated."""
    return config_from_dict(apply_overrides(dict(base_config), as_override_strings(params), source), source)


def spec_digest(spec: SweepSpec) -> str:
    """SHA-256 of the spec's canonical JSON: the spec as a sweep folder stores it (base path absolute,
    --set values in ``set``)."""
    canonical = json.dumps(spec.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def make_run_id(config_hash: str, seed: int) -> str:
    """A run's id: a hash of its resolved config's digest and its seed."""
    return hashlib.sha256(f"{config_hash}:{seed}".encode()).hexdigest()[:RUN_ID_HEX_DIGITS]


def run_seed(root_seed: int, point: int, replicate: int, seeds: str | list[int]) -> int:
    """A run's seed: the replicate's seed from a list of seeds, or 63 bits drawn from the root seed's
    run stream for its replicate (and point)."""
    if isinstance(seeds, list):
        return seeds[replicate]
    key = (RUN_SEED_STREAM, replicate) if seeds == "common" else (RUN_SEED_STREAM, point, replicate)
    word = np.random.SeedSequence(root_seed, spawn_key=key).generate_state(1, dtype=np.uint64)[0]
    return int(word >> np.uint64(1))  # 63 bits: fits int64 columns and run.seed's range


def plan_sweep(spec: SweepSpec, source: str = "<sweep>", base_config: Config | None = None) -> SweepPlan:
    """Expand a spec into its runs, validating every point's config before anything runs.

    Args:
        spec: The sweep.
        source: What to name in error messages.
        base_config: The base config itself, in place of the file ``spec.base`` names; ``spec.set``
            applies to it all the same.

    Raises:
        ConfigError: The base config cannot be loaded, or ``set`` makes it invalid.
        SweepSpecError: A swept value makes the config invalid (the message names the point's
            values, the field and what is allowed), or two runs would be the same run.
    """
    if base_config is None:
        base_config = load_config(spec.base, as_override_strings(spec.set))
    else:
        base_config = resolve_config(base_config.model_dump(mode="json"), spec.set, source)
    base_raw = base_config.model_dump(mode="json")
    runs: list[RunSpec] = []
    problems: list[str] = []
    invalid_config_problems: set[str] = set()  # each reported once, at the first point that has it
    owners: dict[str, int] = {}
    peak_run_bytes = 0
    for point, raw_params in enumerate(spec.points()):
        params = {path: _plain(value) for path, value in raw_params.items()}
        try:
            config = resolve_config(base_raw, params, source)
        except ConfigError as exc:
            shown = ", ".join(f"{path}={value!r}" for path, value in params.items())
            problems.extend(f"point {point} ({shown}): {problem}" for problem in exc.problems
                            if problem not in invalid_config_problems)
            invalid_config_problems.update(exc.problems)
            continue
        digest = config_digest(config)
        peak_run_bytes = max(peak_run_bytes, estimate_peak_bytes(config))
        for replicate in range(spec.replicates):
            seed = run_seed(spec.root_seed, point, replicate, spec.seeds)
            run_id = make_run_id(digest, seed)
            if run_id in owners:
                problems.append(f"points {owners[run_id]} and {point} are the same run (same config and seed)")
            owners[run_id] = point
            runs.append(RunSpec(run_id=run_id, seed=seed, point=point, replicate=replicate, params=params))
    if problems:
        raise SweepSpecError(source, problems[:MAX_REPORTED_PROBLEMS])
    return SweepPlan(spec=spec, base_config=base_config, runs=runs, peak_run_bytes=peak_run_bytes)


def _plain(value: Any) -> Any:
    """Python scalars in place of NumPy ones, so values hash, print and serialise plainly."""
    return value.item() if isinstance(value, np.generic) else value
