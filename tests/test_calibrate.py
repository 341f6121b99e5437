"""Calibration: the loss on hand-computed cases, the spec's errors, a tiny fit and its folder, and giftsim calibrate."""

import math

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.cli.main import main
from sim.sweeps.calibrate import (
    FACT_NAMES,
    calibrate,
    check_ranges,
    load_calibration_spec,
    loss,
    target,
)
from sim.sweeps.calibrate_report import CalibrationExistsError, write_calibration
from sim.sweeps.spec import SweepSpecError
from tests.conftest import DEFAULT_CONFIG, REPO

TINY = {"population.viewers": 200, "population.creators": 8, "population.brands": 1, "run.days": 2}
PARAMETERS = {"viewers.payer_share": {"low": 0.05, "high": 0.2},
              "viewers.budget_median_usd": {"low": 2.0, "high": 10.0, "scale": "log"}}
FIT_TIKTOK = REPO / "configs" / "calibrate" / "fit_tiktok.yaml"


def calibration_spec(replicates=2, **section):
    """A calibration of two viewer parameters to two TikTok facts, on a 200-viewer, two-day economy."""
    fields = {"parameters": PARAMETERS, "fit": ["payer_ratio", "top20_payer_gift_share"], "trials": 3,
              "profile_points": 2, **section}
    return {"name": "tiny", "base": str(DEFAULT_CONFIG), "set": TINY, "root_seed": 4, "replicates": replicates,
            "calibrate": fields}


def test_the_target_is_the_middle_of_the_range_and_the_scale_its_half_width():
    payer_ratio = FACT_NAMES["payer_ratio"]  # published 3-8%
    assert target(payer_ratio) == pytest.approx((0.055, 0.025))
    top20 = FACT_NAMES["top20_payer_gift_share"]  # 90-98%
    assert loss({"payer_ratio": 0.055, "top20_payer_gift_share": 0.94}, [payer_ratio, top20]) == pytest.approx(0.0)
    # At an end of its range a fact adds 1; two half widths beyond the middle, 4.
    assert loss({"payer_ratio": 0.08, "top20_payer_gift_share": 0.86}, [payer_ratio, top20]) == pytest.approx(5.0)
    assert loss({"payer_ratio": math.nan}, [payer_ratio]) == math.inf


@pytest.mark.parametrize(("section", "message"), [
    ({"fit": ["payer_rate"]}, "calibrate.fit: no fact named 'payer_rate'; facts are: payer_ratio"),
    ({"fit": ["payer_ratio", "bigo_creator_share"]}, r"several presets \(bigo, tiktok\)"),
    ({"fit": ["pack_1321_peers_share"]}, "shown for reference and has no range"),
    ({"hold_out": ["payer_ratio"]}, "'payer_ratio' is also fitted"),
    ({"parameters": {"viewers.payer_share": {"low": 0.2, "high": 0.1}}}, "high must be greater than low"),
    ({"trials": 0}, "calibrate.trials"),
])
def test_a_bad_calibrate_section_is_refused_with_the_field_named(section, message):
    with pytest.raises(SweepSpecError, match=message):
        load_calibration_spec(calibration_spec(**section))


@pytest.mark.parametrize(("fields", "message"), [
    ({"seeds": "independent"}, "same seeds .common random numbers."),
    ({"grid": {"parameters": {"platform.creator_share": [0.3]}}}, "in place of grid, sample and sensitivity"),
    ({"set": {**TINY, "viewers.payer_share": 0.1}}, "viewers.payer_share: also given in set"),
    ({"tables": ["viewers"]}, "stores no per-run tables"),
])
def test_a_spec_that_contradicts_its_calibration_is_refused(fields, message):
    with pytest.raises(SweepSpecError, match=message):
        load_calibration_spec({**calibration_spec(), **fields})


def test_a_parameter_the_config_lacks_or_an_end_it_forbids_is_refused_before_any_run():
    spec = load_calibration_spec(calibration_spec(parameters={"viewers.payer_shares": {"low": 0.1, "high": 0.2}}))
    with pytest.raises(SweepSpecError, match="viewers.payer_shares: no such field in the base config"):
        check_ranges(spec, sim.load_config(DEFAULT_CONFIG), "spec")
    spec = load_calibration_spec(calibration_spec(parameters={"viewers.payer_share": {"low": 0.1, "high": 1.5}}))
    with pytest.raises(SweepSpecError, match="viewers.payer_share: 1.5 is not allowed"):
        check_ranges(spec, sim.load_config(DEFAULT_CONFIG), "spec")


def test_facts_of_another_preset_than_the_base_configs_are_refused():
    spec = {**calibration_spec(), "base": str(REPO / "configs" / "youtube.yaml")}
    with pytest.raises(SweepSpecError, match="the facts describe tiktok, but the base config is youtube"):
        calibrate(spec, workers=1, progress=False)


