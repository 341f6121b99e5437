"""The burn-in (``run.burn_in_days``): left out of every output, running totals counted from its end, exactly."""

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim import GiftEconomy
from sim.cli.main import main
from sim.engine.config_io import ConfigError, load_config
from sim.engine.measure import POPULATIONS, measured, running_totals
from sim.engine.mechanisms import MECHANISMS
from sim.engine.model import RUNNING_COUNTERS
from sim.io.folder import write_results
from tests.conftest import DEFAULT_CONFIG, SMALL
from tests.golden.baseline import CONFIG as GOLDEN_CONFIG

BURN_IN, DAYS = 7, 2
# Summary keys that sum running totals: a burn-in run's equal the whole run's less the burn-in's.
TOTAL_KEYS = ("gross_spend_usd", "tax_usd", "store_fees_usd", "platform_revenue_usd", "creator_income_usd",
              "creator_payout_usd", "agency_usd", "payout_fees_usd", "live_hours", "watch_hours", "gifts",
              "free_gifts", "free_coins_gifted", "brand_spend_usd", "brand_coin_spend_usd", "creator_peer_spend_usd",
              "creator_peer_gifts", "brand_coins_gifted", "coins_dropped", "brand_impressions", "reward_usd")
STOCK_KEYS = ("coin_float", "diamond_float", "unspent_coin_value_usd", "creators", "creators_churned")
RECORD = ["run.record.events=true", "run.record.creators=[0, 5]", "run.record.viewers=[1, 250]"]


@pytest.fixture(scope="module")
def runs():
    """The same seed: a run with a burn-in, and one without of the same total length, read after the burn-in's days."""
    config = load_config(DEFAULT_CONFIG, [*SMALL, *RECORD])
    burnt = sim.run(config, seed=4, days=DAYS, burn_in_days=BURN_IN, keep_model=True)
    whole = GiftEconomy(load_config(DEFAULT_CONFIG, [*SMALL, f"run.days={BURN_IN + DAYS}"]), rng=4)
    whole.run_for(BURN_IN * 24)
    before = {"summary": whole.summary(), "ledger": whole.ledger_table(), "timeseries": whole.timeseries(),
              **{attribute: {name: getattr(getattr(whole, attribute), name).copy()
                             for name in running_totals(population, getattr(whole, attribute))}
                 for population, attribute in POPULATIONS.items()},
              **{name: getattr(whole, name).copy() for name in RUNNING_COUNTERS}}
    whole.run_for(DAYS * 24)
    return burnt, whole, before


def test_the_burn_in_is_left_out_of_the_series(runs):
    burnt, _, _ = runs
    series = burnt.timeseries
    assert len(series) == DAYS * 24 == len(burnt.model.datacollector.get_model_vars_dataframe())
    assert series["step"].tolist() == list(range(1, DAYS * 24 + 1))
    assert series["day"].tolist() == [d for d in range(1, DAYS + 1) for _ in range(24)]
    assert burnt.ledger["day"].tolist() == list(range(1, DAYS + 1))
    assert burnt.summary["days"] == DAYS and burnt.summary["hours"] == DAYS * 24
    assert burnt.config.run.burn_in_days == BURN_IN and burnt.model.steps == (BURN_IN + DAYS) * 24


def test_the_burn_in_runs_the_same_hours_as_a_run_without_one(runs):
    burnt, whole, _ = runs
    # measures of the window alone (distinct creators gifted) count from its start; the rest is the whole run's
    window_measures = {f.name for m in MECHANISMS for f in m.state if f.is_window_measure}
    assert window_measures
    for attribute in POPULATIONS.values():  # the model's own state is the whole run's, untouched
        for name, values in vars(getattr(whole, attribute)).items():
            if name in window_measures:
                continue
            assert np.array_equal(getattr(getattr(burnt.model, attribute), name), values), (attribute, name)
    assert np.array_equal(burnt.model.ledger.balances, whole.ledger.balances)
    later = whole.timeseries().iloc[BURN_IN * 24:].reset_index(drop=True)
    flows = [c for c in later.columns if c.startswith(("new_", "n_"))]
    pd.testing.assert_frame_equal(burnt.timeseries[flows], later[flows], check_exact=True)
    assert burnt.model.invariant_violations() == []


