"""Precision on demand: replicates added until a comparison is narrow enough, and giftsim compare."""

import argparse

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import compare as compare_cli
from sim.sweeps.compare import holm_comparison
from sim.sweeps.precision import Precision, check_precision
from sim.sweeps.spec import SweepSpecError, validate_spec
from tests.test_sweep import tiny_spec


def _rows(values_by_point):
    return [{"point": p, "replicate": r, "m": v} for p, values in values_by_point.items() for r, v in enumerate(values)]


def test_until_is_read_as_a_cap_and_a_precision():
    spec = validate_spec(tiny_spec(replicates={"until": {"metric": "creator_income_usd", "relative_half_width": 0.05},
                                               "max": 12, "batch": 3}))
    assert spec.replicates == 12
    assert spec.precision == Precision(metric="creator_income_usd", relative_half_width=0.05, batch=3)


@pytest.mark.parametrize("replicates, message", [
    ({"until": {"metric": "x", "relative_half_width": 0.05}}, "max: N"),
    ({"max": 4}, "until"),
    ({"until": {"metric": "x", "relative_half_width": 1.5}, "max": 4}, "relative_half_width"),
    ({"until": {"metric": "x", "relative_half_width": 0.1}, "max": 4, "sometimes": 1}, "batch optional"),
])
def test_a_malformed_until_is_refused_with_what_is_allowed(replicates, message):
    with pytest.raises(SweepSpecError, match=message):
        validate_spec(tiny_spec(replicates=replicates))


def test_precision_is_the_widest_paired_half_width_over_the_baselines_mean():
    # point 1 - point 0 = [1, 3]: mean 2, sd sqrt(2), t(0.975, 1) = 12.706 -> half-width 12.706 over the mean 100
    check = check_precision(_rows({0: [100.0, 100.0], 1: [101.0, 103.0]}),
                            Precision(metric="m", relative_half_width=0.2))
    assert check.worst == pytest.approx(12.7062 * np.sqrt(2) / np.sqrt(2) / 100, rel=1e-4)
    assert check.is_met and check.replicates == 2
    assert not check_precision(_rows({0: [100.0], 1: [101.0]}), Precision(metric="m", relative_half_width=0.2)).is_met
    with pytest.raises(KeyError, match="not a column"):
        check_precision(_rows({0: [1.0]}), Precision(metric="other", relative_half_width=0.2))


def test_holm_adjusts_over_the_metrics_and_says_which_moved():
    replicates = np.arange(6)
    base = pd.DataFrame({"p": 1.0, "replicate": replicates, "clear": 10.0 + replicates, "noise": 5.0 + replicates})
    point = pd.DataFrame({"p": 2.0, "replicate": replicates, "clear": 12.0 + replicates + [0, .1, 0, .1, 0, .1],
                          "noise": 5.0 + replicates + [1, -1, 1, -1, 0.5, -0.4]})
    table = holm_comparison(pd.concat([base, point]), ["p"], {"p": 1.0}, ["clear", "noise"])
    by_metric = table.set_index("metric")
    assert by_metric.loc["clear", "verdict"] == "raised" and by_metric.loc["noise", "verdict"] == "no clear change"
    assert by_metric.loc["clear", "p_holm"] < 1e-4 <= by_metric.loc["noise", "p_holm"] <= 1
    # Holm: the smallest p-value is multiplied by the number of metrics
    assert by_metric.loc["clear", "relative"] == pytest.approx(2.05 / 12.5)


@pytest.mark.slow
def test_a_sweep_adds_replicates_until_precise_then_compare_prints_the_answer(tmp_path, capsys):
    # an economy with enough gifts that a few replicates pin creator income down (300 viewers in a day give too few)
    small = {"population.viewers": 2000, "population.creators": 40, "population.brands": 1, "run.days": 3}
    loose = tiny_spec(replicates={"until": {"metric": "creator_income_usd", "relative_half_width": 0.9},
                                  "max": 8, "batch": 2}, shares=[0.3, 0.5], set=small)
    report = sim.sweep(loose, out=tmp_path / "loose", workers=1, progress=False)
    # stopped at a whole batch, before the cap, saying after how many replicates
    assert report.succeeded in (4, 8, 12)
    assert report.precision_note.startswith(f"precision reached after {report.succeeded // 2} replicates")
    strict = {**loose, "replicates": {"until": {"metric": "creator_income_usd", "relative_half_width": 1e-9},
                                      "max": 4, "batch": 2}}
    report = sim.sweep(strict, out=tmp_path / "strict", workers=1, progress=False)
    assert report.succeeded == 8 and report.precision_note.startswith("precision NOT reached: the cap of 4")

    parser = argparse.ArgumentParser(prog="giftsim")
    compare_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    assert compare_cli.run_command(parser.parse_args(["compare", str(tmp_path / "strict")])) == 0
    out = capsys.readouterr().out
    assert "platform.creator_share=0.5  (4 pairs)" in out or "platform__creator_share=0.5  (4 pairs)" in out
    assert "creator_income_usd" in out and "p=" in out and "By region" in out
    assert compare_cli.run_command(parser.parse_args(["compare", str(tmp_path / "strict"), "--metric", "nope"])) == 2