def test_the_tiktok_spec_is_valid_and_its_ranges_make_valid_configs():
    spec = load_calibration_spec(FIT_TIKTOK)
    assert spec.calibrate.preset == "tiktok" and len(spec.calibrate.parameters) == 3
    before = check_ranges(spec, sim.load_config(DEFAULT_CONFIG), str(FIT_TIKTOK))
    assert before == {"viewers.payer_share": 0.1, "stock_up.share": 0.03, "viewers.budget_sigma": 2.5}
    held_out = {fact.name for fact in spec.calibrate.held_out_facts}
    assert "top1_payer_gift_share" in held_out and not held_out & set(spec.calibrate.fit)


@pytest.mark.slow
def test_a_tiny_fit_writes_a_fitted_config_that_extends_its_base(tmp_path):
    result = calibrate(calibration_spec(), workers=1, progress=False)
    assert list(result.trials["trial"]) == [0, 1, 2, 3] and result.trials["is_base"].tolist() == [True] + [False] * 3
    assert result.best.loss == result.trials["loss"].min() <= result.before.loss
    profiled = int((~result.profile["is_best"]).sum())  # the best point's values are not run again
    assert profiled == 4 and result.runs == 2 * (1 + 3 + profiled)  # 2 replicates of every vector
    assert set(result.profile["parameter"]) == set(PARAMETERS)
    files = write_calibration(result, tmp_path / "fit")
    assert {path.relative_to(tmp_path / "fit").as_posix() for path in files} == {
        "report.md", "report.json", "trials.csv", "trials.parquet", "profile.csv", "profile.parquet", "fitted.yaml"}
    raw = yaml.safe_load((tmp_path / "fit" / "fitted.yaml").read_text())
    assert set(raw) == {"extends", "name", "viewers"}  # the fitted values alone: no population, no run
    fitted = sim.load_config(tmp_path / "fit" / "fitted.yaml")
    base = sim.load_config(DEFAULT_CONFIG)
    assert fitted.viewers.payer_share == pytest.approx(result.best.params["viewers.payer_share"], rel=1e-5)
    assert fitted.population == base.population and fitted.platform == base.platform
    report = (tmp_path / "fit" / "report.md").read_text()
    assert "| payer_ratio | fit |" in report and "| top1_payer_gift_share | held out |" in report
    with pytest.raises(CalibrationExistsError, match="--overwrite"):
        write_calibration(result, tmp_path / "fit")


@pytest.mark.slow
def test_the_same_spec_gives_the_same_trials_and_another_root_seed_others():
    # One replicate of this tiny economy has no payer who gifted: the top 20% share is 0 to 0, so it is not fitted.
    spec = calibration_spec(replicates=1, trials=3, profile_points=0, fit=["payer_ratio"])
    first, again = (calibrate(spec, workers=1, progress=False).trials for _ in range(2))
    pd.testing.assert_frame_equal(first, again)
    other = calibrate({**spec, "root_seed": 5}, workers=1, progress=False).trials
    assert not first[list(PARAMETERS)].iloc[1:].equals(other[list(PARAMETERS)].iloc[1:])


def test_giftsim_calibrate_refuses_a_bad_spec_and_an_existing_folder(tmp_path, capsys):
    spec_file = tmp_path / "bad.yaml"
    spec_file.write_text(yaml.safe_dump(calibration_spec(fit=["payer_rate"])))
    assert main(["calibrate", str(spec_file), "--out", str(tmp_path / "out")]) == 2
    assert "giftsim: error:" in capsys.readouterr().err and not (tmp_path / "out").exists()
    spec_file.write_text(yaml.safe_dump(calibration_spec()))
    (tmp_path / "out").mkdir()
    assert main(["calibrate", str(spec_file), "--out", str(tmp_path / "out"), "--overwrite"]) == 2
    assert "out exists and is not a giftsim calibration folder" in capsys.readouterr().err


@pytest.mark.slow
def test_giftsim_calibrate_writes_its_folder_and_prints_the_report(tmp_path, capsys):
    spec_file = tmp_path / "tiny.yaml"
    spec = calibration_spec(replicates=1, profile_points=1)
    spec["set"] = {**spec["set"], "population.viewers": 600}  # enough that its one run's payers gift
    spec_file.write_text(yaml.safe_dump(spec))
    out = tmp_path / "out"
    assert main(["calibrate", str(spec_file), "--out", str(out), "--workers", "1", "--trials", "2",
                 "--set", "run.days=3", "--format", "png", "svg"]) == 0
    printed = capsys.readouterr().out
    assert "Loss (fitted facts only)" in printed and "--trials 2" in printed and "run.days=3" in printed
    assert sim.load_config(out / "fitted.yaml").name == "default_fitted"
    assert {path.name for path in (out / "figures").iterdir()} == {"profile.png", "profile.svg"}
    assert main(["calibrate", str(spec_file), "--out", str(out), "--workers", "1", "--trials", "1",
                 "--quiet", "--overwrite"]) == 0
    assert "--trials 1" in (out / "report.md").read_text()


