"""Sweep specs: validation with clear errors, grid and sampled points, seeds from one root seed, run ids."""

import numpy as np
import pytest

from sim.engine.config_io import ConfigError
from sim.sweeps.spec import (
    Grid,
    Range,
    Sample,
    SweepSpecError,
    load_sweep_spec,
    param_column,
    plan_sweep,
    run_seed,
    validate_spec,
)
from tests.conftest import DEFAULT_CONFIG, REPO

TINY = {"population.viewers": 300, "population.creators": 10, "population.brands": 1, "run.days": 1}
EXAMPLE_SPECS = sorted((REPO / "configs" / "sweeps").glob("*.yaml"))


def spec(**fields):
    return validate_spec({"base": str(DEFAULT_CONFIG), "set": TINY, **fields})


def test_grid_product_and_zip():
    parameters = {"a.x": [1, 2], "b.y": ["p", "q"]}
    assert Grid(combine="product", parameters=parameters).points() == [
        {"a.x": 1, "b.y": "p"}, {"a.x": 1, "b.y": "q"}, {"a.x": 2, "b.y": "p"}, {"a.x": 2, "b.y": "q"}]
    assert Grid(combine="zip", parameters=parameters).points() == [{"a.x": 1, "b.y": "p"}, {"a.x": 2, "b.y": "q"}]
    assert Grid(parameters={"a.x": [3, 4]}).points() == [{"a.x": 3}, {"a.x": 4}]
    # a one-at-a-time design: zipped lists repeat values, the points differ
    one_at_a_time = Grid(combine="zip", parameters={"a.x": [1, 2, 1], "b.y": ["p", "p", "q"]})
    assert one_at_a_time.points() == [{"a.x": 1, "b.y": "p"}, {"a.x": 2, "b.y": "p"}, {"a.x": 1, "b.y": "q"}]


@pytest.mark.parametrize(("fields", "message"), [
    ({"grid": {"parameters": {"a.x": [1], "b.y": [2]}}}, r"grid\.combine: required with more than one parameter"),
    ({"grid": {"combine": "zip", "parameters": {"a.x": [1, 2], "b.y": [3]}}}, "zip needs lists of one length"),
    ({"grid": {"parameters": {"a.x": [1, 1]}}}, "repeated values"),
    ({"grid": {"parameters": {"a.x": []}}}, "at least one value"),
    ({"grid": {"combine": "cross", "parameters": {"a.x": [1]}}}, r"grid\.combine: Input should be 'product' or 'zip'"),
    ({"grid": {"parameters": {"not a path": [1]}}}, "String should match pattern"),
    ({"sample": {"design": "sobol", "samples": 10, "parameters": {"a.x": {"low": 0, "high": 1}}}},
     "sobol needs a power of two .got 10; try 8 or 16"),
    ({"sample": {"design": "lhs", "samples": 4, "parameters": {"a.x": {"low": 1, "high": 0}}}},
     "high must be greater than low"),
    ({"sample": {"design": "grid", "samples": 4, "parameters": {"a.x": {"low": 0, "high": 1}}}},
     r"sample\.design: Input should be 'random', 'lhs' or 'sobol'"),
    ({"replicates": 0}, r"replicates: Input should be greater than or equal to 1 \(got 0\)"),
    ({"replicate": 3}, "replicate: unknown key"),
    ({"tables": ["timeseries", "wallets"]}, r"tables\.1: Input should be"),
    ({"grid": {"parameters": {"population.viewers": [100, 200]}}},
     r"grid\.parameters\.population\.viewers: already given in set"),
    ({"seeds": [1, 2], "replicates": 3}, "seeds: 2 seeds for 3 replicates"),
    ({"seeds": [1, 1]}, r"seeds: repeated seeds in \[1, 1\]"),
    ({"seeds": [-1]}, r"seeds: each seed must be from 0 to 2\*\*63 - 1, got \[-1\]"),
    ({"seeds": "shared"},
     r"^<sweep>: seeds: Input should be 'common' or 'independent', or a list of seeds .* got 'shared'"),
    ({"seeds": [1.5]}, r"^<sweep>: seeds: Input should be .* got \[1.5\]"),
    ({"grid": {"parameters": {"brands.switched_off": [[0], [0]]}}}, "repeated values"),
    ({"grid": {"combine": "zip", "parameters": {"a.x": [1, 2, 1], "b.y": [3, 4, 3]}}},
     r"zipped points \[3\] \(counting from 1\) repeat an earlier point"),
])
def test_invalid_specs_name_the_field_value_and_what_is_allowed(fields, message):
    with pytest.raises(SweepSpecError, match=message):
        spec(**fields)


