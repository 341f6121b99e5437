"""Where a result came from: the versions of giftsim and its libraries, and the git commit.

Written into the ``meta.json`` of every run folder and every sweep folder.
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

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
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=GIT_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None
