"""Reading a sweep's results folder: :class:`SweepResults` (from :func:`open_results`), and SQL over
its Parquet files with DuckDB (:func:`query`).

A connection from :func:`connect` has one view per kind of result (``docs/sweeps.md``):

- ``runs``: one row per finished run: ``run_id``, ``point``, ``replicate``, ``seed``, one column per
  swept parameter (its dotted path with ``__`` for dots) and every summary key (nested keys
  flattened the same way, e.g. ``by_region__US__creator_income_usd``);
- ``manifest``: every planned run with its ``status`` (``ok``, ``failed`` or ``pending``), wall time,
  error and traceback;
- one view per stored per-run table (``timeseries``, ``creators``, ...): every run's rows with its
  ``run_id`` first.

The views read the per-run files, so they show a sweep that is still running or was interrupted.
A single run's results folder (``giftsim run``) is read the same way, with the same views
(:mod:`sim.sweeps.run_folder`), plus the events and histories it recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from sim.sweeps import run_folder
from sim.sweeps.compare import differences
from sim.sweeps.spec import SweepSpec, param_column
from sim.sweeps.store import (
    PART_FILE,
    PLAN_FILE,
    SPEC_FILE,
    DamagedSweepError,
    SweepStore,
    is_whole_parquet,
    plain_value,
    read_stored_spec,
)

QUERY_POLL_S = 0.05  # how often the waiting thread wakes, so a signal's handler runs within it
QUERY_STOP_S = 5.0  # how long an interrupted query is waited for before the command goes on without it
HEADLINE_METRICS = ("gross_spend_usd", "creator_income_usd", "platform_revenue_usd", "creator_share_of_spend",
                    "creator_income_gini")


class NotSweepResultsError(FileNotFoundError):
    """The path is not a sweep's results folder."""


class NotAQueryError(ValueError):
    """The SQL holds no statement that returns rows (it is empty, or only a comment)."""


def stored_spec(path: str | Path) -> SweepSpec:
    """The spec a results folder was made from.

    Raises:
        NotSweepResultsError: ``path`` holds no sweep results.
        DamagedSweepError: Its ``sweep.yaml`` or ``plan.parquet`` is not whole.
    """
    path = Path(path)
    if not is_sweep_folder(path):
        raise NotSweepResultsError(f"{path}: not a sweep results folder (no {SPEC_FILE} and {PLAN_FILE})")
    if not is_whole_parquet(path / PLAN_FILE):
        raise DamagedSweepError(f"{path / PLAN_FILE} is damaged (truncated or overwritten)")
    return read_stored_spec(path)


def is_sweep_folder(path: Path) -> bool:
    """Whether ``path`` holds a sweep's spec and plan (whole or not)."""
    return (path / SPEC_FILE).is_file() and (path / PLAN_FILE).is_file()


def _is_run_folder(path: Path) -> bool:
    """Whether ``path`` is a single run's results folder rather than a sweep's."""
    return not is_sweep_folder(path) and run_folder.is_run_folder(path)


def _not_results(path: Path) -> NotSweepResultsError:
    return NotSweepResultsError(f"{path}: not a sweep results folder (no {SPEC_FILE} and {PLAN_FILE}) nor a run's "
                                "(no meta.json written by giftsim run)")