def test_a_list_of_seeds_gives_replicate_r_the_r_th_seed_at_every_point():
    plan = plan_sweep(spec(seeds=[7, 3], grid={"parameters": {"platform.creator_share": [0.3, 0.5]}}))
    assert plan.spec.replicates == 2 and plan.spec.has_common_seeds
    assert [(run.point, run.replicate, run.seed) for run in plan.runs] == [(0, 0, 7), (0, 1, 3), (1, 0, 7), (1, 1, 3)]
    assert not spec(seeds="independent").has_common_seeds


def test_a_grid_over_a_list_valued_field():
    brands = {**TINY, "population.brands": 2}
    plan = plan_sweep(validate_spec({"base": str(DEFAULT_CONFIG), "set": brands,
                                     "grid": {"parameters": {"brands.switched_off": [[], [0], [1]]}}}))
    assert [run.params for run in plan.runs] == [
        {"brands.switched_off": []}, {"brands.switched_off": [0]}, {"brands.switched_off": [1]}]
    assert len({run.run_id for run in plan.runs}) == 3
    with pytest.raises(SweepSpecError, match=r"point 1 .*brands.switched_off: brand 2 does not exist"):
        plan_sweep(validate_spec({"base": str(DEFAULT_CONFIG), "set": brands,
                                  "grid": {"parameters": {"brands.switched_off": [[], [2]]}}}))


def test_ranges_map_the_unit_interval_onto_values():
    assert Range(low=2, high=4).value(0.25) == 2.5
    assert Range(low=1, high=100, scale="log").value(0.5) == pytest.approx(10)
    integer = Range(low=1, high=3, integer=True)
    assert [integer.value(u) for u in (0.0, 0.33, 0.34, 0.67, 0.999)] == [1, 1, 2, 3, 3]


@pytest.mark.parametrize("design", ["random", "lhs", "sobol"])
def test_sampled_points_are_in_range_and_reproducible(design):
    sample = Sample(design=design, samples=16, parameters={"a.x": {"low": 0, "high": 1}, "b.y": {"low": 5, "high": 6}})
    points = sample.points(root_seed=1)
    assert len(points) == 16
    assert all(0 <= p["a.x"] < 1 and 5 <= p["b.y"] < 6 for p in points)
    assert points == sample.points(root_seed=1)
    assert points != sample.points(root_seed=2)


def test_latin_hypercube_puts_one_point_in_each_stratum():
    sample = Sample(design="lhs", samples=10, parameters={"a.x": {"low": 0, "high": 1}, "b.y": {"low": 0, "high": 1}})
    for path in ("a.x", "b.y"):
        assert sorted(int(p[path] * 10) for p in sample.points(root_seed=3)) == list(range(10))


def test_seeds_come_from_the_root_seeds_spawn_tree():
    def runs_stream():
        return np.random.SeedSequence(42).spawn(2)[1]

    def seed_of(sequence):
        return int(sequence.generate_state(1, np.uint64)[0] >> 1)

    assert run_seed(42, point=5, replicate=2, seeds="common") == seed_of(runs_stream().spawn(3)[2])
    assert run_seed(42, point=5, replicate=2, seeds="independent") == seed_of(runs_stream().spawn(6)[5].spawn(3)[2])


def test_common_seeds_repeat_across_points_and_independent_ones_do_not():
    grid = {"parameters": {"platform.creator_share": [0.2, 0.5]}}
    common = plan_sweep(spec(grid=grid, replicates=3)).runs
    assert [r.seed for r in common[:3]] == [r.seed for r in common[3:]]
    assert len({r.seed for r in common[:3]}) == 3
    independent = plan_sweep(spec(grid=grid, replicates=3, seeds="independent")).runs
    assert len({r.seed for r in independent}) == 6
    assert len({r.run_id for r in common}) == len({r.run_id for r in independent}) == 6


