"""docs/sources.md, the project's only bibliography, covers every published figure the code declares."""

import re

import pytest

from sim.sweeps.backtest import BACKTESTS
from sim.sweeps.facts import FACTS, GRADES
from tests.conftest import REPO

SOURCES = REPO / "docs" / "sources.md"


@pytest.fixture(scope="module")
def sources() -> str:
    return SOURCES.read_text(encoding="utf-8")


def test_every_grade_is_defined(sources):
    defined = re.findall(r"^\| ([A-Z]) \|", sources.split("## Grades", 1)[1], flags=re.MULTILINE)
    assert "".join(defined) == GRADES


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.name)
def test_every_calibration_fact_is_listed_with_its_grade(sources, fact):
    rows = [line for line in sources.splitlines() if f"`{fact.name}`" in line]
    assert rows, f"docs/sources.md names no row for the fact {fact.name}"
    listed = {grade for row in rows for grade in re.findall(r"\b[ABCD]\b", row.split("|")[3])}  # the grade column
    assert set(fact.grade.split("/")) <= listed, (fact.grade, rows)


@pytest.mark.parametrize("backtest", BACKTESTS, ids=lambda backtest: backtest.name)
def test_every_backtest_names_a_section_of_the_sources(sources, backtest):
    headings = set(re.findall(r"^## (.+)$", sources, flags=re.MULTILINE))
    section = re.search(r"'([^']+)'\)$", backtest.source)
    assert section and section[1] in headings, (backtest.source, sorted(headings))
    assert f"`{backtest.name}`" in sources
