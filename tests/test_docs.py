"""The generated reference sections of the docs match the declarations they are generated from."""

from sim.engine.reference import fill, model_reference, results_reference
from tests.conftest import REPO


def test_generated_docs_are_up_to_date():
    for name, sections in (("model.md", model_reference), ("results.md", results_reference)):
        text = (REPO / "docs" / name).read_text(encoding="utf-8")
        assert fill(text, sections()) == text, f"docs/{name} is out of date: run scripts/make_docs.py"


def test_every_generated_section_is_in_the_docs():
    for name, sections in (("model.md", model_reference), ("results.md", results_reference)):
        text = (REPO / "docs" / name).read_text(encoding="utf-8")
        for section in sections():
            assert f"<!-- generated:{section} -->" in text, (name, section)
