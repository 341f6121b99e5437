"""Progress bars: drawn when asked, where someone watches when left to None, never when refused."""

import pytest

import sim
from sim.io import progress
from tests.conftest import DEFAULT_CONFIG

TINY = {"population.viewers": 300, "population.creators": 10, "population.brands": 2, "run.days": 2}
TINY_OVERRIDES = [f"{path}={value}" for path, value in TINY.items()]


@pytest.fixture(scope="module")
def tiny_config():
    return sim.load_config(DEFAULT_CONFIG, TINY_OVERRIDES)


def test_none_shows_on_a_terminal_or_in_a_notebook_only(monkeypatch):
    assert progress.is_shown(True) and not progress.is_shown(False)
    monkeypatch.setattr(progress, "IN_NOTEBOOK", False)
    assert not progress.is_shown(None)  # pytest's stderr is no terminal: a CI log
    monkeypatch.setattr(progress, "IN_NOTEBOOK", True)
    assert progress.is_shown(None)


@pytest.mark.parametrize(("asked", "is_drawn"), [(True, True), (False, False), (None, False)])
def test_run_draws_a_bar_only_when_asked(tiny_config, capsys, asked, is_drawn):
    sim.run(tiny_config, seed=1, progress=asked)
    assert ("default seed 1" in capsys.readouterr().err) == is_drawn


@pytest.mark.parametrize(("asked", "is_drawn"), [(True, True), (False, False)])
def test_sweep_and_brand_lift_draw_a_bar_only_when_asked(tiny_config, tmp_path, capsys, asked, is_drawn):
    spec = {"name": "bar", "base": str(DEFAULT_CONFIG), "set": TINY,
            "seeds": [1], "grid": {"parameters": {"platform.creator_share": [0.3, 0.5]}}}
    sim.sweep(spec, out=tmp_path / "sweep", workers=1, progress=asked)
    assert ("sweep bar" in capsys.readouterr().err) == is_drawn
    sim.brand_lift(tiny_config, seed=1, progress=asked)
    assert ("brand_lift-default" in capsys.readouterr().err) == is_drawn


@pytest.mark.slow
def test_quiet_cli_run_draws_nothing(tmp_path, capsys):
    from sim.cli.main import main

    assert main(["run", str(DEFAULT_CONFIG), "--out", str(tmp_path / "run"), "--quiet",
                 "--set", "population.viewers=1500", "--set", "population.creators=40", "--days", "2"]) == 0
    assert capsys.readouterr() == ("", "")
