"""Backtests as data: each spec parses, each outcome computes from a tiny sweep, and the verdicts by hand."""

import json
import math

import pandas as pd
import pytest

import sim
from sim.sweeps.backtest import BACKTESTS, OUTCOME_COLUMNS, Outcome, outcome_table, parameter_ratio, verdict
from sim.sweeps.compare import mean_interval, paired_values, t_quantile
from sim.sweeps.facts import FACTS
from sim.sweeps.spec import load_sweep_spec, param_column, validate_spec

TINY = ["population.viewers=4000", "population.creators=80", "population.brands=2", "run.days=7",
        "run.burn_in_days=0"]


def test_names_are_unique_and_no_outcome_is_a_calibration_fact():
    assert len({b.name for b in BACKTESTS}) == len(BACKTESTS)
    for backtest in BACKTESTS:
        assert len({o.name for o in backtest.outcomes}) == len(backtest.outcomes)
    fitted = {fact.name for fact in FACTS}
    assert not fitted & {o.name for b in BACKTESTS for o in b.outcomes}
    assert not fitted & {b.name for b in BACKTESTS}


@pytest.mark.parametrize("backtest", BACKTESTS, ids=lambda b: b.name)
def test_every_outcome_compares_two_points_of_its_spec(backtest):
    spec = load_sweep_spec(backtest.spec_path)
    points = [{param_column(p): v for p, v in point.items()} for point in spec.grid.points()]
    for outcome in backtest.outcomes:
        for where in (outcome.baseline, outcome.point):
            assert {param_column(p): v for p, v in where.items()} in points, (outcome.name, where)


@pytest.mark.slow
@pytest.mark.parametrize("backtest", BACKTESTS, ids=lambda b: b.name)
def test_outcomes_compute_from_a_tiny_sweep(backtest, tmp_path):
    spec = load_sweep_spec(backtest.spec_path, TINY)
    tiny = validate_spec({**spec.model_dump(), "replicates": 3, "tables": []})
    sim.sweep(tiny, out=tmp_path / "sweep", workers=1, progress=False)
    table = outcome_table(backtest, sim.open_results(tmp_path / "sweep").runs)
    assert list(table.columns) == OUTCOME_COLUMNS
    assert list(table["outcome"]) == [o.name for o in backtest.outcomes]
    # a tiny run can leave a measure at 0 (Brazil's few payers), which drops its replicate from the pair
    assert (table["n"] <= 3).all() and (table["n"] >= 2).any()
    computed = table[table["n"] >= 2]
    assert (computed["baseline"] > 0).all() and computed["change"].notna().all()
    assert set(table["verdict"]) <= {"agrees", "overlaps", "below", "above", "prediction", "no interval"}


def test_relative_change_and_elasticity_by_hand():
    # Replicate 0: 10 -> 20, replicate 1: 10 -> 30, replicate 2: 20 -> 30 (ratios 2, 3 and 1.5).
    runs = pd.DataFrame({"x": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0], "replicate": [0, 1, 2, 0, 1, 2],
                         "y": [10, 10, 20, 20, 30, 30]})
    outcome = Outcome("y_up", "y", "y", {"x": 1.0}, {"x": 2.0}, "doubled or more", 1.0, math.inf)
    backtest = BACKTESTS[0].__class__("toy", "toy", "none.yaml", "", "", "D", "", (outcome,))
    row = outcome_table(backtest, runs).iloc[0]
    logs = pd.Series([math.log(2), math.log(3), math.log(1.5)])
    half = t_quantile(0.975, 2) * logs.std() / math.sqrt(3)
    assert row["n"] == 3 and row["baseline"] == pytest.approx(40 / 3) and row["value"] == pytest.approx(80 / 3)
    geometric = 9 ** (1 / 3)  # (2 x 3 x 1.5) ** (1 / 3)
    assert (row["change"], row["low"], row["high"]) == pytest.approx(
        (geometric - 1, geometric * math.exp(-half) - 1, geometric * math.exp(half) - 1))
    elasticities = [math.log(2) / math.log(2), math.log(3) / math.log(2), math.log(1.5) / math.log(2)]
    assert row["elasticity"] == pytest.approx(sum(elasticities) / 3)
    assert (row["published_elasticity_low"], row["published_elasticity_high"]) == (1.0, math.inf)
    assert row["verdict"] == "overlaps"  # the interval reaches below +100%


