"""The benchmarks follow one convention: importable as ``benchmarks.NAME``, ``--help``, docs written only with
``--write`` through ``publish``, and every marked section of docs/*.md written by exactly one writer.

Static and fast: no benchmark is run (``--help`` stops before any work).
"""

import ast
import importlib
import re
import runpy
from pathlib import Path

import pytest

from benchmarks.__main__ import benchmarks, listing, takes
from tests.conftest import REPO

BENCHMARKS = benchmarks()
HELPERS = {"__init__", "__main__", "doc_sections", "reference_mesa"}  # modules that are not benchmarks
MARKER = re.compile(r"<!-- ([\w-]+):(start|end) -->")


def _tree(name: str) -> ast.Module:
    return ast.parse((REPO / "benchmarks" / f"{name}.py").read_text(encoding="utf-8"))


def _is_write_test(node: ast.expr) -> bool:
    """``args.write``, or ``not args.write``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        node = node.operand
    return isinstance(node, ast.Attribute) and node.attr == "write"


def _writes(tree: ast.Module) -> list[ast.Call]:
    """The calls that write a doc: ``publish(...)`` and ``.write_text(...)``."""
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and (
        isinstance(node.func, ast.Name) and node.func.id == "publish"
        or isinstance(node.func, ast.Attribute) and node.func.attr == "write_text")]


def _guarded(tree: ast.Module, call: ast.Call) -> bool:
    """Whether ``call`` runs only with ``--write``: in ``if args.write:`` or after ``if not args.write: return``."""
    def search(body: list[ast.stmt], guarded: bool) -> bool | None:
        for stmt in body:
            if any(node is call for node in ast.walk(stmt)):
                if isinstance(stmt, ast.If) and _is_write_test(stmt.test) and not isinstance(stmt.test, ast.UnaryOp):
                    return search(stmt.body, True) or search(stmt.orelse, guarded)
                inner = [b for field in ("body", "orelse", "finalbody") for b in [getattr(stmt, field, None)] if b]
                inner += [h.body for h in getattr(stmt, "handlers", [])]
                return any(search(b, guarded) for b in inner) if inner else guarded
            if (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.UnaryOp) and _is_write_test(stmt.test)
                    and isinstance(stmt.body[-1], ast.Return)):
                guarded = True
        return None

    return bool(search(tree.body, False))


def _section_pattern(node: ast.expr) -> re.Pattern:
    """A ``publish`` call's section as a pattern: a literal, or an f-string whose fields match a name."""
    if isinstance(node, ast.Constant):
        return re.compile(re.escape(node.value))
    assert isinstance(node, ast.JoinedStr), ast.unparse(node)
    return re.compile("".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"[\w-]+"
                              for part in node.values))


def _writers() -> list[tuple[str, Path, re.Pattern]]:
    """Every writer of a marked section: (who, the doc, the section's pattern), from the benchmarks' ``publish``
    calls and scripts/make_docs.py's sections."""
    found = []
    for name in BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        for call in _writes(_tree(name)):
            if isinstance(call.func, ast.Name):
                doc = getattr(module, call.args[0].id)
                found.append((f"benchmarks.{name}", doc.resolve(), _section_pattern(call.args[1])))
    for doc, sections in runpy.run_path(str(REPO / "scripts" / "make_docs.py"))["DOCS"].items():
        found += [("scripts/make_docs.py", doc.resolve(), re.compile(re.escape(s))) for s in sections()]
    return found


def _markers() -> list[tuple[Path, str]]:
    """Every ``NAME:start`` section of docs/*.md, checked to close with its ``NAME:end`` before the next opens."""
    found = []
    for doc in sorted((REPO / "docs").glob("*.md")):
        open_section = None
        for match in MARKER.finditer(doc.read_text(encoding="utf-8")):
            name, end = match.group(1), match.group(2) == "end"
            where = f"docs/{doc.name}: <!-- {name}:{match.group(2)} -->"
            assert end == (open_section is not None), f"{where} where {open_section or 'no section'} is open"
            assert not end or name == open_section, f"{where} closes {open_section}"
            open_section = None if end else name
            if not end:
                found.append((doc.resolve(), name))
        assert open_section is None, f"docs/{doc.name}: {open_section} is never closed"
    return found


