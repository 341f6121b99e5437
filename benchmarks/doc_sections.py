"""Publish a benchmark's text into the marked section of a doc: ``<!-- NAME:start -->`` ... ``<!-- NAME:end -->``.

Every benchmark that writes a doc does it through :func:`publish`, and only when run with ``--write``.
"""

from __future__ import annotations

import re
from pathlib import Path


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
    doc.write_text(pattern.sub(lambda m: m.group(1) + text.rstrip("\n") + "\n" + m.group(2), content), encoding="utf-8")
