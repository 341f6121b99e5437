"""Writing one run's results folder, atomically, and reading it back.

The folder is written with :func:`sim.io.result_folder.written_folder` (the writer every command's
folder goes through), so a failed or interrupted write leaves no partial folder and ``--overwrite``
replaces only a results folder. ``docs/results.md`` documents every file.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine import recorder
from sim.engine.config_io import config_to_yaml
from sim.io.provenance import run_meta
from sim.io.result_folder import FolderExistsError, FolderKind, written_folder
from sim.io.runner import RunResult

TABLES = ("timeseries", "viewers", "creators", "brands", "ledger")
RECORDED_TABLES = tuple(recorder.TABLES)  # written only when the config's run.record asks for them


class ResultsExistError(FolderExistsError):
    """The results folder exists and overwriting was not asked for, or what is there is not a results folder."""


RUN_FOLDER = FolderKind("results folder", "meta.json", frozenset({"config_name", "seed", "versions", "status"}),
                        writer="giftsim run", work="run", error=ResultsExistError)


def is_results_folder(path: Path) -> bool:
    """Whether ``path`` is a folder (not a link) holding a ``meta.json`` that giftsim wrote."""
    return RUN_FOLDER.is_own(path)


def check_replaceable(out: Path) -> None:
    """Refuse to replace ``out`` unless it is a giftsim results folder (``--overwrite`` deletes only those).

    Raises:
        ResultsExistError: ``out`` is something else: a file, a link, a device, another folder.
    """
    RUN_FOLDER.check_replaceable(out)


def check_writable(out: Path, overwrite: bool) -> None:
    """Refuse, before a run starts, a folder that exists unless ``overwrite`` and it is a results folder.

    Raises:
        ResultsExistError: ``out`` exists and may not be replaced.
    """
    RUN_FOLDER.check(out, overwrite=overwrite)


def explain_write_error(exc: OSError) -> str:
    """What a failed write means, in words: the path and the cause (not Python's errno text)."""
    where = exc.filename or "the output folder"
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return f"{where} is a file, and a folder is needed there"
    if isinstance(exc, PermissionError):
        return f"no permission to write {where}"
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device holding {where}"
    if exc.errno == errno.EROFS:
        return f"{where} is on a read-only file system"
    return f"{where}: {exc.strerror or exc}"


def default_results_dir(config_name: str, seed: int, root: Path = Path("results")) -> Path:
    """``results/<config-name>-<seed>``."""
    return root / f"{config_name}-{seed}"


def write_results(
    result: RunResult, out: Path, *, overwrite: bool = False, wall_time_s: float | None = None,
    figure_writer: Callable[[RunResult, Path], object] | None = None,
) -> Path:
    """Write a run's results folder at ``out``.

    Args:
        result: The run.
        out: The folder to write.
        overwrite: Replace a folder already at ``out``.
        wall_time_s: The run's wall time, recorded in ``meta.json``; None takes ``result.wall_time_s``
            (measured by :func:`sim.io.runner.run`).
        figure_writer: Draws the run's figures into the folder it is given (``out/figures``, while
            the folder is still being written), e.g. :func:`sim.figures.save_run_figures`; None
            writes no figures. Passed in, so that writing results needs no plotting library.

    Raises:
        ResultsExistError: ``out`` exists and ``overwrite`` is False, or ``out`` is not a results
            folder; checked again at the moment the folder is moved into place, so of two runs
            writing one folder, the second fails instead of replacing the first.
        OSError: The folder cannot be written (nothing is left behind).
    """
    out = Path(out)
    with written_folder(out, RUN_FOLDER, overwrite=overwrite) as staging:
        _fill(staging, result, result.wall_time_s if wall_time_s is None else wall_time_s, figure_writer)
    return out


def _fill(staging: Path, result: RunResult, wall_time_s: float | None,
          figure_writer: Callable[[RunResult, Path], object] | None) -> None:
    """Write every file of a results folder into ``staging``."""
    (staging / "config.yaml").write_text(config_to_yaml(result.config), encoding="utf-8")
    for name in TABLES:
        getattr(result, name).to_parquet(staging / f"{name}.parquet", index=False)
    for name, frame in result.recorded.items():  # only what run.record asked for
        frame.to_parquet(staging / f"{name}.parquet", index=False)
    (staging / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
    if figure_writer is not None:
        figure_writer(result, staging / "figures")
    meta = {**run_meta(result.config, result.seed), "wall_time_s": wall_time_s, "status": "complete"}
    (staging / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def read_results(path: str | Path) -> dict[str, Any]:
    """Read a results folder: its tables as DataFrames (recorded events and histories when present), and
    its summary and meta as dicts.

    Raises:
        ValueError: A file is not what giftsim wrote (damaged Parquet, JSON that is not an object).
    """
    path = Path(path)
    loaded: dict[str, Any] = {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES}
    for name in RECORDED_TABLES:  # present when the run recorded them
        if (path / f"{name}.parquet").is_file():
            loaded[name] = pd.read_parquet(path / f"{name}.parquet")
    for name in ("summary", "meta"):
        loaded[name] = json.loads((path / f"{name}.json").read_text(encoding="utf-8"))
        if not isinstance(loaded[name], dict):
            raise ValueError(f"{name}.json holds {type(loaded[name]).__name__}, not the JSON object giftsim wrote")
    return loaded
