"""Writing a folder so that it appears whole or not at all, and never over another one.

The folder is filled under a hidden temporary name beside its final place
(``.<name>.partial-<pid>-*``) and moved into place by one rename that fails if anything is already
there, so of two writers racing for one folder, one wins and the other gets
:class:`FileExistsError`. Replacing a folder (``replace``) first moves the old one aside to
``.<name>.old-<pid>-*``, then moves the new one in, then deletes the old one; SIGINT and SIGTERM are
held back over those three steps, so a signal leaves either the old folder or the new one, whole.

On any exception, Ctrl-C included, the staging folder is deleted. What a process killed outright
(``kill -9``, a power cut) leaves behind carries its process id in its name; the next staged write
into the same parent deletes the staging and retired folders of processes that no longer run.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# .<name>.partial-<pid>-<random> and .<name>.old-<pid>-<random>, as made by staged_folder
LEFTOVER = re.compile(r"^\..+\.(?:partial|old)-(?P<pid>\d+)-[^.]*$")
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}
AT_FDCWD = -100
RENAME_NOREPLACE = 1  # linux/fs.h


@contextmanager
def staged_folder(target: Path, *, replace: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """A staging folder to fill; moved to ``target`` when the ``with`` block ends without error.

    Args:
        target: The folder's final place; its parent is created if missing.
        replace: None never replaces anything: the move fails with :class:`FileExistsError` if
            anything (a folder, a file, a link) is at ``target``. Otherwise a check called with
            ``target`` just before it is replaced, which raises to refuse replacing it.

    Yields:
        The staging folder, readable by everyone (like any folder the user makes).

    Raises:
        FileExistsError: ``target`` exists and ``replace`` is None.
        BaseException: An exception raised after the folder was moved into place (a signal held
            back while it was moved) carries the folder as its ``written`` attribute.
    """
    target = Path(os.path.abspath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
    is_written = False
    try:
        yield staging
        with _signals_held():  # a signal held back is raised as this block ends
            if replace is not None and os.path.lexists(target):
                replace(target)
                _swap(staging, target)
            else:
                rename_no_replace(staging, target)
            is_written = True
    except BaseException as exc:
        if is_written:
            exc.written = target  # type: ignore[attr-defined]
        else:
            shutil.rmtree(staging, ignore_errors=True)
        raise


def rename_no_replace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` in one step that fails if anything is at ``target``.

    Raises:
        FileExistsError: Something is at ``target``.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:  # not Linux or an old C library: os.rename refuses a non-empty folder
        renameat2 = None
    if renameat2 is not None:
        if renameat2(AT_FDCWD, os.fsencode(source), AT_FDCWD, os.fsencode(target), RENAME_NOREPLACE) == 0:
            return
        code = ctypes.get_errno()
        if code == errno.EEXIST:
            raise FileExistsError(code, "exists", str(target))
        if code not in (errno.ENOSYS, errno.EINVAL):  # EINVAL: a file system without the flag
            raise OSError(code, os.strerror(code), str(target))
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "exists", str(target))
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        raise


def remove_leftovers(parent: Path) -> None:
    """Delete the staging and retired folders in ``parent`` of processes that no longer run."""
    try:
        entries = list(parent.iterdir())
    except OSError:
        return  # an unreadable parent: the write that follows reports it
    for entry in entries:
        match = LEFTOVER.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _is_running(int(match["pid"])):
            shutil.rmtree(entry, ignore_errors=True)


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process may be writing another folder in the same parent
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a process id we can check: keep it
    return True


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block ends, then raise the first that came.

    Python runs signal handlers in the main thread whichever thread the signal reached, so the
    handlers are swapped for one that only notes the signal (only the main thread may do that;
    elsewhere the block runs unprotected).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: caught.append(signum))
                for signum in HELD_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])


def _swap(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, removing the old folder there only once the new one is in place."""
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    os.replace(target, retired / target.name)
    try:
        rename_no_replace(staging, target)
    except BaseException:
        os.replace(retired / target.name, target)  # someone else wrote there meanwhile: put the old one back
        os.rmdir(retired)
        raise
    shutil.rmtree(retired, ignore_errors=True)
