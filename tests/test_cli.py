"""The giftsim command: run, validate and schema, and clean failures with exit status 2."""

import errno
import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.cli.main import main
from sim.engine.config_io import load_config
from sim.io.folder import TABLES
from sim.io.provenance import config_digest
from tests.conftest import DEFAULT_CONFIG

SMALL = ["--set", "population.viewers=1500", "--set", "population.creators=40", "--days", "2"]
EXPECTED_FILES = {"config.yaml", "meta.json", "summary.json", "timeseries.parquet", "viewers.parquet",
                  "creators.parquet", "brands.parquet", "ledger.parquet", "figures"}
SUMMARY_KEYS = {
    "gross_spend_usd", "tax_usd", "store_fees_usd", "platform_revenue_usd", "creator_income_usd",
    "creator_payout_usd", "creator_share_of_spend", "payer_ratio", "arpu_usd", "arppu_usd",
    "viewer_spend_gini", "top1_viewer_spend_share", "top20_viewer_spend_share", "creator_income_gini",
    "top1_creator_income_share", "median_creator_income_usd", "watch_hours", "gifts_per_watch_hour",
    "coin_float", "diamond_float", "brand_spend_usd", "by_region", "by_channel",
}


@pytest.mark.slow
def test_run_writes_a_complete_results_folder(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(out), "--seed", "4", *SMALL]) == 0
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
    assert {p.name for p in (out / "figures").iterdir()} == {
        "lorenz.png", "income_ccdf.png", "viewer_dollar.png", "engagement.png", "regions.png"}
    meta = json.loads((out / "meta.json").read_text())
    assert meta["seed"] == 4 and meta["status"] == "complete" and meta["days"] == 2
    assert {"giftsim", "mesa", "numpy", "python"} <= set(meta["versions"])
    assert meta["config_sha256"] == config_digest(load_config(out / "config.yaml"))
    assert meta["git_dirty"] in (True, False, None)  # None: giftsim not run from a git checkout
    summary = json.loads((out / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary)
    viewers = pd.read_parquet(out / "viewers.parquet")
    viewer_columns = {"viewer_id", "region", "channel", "spend_usd", "coins_bought", "coins_gifted", "watch_hours"}
    assert viewer_columns <= set(viewers)
    creators = pd.read_parquet(out / "creators.parquet")
    creator_columns = {"creator_id", "region", "followers", "live_hours", "diamonds_earned", "income_usd", "payout_usd"}
    assert creator_columns <= set(creators)
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 48
    assert "Results:" in capsys.readouterr().out


@pytest.mark.slow
def test_the_same_seed_writes_identical_parquet_files(tmp_path):
    for name in ("a", "b"):
        assert main(["run", str(DEFAULT_CONFIG), "--out", str(tmp_path / name), "--seed", "9", "--quiet", *SMALL]) == 0
    for table in ("timeseries", "viewers", "creators", "brands", "ledger"):
        a = (tmp_path / "a" / f"{table}.parquet").read_bytes()
        assert a == (tmp_path / "b" / f"{table}.parquet").read_bytes(), table
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(tmp_path / "c"), "--seed", "10", "--quiet", *SMALL]) == 0
    assert (tmp_path / "a" / "viewers.parquet").read_bytes() != (tmp_path / "c" / "viewers.parquet").read_bytes()


@pytest.mark.slow
def test_the_config_in_a_results_folder_runs_again_to_identical_results(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    # --seed, --days and --set all differ from the config file: the folder's config.yaml holds them.
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(first), "--seed", "11", "--quiet",
                 "--set", "platform.creator_share=0.45", *SMALL]) == 0
    assert main(["run", str(first / "config.yaml"), "--out", str(again), "--quiet"]) == 0
    for name in ("config.yaml", "summary.json", *(f"{table}.parquet" for table in TABLES)):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    first_meta, again_meta = (json.loads((folder / "meta.json").read_text()) for folder in (first, again))
    assert again_meta["seed"] == 11 and again_meta["config_sha256"] == first_meta["config_sha256"]


@pytest.mark.slow
def test_run_refuses_to_overwrite_unless_asked(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", str(DEFAULT_CONFIG), "--out", str(out), "--quiet", *SMALL]
    assert main(args) == 0
    before = (out / "summary.json").read_text()
    assert main([*args, "--seed", "1"]) == 2
    assert "exists; pass --overwrite" in capsys.readouterr().err
    assert (out / "summary.json").read_text() == before
    assert main([*args, "--seed", "1", "--overwrite"]) == 0
    assert json.loads((out / "meta.json").read_text())["seed"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no staging folders left behind


@pytest.mark.slow
def test_default_results_folder_is_named_after_config_and_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(DEFAULT_CONFIG), "--seed", "3", "--quiet", *SMALL]) == 0
    assert (tmp_path / "results" / "default-3" / "summary.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "missing.yaml"], "missing.yaml: no such file"),
        (["run", str(DEFAULT_CONFIG), "--set", "platform.creator_share=2"], "platform.creator_share: Input should be"),
        (["run", str(DEFAULT_CONFIG), "--set", "regions.US.channel_mix={ios: 0.5, android: 0.35, web: 0.5}"],
         "regions.US.channel_mix: shares sum to 1.35"),
        (["validate", str(DEFAULT_CONFIG), "--set", "nonsense=1"], "nonsense: unknown key"),
    ],
)
def test_bad_input_exits_2_with_one_message_and_writes_nothing(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("giftsim: error:") and message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["run", str(DEFAULT_CONFIG), "--days", "0"],
                                  ["run", str(DEFAULT_CONFIG), "--seed", "-1"],
                                  ["frobnicate"], []])
