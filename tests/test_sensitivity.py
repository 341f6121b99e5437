"""Sensitivity analysis: the spec's section, SALib's indices on a hand-checkable case, and giftsim sensitivity."""

import argparse
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import sweep as sweep_cli
from sim.figures import sensitivity_figures
from sim.sweeps.sensitivity import INDEX_COLUMNS, SensitivityError, analyze, elementary_effects
from sim.sweeps.spec import SweepSpecError, plan_sweep, validate_spec
from tests.conftest import DEFAULT_CONFIG
from tests.test_sweep import TINY

TWO = {"platform.creator_share": {"low": 0.2, "high": 0.6}, "viewers.payer_share": {"low": 0.05, "high": 0.2}}


def sensitivity_spec(method="morris", parameters=TWO, replicates=2, **fields):
    """A sensitivity spec on the 300-viewer, one-day economy of the sweep tests."""
    size = {"trajectories": 4} if method == "morris" else {"samples": 4}
    section = {"method": method, "parameters": parameters, **size, **fields.pop("sensitivity", {})}
    return {"name": "sens", "base": str(DEFAULT_CONFIG), "set": TINY, "root_seed": 7, "replicates": replicates,
            "tables": [], "sensitivity": section, **fields}


def synthetic_runs(spec, response, replicates=2):
    """Runs of a spec's design whose metric ``y`` is ``response(values)`` at every replicate."""
    design = spec.sensitivity
    _, _, points = design.row_points(spec.root_seed)
    return pd.DataFrame([{"point": p, "replicate": r, "y": response(values)}
                         for p, values in enumerate(points) for r in range(replicates)])


def giftsim(*arguments):
    parser = argparse.ArgumentParser(prog="giftsim")
    sweep_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    return sweep_cli.run_command(parser.parse_args([str(a) for a in arguments]))


