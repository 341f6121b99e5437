"""Publish a benchmark's text into the marked section of a doc: ``<!-- NAME:start -->`` ... ``<!-- NAME:end -->``.

Every benchmark that writes a doc does it through :func:`publish`, and only when run with ``--write``;
each section then ends with when and on which commit it was written (:func:`stamp`), so that a reader can
tell a table measured on today's code from one left by an earlier engine.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from sim.io.provenance import git_commit

REPO = Path(__file__).resolve().parents[1]


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
    """When (UTC) and on which commit a section is written, and whether the checkout had uncommitted changes
    outside ``docs/`` (the docs themselves change as benchmarks write them, one after another)."""
    commit = git_commit()
    where = "outside a git checkout" if commit is None else f"commit {commit[:7]}" + (
        " with uncommitted changes" if _is_code_changed() else "")
    return f"*Written {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {where}.*"


def _is_code_changed() -> bool:
    """Whether tracked files outside ``docs/`` differ from the commit."""
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs"],
                            cwd=REPO, capture_output=True, text=True, timeout=5)
    return status.returncode == 0 and status.stdout.strip() != ""
