"""The licence and the citation file: present, valid, and saying what pyproject.toml and sim say.

CITATION.cff is checked against the Citation File Format 1.2.0 JSON schema, kept in
``tests/data/citation-cff-1.2.0.schema.json`` (from https://citation-file-format.github.io/1.2.0/schema.json,
CC-BY-4.0, as the cffconvert 2.0.0 package ships it; cffconvert itself needs jsonschema < 4, which
the notebooks' nbformat cannot use).
"""

import datetime
import json
import tomllib

import jsonschema
import pytest
import yaml

import sim
from tests.conftest import REPO

SCHEMA = REPO / "tests" / "data" / "citation-cff-1.2.0.schema.json"


@pytest.fixture(scope="module")
def citation():
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_file_is_valid_cff(citation):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(citation)


def test_the_schema_check_catches_an_invalid_citation(citation):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {key: value for key, value in citation.items() if key != "authors"}
    with pytest.raises(jsonschema.ValidationError, match="'authors' is a required property"):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft7Validator)


def test_citation_and_licence_agree_with_the_package(citation):
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert str(citation["version"]) == sim.__version__
    assert citation["license"] == project["license"] == "MIT"
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "giftsim contributors" in licence


def test_citation_dates_the_release_and_names_the_repository_the_package_declares(citation):
    datetime.date.fromisoformat(citation["date-released"])  # quoted, as CFF wants a string, and a real date
    urls = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"].get("urls", {})
    declared = next((url for name, url in urls.items() if name.lower() in {"repository", "source", "homepage"}), None)
    assert citation.get("repository-code") == declared
