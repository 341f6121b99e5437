"""Writing a folder so that it appears whole or not at all.

The folder is filled under a hidden temporary name beside its final place (``.<name>.partial-*``)
and renamed into place only when every file is complete; on any exception, Ctrl-C included, the
staging folder is deleted and nothing is left behind. Run folders and sweep folders are both made
this way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_folder(target: Path, *, replace: bool = False) -> Iterator[Path]:
    """A staging folder to fill; renamed to ``target`` when the ``with`` block ends without error.

    Args:
        target: The folder's final place; its parent is created if missing.
        replace: Replace a folder already at ``target`` (once the new one is whole); otherwise the
            rename fails if ``target`` exists and is not an empty folder.

    Yields:
        The staging folder, readable by everyone (like any folder the user makes).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
    try:
        yield staging
        if replace and target.exists():
            _swap(staging, target)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, removing the old folder there only once the new one is in place."""
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.replace(target, retired / target.name)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)
