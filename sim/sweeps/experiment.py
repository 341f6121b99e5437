"""Running a sweep: plan it, run what is missing on an executor, and stream each run to the folder.

The coordinator expands the spec (validating every run's config before anything runs), makes or
reopens the results folder, sends the runs that are not finished yet to an executor, and writes
each outcome as it arrives; it never holds more than one run's results. Interrupting it (Ctrl-C)
leaves a folder that ``resume=True`` completes; a run that fails is recorded with its traceback
and the others go on.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.engine.config import Config
from sim.engine.resources import check_parallel_memory
from sim.io.progress import progress_bar
from sim.sweeps.executors import default_workers, execute_run, make_executor
from sim.sweeps.precision import check_precision
from sim.sweeps.spec import SweepSpec, load_sweep_spec, plan_sweep, validate_spec, with_settings
from sim.sweeps.store import RUN_PARTS_DIR, SweepStore, ensure_absent

DEFAULT_RESULTS_ROOT = Path("results")


@dataclass(frozen=True)
class SweepReport:
    """What one invocation of a sweep did.

    Attributes:
        out: The results folder.
        planned: Runs in the sweep.
        skipped: Runs already finished in the folder (when resuming), not run again.
        succeeded: Runs this invocation finished.
        failed: Runs this invocation recorded as failed.
        wall_time_s: Seconds this invocation took, planning included (s).
        executor: Where the runs executed.
    """

    out: Path
    planned: int
    skipped: int
    succeeded: int
    failed: int
    wall_time_s: float
    executor: str
    precision_note: str | None = None  # with replicates: {until: ...}, whether the precision was reached

    @property
    def is_complete(self) -> bool:
        """Whether every planned run has finished."""
        return self.skipped + self.succeeded == self.planned

    @property
    def runs_per_minute(self) -> float:
        """Runs this invocation executed (finished or failed) per minute of wall time."""
        return 60.0 * (self.succeeded + self.failed) / self.wall_time_s if self.wall_time_s else 0.0


def default_out(spec: SweepSpec) -> Path:
    """``results/sweep-<name>``."""
    return DEFAULT_RESULTS_ROOT / f"sweep-{spec.name}"


def as_spec(spec: SweepSpec | Mapping[str, Any] | str | Path, overrides: Iterable[str] = ()) -> SweepSpec:
    """A validated spec from a spec, a plain mapping or a YAML file, with ``overrides`` in its ``set``."""
    if isinstance(spec, SweepSpec):
        return with_settings(spec, overrides)
    if isinstance(spec, Mapping):
        return with_settings(validate_spec(spec), overrides)
    return load_sweep_spec(spec, overrides)


def sweep(
    spec: SweepSpec | Mapping[str, Any] | str | Path, *, out: str | Path | None = None,
    workers: int | None = None, scheduler: Any = None, dask_local: int | None = None, resume: bool = False,
    overrides: Iterable[str] = (), progress: bool | None = None, base_config: Config | None = None,
) -> SweepReport:
    """Run a sweep and stream its results to a folder.

    Args:
        spec: A sweep spec: a YAML file, a mapping in the file's format, or a :class:`SweepSpec`.
        out: The results folder (default ``results/sweep-<name>``).
        workers: Local worker processes (default: all cores); 1 runs serially in this process.
        scheduler: Run on an existing Dask cluster: its scheduler's address (``tcp://host:port``)
            or a ``distributed.Client``.
        dask_local: Run on a Dask LocalCluster of this many worker processes.
        resume: Complete an existing folder of the same sweep: run only what is missing or failed.
        overrides: ``dotted.path=value`` settings for every run, added to the spec's ``set``
            (e.g. ``population.viewers=500`` for a small version of a sweep).
        progress: Show a progress bar with ETA: None on a terminal or in a notebook only, True
            always (a widget in Jupyter), False never.
        base_config: The base config itself, in place of reading the spec's ``base`` file (which
            then only names it in ``sweep.yaml``); the spec's ``set`` applies to it.

    Returns:
        What was run; :func:`sim.open_results` reads the folder.

    Raises:
        ConfigError: The spec or its base config is invalid, or a file is missing
            (a ``SweepSpecError`` for the spec itself).
        SweepExistsError: ``out`` exists and ``resume`` is False.
        SweepMismatchError: ``resume`` is True and ``out`` holds another sweep.
        ValueError: Contradictory execution options.
        InsufficientMemoryError: The runs that would run side by side need more memory than is
            available (checked before anything is written).
        SchedulerUnreachableError: The Dask scheduler cannot be reached.
        OSError: The folder cannot be written.
        KeyboardInterrupt: Interrupted; the folder holds every run finished so far.
    """
    started = time.perf_counter()
    source = str(spec) if isinstance(spec, (str, Path)) else "<sweep>"
    spec = as_spec(spec, overrides)
    plan = plan_sweep(spec, source, base_config)
    out = Path(out) if out is not None else default_out(spec)
    if scheduler is None:  # on a cluster, each worker checks its own runs
        check_parallel_memory(plan.peak_run_bytes, min(dask_local or workers or default_workers(), len(plan.runs)))
    if not resume:
        ensure_absent(out)
    store = SweepStore.reopen(out, plan) if os.path.lexists(out) else None
    finished = store.finished_run_ids() if store else set()
    todo = [run for run in plan.runs if run.run_id not in finished]
    succeeded = failed = 0
    with make_executor(workers, scheduler, dask_local) as executor:
        store = store or SweepStore.create(out, plan)  # only once the executor is up: errors leave nothing
        bar = progress_bar(progress, total=len(todo), unit="run", desc=f"sweep {spec.name}", dynamic_ncols=True)
        # the finished runs' rows, which a precision is measured on (a resumed sweep's included)
        rows = [json.loads((store.root / RUN_PARTS_DIR / f"{run_id}.json").read_text()) for run_id in finished]
        note = None
        if spec.precision is not None and rows:  # resumed: the runs so far may already be precise enough
            check = check_precision(rows, spec.precision)
            note = check.describe(spec.precision.metric, spec.replicates)
            todo = [] if check.is_met else todo
        try:
            base_config = plan.base_config.model_dump(mode="json")
            for batch in _batches(todo, spec):
                for outcome in executor.map(execute_run, base_config, batch, spec.tables):
                    store.record(outcome)
                    if outcome.status == "ok":
                        succeeded += 1
                        rows.append(outcome.row)
                    else:
                        failed += 1
                        bar.set_postfix(failed=failed)
                    bar.update()
                if spec.precision is not None:
                    check = check_precision(rows, spec.precision)
                    note = check.describe(spec.precision.metric, spec.replicates)
                    if check.is_met:
                        break
        finally:
            bar.close()
            store.consolidate()
    return SweepReport(out=out, planned=len(plan.runs), skipped=len(finished), succeeded=succeeded,
                       failed=failed, wall_time_s=time.perf_counter() - started, executor=executor.description,
                       precision_note=note)


def _batches(todo: list, spec: SweepSpec) -> Iterable[list]:
    """The runs to do, all at once, or with a precision to reach, in batches of replicates (every point each)."""
    if spec.precision is None:
        yield todo
        return
    size = spec.precision.batch
    for first in range(0, spec.replicates, size):
        batch = [run for run in todo if first <= run.replicate < first + size]
        if batch:
            yield batch
