"""Sweeps: the same results on every executor, failures recorded, resume, interruption, complete rows."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

import sim
from sim.io import runner
from sim.sweeps.executors import ProcessExecutor, execute_run
from sim.sweeps.spec import config_digest, load_sweep_spec, plan_sweep, spec_digest, validate_spec
from sim.sweeps.store import META_FILE, RUNS_FILE, SweepExistsError, SweepMismatchError, flatten
from tests.conftest import DEFAULT_CONFIG, REPO

TINY = {"population.viewers": 300, "population.creators": 10, "population.brands": 1, "run.days": 1}
# The example specs on the tiny economy, without their burn-in (a backtest's is 56 days).
TINY_OVERRIDES = [f"{path}={value}" for path, value in {**TINY, "run.burn_in_days": 0}.items()]
SHARES = [0.2, 0.5, 0.8]
EXAMPLE_SPECS = sorted((REPO / "configs" / "sweeps").glob("*.yaml"))


def tiny_spec(replicates=2, shares=SHARES, **fields):
    """Creator shares on a 300-viewer, one-day economy: runs of a few hundredths of a second."""
    return {"name": "tiny", "base": str(DEFAULT_CONFIG), "set": TINY, "root_seed": 5, "replicates": replicates,
            "grid": {"parameters": {"platform.creator_share": shares}}, **fields}


def assert_same_results(a, b):
    """Two results folders hold the same runs, rows and time series."""
    left, right = sim.open_results(a), sim.open_results(b)
    pd.testing.assert_frame_equal(left.runs, right.runs)
    assert (left.manifest["status"] == "ok").all() and (right.manifest["status"] == "ok").all()
    sort = ["run_id", "step"]
    pd.testing.assert_frame_equal(left.table("timeseries").sort_values(sort, ignore_index=True),
                                  right.table("timeseries").sort_values(sort, ignore_index=True))


@pytest.mark.slow
def test_serial_and_process_pool_give_identical_results(tmp_path):
    serial = sim.sweep(tiny_spec(), out=tmp_path / "serial", workers=1)
    pooled = sim.sweep(tiny_spec(), out=tmp_path / "pool", workers=2)
    assert (serial.succeeded, pooled.succeeded, pooled.failed) == (6, 6, 0)
    assert "2 local processes" in pooled.executor
    assert_same_results(tmp_path / "serial", tmp_path / "pool")


def test_runs_parquet_has_every_swept_parameter_and_summary_key(tmp_path):
    spec = tiny_spec(replicates=1, grid={"combine": "zip", "parameters": {
        "platform.creator_share": [0.3, 0.6], "regions.ID.price_multiplier": [0.8, 1.2]}})
    sim.sweep(spec, out=tmp_path / "out", workers=1)
    runs = pd.read_parquet(tmp_path / "out" / RUNS_FILE)
    assert len(runs) == 2
    assert list(runs.columns[:6]) == ["run_id", "point", "replicate", "seed", "platform__creator_share",
                                      "regions__ID__price_multiplier"]
    row = runs.iloc[1]
    config = sim.load_config(DEFAULT_CONFIG, [*TINY_OVERRIDES, "platform.creator_share=0.6",
                                              "regions.ID.price_multiplier=1.2"])
    summary = flatten(sim.run(config, seed=int(row["seed"])).summary)
    assert set(summary) <= set(runs.columns)
    assert "by_region__US__gross_spend_usd" in summary and "by_channel__web__payers" in summary
    assert {key: row[key] for key in summary} == pytest.approx(summary)  # reproducible from the row alone


def test_a_failing_run_is_recorded_with_its_traceback_and_the_others_go_on(tmp_path, monkeypatch):
    real_run = runner.run

    def fails_at_half_share(config, seed=None, **kwargs):
        if config.platform.creator_share == 0.5:
            raise RuntimeError("the engine broke at half share")
        return real_run(config, seed=seed, **kwargs)

    monkeypatch.setattr(runner, "run", fails_at_half_share)
    report = sim.sweep(tiny_spec(), out=tmp_path / "out", workers=1)
    assert (report.succeeded, report.failed, report.is_complete) == (4, 2, False)
    results = sim.open_results(tmp_path / "out")
    failed = results.manifest[results.manifest["status"] == "failed"]
    assert set(failed["platform__creator_share"]) == {0.5}
    assert (failed["error"] == "RuntimeError: the engine broke at half share").all()
    assert failed["traceback"].str.contains("fails_at_half_share").all()
    assert sorted(results.runs["platform__creator_share"]) == [0.2, 0.2, 0.8, 0.8]

    monkeypatch.setattr(runner, "run", real_run)
    resumed = sim.sweep(tiny_spec(), out=tmp_path / "out", workers=1, resume=True)
    assert (resumed.skipped, resumed.succeeded, resumed.is_complete) == (4, 2, True)
    sim.sweep(tiny_spec(), out=tmp_path / "clean", workers=1)
    assert_same_results(tmp_path / "out", tmp_path / "clean")


def test_resume_runs_only_what_is_missing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    sim.sweep(tiny_spec(), out=out, workers=1)
    for status in sorted((out / "status").glob("*.json"))[:2]:
        status.unlink()
    (out / RUNS_FILE).unlink()
    seeds_run = []
    real_run = runner.run

    def counting_run(config, seed=None, **kwargs):
        seeds_run.append(seed)
        return real_run(config, seed=seed, **kwargs)

    monkeypatch.setattr(runner, "run", counting_run)
    report = sim.sweep(tiny_spec(), out=out, workers=1, resume=True)
    assert (report.skipped, report.succeeded, len(seeds_run)) == (4, 2, 2)
    assert len(pd.read_parquet(out / RUNS_FILE)) == 6
    assert sim.sweep(tiny_spec(), out=out, workers=1, resume=True).succeeded == 0
    assert len(seeds_run) == 2


def test_meta_records_provenance_and_is_kept_on_resume(tmp_path):
    out = tmp_path / "out"
    sim.sweep(tiny_spec(), out=out, workers=1)
    meta = json.loads((out / META_FILE).read_text())
    assert meta["sweep_name"] == "tiny" and meta["planned_runs"] == 6
    assert {"giftsim", "mesa", "numpy", "pandas", "pyarrow", "python"} <= set(meta["versions"])
    plan = plan_sweep(validate_spec(tiny_spec()))
    assert meta["spec_sha256"] == spec_digest(plan.spec) == spec_digest(validate_spec(tiny_spec()))
    assert meta["spec_sha256"] != spec_digest(validate_spec(tiny_spec(replicates=3)))
    assert meta["base_config_sha256"] == config_digest(plan.base_config)
    before = (out / META_FILE).read_bytes()
    (out / "status" / f"{plan.runs[0].run_id}.json").unlink()
    assert sim.sweep(tiny_spec(), out=out, workers=1, resume=True).succeeded == 1
    assert (out / META_FILE).read_bytes() == before


def test_an_existing_folder_needs_resume_and_the_same_sweep(tmp_path):
    out = tmp_path / "out"
    sim.sweep(tiny_spec(), out=out, workers=1)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(SweepExistsError, match="exists; pass --resume"):
        sim.sweep(tiny_spec(), out=out, workers=1)
    with pytest.raises(SweepMismatchError, match="holds another sweep"):
        sim.sweep(tiny_spec(shares=[0.2, 0.5, 0.9]), out=out, workers=1, resume=True)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_a_sweep_run_on_another_commit_is_not_resumed(tmp_path):
    out = tmp_path / "out"
    sim.sweep(tiny_spec(), out=out, workers=1)
    meta = json.loads((out / META_FILE).read_text())
    if meta["git_commit"] is None:
        pytest.skip("not a git checkout: there is no commit to compare")
    (out / "status" / sorted(p.name for p in (out / "status").iterdir())[0]).unlink()
    (out / META_FILE).write_text(json.dumps({**meta, "git_commit": "0" * 40}))
    with pytest.raises(SweepMismatchError, match="holds runs of giftsim commit 000000000000, and this checkout is at"):
        sim.sweep(tiny_spec(), out=out, workers=1, resume=True)
    (out / META_FILE).write_text(json.dumps(meta))
    assert sim.sweep(tiny_spec(), out=out, workers=1, resume=True).succeeded == 1


INTERRUPTIBLE = """
import signal, sys
import sim
if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a CI shell may start us with SIGINT ignored
    spec = {spec!r}
    try:
        sim.sweep(spec, out=sys.argv[1], workers=2)
    except KeyboardInterrupt:
        sys.exit(130)
