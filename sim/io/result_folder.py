"""The one writer of result folders: which places a command may write or replace, and writing there.

Every command that writes a result folder (``run``, ``sweep`` and ``sensitivity``, ``calibrate``,
``plot --out``, the backtests) declares its :class:`FolderKind`: what its folders are called, the
marker file in them that says giftsim wrote them, and the option that replaces (or completes) one.
:meth:`FolderKind.check` refuses, before any work starts, every place but a free one or a folder of
the same kind, in the same words for every command:

- a symbolic link, to anything or dangling: a folder is written at a path of its own, never through a link;
- a file, a device, a folder without the kind's marker (an unrelated folder, ``.``, another kind's
  results): giftsim replaces only folders it wrote, of the kind the command writes;
- a folder of the same kind: replaced only when asked (``--overwrite``; a sweep's ``--resume`` completes it).

:func:`written_folder` then writes the folder with :func:`sim.io.atomic.staged_folder`: filled under
a temporary name beside its place and moved there by a rename that never replaces anything, or, when
replacing, swapped in with SIGINT and SIGTERM held back, after the same check made again at that moment.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sim.io.atomic import staged_folder

MAX_MARKER_BYTES = 1_000_000  # a marker is a few KB; a larger file (or a device) is not one giftsim wrote


class FolderExistsError(FileExistsError):
    """The place of a result folder is taken by something the command may not replace, or replacing was not asked."""


@dataclass(frozen=True)
class FolderKind:
    """A kind of result folder, and how its commands name it in their messages.

    Attributes:
        name: What its folders are called (``results folder``).
        marker: The file in every folder of this kind that says giftsim wrote it (``meta.json``).
        keys: Keys of the JSON object the marker holds; empty when the marker is not JSON and its
            presence as a regular file is enough.
        writer: The command that writes such folders (``giftsim run``).
        work: What writes one, in "written by another <work> while this one ran" (``run``).
        option: The option that lets the command write over a folder of this kind.
        verb: What the option does to one (``replace``; ``complete`` for a sweep's ``--resume``).
        error: The exception the command raises, a :class:`FolderExistsError`.
    """

    name: str
    marker: str
    keys: frozenset[str]
    writer: str
    work: str
    option: str = "--overwrite"
    verb: str = "replace"
    error: type[FolderExistsError] = FolderExistsError

    def is_own(self, path: str | Path) -> bool:
        """Whether ``path`` is a folder (not a link) of this kind: it holds the marker, as giftsim writes it."""
        path = Path(path)
        if path.is_symlink() or not path.is_dir():
            return False
        marker = path / self.marker
        try:
            info = marker.lstat()
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MARKER_BYTES:
            return False
        if not self.keys:
            return True
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and self.keys <= data.keys()

    def problem(self, out: str | Path, *, overwrite: bool) -> str | None:
        """Why the command may not write at ``out``, in one line naming it; None when it may.

        Args:
            out: The folder's place.
            overwrite: Whether the command was asked to write over a folder of this kind.
        """
        out = Path(out)
        if not os.path.lexists(out):
            return None
        if out.is_symlink():
            return (f"{out} is a symbolic link (to {os.readlink(out)}); giftsim writes a {self.name} at a path of its "
                    "own, never through a link: choose another --out")
        if not self.is_own(out):
            return (f"{out} exists and is not a giftsim {self.name} ({self._what_is_there(out)}); {self.option} only "
                    f"{self.verb}s {self.name}s, so choose another --out")
        if not overwrite:
            return f"{out} exists; pass {self.option} to {self.verb} it, or choose another --out"
        return None

    def check(self, out: str | Path, *, overwrite: bool = False) -> None:
        """Refuse a place the command may not write (see :meth:`problem`).

        Raises:
            FolderExistsError: Of the kind's :attr:`error` class, with the one-line reason.
        """
        problem = self.problem(out, overwrite=overwrite)
        if problem:
            raise self.error(problem)

    def check_replaceable(self, out: str | Path) -> None:
        """Refuse to replace ``out`` unless it is a folder of this kind (checked again as it is replaced)."""
        self.check(out, overwrite=True)

    def race_message(self, out: str | Path) -> str:
        """What to say when another process wrote ``out`` while this one filled its folder."""
        return (f"{out} was written by another {self.work} while this one ran; this {self.work}'s results were not "
                f"written: choose another --out, or pass {self.option}")

    def _what_is_there(self, out: Path) -> str:
        mode = out.stat().st_mode
        if stat.S_ISDIR(mode):
            return f"no {self.marker} written by {self.writer}"
        return "a file" if stat.S_ISREG(mode) else "a device, pipe or socket"


@contextmanager
def written_folder(out: str | Path, kind: FolderKind, *, overwrite: bool = False) -> Iterator[Path]:
    """A staging folder to fill; moved to ``out`` whole when the ``with`` block ends without error.

    Args:
        out: The folder's place.
        kind: The kind of folder written.
        overwrite: Replace a folder of the same kind at ``out``; anything else there is refused.

    Yields:
        The staging folder.

    Raises:
        FolderExistsError: Of ``kind.error``'s class: ``out`` may not be written (:meth:`FolderKind.check`,
            before the block and again at the moment of moving the folder into place), or another
            process wrote ``out`` meanwhile; the staging folder is deleted and nothing else touched.
        OSError: The folder cannot be written.
    """
    out = Path(out)
    kind.check(out, overwrite=overwrite)
    try:
        with staged_folder(out, replace=kind.check_replaceable if overwrite else None) as staging:
            yield staging
    except FileExistsError as exc:
        if isinstance(exc, FolderExistsError) or exc.filename != os.path.abspath(out):
            raise
        raise kind.error(kind.race_message(out)) from None
