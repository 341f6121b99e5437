"""Shared fixtures: the default config and a small version of it that runs in well under a second."""

from pathlib import Path

import pytest

from sim import load_config

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "configs" / "default.yaml"
TIKTOK_CONFIG = REPO / "configs" / "tiktok.yaml"
SMALL = ["population.viewers=2000", "population.creators=60", "population.brands=3", "run.days=3"]


@pytest.fixture(scope="session")
def default_config():
    return load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def small_config():
    return load_config(DEFAULT_CONFIG, SMALL)