def test_every_module_is_a_benchmark_or_a_helper():
    modules = {path.stem for path in (REPO / "benchmarks").glob("*.py")}
    assert modules - HELPERS == set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_imports_and_answers_help(name, capsys):
    module = importlib.import_module(f"benchmarks.{name}")
    with pytest.raises(SystemExit) as stopped:
        module.main(["--help"])
    assert stopped.value.code == 0
    assert "usage:" in capsys.readouterr().out


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_writes_docs_only_with_write(name, capsys):
    module = importlib.import_module(f"benchmarks.{name}")
    with pytest.raises(SystemExit):
        module.main(["--help"])
    options = set(re.findall(r"--[\w-]+", capsys.readouterr().out))
    tree = _tree(name)
    writes = _writes(tree)
    assert ("--write" in options) == bool(writes), f"{name}: writes a doc: {bool(writes)}, options: {options}"
    assert not options & {"--no-write", "--no-doc", "--update-docs"}, name
    unguarded = [ast.unparse(call) for call in writes if not _guarded(tree, call)]
    assert not unguarded, f"{name} writes without --write: {unguarded}"


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_says_what_it_measures_and_how_long_it_takes(name):
    doc = BENCHMARKS[name]
    assert doc.splitlines()[0], name
    assert re.match(r"(about \d+(-\d+)? minutes?|under a minute) on 2 cores|not measured", takes(doc)), takes(doc)
    assert f".venv/bin/python -m benchmarks.{name}" in doc, f"{name}'s docstring does not say how to run it"
    assert f"{name}: {doc.splitlines()[0]}" in listing()


def test_benchmarks_import_their_helpers_one_way():
    for path in (REPO / "benchmarks").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "ModuleNotFoundError" not in source and "sys.path" not in source, path.name
        assert "replace_section" not in source, path.name


def test_docs_mark_sections_one_way():
    for doc in (REPO / "docs").glob("*.md"):
        assert "<!-- generated:" not in doc.read_text(encoding="utf-8"), f"docs/{doc.name}: use NAME:start/end"


def test_every_marked_section_has_exactly_one_writer():
    writers = _writers()
    for doc, name in _markers():
        who = [w for w, path, pattern in writers if path == doc and pattern.fullmatch(name)]
        assert len(who) == 1, f"docs/{doc.name}'s {name} section is written by {who or 'nothing'}"


def test_every_publish_call_has_its_section():
    markers = _markers()
    for who, doc, pattern in _writers():
        if who.startswith("benchmarks."):
            assert any(path == doc and pattern.fullmatch(name) for path, name in markers), (who, pattern.pattern)


def test_a_published_section_says_when_and_on_which_commit_it_was_written(tmp_path):
    from benchmarks.doc_sections import publish

    doc = tmp_path / "doc.md"
    doc.write_text("before\n<!-- table:start -->\nold\n<!-- table:end -->\nafter\n", encoding="utf-8")
    publish(doc, "table", "| a |\n|---|\n| 1 |\n")
    lines = doc.read_text(encoding="utf-8").splitlines()
    assert lines[:5] == ["before", "<!-- table:start -->", "| a |", "|---|", "| 1 |"]
    assert lines[-2:] == ["<!-- table:end -->", "after"]
    assert re.fullmatch(r"\*Written \d{4}-\d\d-\d\d \d\d:\d\d UTC, (commit [0-9a-f]{7}( with uncommitted changes)?"
                        r"|outside a git checkout)\.\*", lines[-3]), lines[-3]