def test_bad_command_lines_exit_2(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert "usage: giftsim" in capsys.readouterr().err


def test_unwritable_output_folder_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(blocker / "run"), "--quiet", *SMALL]) == 2
    assert f"cannot write results: {blocker} is a file, and a folder is needed there" in capsys.readouterr().err


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    def disk_full(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)  # after config.yaml is written
    out = tmp_path / "run"
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(out), "--quiet", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "cannot write results: no space left on the device holding" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_validate_describes_the_config(capsys):
    assert main(["validate", str(DEFAULT_CONFIG), "--set", "population.viewers=5000"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "5,000 viewers" in out and "5 regions" in out


def test_schema_is_json_schema_with_descriptions(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    platform = schema["$defs"]["Platform"]["properties"]
    assert platform["creator_share"]["maximum"] == 1.0 and "description" in platform["creator_share"]


@pytest.mark.slow
def test_python_dash_m_sim_is_the_same_command():
    done = subprocess.run([sys.executable, "-m", "sim", "validate", str(DEFAULT_CONFIG)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "valid" in done.stdout
    done = subprocess.run([sys.executable, "-m", "sim", "validate", "nope.yaml"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip() == "giftsim: error: nope.yaml: no such file"


@pytest.mark.slow
def test_writing_results_and_importing_sim_need_no_matplotlib():
    # Only figures need it: drawing them is passed in to write_results (sim.figures.save_run_figures).
    code = ("import sys, sim, sim.io.folder, sim.cli.main; "
            "print(sorted({'matplotlib', 'dask', 'distributed'} & {m.split('.')[0] for m in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


@pytest.mark.slow
def test_the_run_says_when_it_starts_and_closes_with_labelled_headlines(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(out), *SMALL]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"Simulating default, seed 0, 2 days into {out}"
    assert "  Gross viewer spend (USD)" in printed[2] and "  Creator share of spend (0-1)" in printed[6]
    assert printed[-1] == f"Results: {out}"


def test_plot_states_the_figures_default_dpi(capsys):
    from sim import figures

    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    assert f"(default {figures.DEFAULT_DPI})" in " ".join(capsys.readouterr().out.split())


@pytest.mark.slow
def test_run_with_events_writes_the_event_tables_and_the_same_results(tmp_path):
    plain, recorded = tmp_path / "plain", tmp_path / "events"
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(plain), "--seed", "4", "--quiet", *SMALL]) == 0
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(recorded), "--seed", "4", "--quiet", "--events", *SMALL]) == 0
    assert {p.name for p in recorded.iterdir()} == EXPECTED_FILES | {"gift_events.parquet", "purchase_events.parquet"}
    assert (recorded / "summary.json").read_text() == (plain / "summary.json").read_text()
    for table in TABLES:
        assert (recorded / f"{table}.parquet").read_bytes() == (plain / f"{table}.parquet").read_bytes(), table
    assert load_config(recorded / "config.yaml").run.record.events  # running config.yaml again records them too
    meta = [json.loads((folder / "meta.json").read_text()) for folder in (plain, recorded)]
    assert meta[0]["config_sha256"] == meta[1]["config_sha256"]
    gifts = pd.read_parquet(recorded / "gift_events.parquet")
    summary = json.loads((recorded / "summary.json").read_text())
    assert gifts.loc[gifts["viewer_id"].notna(), "copies"].sum() == summary["gifts"]


def test_run_with_a_bad_history_id_names_the_field_and_the_range(tmp_path, capsys):
    out = tmp_path / "bad"
    # rows past the 40 at the start are kept for creators who may join: ids up to the capacity are valid
    capacity = load_config(DEFAULT_CONFIG, ["population.viewers=1500", "population.creators=40",
                                            "run.days=2"]).creator_capacity
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(out), "--quiet", *SMALL,
                 "--set", f"run.record.creators=[{capacity}]"]) == 2
    error = capsys.readouterr().err
    assert f"run.record.creators: no creator has id {capacity}; ids run from 0 to {capacity - 1} (40 creators" in error
    assert not out.exists()
