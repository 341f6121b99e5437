"""Writing one run's results folder, atomically, and reading it back.

The folder is written under a temporary name beside its final place and renamed into place
only when every file is complete, so a failed or interrupted run leaves no partial folder.
``docs/results.md`` documents every file.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.config_io import config_to_yaml
from sim.io.runner import RunResult

TABLES = ("timeseries", "viewers", "creators", "brands", "ledger")


class ResultsExistError(FileExistsError):
    """The results folder exists and overwriting was not asked for."""


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


def versions() -> dict[str, str]:
    """Versions of giftsim and of what its results depend on."""
    found = {name: metadata.version(name) for name in ("giftsim", "mesa", "numpy", "pandas", "pyarrow")
             if _installed(name)}
    return {**found, "python": platform.python_version()}


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def git_commit() -> str | None:
    """The commit of the giftsim checkout, when it is one and git is available."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def write_results(
    result: RunResult, out: Path, *, overwrite: bool = False, wall_time_s: float | None = None,
    figure_writer: Callable[[RunResult, Path], object] | None = None,
) -> Path:
    """Write a run's results folder at ``out``.

    Args:
        result: The run.
        out: The folder to write.
        overwrite: Replace a folder already at ``out``.
        wall_time_s: The run's wall time, recorded in ``meta.json``.
        figure_writer: Draws the run's figures into the folder it is given (``out/figures``, while
            the folder is still being written), e.g. :func:`sim.figures.save_run_figures`; None
            writes no figures. Passed in, so that writing results needs no plotting library.

    Raises:
        ResultsExistError: ``out`` exists and ``overwrite`` is False.
        OSError: The folder cannot be written (nothing is left behind).
    """
    out = Path(out)
    if out.exists() and not overwrite:
        raise ResultsExistError(f"{out} exists; pass --overwrite to replace it, or choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
    try:
        (staging / "config.yaml").write_text(config_to_yaml(result.config), encoding="utf-8")
        for name in TABLES:
            getattr(result, name).to_parquet(staging / f"{name}.parquet", index=False)
        (staging / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
        if figure_writer is not None:
            figure_writer(result, staging / "figures")
        meta = {
            "config_name": result.config.name, "seed": result.seed, "days": result.config.run.days,
            "versions": versions(), "git_commit": git_commit(), "wall_time_s": wall_time_s,
            "status": "complete",
        }
        (staging / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _replace(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``, replacing any old folder there only once the new one is whole."""
    if out.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, retired / out.name)
        os.replace(staging, out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, out)


def read_results(path: str | Path) -> dict[str, Any]:
    """Read a results folder: its tables as DataFrames, and its summary and meta as dicts."""
    path = Path(path)
    loaded: dict[str, Any] = {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES}
    for name in ("summary", "meta"):
        loaded[name] = json.loads((path / f"{name}.json").read_text(encoding="utf-8"))
    return loaded
