"""The facts table (sim/sweeps/facts.py) and `giftsim facts`: a well-formed table, values by hand, a run's
folder and a sweep's checked, and one error line per mistake."""

import json
import math
import re

import pandas as pd
import pytest

import sim
from sim.cli.main import main
from sim.engine.report import SUMMARY_KEYS
from sim.io.folder import TABLES, write_results
from sim.sweeps.facts import FACTS, Fact, RunData, check, creator_share, is_grade, pack_share, preset_of
from tests.conftest import DEFAULT_CONFIG, REPO

# A 2-day economy of 400 viewers in which half pay, so that every fact has gifts to measure: about 3 s.
TINY = {"population.viewers": 400, "population.creators": 10, "population.brands": 1, "run.days": 2,
        "viewers.payer_share": 0.5}
TINY_OVERRIDES = [f"{path}={value}" for path, value in TINY.items()]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    # seed 4: a run whose web payers gifted (on seed 3 none did, and the web share cannot be computed)
    result = sim.run(sim.load_config(DEFAULT_CONFIG, TINY_OVERRIDES), seed=4)
    return write_results(result, tmp_path_factory.mktemp("facts") / "default-4")


def sweep_folder(root, tables, shares=(0.3, 0.5), replicates=2):
    spec = {"name": "facts", "base": str(DEFAULT_CONFIG), "set": TINY, "root_seed": 2, "replicates": replicates,
            "grid": {"parameters": {"platform.creator_share": list(shares)}}, "tables": tables}
    out = root / "sweep"
    report = sim.sweep(spec, out=out, workers=1, progress=False)
    assert report.failed == 0
    return out


def test_every_fact_is_declared_whole():
    names = [fact.name for fact in FACTS]
    assert len(set(names)) == len(names)
    for fact in FACTS:
        assert re.fullmatch("[a-z0-9_]+", fact.name), fact.name
        assert fact.source.strip() and fact.measure.strip() and fact.drivers.strip(), fact.name
        assert is_grade(fact.grade), f"{fact.name}: grade {fact.grade!r}"
        assert 0 <= fact.low <= fact.high <= 1, fact.name  # every fact is a share
        assert (REPO / "configs" / f"{fact.preset}.yaml").is_file(), fact.name
        assert set(fact.tables) <= set(TABLES), fact.name
        assert fact.window_days is None or fact.window_days >= 1
        assert fact.burn_in_days % 7 == 0  # run.burn_in_days is whole weeks
    assert preset_of("default") == "tiktok" and preset_of("twitch") == "twitch"


def test_grades_are_letters_a_to_d():
    assert is_grade("B") and is_grade("C/D") and is_grade("A/C")
    assert not is_grade("") and not is_grade("E") and not is_grade("B/") and not is_grade("b")


def test_facts_read_declared_summary_keys():
    # Every summary key a fact reads is one the report declares: a summary of declared keys computes them all.
    declared = {key.name for key in SUMMARY_KEYS}
    summary = {name: 0.5 for name in declared if name != "revenue_share_by_bundle_coins"}
    summary["revenue_share_by_bundle_coins__1321"] = 0.25
    viewers = pd.DataFrame({"coins_received": [0], "spend_usd": [1.0], "channel": ["web"], "region": ["US"],
                            "gifted_spend_usd": [1.0], "tax_usd": [0.0], "creator_income_usd": [0.5]})
    run = RunData(summary=summary, table=lambda name: viewers)
    for fact in FACTS:
        fact.value(run)  # a KeyError names a key the report does not declare


def test_the_calibration_table_has_one_row_per_fact():
    from benchmarks.calibrate import table

    viewers = pd.DataFrame({"coins_received": [0, 0], "spend_usd": [1.0, 1.0], "channel": ["web", "ios"],
                            "region": ["US", "US"], "gifted_spend_usd": [1.0, 1.0], "tax_usd": [0.0, 0.0],
                            "creator_income_usd": [0.5, 0.5]})
    summary = {key.name: 0.95 for key in SUMMARY_KEYS} | {"revenue_share_by_bundle_coins__1321": 0.25}
    run = RunData(summary=summary, table=lambda name: viewers)
    lines = table({preset: [run] for preset in {fact.preset for fact in FACTS}}).splitlines()
    assert len(lines) == 2 + len(FACTS)
    assert all(f"| {fact.measure} | {fact.source} | {fact.grade} | {fact.window} |" in line
               for fact, line in zip(FACTS, lines[2:], strict=True))


