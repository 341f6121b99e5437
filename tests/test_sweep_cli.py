"""The sweep and query commands: a closing table, exit statuses, and one clear line per mistake."""

import argparse
import re

import numpy as np
import pytest
import yaml
from scipy.stats import t

import sim
from sim.cli import compare as compare_cli
from sim.cli import sweep as sweep_cli
from sim.io import runner
from sim.sweeps import executors
from sim.sweeps.results import HEADLINE_METRICS
from tests.conftest import DEFAULT_CONFIG
from tests.test_sweep import TINY_OVERRIDES, tiny_spec

SET_TINY = [argument for override in TINY_OVERRIDES for argument in ("--set", override)]


def giftsim(*arguments):
    """Parse and run a command as `giftsim` would once sweep_cli is wired into it."""
    parser = argparse.ArgumentParser(prog="giftsim")
    sweep_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    return sweep_cli.run_command(parser.parse_args([str(a) for a in arguments]))


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "shares.yaml"
    spec = tiny_spec(replicates=1)
    del spec["set"]
    path.write_text(yaml.safe_dump(spec))
    return path


def test_sweep_prints_a_table_and_query_answers(spec_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert giftsim("sweep", spec_file, "--out", out, "--workers", "1", *SET_TINY) == 0
    printed = capsys.readouterr().out
    assert "3 runs planned, 0 already done; ran 3 serially in this process" in printed
    assert "platform.creator_share" in printed and f"Results: {out}" in printed
    assert "Mean per point:" in printed and "±" not in printed and "Paired change" not in printed  # one replicate
    assert giftsim("query", out, "SELECT platform__creator_share AS s FROM runs ORDER BY s", "--format", "csv") == 0
    assert capsys.readouterr().out.split() == ["s", "0.2", "0.5", "0.8"]
    assert giftsim("sweep", spec_file, "--out", out, "--workers", "1", "--resume", "--quiet", *SET_TINY) == 0
    assert capsys.readouterr().out == ""


def test_the_closing_tables_give_intervals_and_the_paired_changes_compare_gives(tmp_path, capsys):
    spec = tiny_spec(replicates=2, shares=[0.2, 0.5])
    del spec["set"]
    (tmp_path / "two.yaml").write_text(yaml.safe_dump(spec))
    assert giftsim("sweep", tmp_path / "two.yaml", "--out", tmp_path / "out", "--workers", "1", *SET_TINY) == 0
    printed = capsys.readouterr().out
    results = sim.open_results(tmp_path / "out")
    means = results.runs.groupby("point")["creator_income_usd"].agg(["mean", "std"])
    half = t.ppf(0.975, 1) * means["std"] / np.sqrt(2)  # two replicates: one degree of freedom
    for mean, width in zip(means["mean"], half, strict=True):
        assert f"{mean:.4g} ±{width:.4g}" in printed
    assert "Paired change from the first point (platform.creator_share=0.2)" in printed
    parser = argparse.ArgumentParser(prog="giftsim")
    compare_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    metrics = [argument for m in HEADLINE_METRICS for argument in ("--metric", m)]
    assert compare_cli.run_command(parser.parse_args(["compare", str(tmp_path / "out"), *metrics])) == 0
    compared = capsys.readouterr().out
    change = re.search(r"creator_income_usd +(\S+ \[\S+ \S+\])", compared).group(1)
    assert change in printed.split("Paired change")[1]  # the same change and interval, to the same digits


@pytest.mark.parametrize(("spec_text", "message"), [
    ("grid: {parameters: {platform.creator_share: [0.5, 3]}}",
     r"point 1 \(platform.creator_share=3\): platform.creator_share: "
     r"Input should be less than or equal to 1 \(got 3\)"),
    ("grid: {parameters: {platform.creator_share: [0.5]}}\nreplicates: -1",
     r"replicates: Input should be greater than or equal to 1 \(got -1\)"),
    ("grid: {parameters: {platform.creator_share: [0.5]}}\nseeds: shared",
     "seeds: Input should be 'common' or 'independent'"),
])
def test_a_bad_spec_is_one_error_line_and_nothing_written(spec_text, message, tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(f"base: {DEFAULT_CONFIG}\n{spec_text}\n")
    assert giftsim("sweep", path, "--out", tmp_path / "out", *SET_TINY) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"giftsim: error: {path}: ")
    assert re.search(message, err)
    assert not (tmp_path / "out").exists()


def test_missing_files_and_existing_folders_are_errors(spec_file, tmp_path, capsys):
    assert giftsim("sweep", tmp_path / "nope.yaml") == 2
    assert capsys.readouterr().err == f"giftsim: error: {tmp_path / 'nope.yaml'}: no such file\n"
    (tmp_path / "taken").mkdir()
    assert giftsim("sweep", spec_file, "--out", tmp_path / "taken", *SET_TINY) == 2
    assert "taken exists and is not a giftsim sweep folder" in capsys.readouterr().err
    assert not any((tmp_path / "taken").iterdir())
    assert giftsim("query", tmp_path / "taken", "SELECT 1") == 2
    assert "not a sweep results folder" in capsys.readouterr().err


def test_failed_runs_give_exit_status_1(spec_file, tmp_path, capsys, monkeypatch):
    def broken(config, seed=None, **kwargs):
        raise ValueError("no economy today")

    monkeypatch.setattr(runner, "run", broken)
    assert giftsim("sweep", spec_file, "--out", tmp_path / "out", "--workers", "1", *SET_TINY) == 1
    assert "0 ok, 3 failed" in capsys.readouterr().out


def test_an_unreachable_scheduler_is_an_error(spec_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", "1s")
    assert giftsim("sweep", spec_file, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9", *SET_TINY) == 2
    assert capsys.readouterr().err.startswith("giftsim: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert not (tmp_path / "out").exists()