def test_an_inert_parameter_has_no_elementary_effect_and_a_linear_one_its_slope_per_range():
    parameters = {"a.x": {"low": 0.0, "high": 2.0}, "b.y": {"low": 10.0, "high": 20.0}}
    spec = validate_spec(sensitivity_spec(parameters=parameters, sensitivity={"trajectories": 8, "metrics": ["y"]}))
    runs = synthetic_runs(spec, lambda v: 3.0 * v["a.x"])  # b.y does nothing
    indices = analyze(runs, spec).set_index(["parameter", "index"])["value"]
    # y rises by 3 x 2 = 6 across a.x's whole range, whichever step the trajectory takes.
    assert indices["a.x", "mu_star"] == pytest.approx(6.0)
    assert indices["a.x", "sigma"] == pytest.approx(0.0, abs=1e-12)
    assert indices["b.y", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert list(analyze(runs, spec).columns) == INDEX_COLUMNS


def test_sobol_indices_give_an_additive_model_its_variance_shares():
    parameters = {"a.x": {"low": 0.0, "high": 1.0}, "b.y": {"low": 0.0, "high": 1.0},
                  "c.z": {"low": 0.0, "high": 1.0}}
    spec = validate_spec(sensitivity_spec("sobol", parameters=parameters,
                                          sensitivity={"samples": 1024, "metrics": ["y"]}))
    runs = synthetic_runs(spec, lambda v: 2.0 * v["a.x"] + v["b.y"], replicates=1)
    indices = analyze(runs, spec).set_index(["parameter", "index"])
    # Variances 4/12 and 1/12: S1 = ST = 0.8 and 0.2, and 0 for c.z.
    assert indices.loc[("a.x", "ST"), "value"] == pytest.approx(0.8, abs=0.05)
    assert indices.loc[("b.y", "S1"), "value"] == pytest.approx(0.2, abs=0.05)
    assert abs(indices.loc[("c.z", "ST"), "value"]) < 0.01
    assert (indices["low"] <= indices["value"]).all() and (indices["value"] <= indices["high"]).all()


def test_replicates_are_averaged_before_the_analysis():
    spec = validate_spec(sensitivity_spec(sensitivity={"metrics": ["y"]}))
    runs = synthetic_runs(spec, lambda v: 0.0)
    runs["y"] = np.where(runs["replicate"] == 0, 1.0, -1.0)  # seed noise that the mean removes exactly
    assert analyze(runs, spec)["value"].abs().max() == pytest.approx(0.0, abs=1e-12)


def test_analysis_names_a_missing_metric_and_missing_points():
    spec = validate_spec(sensitivity_spec())
    runs = synthetic_runs(spec, lambda v: 1.0)
    with pytest.raises(SensitivityError, match="metric 'nope': not a numeric summary key of these runs; choose "
                                               "from y"):
        analyze(runs, spec, ["nope"])
    with pytest.raises(SensitivityError, match="of the design's .* points have no finished run"):
        analyze(runs[runs["point"] > 0], spec, ["y"])


@pytest.mark.parametrize(("section", "message"), [
    ({"parameters": {"a.x": {"low": 1.0, "high": 1.0}, "b.y": {"low": 0, "high": 1}}},
     r"sensitivity\.parameters\.a\.x: .*high must be greater than low \(got low 1\.0, high 1\.0\)"),
    ({"parameters": {"a.x": {"low": 2.0, "high": 1.0}, "b.y": {"low": 0, "high": 1}}},
     r"sensitivity\.parameters\.a\.x: .*high must be greater than low"),
    ({"trajectories": None}, r"sensitivity\.trajectories: required with method morris"),
    ({"levels": 5}, r"sensitivity\.levels: must be even \(got 5; try 6\)"),
    ({"method": "sobol", "trajectories": None, "samples": 12}, r"sensitivity\.samples: sobol needs a power of two"),
    ({"method": "fast"}, r"sensitivity\.method: Input should be 'morris' or 'sobol'"),
])
def test_a_bad_sensitivity_section_names_the_field(section, message):
    raw = sensitivity_spec()
    raw["sensitivity"] = {**raw["sensitivity"], **section}
    with pytest.raises(SweepSpecError, match=message):
        validate_spec(raw)


def test_sensitivity_stands_alone_and_needs_common_seeds():
    with pytest.raises(SweepSpecError, match="sensitivity: in place of grid and sample"):
        validate_spec(sensitivity_spec(grid={"parameters": {"run.days": [1, 2]}}))
    with pytest.raises(SweepSpecError, match="seeds: a sensitivity analysis runs every point on the same seeds"):
        validate_spec(sensitivity_spec(seeds="independent"))


def test_an_unknown_parameter_path_is_named_before_anything_runs():
    parameters = {"platform.creator_shar": {"low": 0.2, "high": 0.6}, "viewers.payer_share": {"low": 0.05, "high": 0.2}}
    with pytest.raises(SweepSpecError, match="platform.creator_shar: unknown key"):
        plan_sweep(validate_spec(sensitivity_spec(parameters=parameters)))


def test_points_the_design_visits_twice_are_run_once_on_common_seeds():
    spec = validate_spec(sensitivity_spec(sensitivity={"trajectories": 10}))
    units, rows, points = spec.sensitivity.row_points(spec.root_seed)
    assert len(rows) == len(units) == 10 * 3 and len(points) == len(set(rows)) <= len(rows)
    plan = plan_sweep(spec)
    assert len(plan.runs) == 2 * len(points)
    assert {run.seed for run in plan.runs if run.replicate == 0} == {plan.runs[0].seed}


@pytest.mark.slow
def test_giftsim_sensitivity_runs_analyses_writes_and_resumes(tmp_path, capsys):
    spec_file, out = tmp_path / "sens.yaml", tmp_path / "out"
    spec_file.write_text(yaml.safe_dump(sensitivity_spec()))
    assert giftsim("sensitivity", spec_file, "--out", out, "--workers", "1", "--format", "png", "svg") == 0
    printed = capsys.readouterr().out
    assert " runs planned, 0 already done; ran " in printed
    assert "creator_income_usd (morris; mean over 2 replicates at each of" in printed
    assert "platform.creator_share" in printed and "viewers.payer_share" in printed
    indices = pd.read_parquet(out / "sensitivity.parquet")
    assert set(indices["metric"]) == {"creator_income_usd", "platform_revenue_usd", "payer_ratio"}
    pd.testing.assert_frame_equal(indices, pd.read_csv(out / "sensitivity.csv"), check_dtype=False)
    # The creator share moves no viewer to pay: its mu* on the payer ratio is 0 under common seeds.
    payer = indices.set_index(["metric", "parameter", "index"])["value"]
    assert payer["payer_ratio", "platform.creator_share", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert payer["creator_income_usd", "platform.creator_share", "mu_star"] > 0
    assert (out / "figures" / "morris_payer_ratio.svg").is_file()
    assert (out / "figures" / "indices_creator_income_usd.png").is_file()

    # A second invocation reuses every stored run and gives the same indices.
    assert giftsim("sensitivity", spec_file, "--out", out, "--workers", "1", "--resume", "--metric", "gifts") == 0
    printed = capsys.readouterr().out
    # (the estimate's line before counts the design's rows; the plan runs a repeated point once)
    done = re.search(r"(\d+) runs planned, (\d+) already done; ran 0 ", printed)
    assert done and done[1] == done[2]
    assert set(pd.read_parquet(out / "sensitivity.parquet")["metric"]) == {"gifts"}


def test_an_unknown_metric_is_refused_before_anything_runs(tmp_path, capsys):
    spec_file = tmp_path / "sens.yaml"
    spec_file.write_text(yaml.safe_dump(sensitivity_spec()))
    assert giftsim("sensitivity", spec_file, "--out", tmp_path / "out", "--metric", "creator_incme_usd") == 2
    assert "--metric: 'creator_incme_usd' is not a summary key" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_giftsim_sensitivity_refuses_a_spec_without_a_sensitivity_section(tmp_path, capsys):
    spec_file = tmp_path / "grid.yaml"
    spec_file.write_text(yaml.safe_dump({"base": str(DEFAULT_CONFIG), "grid": {"parameters": {"run.days": [1]}}}))
    assert giftsim("sensitivity", spec_file, "--out", tmp_path / "out") == 2
    assert "sensitivity: missing" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_figures_of_a_table_of_indices():
    spec = validate_spec(sensitivity_spec(sensitivity={"metrics": ["y"]}))
    indices = analyze(synthetic_runs(spec, lambda v: 5.0 * v["platform.creator_share"] ** 2), spec)
    drawn = sensitivity_figures(indices)
    assert set(drawn) == {"indices_y", "morris_y"}
    ax = drawn["indices_y"].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["viewers.payer_share", "platform.creator_share"]


def test_elementary_effects_match_salib_and_sigma_gets_an_interval():
    from SALib.analyze import morris

    spec = validate_spec(sensitivity_spec(sensitivity={"trajectories": 12, "metrics": ["y"]}))
    units, rows, points = spec.sensitivity.row_points(spec.root_seed)
    runs = synthetic_runs(spec, lambda v: v["platform.creator_share"] * v["viewers.payer_share"] * 100)
    y = runs.groupby("point")["y"].mean().to_numpy()[rows]
    effects = elementary_effects(units, y)
    found = morris.analyze(spec.sensitivity.problem(), units, y, num_levels=4)
    assert np.abs(effects).mean(axis=0) == pytest.approx(found["mu_star"])
    assert effects.std(axis=0, ddof=1) == pytest.approx(found["sigma"])
    sigma = analyze(runs, spec).query("index == 'sigma'")
    assert (sigma["conf"] > 0).all() and (sigma["low"] < sigma["value"]).all()


def test_crowded_points_of_the_morris_plane_are_named_without_overlap_or_listed():
    from sim.figures.sensitivity import morris_figure

    names = [f"section.parameter_{i}" for i in range(8)]  # eight points on top of one another
    rows = [{"metric": "y", "method": "morris", "parameter": name, "index": index, "value": value,
             "low": value * 0.9, "high": value * 1.1, "conf": value * 0.1, "level": 0.95, "points": 90, "replicates": 2}
            for i, name in enumerate(names) for index, value in (("mu_star", 1000 + i), ("sigma", 1000 - i), ("mu", 0))]
    fig = morris_figure(pd.DataFrame(rows), "y")
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    named = [text for text in ax.texts if text.get_text() in names]
    boxes = [text.get_window_extent(renderer) for text in named]
    assert 1 <= len(named) < len(names)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    note = next(text.get_text() for text in ax.texts if text.get_text().startswith("not named"))
    assert sorted(note.splitlines()[1:] + [text.get_text() for text in named]) == sorted(names)