def test_creator_share_by_hand():
    # A paid 10 USD of which 1 was tax and gifted coins that cost 5: 4.50 ex tax, for 1.35 to creators.
    # B holds coins a brand dropped, C paid nothing: neither counts.
    viewers = pd.DataFrame({
        "coins_received": [0, 5, 0], "spend_usd": [10.0, 2.0, 0.0], "channel": ["ios", "web", "android"],
        "region": ["US", "US", "BR"], "gifted_spend_usd": [5.0, 2.0, 0.0], "tax_usd": [1.0, 0.0, 0.0],
        "creator_income_usd": [1.35, 9.0, 0.0]})
    run = RunData(summary={}, table=lambda name: viewers)
    assert creator_share()(run) == pytest.approx(0.3)
    assert creator_share(ex_tax=False)(run) == pytest.approx(0.27)
    assert creator_share(("ios", "android"))(run) == pytest.approx(0.3)
    assert math.isnan(creator_share(("web",))(run))  # nobody who paid for all their coins gifted on web


def test_pack_share_by_hand():
    run = RunData(summary={"revenue_share_by_bundle_coins__1321": 0.2, "revenue_share_by_bundle_coins__1300": 0.05},
                  table=lambda name: pd.DataFrame())
    assert pack_share("1321")(run) == pytest.approx(0.2)
    assert pack_share("1321", "1300", "1400")(run) == pytest.approx(0.25)  # 1,400 never sold: 0
    with pytest.raises(KeyError, match="revenue_share_by_bundle_coins"):
        pack_share("1321")(RunData(summary={}, table=lambda name: pd.DataFrame()))


def test_met_and_window_notes():
    fact = Fact("x", "tiktok", "x", lambda run: 0.0, 0.1, 0.2, "s", "B", "d", window_days=30, burn_in_days=14)
    assert fact.is_met(0.1) and fact.is_met(0.2) and not fact.is_met(0.21) and fact.is_met(math.nan) is None
    assert fact.window_notes(30, 14) == [] and fact.window_notes(30, 28) == []
    assert fact.window_notes(2, 0) == ["measured 2 days; published over 30", "burn-in 0 days; expects 14+"]
    assert fact.window == "30 days, after a burn-in of 14+ days"


def test_a_run_folder_is_checked_against_its_preset(run_folder):
    table = check(run_folder)
    assert table.attrs["config_name"] == "default" and table.attrs["preset"] == "tiktok"
    by_fact = table.set_index("fact")
    viewers = pd.read_parquet(run_folder / "viewers.parquet")
    paid = viewers[(viewers["coins_received"] == 0) & (viewers["spend_usd"] > 0) & (viewers["channel"] == "web")]
    by_hand = paid["creator_income_usd"].sum() / (
        paid["gifted_spend_usd"] * (1 - paid["tax_usd"] / paid["spend_usd"])).sum()
    assert by_fact.loc["creator_share_web", "value"] == pytest.approx(by_hand)
    summary = json.loads((run_folder / "summary.json").read_text())
    assert by_fact.loc["payer_ratio", "value"] == pytest.approx(summary["payer_ratio"])
    assert by_fact.loc["payer_ratio", "note"] == "measured 2 days; published over 30; burn-in 0 days; expects 14+"
    assert by_fact.loc["creator_share_web", "note"] == ""  # a price share holds over any window
    assert set(by_fact.loc[by_fact["preset"] != "tiktok", "status"]) == {"other preset"}
    assert set(by_fact.loc[by_fact["preset"] == "tiktok", "status"]) == {"checked"}
    assert (by_fact.loc[by_fact["status"] == "checked", "n"] == 1).all()


