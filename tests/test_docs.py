"""The docs match what they describe: generated sections their declarations, "Adding a mechanism" its contract."""

import dataclasses
import typing

from sim.engine.mechanism import Mechanism, ModifierTarget
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
            assert f"<!-- {section}:start -->" in text, (name, section)


def _adding_a_mechanism() -> str:
    text = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    start = text.index("## Adding a mechanism")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_adding_a_mechanism_names_the_whole_contract():
    section = _adding_a_mechanism()
    targets = typing.get_args(ModifierTarget)
    assert targets, "ModifierTarget lists no target"
    missing = [t for t in targets if f"`{t}`" not in section]
    missing += [f.name for f in dataclasses.fields(Mechanism) if f"`{f.name}`" not in section]
    assert not missing, f"docs/model.md's 'Adding a mechanism' does not name: {', '.join(missing)}"


def test_adding_a_mechanism_shows_the_registration_and_warns_of_enabled():
    section = _adding_a_mechanism()
    assert "from sim.engine.mechanisms import (" in section and "MECHANISMS = (" in section
    assert "`enabled` defaults to true" in section
    assert 'hour.uniforms("' in section
