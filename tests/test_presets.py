"""Every config in configs/ loads and runs on a small size with its books balanced."""

from pathlib import Path

import pytest

import sim
from sim import GiftEconomy
from tests.conftest import REPO

PRESETS = sorted((REPO / "configs").glob("*.yaml"))
SMALL = ["population.viewers=800", "population.creators=30", "population.brands=3", "run.days=2"]


def test_the_presets_are_all_there():
    assert {p.stem for p in PRESETS} >= {"default", "tiktok", "twitch", "youtube", "bigo", "core"}


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_runs_with_balanced_books(path: Path):
    config = sim.load_config(path, SMALL)
    model = GiftEconomy(config, rng=1)
    for _ in range(config.hours):
        model.run_for(1)
    assert model.invariant_violations() == []
    assert model.summary()["gross_spend_usd"] > 0


def test_default_is_the_tiktok_preset():
    default, tiktok = (sim.load_config(REPO / "configs" / f"{name}.yaml") for name in ("default", "tiktok"))
    assert default.model_dump(exclude={"name"}) == tiktok.model_dump(exclude={"name"})