def test_giftsim_facts_on_a_run_folder(run_folder, capsys):
    assert main(["facts", str(run_folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("default, 2 days: the facts of tiktok\n")
    assert re.search(r"creator_share_web\s+\d+\.\d%\s+-\s+1\s+38%-47%\s+(yes|NO)\s+B/C/D\s+as published", out)
    assert "4 facts do not apply to this folder's preset:" in out
    assert "bigo_creator_share (bigo): describes bigo; the folder is default" in out
    assert main(["facts", str(run_folder), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["fact"] for row in rows] == [fact.name for fact in FACTS]
    assert rows[0]["point"] == 0 and rows[0]["low_ci"] is None and isinstance(rows[0]["met"], bool)
    assert main(["facts", str(run_folder), "--preset", "bigo"]) == 0
    assert "the facts of bigo" in capsys.readouterr().out


@pytest.mark.slow
def test_giftsim_facts_on_a_sweep_gives_intervals_per_point(tmp_path, capsys):
    out = sweep_folder(tmp_path, ["timeseries", "viewers"])
    table = check(out)
    web = table[table["fact"] == "creator_share_web"].reset_index(drop=True)
    assert list(web["platform__creator_share"]) == [0.3, 0.5] and list(web["point"]) == [0, 1]
    assert (web["n"] == 2).all() and (web["low_ci"] <= web["value"]).all() and (web["value"] <= web["high_ci"]).all()
    runs = sim.open_results(out).runs
    point1 = [creator_share(("web",))(RunData(summary={}, table=lambda name, r=run_id: sim.open_results(out)
                                                .run_table(name, r))) for run_id in runs[runs["point"] == 1]["run_id"]]
    assert web.loc[1, "value"] == pytest.approx(sum(point1) / 2)
    # two replicates' t interval (t = 12.7) reaches past 0 for small shares; every fact is a share: it stops at 0
    checked = table[table["status"] == "checked"]
    wide = checked["value"] - checked["low_ci"] > 0
    assert wide.any() and (checked["low_ci"] >= 0).all() and (checked["high_ci"] <= 1).all()
    assert main(["facts", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("default, 2 days: the facts of tiktok\npoint  platform__creator_share  fact")
    assert re.search(r"\n1\s+0\.5\s+creator_share_web\s+\d+\.\d%\s+\[\d+\.\d%, \d+\.\d%\]\s+2\s", printed)


def test_facts_a_sweep_did_not_store_the_tables_for_are_listed(tmp_path, capsys):
    out = sweep_folder(tmp_path, ["timeseries"], shares=(0.3,), replicates=1)
    assert main(["facts", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 facts cannot be computed from this folder:" in printed
    assert ("creator_share_web (tiktok): the sweep stored no viewers table; add viewers to its spec's tables"
            in printed)
    assert re.search(r"\n0\s+0\.3\s+payer_ratio\s+\d+\.\d%\s+-\s+1\s", printed)  # from the summary alone


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: tmp / "missing", r"missing: no such folder$"),
    (lambda tmp: (tmp / "file.txt").write_text("x") and tmp / "file.txt", "not a folder; give a results folder"),
    (lambda tmp: tmp, "not a sweep results folder .* nor a run's"),
])
def test_a_folder_that_is_not_results_is_one_error_line(tmp_path, capsys, make, message):
    assert main(["facts", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("giftsim: error: ") and "\n" not in err and re.search(message, err)


def test_an_unknown_preset_is_an_error(run_folder, capsys):
    assert main(["facts", str(run_folder), "--preset", "myspace"]) == 2
    assert capsys.readouterr().err.strip() == ("giftsim: error: --preset: no facts for 'myspace'; presets with "
                                               "facts: bigo, tiktok, twitch, youtube")


def test_a_damaged_run_folder_is_one_error_line(run_folder, tmp_path, capsys):
    import shutil

    damaged = shutil.copytree(run_folder, tmp_path / "damaged")
    (damaged / "viewers.parquet").write_bytes((damaged / "viewers.parquet").read_bytes()[:100])
    assert main(["facts", str(damaged)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("giftsim: error: ") and "viewers.parquet is missing or damaged" in err and "\n" not in err


def test_a_run_without_payers_or_gifts_cannot_compute_its_ratios_and_meets_none_of_them(tmp_path, capsys):
    # Issue 31, item 4: these were 0.0, and large_gift_count_share (0 of 0) "met".
    config = sim.load_config(DEFAULT_CONFIG, ["population.viewers=200", "population.creators=5",
                                              "population.brands=0", "viewers.payer_share=0"])
    out = write_results(sim.run(config, seed=1, days=1), tmp_path / "no_payers")
    assert json.loads((out / "summary.json").read_text())["gifts"] == 0
    table = check(out).set_index("fact")
    undefined = ["pack_1321_share", "top20_payer_gift_share", "top1_payer_gift_share", "large_gift_count_share",
                 "large_gift_value_share", "creator_share_in_app", "creator_share_web"]
    assert (table.loc[undefined, "status"] == "cannot compute").all()
    assert table.loc[undefined, "value"].isna().all() and table.loc[undefined, "met"].isna().all()
    assert "no gift was sent in the run: the ratio is 0 to 0" in table.loc["large_gift_count_share", "note"]
    assert table.loc["payer_ratio", "value"] == 0.0  # 0 payers of the active viewers: a real 0
    assert main(["facts", str(out)]) == 0
    assert "top20_payer_gift_share (tiktok): no payer gifted in the run" in capsys.readouterr().out