"""


@pytest.mark.slow
def test_an_interrupted_sweep_is_completed_by_resume(tmp_path):
    spec = tiny_spec(replicates=12, set={**TINY, "population.viewers": 1000, "run.days": 2})
    out = tmp_path / "out"
    script = tmp_path / "interruptible.py"
    script.write_text(INTERRUPTIBLE.format(spec=spec))
    child = subprocess.Popen([sys.executable, str(script), str(out)], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "status").glob("*.json"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGINT)
        assert child.wait(timeout=60) == 130
    finally:
        child.kill()
    manifest = pd.read_parquet(out / "manifest.parquet")
    assert 3 <= (manifest["status"] == "ok").sum() < len(manifest) == 36
    report = sim.sweep(spec, out=out, workers=1, resume=True)
    assert report.is_complete and report.skipped >= 3
    assert not list(out.rglob("*.tmp"))
    sim.sweep(spec, out=tmp_path / "uninterrupted", workers=1)
    assert_same_results(out, tmp_path / "uninterrupted")


def dies_on_point_1(base_config, run, tables):
    """A worker function whose process dies on the runs of point 1 (as an out-of-memory kill would)."""
    if run.point == 1:
        os._exit(1)
    return execute_run(base_config, run, tables)


@pytest.mark.slow
def test_a_worker_process_that_dies_fails_only_its_runs():
    plan = plan_sweep(validate_spec(tiny_spec(replicates=3)))
    base = plan.base_config.model_dump(mode="json")
    with ProcessExecutor(workers=2) as executor:
        outcomes = {o.run_id: o for o in executor.map(dies_on_point_1, base, plan.runs, ["timeseries"])}
    assert set(outcomes) == {run.run_id for run in plan.runs}
    by_point = {point: {outcomes[r.run_id].status for r in plan.runs if r.point == point} for point in range(3)}
    assert by_point[1] == {"failed"}
    assert "worker process died" in next(o.error for o in outcomes.values() if o.status == "failed")
    # With 2 runs per worker in flight, a death can take a neighbour's run along, never the whole sweep.
    assert sum(o.status == "ok" for o in outcomes.values()) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLE_SPECS, ids=lambda p: p.stem)
def test_example_specs_run_on_a_tiny_economy(path, tmp_path):
    report = sim.sweep(path, out=tmp_path / path.stem, workers=1, overrides=TINY_OVERRIDES)
    spec = load_sweep_spec(path)
    assert report.failed == 0
    if spec.precision is None:
        assert report.is_complete
    else:  # replicates until a precision: whole batches, and a closing word on the precision
        assert report.precision_note and report.succeeded % (spec.precision.batch * len(spec.points())) == 0
    results = sim.open_results(tmp_path / path.stem)
    assert set(results.parameter_columns) <= set(results.runs.columns) and len(spec.parameters) >= 1
    assert len(results.runs) == report.succeeded and len(results.manifest) == report.planned



@pytest.mark.slow
def test_sigterm_stops_a_sweep_leaving_a_folder_that_resume_completes(tmp_path):
    spec = tiny_spec(replicates=12, set={**TINY, "population.viewers": 1000, "run.days": 2})
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(spec))
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec_file), "--out", str(out),
                              "--workers", "2", "--quiet"], cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "status").glob("*.json"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
        assert child.returncode == 128 + signal.SIGTERM and "Traceback" not in err, err
    finally:
        child.kill()
    manifest = pd.read_parquet(out / "manifest.parquet")
    assert 3 <= (manifest["status"] == "ok").sum() < len(manifest)
    assert sim.sweep(spec_file, out=out, workers=1, resume=True).is_complete
    assert not list(out.rglob("*.tmp"))


def test_an_unwritable_results_folder_is_a_clear_error(tmp_path, capsys):
    from sim.cli.main import main

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(tiny_spec()))
    assert main(["sweep", str(spec_file), "--out", str(blocker / "out"), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("giftsim: error:") and "Traceback" not in err
    assert f"{blocker} is a file, and a folder is needed there" in err
