"""Reading one run's results folder as a sweep's is read: the same DuckDB views.

A run folder (``giftsim run``) gets the views a sweep folder gets, so that a query written for one
works on the other:

- ``runs``: one row: ``run_id`` (the id a sweep would give this run: a hash of its config's digest
  and seed), ``point`` and ``replicate`` 0, ``seed`` and every summary key, flattened as in a sweep
  (``by_region__US__gross_spend_usd``);
- ``manifest``: one row: ``run_id``, ``seed``, ``status`` and ``wall_time_s`` from ``meta.json``;
- one view per table in the folder, with ``run_id`` first: ``timeseries``, ``viewers``,
  ``creators``, ``brands``, ``ledger``, and the recorded ``gift_events``, ``purchase_events``,
  ``creator_history`` and ``viewer_history`` when the run recorded them.

:func:`sim.open_results` reads such a folder as a :class:`sim.sweeps.results.RunResults`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.dataset as ds

from sim.io.folder import RECORDED_TABLES, TABLES, is_results_folder
from sim.sweeps.spec import make_run_id
from sim.sweeps.store import flatten, is_whole_parquet


class DamagedRunError(ValueError):
    """A file of a run's results folder is not whole."""


def is_run_folder(path: str | Path) -> bool:
    """Whether ``path`` is a run's results folder (from ``giftsim run`` or :func:`sim.io.folder.write_results`)."""
    return is_results_folder(Path(path))


def stored_tables(path: str | Path) -> tuple[str, ...]:
    """The tables a run folder holds: the five every run writes, then the recorded ones present."""
    path = Path(path)
    return TABLES + tuple(name for name in RECORDED_TABLES if (path / f"{name}.parquet").is_file())


def _rows(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The folder's ``runs`` row and ``manifest`` row."""
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    run_id = make_run_id(meta["config_sha256"], meta["seed"])
    row = {"run_id": run_id, "point": 0, "replicate": 0, "seed": meta["seed"]}
    row.update((key, value) for key, value in flatten(summary).items() if key not in row)
    manifest = {"run_id": run_id, "seed": meta["seed"], "status": "ok" if meta.get("status") == "complete" else
                meta.get("status"), "wall_time_s": meta.get("wall_time_s")}
    return row, manifest


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a run folder's views (see the module docstring).

    Raises:
        DamagedRunError: A table's file is not whole; the message names it.
    """
    path = Path(path)
    tables = stored_tables(path)
    for name in tables:
        if not is_whole_parquet(path / f"{name}.parquet"):
            raise DamagedRunError(f"{path / f'{name}.parquet'} is missing or damaged (not the Parquet file giftsim "
                                  "wrote); run the config again")
    row, manifest = _rows(path)
    connection = duckdb.connect()
    connection.register("runs", pd.DataFrame([row]))
    connection.register("manifest", pd.DataFrame([manifest]))
    for name in tables:
        connection.from_arrow(ds.dataset(str(path / f"{name}.parquet"), format="parquet")).project(
            f"'{row['run_id']}' AS run_id, *").create_view(name)
    connection.execute("SET enable_external_access = false")
    return connection
