"""List the benchmarks: what each measures and how long it takes, from its docstring (``python -m benchmarks``).

A benchmark is a module of this package with a ``main``; its docstring's first line says what it measures
and its ``Takes:`` paragraph how long it takes. The modules are read, not imported, so listing is instant.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def benchmarks() -> dict[str, str]:
    """Each benchmark's module name and docstring, in name order."""
    found = {}
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.stem != "__main__" and any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body):
            found[path.stem] = ast.get_docstring(tree) or ""
    return found


def takes(doc: str) -> str:
    """The ``Takes:`` paragraph of a docstring on one line, or 'not stated'."""
    paragraph = doc.split("\nTakes: ", 1)[1].split("\n\n", 1)[0] if "\nTakes: " in doc else "not stated"
    return " ".join(paragraph.split())


def listing() -> str:
    """The benchmarks, one block each: name, what it measures, how long it takes."""
    lines = ["Benchmarks, run from the repository's root as `.venv/bin/python -m benchmarks.NAME` (--help for the "
             "options; --write to update the docs a benchmark writes, which it otherwise only prints):", ""]
    for name, doc in benchmarks().items():
        lines += [f"{name}: {doc.splitlines()[0] if doc else ''}", f"    takes: {takes(doc)}"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(listing())
