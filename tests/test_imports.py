"""The modules of sim/ import one another without cycles, so each package can be read on its own.

The rules are those of shared/tools/import_cycles.py, read from the source with ast (nothing is
imported): every ``import`` and ``from ... import`` counts wherever it stands, in a function or under
``if TYPE_CHECKING:`` too; ``from package import name`` is an edge to the package and to the module
``package.name`` if there is one; a module importing from a package that contains it does not count.
"""

import ast
import sys
from pathlib import Path

from tests.conftest import REPO


def modules(root: Path) -> dict[str, Path]:
    """Every module under ``root`` by dotted name (a package by its own name, not ``.__init__``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """For each module, the modules among ``mods`` it imports."""
    graph = {m: set() for m in mods}
    for m, path in mods.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom):
                parts = m.split(".") if is_package else m.split(".")[:-1]
                base = node.module or ""
                if node.level:
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[m].update(t for t in targets if t in mods and t != m and not m.startswith(t + "."))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycles_are_found_with_the_tools_rules(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg.a import A\n")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\nA = 1\n")
    (pkg / "b.py").write_text("from . import a\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("from pkg import sub\nimport pkg.a\n")  # its own package: no edge
    graph = import_graph(modules(pkg))
    assert graph["pkg.sub.c"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_sim_has_no_import_cycle():
    found = cycles(import_graph(modules(REPO / "sim")))
    assert found == [], "import cycles in sim/:\n" + "\n".join("  " + " <-> ".join(c) for c in found)