def sql_string(text: str | Path) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the folder's views: runs, manifest and each per-run table.

    A single run's folder gets the same views (:func:`sim.sweeps.run_folder.connect`).

    The views read the files of finished runs, listed by name (a folder's name may hold ``*`` or
    ``[``, which a glob would read as a pattern), through Arrow, so the connection itself reads and
    writes no file at all: a query is only a query.

    Raises:
        NotSweepResultsError: ``path`` holds neither a sweep's results nor a run's.
        DamagedSweepError: A file of the folder is not whole; the message names it.
        DamagedRunError: A file of a run's folder is not whole.
    """
    path = Path(path)
    if _is_run_folder(path):
        return run_folder.connect(path)
    if not is_sweep_folder(path):
        raise _not_results(path)
    spec = stored_spec(path)
    store = SweepStore(path)
    store.check_whole(list(spec.tables))
    finished = sorted(store.finished_run_ids())
    connection = duckdb.connect()
    connection.register("runs", store.runs_table())
    connection.register("manifest", store.manifest())
    if finished:
        for name in spec.tables:
            files = [str(path / name / f"run_id={run_id}" / PART_FILE) for run_id in finished]
            # run_id's type is fixed: an id of decimal digits alone must not be read as a number.
            parts = ds.dataset(files, format="parquet", partition_base_dir=str(path / name),
                               partitioning=ds.partitioning(pa.schema([("run_id", pa.string())]), flavor="hive"))
            connection.from_arrow(parts).project("run_id, * EXCLUDE (run_id)").create_view(name)
    connection.execute("SET enable_external_access = false")
    return connection


def query(path: str | Path, sql: str) -> pd.DataFrame:
    """The result of a SQL query over a results folder's views (a sweep's or a single run's), as a DataFrame.

    Example: the mean creator income by creator share and region::

        query("results/sweep-creator_share", '''
            SELECT r.platform__creator_share AS creator_share, c.region, avg(c.income_usd) AS income_usd
            FROM creators c JOIN runs r USING (run_id) GROUP BY ALL ORDER BY ALL''')

    The query can change no setting (the configuration is locked once the views are made, so a
    ``SET``, ``PRAGMA`` or ``CALL enable_logging(...)`` is refused: DuckDB aborted the process on a log
    file it may not write), and it runs on a worker thread while this thread waits, so that Ctrl-C
    and SIGTERM (raised by ``giftsim`` as :class:`KeyboardInterrupt`) interrupt DuckDB at once.

    Raises:
        NotSweepResultsError: ``path`` holds neither a sweep's results nor a run's.
        NotAQueryError: ``sql`` returns no rows (empty, ``;`` or a comment).
        duckdb.Error: The query is not valid, or changes a setting.
        KeyboardInterrupt: A signal came while DuckDB ran; the query was interrupted.
    """
    with connect(path) as connection:
        connection.execute("SET lock_configuration = true")
        return _interruptible(connection, sql)


def _interruptible(connection: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """``sql``'s rows, run on a worker thread; a KeyboardInterrupt here interrupts DuckDB and is raised again.

    DuckDB holds the main thread inside C++ while it runs, where Python's signal handlers cannot run:
    a long query ignored SIGTERM until killed outright. The main thread only waits, so its handlers run.
    """
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            connection.execute(sql)
            if connection.description is None:
                raise NotAQueryError(f"query: {sql!r} is not a query that returns rows, e.g. SELECT * FROM runs")
            outcome["frame"] = connection.df()
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="giftsim-query", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(QUERY_POLL_S)
    except KeyboardInterrupt:
        connection.interrupt()
        worker.join(QUERY_STOP_S)  # DuckDB checks for an interrupt between chunks; a daemon left over dies with us
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["frame"]


@dataclass
class SweepResults:
    """A sweep's results folder, read: the runs and the manifest in memory, per-run tables on demand.

    Attributes:
        path: The folder.
        spec: The spec the sweep ran.
        runs: One row per finished run, in point and replicate order.
        manifest: Every planned run with its status.
    """

    path: Path
    spec: SweepSpec
    runs: pd.DataFrame
    manifest: pd.DataFrame

    @property
    def parameter_columns(self) -> list[str]:
        """The columns of ``runs`` that hold the swept parameters."""
        return [param_column(path) for path in self.spec.parameters]

    def table(self, name: str, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """A per-run table (e.g. ``timeseries``) for the given runs, or all runs, with ``run_id`` first."""
        self._check_stored(name)
        if run_ids is None:
            return self.query(f"SELECT * FROM {name}")
        ids = ", ".join(sql_string(run_id) for run_id in run_ids) or "NULL"
        return self.query(f"SELECT * FROM {name} WHERE run_id IN ({ids})")

    def run_table(self, name: str, run_id: str) -> pd.DataFrame:
        """One run's per-run table as the run made it (categorical columns kept), without ``run_id``."""
        self._check_stored(name)
        return pd.read_parquet(self.path / name / f"run_id={run_id}" / PART_FILE)

    def _check_stored(self, name: str) -> None:
        if name not in self.spec.tables:
            raise KeyError(f"{name!r} is not stored in this sweep; stored tables: {', '.join(self.spec.tables)}")

    def query(self, sql: str) -> pd.DataFrame:
        """The result of a SQL query over the folder's views (see :func:`query`)."""
        return query(self.path, sql)

    def differences(
        self, baseline: Mapping[str, Any], metrics: Iterable[str] = HEADLINE_METRICS, level: float = 0.95,
    ) -> pd.DataFrame:
        """Each point's change in each metric from the baseline point, with a confidence interval.

        Paired by replicate when the sweep's seeds are common (the default, or a list), else Welch's
        interval on the difference of the means; the table is described in
        :func:`sim.sweeps.compare.differences`.

        Args:
            baseline: A value for every swept parameter, by dotted path or column, e.g.
                ``{"platform.creator_share": 0.33, "regions.ID.price_multiplier": 1.0}`` (a list as
                itself, e.g. ``{"brands.switched_off": []}``).
            metrics: Summary keys (columns of ``runs``) to compare.
            level: The confidence level.

        Raises:
            ValueError: As :func:`sim.sweeps.compare.differences`.
        """
        by_column = {param_column(key) if key in self.spec.parameters else key: plain_value(value)
                     for key, value in baseline.items()}
        return differences(self.runs, self.parameter_columns, by_column, metrics,
                           paired=self.spec.has_common_seeds, level=level)


@dataclass
class RunResults:
    """One run's results folder, read as a sweep's: its row in ``runs`` and ``manifest``, tables on demand.

    Attributes:
        path: The folder.
        runs: One row: ``run_id``, ``point``, ``replicate``, ``seed`` and every summary key.
        manifest: One row: the run's status and wall time.
        tables: The tables the folder holds (recorded events and histories included when present).
    """

    path: Path
    runs: pd.DataFrame
    manifest: pd.DataFrame
    tables: tuple[str, ...]

    @property
    def run_id(self) -> str:
        """The run's id, as a sweep would give it."""
        return self.runs["run_id"].item()

    def table(self, name: str, run_ids: list[str] | None = None) -> pd.DataFrame:
        """A table (e.g. ``gift_events``) with ``run_id`` first, as :meth:`SweepResults.table` gives it."""
        self._check_stored(name)
        frame = self.query(f"SELECT * FROM {name}")
        return frame if run_ids is None else frame[frame["run_id"].isin(list(run_ids))].reset_index(drop=True)

    def run_table(self, name: str, run_id: str | None = None) -> pd.DataFrame:
        """A table as the run wrote it (categorical columns kept), without ``run_id``."""
        self._check_stored(name)
        return pd.read_parquet(self.path / f"{name}.parquet")

    def _check_stored(self, name: str) -> None:
        if name not in self.tables:
            raise KeyError(f"{name!r} is not stored in this run's folder; stored tables: {', '.join(self.tables)}")

    def query(self, sql: str) -> pd.DataFrame:
        """The result of a SQL query over the folder's views (see :func:`query`)."""
        return query(self.path, sql)


def open_run(path: str | Path) -> RunResults:
    """Read a run's results folder as a sweep's is read."""
    path = Path(path)
    with run_folder.connect(path) as connection:
        runs = connection.execute("SELECT * FROM runs").df()
        manifest = connection.execute("SELECT * FROM manifest").df()
    return RunResults(path=path, runs=runs, manifest=manifest, tables=run_folder.stored_tables(path))


def open_results(path: str | Path) -> SweepResults | RunResults:
    """Read a sweep's results folder (complete or not), or a single run's.

    A run's folder gives a :class:`RunResults`, read as a sweep's: ``runs``
    (one row), ``manifest``, ``table(name)`` (``run_id`` first) and ``query(sql)``, with the recorded
    events and histories among its tables when the run recorded them.

    Raises:
        NotSweepResultsError: ``path`` holds neither a sweep's results nor a run's.
    """
    path = Path(path)
    if _is_run_folder(path):
        return open_run(path)
    if not is_sweep_folder(path):
        raise _not_results(path)
    spec = stored_spec(path)
    with connect(path) as connection:
        runs = connection.execute("SELECT * FROM runs ORDER BY point, replicate").df()
        manifest = connection.execute("SELECT * FROM manifest ORDER BY point, replicate").df()
    return SweepResults(path=path, spec=spec, runs=runs, manifest=manifest)


def results_table(path: str | Path, limit: int = 20) -> tuple[pd.DataFrame, int]:
    """Per point: the swept values, the runs finished, and the mean of the headline metrics.

    Returns:
        The first ``limit`` points' rows, and the number of points with finished runs.
    """
    spec = stored_spec(path)
    with connect(path) as connection:
        columns = {row[0] for row in connection.execute("DESCRIBE runs").fetchall()}
        params = [f'"{param_column(p)}"' for p in spec.parameters]
        metrics = [f'avg("{m}") AS "{m}"' for m in HEADLINE_METRICS if m in columns]
        selected = ", ".join([*params, "count(*) AS runs", *metrics])
        grouped = ", ".join(["point", *params])
        table = connection.execute(
            f"SELECT {selected} FROM runs GROUP BY {grouped} ORDER BY point LIMIT {int(limit)}").df()
        points = connection.execute("SELECT count(DISTINCT point) FROM runs").fetchone()[0]
    return table, points


def describe_value(value: Any) -> str:
    """A cell of the closing table: floats to four significant figures, the rest as they are."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)
