"""Querying a sweep's results with DuckDB, and reading them as DataFrames."""

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import sim
from sim.cli.main import main
from sim.sweeps.compare import differences
from sim.sweeps.results import NotSweepResultsError, query, results_table
from sim.sweeps.store import RUNS_FILE
from tests.conftest import REPO, giftsim_command
from tests.test_sweep import tiny_spec

CREATOR_INCOME_BY_SHARE_AND_REGION = """
    SELECT r.platform__creator_share AS creator_share, c.region, avg(c.income_usd) AS income_usd
    FROM creators c JOIN runs r USING (run_id) GROUP BY ALL ORDER BY ALL
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("query") / "out"
    sim.sweep(tiny_spec(), out=out, workers=1)
    return out


def test_mean_creator_income_by_share_and_region_matches_pandas(results):
    answer = query(results, CREATOR_INCOME_BY_SHARE_AND_REGION)
    opened = sim.open_results(results)
    creators = opened.table("creators").merge(opened.runs[["run_id", "platform__creator_share"]], on="run_id")
    expected = (creators.groupby(["platform__creator_share", "region"], observed=True)["income_usd"].mean()
                .reset_index().set_axis(["creator_share", "region", "income_usd"], axis=1))
    pd.testing.assert_frame_equal(answer, expected, check_dtype=False)
    assert set(answer["creator_share"]) == {0.2, 0.5, 0.8}


def test_open_results_gives_runs_manifest_and_tables(results):
    opened = sim.open_results(results)
    assert len(opened.runs) == len(opened.manifest) == 6
    assert list(opened.runs[["point", "replicate"]].itertuples(index=False, name=None)) == [
        (p, r) for p in range(3) for r in range(2)]
    assert opened.parameter_columns == ["platform__creator_share"]
    run_id = opened.runs["run_id"].iloc[0]
    timeseries = opened.table("timeseries", [run_id])
    assert timeseries.columns[0] == "run_id" and len(timeseries) == 24 and set(timeseries["run_id"]) == {run_id}
    assert len(opened.table("timeseries")) == 6 * 24
    with pytest.raises(KeyError, match="'ledger' is not stored"):
        opened.table("ledger")


def test_queries_read_the_per_run_files_of_an_unfinished_sweep(results, tmp_path):
    unfinished = tmp_path / "unfinished"
    sim.sweep(tiny_spec(), out=unfinished, workers=1)
    (unfinished / RUNS_FILE).unlink()  # as after a sweep stopped by force
    next((unfinished / "status").glob("*.json")).unlink()
    assert query(unfinished, "SELECT count(*) AS n FROM runs")["n"].item() == 5
    assert query(unfinished, "SELECT count(*) AS n FROM manifest WHERE status = 'pending'")["n"].item() == 1
    partial, complete = sim.open_results(unfinished).runs, sim.open_results(results).runs
    pd.testing.assert_frame_equal(partial, complete[complete["run_id"].isin(partial["run_id"])].reset_index(drop=True))


def test_a_run_id_of_digits_stays_text(results, tmp_path):
    copy = tmp_path / "copy"
    sim.sweep(tiny_spec(replicates=1, shares=[0.3]), out=copy, workers=1)
    for table in ("timeseries", "creators"):
        (partition,) = (copy / table).iterdir()
        partition.rename(partition.with_name("run_id=0000000000000123"))
    (status,) = (copy / "status").iterdir()  # the status vouches for the run's files: move it along
    record = json.loads(status.read_text()) | {"run_id": "0000000000000123"}
    status.unlink()
    (copy / "status" / "0000000000000123.json").write_text(json.dumps(record))
    (copy / "runs" / status.name).rename(copy / "runs" / "0000000000000123.json")
    assert query(copy, "SELECT DISTINCT run_id FROM timeseries")["run_id"].tolist() == ["0000000000000123"]


def test_results_table_has_one_row_per_point(results):
    table, points = results_table(results, limit=2)
    assert points == 3 and len(table) == 2
    assert list(table.columns[:3]) == ["platform__creator_share", "runs", "gross_spend_usd"]
    assert (table["runs"] == 2).all()


def test_bad_queries_and_folders_raise(results, tmp_path):
    with pytest.raises(duckdb.Error, match="nope"):
        query(results, "SELECT nope FROM runs")
    with pytest.raises(NotSweepResultsError, match="not a sweep results folder"):
        query(tmp_path, "SELECT 1")


def test_differences_pair_replicates_against_a_baseline_given_by_dotted_path(results):
    opened = sim.open_results(results)
    table = opened.differences({"platform.creator_share": 0.5}, metrics=["creator_income_usd"])
    assert list(table["platform__creator_share"]) == [0.2, 0.5, 0.8]
    runs = opened.runs.set_index(["platform__creator_share", "replicate"])["creator_income_usd"]
    paired = (runs.loc[0.8] - runs.loc[0.5]).mean()
    assert table["difference"].iloc[2] == pytest.approx(paired)
    assert table["n"].tolist() == [2, 2, 2]
    # The same by column name; a value the sweep did not run is refused with the values it did.
    pd.testing.assert_frame_equal(opened.differences({"platform__creator_share": 0.5}, ["creator_income_usd"]), table)
    with pytest.raises(ValueError, match=r"takes \[0.2, 0.5, 0.8\]"):
        opened.differences({"platform.creator_share": 0.4})


def test_differences_compare_means_when_seeds_are_independent(tmp_path):
    out = tmp_path / "independent"
    sim.sweep(tiny_spec(seeds="independent"), out=out, workers=1)
    opened = sim.open_results(out)
    table = opened.differences({"platform.creator_share": 0.5}, metrics=["gross_spend_usd"])
    welch = differences(opened.runs, ["platform__creator_share"], {"platform__creator_share": 0.5},
                        ["gross_spend_usd"], paired=False)
    pd.testing.assert_frame_equal(table, welch)
    assert not table.equals(differences(opened.runs, ["platform__creator_share"], {"platform__creator_share": 0.5},
                                        ["gross_spend_usd"], paired=True))


# Issue 31, item 5: a query DuckDB takes long over can be stopped, and settings cannot be changed.
SLOW_SQL = "SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range = 7"


def test_a_slow_query_is_interrupted_by_a_signal_within_a_second(results, sigint_raises):
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        query(results, SLOW_SQL)
    assert time.monotonic() - started < 1.5  # the signal at 0.5 s, DuckDB stopped within a second of it
    timer.join()


def _cpu_seconds_off_the_main_thread(pid: int) -> float:
    """CPU time of a process's threads other than its main one: DuckDB's work (imports run on the main thread)."""
    ticks = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        if task.name != str(pid):
            fields = (task / "stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat
    return ticks / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
@pytest.mark.slow
def test_giftsim_query_stops_on_sigterm_and_ctrl_c_with_one_line(results, sig, status):
    # Before: SIGTERM was ignored until kill -9; Ctrl-C ended in a traceback, "RuntimeError: Query interrupted".
    child = subprocess.Popen(giftsim_command("query", str(results), SLOW_SQL), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 30
    while _cpu_seconds_off_the_main_thread(child.pid) < 0.3 and time.monotonic() < deadline:
        time.sleep(0.05)  # until DuckDB is well inside the cross join, which takes minutes
    sent = time.monotonic()
    child.send_signal(sig)
    _, err = child.communicate(timeout=30)
    assert time.monotonic() - sent < 2.0  # measured 0.4 s, the interpreter's exit included
    assert child.returncode == status
    assert err == "giftsim: interrupted; nothing was written\n"


@pytest.mark.parametrize("sql", ["CALL enable_logging(storage='file', storage_path='log'); SELECT 1",
                                 "SET threads = 1", "PRAGMA enable_profiling = 'json'",
                                 "SET lock_configuration = false"])
def test_a_query_cannot_change_settings_or_start_logging(results, sql, capsys, tmp_path, monkeypatch):
    # Before: enable_logging to a file aborted the process (exit 134, "terminate called after throwing").
    monkeypatch.chdir(tmp_path)
    assert main(["query", str(results), sql]) == 2
    err = capsys.readouterr().err
    assert err.startswith("giftsim: error: query: Invalid Input Error: Cannot change configuration option")
    assert len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    assert query(results, "SELECT count(*) AS n FROM runs")["n"].item() > 0


@pytest.mark.parametrize(("sql", "expected"), [("SELECT error('boom')", "query: Invalid Input Error: boom"),
                                               ("SELECT '1'::UUID", "query: Conversion Error"),
                                               ("SELEC 1", "query: Parser Error")])
def test_duckdbs_own_errors_are_one_line_and_exit_2(results, sql, expected, capsys):
    assert main(["query", str(results), sql]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.splitlines()) == 1