# Facts that cannot be computed (issue 31, item 4): never fitted, and a fit always inside its ranges.

def fake_evaluations(monkeypatch, losses):
    """Replace the runs: each evaluation takes the next loss of ``losses`` (the base's first); an infinite loss
    is one whose fitted facts no run computed (NaN)."""
    from sim.sweeps import calibrate as module

    remaining = iter(losses)

    def evaluate(self, params, index=0):
        loss = next(remaining, 1.0)
        value = math.nan if math.isinf(loss) else 0.05
        values = pd.DataFrame({fact.name: [value] * len(self.seeds) for fact in self.facts})
        return module.Evaluation(params=dict(params), values=values, loss=loss)

    monkeypatch.setattr(module.MomentEvaluator, "evaluate", evaluate)


def test_a_fitted_fact_the_base_cannot_compute_is_refused(monkeypatch):
    fake_evaluations(monkeypatch, [math.inf])
    with pytest.raises(SweepSpecError, match="calibrate.fit: payer_ratio cannot be computed at the base config's "
                                             "values: no viewer was active in any of the 2 runs"):
        calibrate(calibration_spec(profile_points=0), workers=1, progress=False)


def test_trials_that_cannot_compute_a_fitted_fact_are_never_the_fit(monkeypatch):
    # The base lies outside the ranges (0.1 against 0.2-0.3), so it cannot be the fit; every trial is 0 to 0.
    spec = calibration_spec(parameters={"viewers.payer_share": {"low": 0.2, "high": 0.3}}, profile_points=0)
    fake_evaluations(monkeypatch, [0.5, math.inf, math.inf, math.inf])
    with pytest.raises(sim.sweeps.calibrate.CalibrationError, match="no trial in the ranges searched computed"):
        calibrate(spec, workers=1, progress=False)


def test_a_run_without_payers_cannot_compute_the_payer_facts():
    from sim.sweeps.facts import RunData

    summary = {"payers": 0, "active_viewers": 0, "gifts": 0, "payer_ratio": 0.0, "top20_payer_gift_share": 0.0,
               "top1_payer_gift_share": 0.0, "large_gift_count_share": 0.0, "large_gift_value_share": 0.0,
               "revenue_share_by_bundle_coins__1321": 0.0, "revenue_share_by_bundle_coins__65": 0.0}
    run = RunData(summary=summary, table=lambda name: pd.DataFrame())
    for name in ("payer_ratio", "top20_payer_gift_share", "top1_payer_gift_share", "large_gift_count_share",
                 "large_gift_value_share", "pack_1321_share", "pack_1321_peers_share"):
        assert math.isnan(FACT_NAMES[name].value(run)), name
    some = {**summary, "gifts": 10, "active_viewers": 5, "top20_payer_gift_share": 0.9,
            "revenue_share_by_bundle_coins__65": 1.0}
    run = RunData(summary=some, table=lambda name: pd.DataFrame())  # 0 of 10 large, 0 of 5 paying: real zeros
    assert FACT_NAMES["large_gift_count_share"].value(run) == 0.0 and FACT_NAMES["payer_ratio"].value(run) == 0.0
    assert FACT_NAMES["pack_1321_share"].value(run) == 0.0 and FACT_NAMES["top20_payer_gift_share"].value(run) == 0.9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=st.floats(1e-6, 0.5), width=st.floats(1e-6, 0.5), log=st.booleans(),
       losses=st.lists(st.one_of(st.floats(0, 1e6), st.just(math.inf)), min_size=4, max_size=4))
@pytest.mark.slow
def test_fitted_values_always_lie_inside_their_ranges(monkeypatch, tmp_path, low, width, log, losses):
    from sim.sweeps.calibrate import CalibrationError
    from sim.sweeps.calibrate_report import fitted_config_text

    ranges = {"viewers.payer_share": {"low": low, "high": low + width, **({"scale": "log"} if log else {})}}
    spec = calibration_spec(replicates=1, parameters=ranges, trials=3, profile_points=2)
    fake_evaluations(monkeypatch, [min(losses[0], 1e6), *losses[1:], *([1.0] * 4)])  # the base computes its facts
    try:
        result = calibrate(spec, workers=1, progress=False)
    except CalibrationError:  # no trial in the ranges computed the facts: nothing is fitted
        assert all(math.isinf(loss) for loss in losses[1:])
        return
    fitted = result.best.params["viewers.payer_share"]
    assert low <= fitted <= low + width
    written = yaml.safe_load(fitted_config_text(result, tmp_path))["viewers"]["payer_share"]
    assert low <= written <= low + width
    assert all(low <= value <= low + width for value in result.profile["value"])
