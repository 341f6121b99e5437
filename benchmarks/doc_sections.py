"""Publish a benchmark's text into the marked section of a doc: ``<!-- NAME:start -->`` ... ``<!-- NAME:end -->``.

Every benchmark that writes a doc does it through :func:`publish`, and only when run with ``--write``;
each section then ends with when and on which commit it was written (:func:`stamp`), so that a reader can
tell a table measured on today's code from one left by an earlier engine.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from sim.io.provenance import git_commit, git_dirty


def publish(doc: Path, section: str, text: str) -> None:
    """Put ``text`` between the ``section`` markers of ``doc`` (an empty section included).

    Raises:
        SystemExit: ``doc`` has no such section.
    """
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    pattern = re.compile(rf"({re.escape(start)}\n).*?({re.escape(end)})", re.S)
    content = doc.read_text(encoding="utf-8")
    if not pattern.search(content):
        raise SystemExit(f"{doc} has no {start} ... {end} section")
    text = text.rstrip("\n") + "\n\n" + stamp() + "\n"
    doc.write_text(pattern.sub(lambda m: m.group(1) + text + m.group(2), content), encoding="utf-8")


def stamp() -> str:
    """When (UTC) and on which commit a section is written, and whether the checkout had uncommitted changes."""
    commit, dirty = git_commit(), git_dirty()
    where = "outside a git checkout" if commit is None else f"commit {commit[:7]}" + (
        " with uncommitted changes" if dirty else "")
    return f"*Written {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {where}.*"