def test_distinct_creators_gifted_count_the_measured_window_as_its_event_log_shows(runs):
    burnt, _, _ = runs
    gifts = burnt.recorded["gift_events"]  # logged in the measured window only
    paid = gifts[gifts["viewer_id"].notna() & (gifts["paid_coins"] > 0)]
    distinct = paid.groupby("viewer_id")["creator_id"].nunique().clip(upper=4)
    assert distinct.size > 0
    counted = burnt.viewers.set_index("viewer_id")["creators_gifted"]
    assert counted[distinct.index.astype(int)].tolist() == distinct.tolist()
    assert counted.drop(distinct.index.astype(int)).eq(0).all()


def test_running_totals_are_the_whole_run_less_the_burn_in_exactly(runs):
    burnt, whole, before = runs
    view = measured(burnt.model)
    for population, attribute in POPULATIONS.items():
        names = running_totals(population, getattr(whole, attribute))
        assert {"spend_micro", "coins_bought", "watch_hours", "live_hours", "impressions"} & set(names)
        for name in names:
            expected = getattr(getattr(whole, attribute), name) - before[attribute][name]
            assert np.array_equal(getattr(getattr(view, attribute), name), expected), (attribute, name)
    for name in RUNNING_COUNTERS:
        assert np.array_equal(getattr(view, name), getattr(whole, name) - before[name])
    summary, at_end = burnt.summary, whole.summary()
    for key in TOTAL_KEYS:  # money to the micro-USD, counts exactly
        assert summary[key] == pytest.approx(at_end[key] - before["summary"][key], abs=1e-6), key
    assert summary["gifts"] > 0 and summary["gross_spend_usd"] > 0
    for region, group in summary["by_region"].items():
        whole_run, burn_in = (s["by_region"][region]["gross_spend_usd"] for s in (at_end, before["summary"]))
        spent = whole_run - burn_in
        assert group["gross_spend_usd"] == pytest.approx(spent, abs=1e-6)
    viewers = burnt.viewers.set_index("viewer_id")
    assert np.array_equal(viewers["coins_bought"].to_numpy(), view.viewer_state.coins_bought[viewers.index])
    last, first = whole.ledger_table().iloc[-1], before["ledger"].iloc[-1]
    assert burnt.ledger.iloc[-1]["platform_micro_usd"] == last["platform_micro_usd"] - first["platform_micro_usd"]


def test_stocks_are_as_at_the_end(runs):
    burnt, whole, _ = runs
    at_end = whole.summary()
    for key in STOCK_KEYS:
        assert burnt.summary[key] == at_end[key], key
    assert burnt.viewers["wallet_coins"].tolist() == whole.viewers_table()["wallet_coins"].tolist()
    creators = whole.creators_table()
    assert burnt.creators["followers"].tolist() == creators["followers"].tolist()
    assert burnt.creators["diamonds_held"].tolist() == creators["diamonds_held"].tolist()
    assert (burnt.creators["joined_day"] == creators["joined_day"] - BURN_IN).all()
    last = whole.ledger_table().iloc[-1]
    assert burnt.ledger.iloc[-1]["coin_liability_micro_usd"] == last["coin_liability_micro_usd"]


def test_separate_runs_differ_by_the_burn_in_exactly():
    """A (B+D)-day run's totals less a B-day run's: creators' supply off, so both draw the same creators."""
    base = [*SMALL, "supply.enabled=false"]
    config = load_config(DEFAULT_CONFIG, base)
    short, long = (sim.run(config, seed=6, days=days) for days in (BURN_IN, BURN_IN + DAYS))
    burnt = sim.run(config, seed=6, days=DAYS, burn_in_days=BURN_IN)
    for key in TOTAL_KEYS:
        assert burnt.summary[key] == pytest.approx(long.summary[key] - short.summary[key], abs=1e-6), key
    for key in STOCK_KEYS:
        assert burnt.summary[key] == long.summary[key], key


