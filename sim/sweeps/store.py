"""A sweep's results folder: written run by run as runs finish, atomically, and resumable.

Layout (every file and column is in ``docs/sweeps.md``)::

    sweep.yaml                          the spec as run (base path absolute, --set values in set)
    base_config.yaml                    the base config with the spec's set applied, every default filled in
    plan.parquet                        every planned run: run_id, point, replicate, seed, one column per parameter
    meta.json                           where the sweep came from: the spec's and base config's hashes,
                                        giftsim and library versions, git commit and
                                        whether it had uncommitted changes; written once, kept on resume
    runs/<run_id>.json                  one row per finished run: the plan's columns and every summary key
    <table>/run_id=<run_id>/part.parquet   the run's time series (and any other table the spec names)
    status/<run_id>.json                the run's status (ok or failed), wall time, error and traceback
    manifest.parquet                    the plan with every run's status; rewritten when an invocation ends
    runs.parquet                        the rows of every finished run in one file; rewritten when an
                                        invocation ends

The folder appears whole or not at all (:func:`sim.io.result_folder.written_folder`, the writer every
command's folder goes through: nothing is ever replaced, and ``--resume`` completes only a folder
holding ``plan.parquet``, never a link, a file or another folder); after that, every
file is written under a temporary name in its folder and renamed into place, so a file that exists
is whole. A run's status file is written last: a run is done when its status says ``ok``,
and a run interrupted half-way is simply run again (with the same seed, to the same result).
Nothing holds more than one run's results in memory; ``runs.parquet`` is gathered a few hundred
rows at a time. A run's row is kept as JSON until then: a one-row Parquet file of a few hundred
columns takes milliseconds to write and read, JSON a tenth of a millisecond.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import ValidationError

from sim.engine.config_io import config_to_yaml, dump_yaml, load_yaml
from sim.io.provenance import git_commit, git_dirty, versions
from sim.io.result_folder import FolderExistsError, FolderKind, written_folder
from sim.sweeps.spec import RunSpec, SweepPlan, SweepSpec, config_digest, param_column, spec_digest

SPEC_FILE = "sweep.yaml"
BASE_CONFIG_FILE = "base_config.yaml"
PLAN_FILE = "plan.parquet"
META_FILE = "meta.json"
MANIFEST_FILE = "manifest.parquet"
RUNS_FILE = "runs.parquet"
RUN_PARTS_DIR = "runs"
STATUS_DIR = "status"
PART_FILE = "part.parquet"
TEMPORARY_SUFFIX = ".tmp"
ROWS_PER_BATCH = 256
STATUS_COLUMNS = ("status", "wall_time_s", "finished_at", "error", "traceback")


class SweepExistsError(FolderExistsError):
    """The results folder exists and resuming was not asked for, or what is there is not a sweep's folder."""


class DamagedSweepError(ValueError):
    """A file of a sweep folder is not whole: truncated, emptied or overwritten after it was written."""


def is_whole_parquet(path: Path) -> bool:
    """Whether ``path`` starts and ends with Parquet's magic bytes (a truncated file does not end so)."""
    try:
        with path.open("rb") as file:
            head = file.read(4)
            file.seek(-4, os.SEEK_END)
            return head == b"PAR1" and file.read(4) == b"PAR1"
    except OSError:
        return False


def read_json_record(path: Path) -> dict[str, Any]:
    """A JSON object written by the store.

    Raises:
        DamagedSweepError: The file is not a whole JSON object.
    """
    try:
        record = json.loads(path.read_bytes())
    except (ValueError, OSError):
        record = None
    if not isinstance(record, dict):
        raise DamagedSweepError(f"{path} is missing or damaged (not a whole JSON record)")
    return record


