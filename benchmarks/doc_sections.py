"""Rewrite the marked section of a doc that a benchmark generates: ``<!-- NAME:start -->`` ... ``<!-- NAME:end -->``."""

from __future__ import annotations

import re
from pathlib import Path


def replace_section(doc: Path, name: str, text: str) -> None:
    """Put ``text`` between the ``name`` markers of ``doc`` (an empty section included).

    Raises:
        SystemExit: ``doc`` has no such section.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    pattern = re.compile(rf"({re.escape(start)}\n).*?({re.escape(end)})", re.S)
    content = doc.read_text(encoding="utf-8")
    if not pattern.search(content):
        raise SystemExit(f"{doc} has no {start} ... {end} section")
    doc.write_text(pattern.sub(lambda m: m.group(1) + text.rstrip("\n") + "\n" + m.group(2), content), encoding="utf-8")
