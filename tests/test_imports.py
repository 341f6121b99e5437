"""The modules of sim/ import one another without cycles, so each package can be read on its own.

The cycle finder is this module's own: the imports are read from the source with ast (nothing is
imported) and the cycles are the strongly connected components of the import graph (Tarjan). The rules:
every ``import`` and ``from ... import`` counts wherever it stands, in a function or under
``if TYPE_CHECKING:`` too; ``from package import name`` is an edge to the package and to the module
``package.name`` if there is one; a module importing from a package that contains it does not count.
The synthetic packages below show that it finds a cycle, so the check on sim/ can fail.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

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


def package(root: Path, files: dict[str, str]) -> Path:
    """A package written under ``root`` from relative paths to source text; returns its folder."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / next(iter(files)).split("/")[0]


def assert_no_cycle(root: Path) -> None:
    """Fail, naming every cycle, when the modules under ``root`` import one another in a cycle."""
    found = cycles(import_graph(modules(root)))
    assert found == [], f"import cycles in {root.name}/:\n" + "\n".join("  " + " <-> ".join(c) for c in found)


def test_cycles_are_found_with_these_rules(tmp_path):
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


def test_a_cycle_of_plain_imports_through_three_modules_is_one_component(tmp_path):
    root = package(tmp_path, {
        "loop/__init__.py": "",
        "loop/a.py": "import loop.b\n",
        "loop/b.py": "def later():\n    import loop.c\n",  # inside a function: still an edge
        "loop/c.py": "from loop import a\n",
        "loop/d.py": "import loop.a\n",  # imports into the cycle, not part of it
    })
    assert cycles(import_graph(modules(root))) == [["loop.a", "loop.b", "loop.c"]]


def test_the_check_fails_on_a_package_with_a_cycle_and_passes_without_one(tmp_path):
    cyclic = package(tmp_path / "one", {"pkg/__init__.py": "", "pkg/x.py": "from pkg.y import Y\nX = 1\n",
                                        "pkg/y.py": "from .x import X\nY = 2\n"})
    with pytest.raises(AssertionError, match=r"import cycles in pkg/:\s+pkg\.x <-> pkg\.y"):
        assert_no_cycle(cyclic)
    acyclic = package(tmp_path / "two", {"pkg/__init__.py": "from pkg.x import X\n", "pkg/x.py": "X = 1\n",
                                         "pkg/y.py": "from pkg import x\n"})
    assert_no_cycle(acyclic)


def test_sim_has_no_import_cycle():
    assert_no_cycle(REPO / "sim")


@pytest.mark.slow
def test_sim_imports_its_public_names_on_first_use():
    # `import sim` alone loads neither Mesa nor DuckDB; each public name then resolves to its module's object.
    code = (
        "import sys, sim\n"
        "loaded = {'mesa', 'duckdb', 'dask'} & set(sys.modules)\n"
        "assert not loaded, sorted(loaded)\n"
        "import importlib\n"
        "for name in sim.__all__:\n"
        "    value = getattr(sim, name)\n"
        "    if name != '__version__':\n"
        "        assert value is getattr(importlib.import_module(sim._EXPORTS[name]), name), name\n"
        "assert sorted(sim._EXPORTS) == sorted(set(sim.__all__) - {'__version__'})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        import sim

        sim.nonesuch  # noqa: B018
