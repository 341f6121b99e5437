"""Where a result came from: the versions of giftsim and its libraries, the git commit and whether the
checkout had uncommitted changes, and the hash of the resolved config.

Written into the ``meta.json`` of every run folder and every sweep folder; :func:`figure_provenance`
picks from either what every figure file drawn from it records.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.engine.config import Config

PACKAGES = ("giftsim", "mesa", "numpy", "pandas", "pyarrow")  # what results depend on
GIT_TIMEOUT_S = 5


def versions() -> dict[str, str]:
    """Versions of giftsim and of what its results depend on (packages not installed are left out)."""
    found = {name: metadata.version(name) for name in PACKAGES if _installed(name)}
    return {**found, "python": platform.python_version()}


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def git_commit() -> str | None:
    """The commit of the giftsim checkout, when it is one and git is available."""
    return _git("rev-parse", "HEAD")


def git_dirty() -> bool | None:
    """Whether the giftsim checkout has uncommitted changes to tracked files (None outside a checkout).

    Untracked files do not count: results folders and notebooks' outputs are not code.
    """
    status = _git("status", "--porcelain", "--untracked-files=no")
    return None if status is None else status != ""


def _git(*args: str) -> str | None:
    """The output of a git command run in the giftsim checkout, or None when it fails."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", *args], cwd=here, capture_output=True, text=True, timeout=GIT_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def config_digest(config: Config) -> str:
    """SHA-256 of the resolved config's canonical JSON: equal configs have equal digests.

    ``run.record`` (what is recorded beside the results) is left out: it changes no result, so a run
    has the same digest, and in a sweep the same run id, whether or not it records events.
    """
    canonical = json.dumps(config.model_dump(mode="json", exclude={"run": {"record"}}), sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_meta(config: Config, seed: int) -> dict[str, Any]:
    """What a run's ``meta.json`` says about where the run came from (the writer adds timing and status)."""
    return {
        "config_name": config.name, "seed": seed, "days": config.run.days, "burn_in_days": config.run.burn_in_days,
        "config_sha256": config_digest(config),
        "versions": versions(), "git_commit": git_commit(), "git_dirty": git_dirty(),
    }


def figure_provenance(meta: Mapping[str, Any]) -> dict[str, str]:
    """What a figure file records of the results it was drawn from, as text, from their ``meta.json``.

    Args:
        meta: A run folder's ``meta.json`` (or :func:`run_meta`), or a sweep folder's.

    Returns:
        ``giftsim_version``, ``git_commit`` and ``git_dirty``, then for a run ``config_name``,
        ``seed`` and ``config_sha256``, for a sweep ``sweep_name``, ``spec_sha256`` and
        ``base_config_sha256``. Keys the meta lacks (folders from an older giftsim) are left out.
    """
    keys = ("sweep_name", "spec_sha256", "base_config_sha256") if "sweep_name" in meta else (
        "config_name", "seed", "config_sha256")
    found = {"giftsim_version": meta.get("versions", {}).get("giftsim"),
             **{key: meta.get(key) for key in ("git_commit", "git_dirty", *keys)}}
    return {key: _as_text(value) for key, value in found.items() if value is not None}


def _as_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
