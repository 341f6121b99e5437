"""A single run's results folder, read as a sweep's: the same views in DuckDB, events and histories included."""

import json

import pandas as pd
import pytest

import sim
from sim.cli.main import main
from sim.io.folder import read_results, write_results
from sim.sweeps.results import NotSweepResultsError, RunResults, query
from sim.sweeps.run_folder import DamagedRunError
from sim.sweeps.spec import make_run_id
from tests.conftest import DEFAULT_CONFIG, SMALL


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    config = sim.load_config(DEFAULT_CONFIG, [*SMALL, "run.record.events=true", "run.record.creators=[1, 2]"])
    result = sim.run(config, seed=5)
    return write_results(result, tmp_path_factory.mktemp("run") / "run"), result


def test_a_run_folder_has_the_sweep_views_and_its_recorded_tables(folder):
    path, result = folder
    tables = {row[0] for row in query(path, "SHOW TABLES").itertuples(index=False)}
    assert tables == {"runs", "manifest", "timeseries", "viewers", "creators", "brands", "ledger", "gift_events",
                      "purchase_events", "creator_history"}
    meta = json.loads((path / "meta.json").read_text())
    run_id = make_run_id(meta["config_sha256"], meta["seed"])
    runs = query(path, "SELECT * FROM runs")
    assert runs["run_id"].item() == run_id and runs["seed"].item() == 5
    assert runs["gross_spend_usd"].item() == result.summary["gross_spend_usd"]
    assert runs["by_region__US__gross_spend_usd"].item() == result.summary["by_region"]["US"]["gross_spend_usd"]
    assert query(path, "SELECT status FROM manifest")["status"].item() == "ok"


def test_event_sums_in_sql_match_the_summary(folder):
    path, result = folder
    sums = query(path, """
        SELECT sum(p.price_micro_usd) AS spend, any_value(r.gross_spend_usd) AS summary_spend
        FROM purchase_events p JOIN runs r USING (run_id) WHERE p.viewer_id IS NOT NULL""")
    assert sums["spend"].item() == round(sums["summary_spend"].item() * 1_000_000)
    gifts = query(path, "SELECT sum(copies) AS gifts FROM gift_events WHERE brand_id IS NULL")
    assert gifts["gifts"].item() == result.summary["gifts"]
    diamonds = query(path, """
        SELECT c.creator_id, c.diamonds_earned, coalesce(sum(g.diamonds), 0) AS from_events
        FROM creators c LEFT JOIN gift_events g USING (run_id, creator_id) GROUP BY ALL""")
    assert (diamonds["diamonds_earned"] == diamonds["from_events"]).all()


def test_open_results_reads_a_run_folder_as_a_sweep(folder):
    path, result = folder
    opened = sim.open_results(path)
    assert isinstance(opened, RunResults)
    assert len(opened.runs) == len(opened.manifest) == 1 and opened.run_id == opened.runs["run_id"].item()
    gifts = opened.table("gift_events")
    assert gifts.columns[0] == "run_id" and len(gifts) == len(result.recorded["gift_events"])
    pd.testing.assert_frame_equal(opened.run_table("gift_events"), result.recorded["gift_events"])
    assert len(opened.table("timeseries", [opened.run_id])) == result.config.hours
    assert opened.query("SELECT count(*) AS n FROM creator_history")["n"].item() == 2 * result.config.hours
    with pytest.raises(KeyError, match="'viewer_history' is not stored in this run's folder"):
        opened.table("viewer_history")
    loaded = read_results(path)
    pd.testing.assert_frame_equal(loaded["creator_history"], result.recorded["creator_history"])


def test_a_run_folder_without_events_has_only_the_five_tables(tmp_path, small_config):
    path = write_results(sim.run(small_config, seed=5), tmp_path / "plain")
    assert sim.open_results(path).tables == ("timeseries", "viewers", "creators", "brands", "ledger")
    with pytest.raises(Exception, match="gift_events"):
        query(path, "SELECT * FROM gift_events")


def test_a_damaged_table_or_a_folder_of_neither_kind_is_named(folder, tmp_path):
    with pytest.raises(NotSweepResultsError, match="not a sweep results folder .* nor a run's"):
        query(tmp_path, "SELECT 1")
    path, _ = folder
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for file in path.iterdir():
        if file.is_file():
            (damaged / file.name).write_bytes(file.read_bytes())
    (damaged / "gift_events.parquet").write_bytes(b"PAR1 cut short")
    with pytest.raises(DamagedRunError, match="gift_events.parquet is missing or damaged"):
        sim.open_results(damaged)


def test_giftsim_query_on_a_run_folder(folder, capsys):
    path, result = folder
    assert main(["query", str(path), "SELECT count(*) AS n FROM gift_events", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", str(len(result.recorded["gift_events"]))]


def test_a_folder_written_from_python_records_the_seed_run_and_its_wall_time(tmp_path, small_config):
    """As from the CLI: config.yaml holds the seed actually used (not the config file's), meta.json the time."""
    assert small_config.run.seed != 2026
    result = sim.run(small_config, seed=2026)
    path = write_results(result, tmp_path / "run")
    meta = json.loads((path / "meta.json").read_text())
    assert sim.load_config(path / "config.yaml").run.seed == meta["seed"] == 2026
    assert meta["wall_time_s"] == result.wall_time_s and meta["wall_time_s"] > 0
    assert json.loads((write_results(result, tmp_path / "given", wall_time_s=1.5) / "meta.json").read_text())[
        "wall_time_s"] == 1.5