def test_paired_values_keeps_replicates_both_points_have():
    runs = pd.DataFrame({"x": [1, 1, 2], "replicate": [0, 1, 1], "y": [5.0, 6.0, 9.0]})
    pairs = paired_values(runs, ["x"], {"x": 1}, {"x": 2}, "y")
    assert pairs.to_dict("index") == {1: {"baseline": 6.0, "point": 9.0}}
    with pytest.raises(ValueError, match="no run is at the point"):
        paired_values(runs, ["x"], {"x": 1}, {"x": 3}, "y")
    with pytest.raises(ValueError, match="exactly the parameters"):
        paired_values(runs, ["x"], {"x": 1}, {"z": 2}, "y")


def test_mean_interval_needs_two_values_for_an_interval():
    assert mean_interval([1.0, 3.0]) == pytest.approx((2.0, 2.0 - t_quantile(0.975, 1), 2.0 + t_quantile(0.975, 1)))
    mean, low, high = mean_interval([4.0])
    assert mean == 4.0 and math.isnan(low) and math.isnan(high)


@pytest.mark.parametrize(("low", "high", "expected"), [
    (-0.2, -0.15, "below"), (0.4, 0.5, "above"), (-0.13, -0.11, "overlaps"), (-0.12, -0.12, "agrees"),
    (math.nan, math.nan, "no interval"),
])
def test_verdict_against_a_published_point(low, high, expected):
    outcome = Outcome("o", "o", "y", {"x": 1.0}, {"x": 0.8}, "posts -12%", -0.12, -0.12)
    assert verdict(outcome, low, high) == expected


def test_verdict_without_a_published_figure_is_a_prediction():
    assert verdict(Outcome("o", "o", "y", {"x": 1}, {"x": 2}), -1.0, 1.0) == "prediction"


def test_parameter_ratio_only_when_one_number_changes():
    assert parameter_ratio(Outcome("o", "o", "y", {"s": 0.95}, {"s": 0.80})) == pytest.approx(0.80 / 0.95)
    assert math.isnan(parameter_ratio(Outcome("o", "o", "y", {"s": 0.33, "k": "flat"},
                                              {"s": 0.132, "k": "missions"})))


def test_the_doc_shows_published_ranges_and_changes_as_percentages():
    from benchmarks.backtests import interval, percent, published_range

    assert published_range(1.0, math.inf) == ">= +100%"
    assert published_range(-math.inf, -0.8, lambda v: f"{v:+.2f}") == "<= -0.80"
    assert published_range(-0.12, -0.12) == "-12%" and published_range(math.nan, math.nan) == "-"
    assert percent(0.059) == "+5.9%" and interval(2.23, 1.97, 2.51) == "+223% [+197%, +251%]"
    assert interval(0.5, math.nan, math.nan) == "+50%" and interval(math.nan, 0.0, 1.0) == ""


def test_the_backtests_do_not_reuse_runs_of_other_code(tmp_path):
    from benchmarks.backtests import runs_of_other_code
    from sim.io.provenance import git_commit, git_dirty

    folder = tmp_path / "sweep-x"
    folder.mkdir()
    (folder / "plan.parquet").write_bytes(b"PAR1")
    (folder / "meta.json").write_text(json.dumps({"git_commit": "0123456789abcdef", "git_dirty": False}))
    assert runs_of_other_code(folder) == "0123456789ab"
    (folder / "meta.json").write_text(json.dumps({"git_commit": git_commit(), "git_dirty": False}))
    assert (runs_of_other_code(folder) is None) == (not git_dirty())  # a dirty checkout may differ from any
    (folder / "meta.json").write_text(json.dumps({"git_commit": git_commit(), "git_dirty": True}))
    assert runs_of_other_code(folder) is not None