def test_run_ids_hash_the_resolved_config_and_seed():
    grid = {"parameters": {"platform.creator_share": [0.2, 0.5]}}
    first = plan_sweep(spec(grid=grid, replicates=2)).runs
    reordered = plan_sweep(spec(grid={"parameters": {"platform.creator_share": [0.5, 0.2]}}, replicates=2)).runs
    assert {(r.params["platform.creator_share"], r.seed, r.run_id) for r in first} == {
        (r.params["platform.creator_share"], r.seed, r.run_id) for r in reordered}
    other_base = plan_sweep(validate_spec({"base": str(DEFAULT_CONFIG), "set": {**TINY, "run.days": 2},
                                           "grid": grid, "replicates": 2})).runs
    assert not {r.run_id for r in first} & {r.run_id for r in other_base}
    assert plan_sweep(spec(grid=grid, replicates=2, root_seed=1)).runs[0].seed != first[0].seed


def test_a_value_the_config_rejects_is_reported_before_anything_runs():
    with pytest.raises(SweepSpecError, match=r"point 1 \(platform.creator_share=3\): platform.creator_share: "
                                             r"Input should be less than or equal to 1 \(got 3\)"):
        plan_sweep(spec(grid={"parameters": {"platform.creator_share": [0.5, 3]}}))


def test_load_resolves_the_base_against_the_spec_and_adds_overrides(tmp_path):
    (tmp_path / "base.yaml").write_text(f"extends: {DEFAULT_CONFIG}\n")
    (tmp_path / "nested").mkdir()
    path = tmp_path / "nested" / "share.yaml"
    path.write_text("base: ../base.yaml\ngrid: {parameters: {platform.creator_share: [0.2, 0.4]}}\n")
    loaded = load_sweep_spec(path, ["population.viewers=500", "run.days=1"])
    assert loaded.name == "share" and loaded.base == (tmp_path / "base.yaml").resolve()
    assert loaded.set == {"population.viewers": 500, "run.days": 1}
    with pytest.raises(SweepSpecError, match=r"grid\.parameters\.platform\.creator_share: already given in set"):
        load_sweep_spec(path, ["platform.creator_share=0.3"])
    with pytest.raises(ConfigError, match="no such file"):
        load_sweep_spec(tmp_path / "missing.yaml")


def test_param_columns_replace_dots():
    assert param_column("regions.ID.price_multiplier") == "regions__ID__price_multiplier"


@pytest.mark.parametrize("path", EXAMPLE_SPECS, ids=lambda p: p.stem)
def test_example_specs_plan(path, default_config):
    plan = plan_sweep(load_sweep_spec(path))
    expected = {"creator_share": 70, "regional_price": 64, "exploration": 64, "tiktok_rewards": 10,
                "sensitivity_tiktok": 220, "sobol_tiktok": 224, "backtest_twitch_price": 20,
                "backtest_twitch_price_share": 20, "backtest_commission": 32, "supply_response": 128,
                "supply_response_preset": 80, "indonesia_price": 128}[path.stem]
    assert len(plan.runs) == expected
    if path.stem in ("sensitivity_tiktok", "sobol_tiktok"):  # analyses of many runs: a tenth of the economy
        assert (plan.base_config.population.viewers, plan.base_config.population.creators) == (2000, 40)
    elif path.stem in ("backtest_commission", "supply_response"):  # 91-day runs: half the economy, as many per creator
        assert (plan.base_config.population.viewers, plan.base_config.population.creators) == (10_000, 200)
    else:
        assert plan.base_config.population == default_config.population  # the default economy's full size


def test_the_tables_a_sweep_may_store_are_those_of_a_results_folder():
    from typing import get_args

    from sim.io.folder import TABLES
    from sim.sweeps.spec import TableName

    assert get_args(TableName) == TABLES