def test_recorded_events_and_histories_are_of_the_measured_hours(runs):
    burnt, _, _ = runs
    gifts, purchases = burnt.recorded["gift_events"], burnt.recorded["purchase_events"]
    assert gifts["step"].between(1, DAYS * 24).all() and purchases["step"].between(1, DAYS * 24).all()
    by_viewer = gifts["viewer_id"].notna()
    assert gifts.loc[by_viewer, "copies"].sum() == burnt.summary["gifts"]
    assert gifts.loc[by_viewer, "coins"].sum() == burnt.viewers["coins_gifted"].sum()
    bought = purchases.loc[purchases["viewer_id"].notna(), "price_micro_usd"].sum()
    assert bought == round(burnt.summary["gross_spend_usd"] * 1_000_000)
    history = burnt.recorded["viewer_history"]
    assert history["step"].tolist() == [s for s in range(1, DAYS * 24 + 1) for _ in range(2)]
    spent = history.groupby("viewer_id")["new_spend_micro_usd"].sum()
    assert spent.tolist() == measured(burnt.model).viewer_state.spend_micro[[1, 250]].tolist()


def test_the_books_balance_through_a_burn_in(small_config):
    model = GiftEconomy(small_config, rng=2, **{"run.burn_in_days": 7, "run.days": 1})
    for _ in range(8):
        model.run_for(24)
        assert model.invariant_violations() == []
    assert not model.running


def test_the_measured_window_starts_on_a_monday(small_config):
    tiny = {"population.viewers": 300, "population.creators": 10, "run.days": 6}
    burnt = GiftEconomy(small_config, rng=2, **tiny, **{"run.burn_in_days": 14})
    plain = GiftEconomy(small_config, rng=2, **tiny)  # starts at midnight UTC on a Monday
    burnt.run_for(14 * 24)
    for hours in (1, 5 * 24):  # Monday 00:00 UTC, then Saturday 01:00 UTC: every region's clock and weekend agree
        burnt.run_for(hours)
        plain.run_for(hours)
        assert (burnt._hour().is_weekend == plain._hour().is_weekend).all() and plain._hour().is_weekend.any()
        assert (burnt._hour().local_hour == plain._hour().local_hour).all()
        assert burnt.last_hour["step"] == plain.last_hour["step"] and burnt.last_hour["day"] == plain.last_hour["day"]


def test_meta_json_records_the_burn_in(tmp_path):
    result = sim.run(load_config(DEFAULT_CONFIG, SMALL), seed=1, days=1, burn_in_days=7)
    meta = json.loads((write_results(result, tmp_path / "py") / "meta.json").read_text())
    assert meta["burn_in_days"] == 7 and meta["days"] == 1


@pytest.mark.slow
def test_the_cli_records_the_burn_in(tmp_path):
    out = tmp_path / "cli"
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(out), "--quiet", "--set", "population.viewers=1500",
                 "--set", "population.creators=40", "--days", "1", "--burn-in-days", "7"]) == 0
    assert json.loads((out / "meta.json").read_text())["burn_in_days"] == 7
    assert load_config(out / "config.yaml").run.burn_in_days == 7
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 24


@pytest.mark.parametrize(("value", "message"), [
    (10, r"run\.burn_in_days: Input should be a multiple of 7 \(got 10\)"),
    (-7, r"run\.burn_in_days: Input should be greater than or equal to 0 \(got -7\)"),
    (371, r"run\.burn_in_days: Input should be less than or equal to 364 \(got 371\)"),
])
def test_bad_burn_ins_are_named_with_what_is_allowed(value, message):
    with pytest.raises(ConfigError, match=message):
        load_config(DEFAULT_CONFIG, [f"run.burn_in_days={value}"])


def test_the_cli_refuses_a_burn_in_of_part_of_a_week(tmp_path, capsys):
    assert main(["run", str(DEFAULT_CONFIG), "--out", str(tmp_path / "x"), "--burn-in-days", "3"]) == 2
    assert "run.burn_in_days: Input should be a multiple of 7 (got 3)" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_golden_run_has_no_burn_in():
    assert load_config(GOLDEN_CONFIG).run.burn_in_days == 0