def read_spec_mapping(root: Path) -> dict[str, Any]:
    """The folder's ``sweep.yaml`` as a mapping.

    Raises:
        DamagedSweepError: The file is not a whole YAML mapping.
    """
    try:
        spec = load_yaml((root / SPEC_FILE).read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        spec = None
    if not isinstance(spec, dict):
        raise DamagedSweepError(f"{root / SPEC_FILE} is damaged (not the YAML spec giftsim wrote)")
    return spec


def read_stored_spec(root: Path) -> SweepSpec:
    """The spec a sweep folder stores, checked against the hash its meta.json records.

    Raises:
        DamagedSweepError: ``sweep.yaml`` is not the spec giftsim wrote: not whole YAML, not a valid
            spec, or (a cut that ends at a line break can leave a valid, shorter spec) not the one
            whose hash meta.json records.
    """
    try:
        spec = SweepSpec.model_validate(read_spec_mapping(root))
    except ValidationError:
        raise DamagedSweepError(f"{root / SPEC_FILE} is damaged (not the spec giftsim wrote)") from None
    try:
        written = json.loads((root / META_FILE).read_text(encoding="utf-8")).get("spec_sha256")
    except (OSError, ValueError, AttributeError):
        written = None  # no record to check against (a folder from before meta.json)
    if written is not None and spec_digest(spec) != written:
        raise DamagedSweepError(f"{root / SPEC_FILE} is damaged (not the spec giftsim wrote: its hash differs "
                                f"from the one in {META_FILE})")
    return spec


class SweepMismatchError(ValueError):
    """The results folder holds a different sweep than the one asked to resume."""


@dataclass
class RunOutcome:
    """What a worker sends back for one run: its status, its row and its tables encoded as Parquet.

    Attributes:
        run_id: The run's id.
        status: ``ok`` or ``failed``.
        wall_time_s: Seconds the worker spent on the run.
        row: The run's row of ``runs.parquet`` (see :func:`runs_row`); None when failed.
        tables: Per-run table name to Parquet bytes; empty when failed.
        error: One line: the exception's type and message (failed runs only).
        traceback: The full traceback (failed runs only).
    """

    run_id: str
    status: str
    wall_time_s: float
    row: dict[str, Any] | None = None
    tables: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None

    @classmethod
    def failed(cls, run_id: str, error: str, traceback: str, wall_time_s: float = 0.0) -> RunOutcome:
        """A failed run: nothing but the error."""
        return cls(run_id=run_id, status="failed", wall_time_s=wall_time_s, error=error, traceback=traceback)


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level, keys joined by double underscores (``by_region__US__payers``)."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, prefix=f"{name}__"))
        else:
            flat[name] = value
    return flat


def plain_value(value: Any) -> Any:
    """A parameter's value for a Parquet cell: scalars as they are, anything else as JSON text."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else json.dumps(value)


def plan_row(run: RunSpec) -> dict[str, Any]:
    """A run's identity and parameter values, one column per parameter."""
    return {"run_id": run.run_id, "point": run.point, "replicate": run.replicate, "seed": run.seed,
            **{param_column(path): plain_value(value) for path, value in run.params.items()}}


def runs_row(run: RunSpec, summary: Mapping[str, Any]) -> dict[str, Any]:
    """A finished run's row of ``runs.parquet``: its plan row, then every summary key, flattened."""
    row = plan_row(run)
    row.update((key, value) for key, value in flatten(summary).items() if key not in row)
    return row


def encode_frame(frame: pd.DataFrame) -> bytes:
    """A DataFrame as Parquet bytes, without its index."""
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` under a temporary name in its folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _commit_run_on(root: Path) -> str | None:
    """The giftsim commit a sweep folder's runs were made on, as its ``meta.json`` records it (None if unknown)."""
    try:
        return json.loads((root / META_FILE).read_text(encoding="utf-8")).get("git_commit")
    except (OSError, ValueError):
        return None


def sweep_meta(plan: SweepPlan) -> dict[str, Any]:
    """The contents of a sweep folder's ``meta.json``: what the sweep is, and what made it."""
    return {
        "sweep_name": plan.spec.name, "spec_sha256": spec_digest(plan.spec),
        "base_config_sha256": config_digest(plan.base_config), "planned_runs": len(plan.runs),
        "versions": versions(), "git_commit": git_commit(), "git_dirty": git_dirty(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# A sweep's folder holds its plan; --resume completes one and never replaces anything.
SWEEP_FOLDER = FolderKind("sweep folder", PLAN_FILE, frozenset(), writer="giftsim sweep", work="sweep",
                          option="--resume", verb="complete", error=SweepExistsError)


def ensure_absent(root: Path) -> None:
    """Refuse to start a sweep at ``root`` if anything is there, a dangling link included.

    Raises:
        SweepExistsError: ``root`` exists: the message says to pass ``--resume`` if it is a sweep's
            folder, and to choose another ``--out`` otherwise.
    """
    SWEEP_FOLDER.check(root, overwrite=False)


class SweepStore:
    """The results folder of one sweep."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @classmethod
    def create(cls, root: str | Path, plan: SweepPlan) -> SweepStore:
        """Make the folder with the spec, base config, plan and meta; it appears whole or not at all.

        Raises:
            SweepExistsError: ``root`` exists.
        """
        root = Path(root)
        spec = plan.spec.model_dump(mode="json", exclude_none=True)
        with written_folder(root, SWEEP_FOLDER) as staging:
            (staging / SPEC_FILE).write_text(dump_yaml(spec, sort_keys=False), encoding="utf-8")
            (staging / BASE_CONFIG_FILE).write_text(config_to_yaml(plan.base_config), encoding="utf-8")
            pq.write_table(pa.Table.from_pylist([plan_row(run) for run in plan.runs]), staging / PLAN_FILE)
            (staging / META_FILE).write_text(json.dumps(sweep_meta(plan), indent=2) + "\n", encoding="utf-8")
        return cls(root)

    @classmethod
    def reopen(cls, root: str | Path, plan: SweepPlan) -> SweepStore:
        """Open an existing folder to complete it, after checking that it holds the same sweep.

        Raises:
            SweepExistsError: ``root`` is not a sweep's folder: a link, a file, another folder.
            SweepMismatchError: The folder's planned runs differ from ``plan``'s (another spec,
                base config, giftsim version or --set), or were run on another commit of giftsim's
                checkout: between two commits of one version the runs' ids are the same while the
                model may not be. (Uncommitted changes are not compared: notebooks are tracked files.)
        """
        store = cls(root)
        SWEEP_FOLDER.check(store.root, overwrite=True)  # a link, a file or another folder is not completed
        stored_tables = read_stored_spec(store.root).tables
        if not is_whole_parquet(store.root / PLAN_FILE):
            raise DamagedSweepError(f"{store.root / PLAN_FILE} is damaged, so the sweep cannot be resumed; "
                                    "run it into another --out")
        planned = set(pq.read_table(store.root / PLAN_FILE, columns=["run_id"]).column("run_id").to_pylist())
        asked = {run.run_id for run in plan.runs}
        if planned != asked:
            raise SweepMismatchError(
                f"{store.root} holds another sweep ({len(planned - asked)} of its {len(planned)} runs are not "
                "in this one): the spec, base config, --set or giftsim version differ; choose another --out"
            )
        run_on, here = _commit_run_on(store.root), git_commit()
        if None not in (run_on, here) and run_on != here:
            raise SweepMismatchError(
                f"{store.root} holds runs of giftsim commit {run_on[:12]}, and this checkout is at {here[:12]}: "
                "resuming would mix two versions of the model in one sweep; choose another --out, or check out "
                "that commit to complete it"
            )
        if list(stored_tables) != list(plan.spec.tables):
            raise SweepMismatchError(
                f"{store.root} stores the tables {', '.join(stored_tables) or '(none)'}, this spec asks for "
                f"{', '.join(plan.spec.tables) or '(none)'}: resume with the same tables, or choose another --out"
            )
        store.remove_temporaries()
        store.forget_damaged_runs(plan.spec.tables)
        return store

    def damaged_runs(self, tables: list[str]) -> dict[str, Path]:
        """Runs whose status, row or stored table is damaged, each with its first damaged file."""
        damaged = {}
        for path in sorted((self.root / STATUS_DIR).glob("*.json")):
            try:
                record = read_json_record(path)
            except DamagedSweepError:
                damaged[path.stem] = path
                continue
            if record.get("status") != "ok":
                continue
            row = self.root / RUN_PARTS_DIR / f"{path.stem}.json"
            try:
                read_json_record(row)
            except DamagedSweepError:
                damaged[path.stem] = row
                continue
            for name in tables:
                part = self.root / name / f"run_id={path.stem}" / PART_FILE
                if not is_whole_parquet(part):
                    damaged[path.stem] = part
                    break
        return damaged

    def check_whole(self, tables: list[str]) -> None:
        """Raise :class:`DamagedSweepError` naming the first damaged file of a finished run, if any."""
        damaged = self.damaged_runs(tables)
        if damaged:
            first = next(iter(damaged.values()))
            more = f" (and files of {len(damaged) - 1} other runs)" if len(damaged) > 1 else ""
            raise DamagedSweepError(
                f"{first} is missing or damaged (truncated or overwritten){more}; run the same `giftsim sweep` command "
                "with --resume to run those runs again")

    def forget_damaged_runs(self, tables: list[str]) -> list[str]:
        """Delete the status of every run with a damaged file, so that it runs again; return their ids."""
        damaged = self.damaged_runs(tables)
        for run_id in damaged:
            (self.root / STATUS_DIR / f"{run_id}.json").unlink(missing_ok=True)
        return list(damaged)

    def remove_temporaries(self) -> None:
        """Delete the temporary files an interrupted invocation left behind."""
        for leftover in self.root.rglob(f".*{TEMPORARY_SUFFIX}"):
            leftover.unlink(missing_ok=True)

    def statuses(self) -> dict[str, dict[str, Any]]:
        """Every recorded run's status record, by run id."""
        records = {}
        for path in sorted((self.root / STATUS_DIR).glob("*.json")):
            record = read_json_record(path)
            records[record.get("run_id", path.stem)] = record
        return records

    def finished_run_ids(self) -> set[str]:
        """Runs whose results are complete; failed and missing runs are not among them."""
        return {run_id for run_id, record in self.statuses().items() if record["status"] == "ok"}

    def record(self, outcome: RunOutcome) -> None:
        """Write a run's tables and row, then its status (last, so that it vouches for the rest)."""
        for name, data in outcome.tables.items():
            write_atomic(self.root / name / f"run_id={outcome.run_id}" / PART_FILE, data)
        if outcome.row is not None:
            write_atomic(self.root / RUN_PARTS_DIR / f"{outcome.run_id}.json", json.dumps(outcome.row).encode())
        status = {
            "run_id": outcome.run_id, "status": outcome.status, "wall_time_s": round(outcome.wall_time_s, 4),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"), "error": outcome.error,
            "traceback": outcome.traceback,
        }
        write_atomic(self.root / STATUS_DIR / f"{outcome.run_id}.json", (json.dumps(status, indent=1) + "\n").encode())

    def manifest(self) -> pd.DataFrame:
        """The plan with each run's status (``pending`` until it has one), wall time and error."""
        plan = pd.read_parquet(self.root / PLAN_FILE)
        records = self.statuses()
        empty = {"status": "pending", "wall_time_s": None, "finished_at": None, "error": None, "traceback": None}
        status = pd.DataFrame([records.get(run_id, empty) | {"run_id": run_id} for run_id in plan["run_id"]],
                              columns=["run_id", *STATUS_COLUMNS])
        return plan.merge(status, on="run_id", how="left", validate="one_to_one")

    def consolidate(self) -> None:
        """Rewrite ``manifest.parquet``, and ``runs.parquet`` from the per-run rows, a batch at a time."""
        write_atomic(self.root / MANIFEST_FILE, encode_frame(self.manifest()))
        parts = self._finished_run_parts()
        if not parts:
            return
        schema = unified_schema(parts)
        handle, temporary = tempfile.mkstemp(prefix=f".{RUNS_FILE}.", suffix=TEMPORARY_SUFFIX, dir=self.root)
        os.close(handle)
        try:
            with pq.ParquetWriter(temporary, schema) as writer:
                for batch in row_batches(parts, schema):
                    writer.write_table(batch)
            os.replace(temporary, self.root / RUNS_FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def runs_table(self) -> pa.Table:
        """Every finished run's row, in point and replicate order: ``runs.parquet`` when it is up to
        date, else gathered from the per-run rows (a sweep still running, or stopped by force)."""
        finished = self.finished_run_ids()
        runs_file = self.root / RUNS_FILE
        # runs.parquet is a copy of the per-run rows: when it is stale or damaged, they are read instead
        if is_whole_parquet(runs_file) and set(
                pq.read_table(runs_file, columns=["run_id"])["run_id"].to_pylist()) == finished:
            return pq.read_table(runs_file)
        parts = self._finished_run_parts(finished)
        if not parts:  # nothing finished yet: the plan's columns, no rows
            return pq.read_table(self.root / PLAN_FILE).schema.empty_table()
        return pa.concat_tables(row_batches(parts, unified_schema(parts)))

    def _finished_run_parts(self, finished: set[str] | None = None) -> list[Path]:
        """The rows of finished runs, in plan order (point, then replicate)."""
        finished = self.finished_run_ids() if finished is None else finished
        planned = pq.read_table(self.root / PLAN_FILE, columns=["run_id"])["run_id"].to_pylist()
        return [self.root / RUN_PARTS_DIR / f"{run_id}.json" for run_id in planned if run_id in finished]


def _read_rows(parts: list[Path]) -> list[dict[str, Any]]:
    return [read_json_record(part) for part in parts]


def unified_schema(parts: list[Path]) -> pa.Schema:
    """One schema for every row: columns in order of first appearance, types widened where they
    differ (a key that is a whole number in one run and a fraction in another becomes a double)."""
    schemas = [pa.Table.from_pylist(_read_rows(parts[start:start + ROWS_PER_BATCH])).schema
               for start in range(0, len(parts), ROWS_PER_BATCH)]
    return pa.unify_schemas(schemas, promote_options="permissive")


def row_batches(parts: list[Path], schema: pa.Schema) -> Iterator[pa.Table]:
    """The rows, a few hundred at a time, as tables of ``schema`` (a missing key is null)."""
    for start in range(0, len(parts), ROWS_PER_BATCH):
        yield pa.Table.from_pylist(_read_rows(parts[start:start + ROWS_PER_BATCH]), schema=schema)
