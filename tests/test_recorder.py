"""Event logs and hourly histories: they reconcile with the books, change no result, and are reproducible."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.config_io import ConfigError, load_config
from sim.engine.recorder import GIFT_EVENT_COLUMNS, PURCHASE_EVENT_COLUMNS, TABLES, second_of_hour
from sim.io.provenance import config_digest
from tests.conftest import DEFAULT_CONFIG, SMALL

# Creators 60-63: rows kept for creators who join during the run (supply); viewers 2000-2063: the creators' own
# rows (peer gifting).
CREATORS, VIEWERS = (0, 3, 17, 59, 60, 63), (1, 250, 1999, 2000, 2059, 2063)
RECORD = ["run.record.events=true", f"run.record.creators={list(CREATORS)}", f"run.record.viewers={list(VIEWERS)}"]


@pytest.fixture(scope="module")
def recorded():
    return sim.run(load_config(DEFAULT_CONFIG, [*SMALL, *RECORD]), seed=3, keep_model=True)


@pytest.fixture(scope="module")
def plain():
    return sim.run(load_config(DEFAULT_CONFIG, SMALL), seed=3, keep_model=True)


def test_recording_changes_no_result(recorded, plain):
    assert recorded.summary == plain.summary
    for table in ("timeseries", "viewers", "creators", "brands", "ledger"):
        pd.testing.assert_frame_equal(getattr(recorded, table), getattr(plain, table), check_exact=True)
    assert plain.recorded == {} and plain.model.event_log is None and plain.model.history is None
    assert config_digest(recorded.config) == config_digest(plain.config)  # run.record is not part of the economy


def test_the_tables_have_their_declared_columns(recorded):
    assert set(recorded.recorded) == set(TABLES)
    for name, columns in TABLES.items():
        assert list(recorded.recorded[name].columns) == [c.name for c in columns], name
    gifts, purchases = recorded.recorded["gift_events"], recorded.recorded["purchase_events"]
    assert gifts["viewer_id"].dtype == "Int64" and purchases["region"].dtype == "category"
    assert (gifts["event_id"] == np.arange(len(gifts))).all() and gifts["step"].is_monotonic_increasing
    assert gifts["second"].between(0, 3599).all() and purchases["second"].between(0, 3599).all()


def test_gift_events_reconcile_exactly_with_the_books(recorded):
    gifts, model = recorded.recorded["gift_events"], recorded.model
    viewers, creators, brands = model.viewer_state, model.creator_state, model.brand_state
    by_viewer = gifts["viewer_id"].notna()
    assert (by_viewer == gifts["brand_id"].isna()).all()  # exactly one sender
    assert gifts.loc[by_viewer, "copies"].sum() == recorded.summary["gifts"] == viewers.gifts_sent.sum()
    assert gifts.loc[by_viewer, "coins"].sum() == recorded.timeseries["cum_coins_gifted"].iloc[-1]
    assert gifts.loc[~by_viewer, "coins"].sum() == recorded.summary["brand_coins_gifted"] > 0
    assert gifts["free_coins"].sum() == recorded.summary["free_coins_gifted"] > 0
    assert (gifts["paid_coins"] + gifts["free_coins"] == gifts["coins"]).all()
    coins_by_viewer = gifts[by_viewer].groupby("viewer_id")["coins"].sum()
    assert (coins_by_viewer.reindex(range(viewers.size), fill_value=0).to_numpy() == viewers.coins_gifted).all()
    coins_by_brand = gifts[~by_viewer].groupby("brand_id")["coins"].sum()
    assert (coins_by_brand.reindex(range(brands.size), fill_value=0).to_numpy() == brands.coins_gifted).all()
    diamonds = gifts.groupby("creator_id")["diamonds"].sum().reindex(range(creators.size), fill_value=0)
    assert (diamonds.to_numpy() == creators.diamonds_earned).all()
    counted = gifts[by_viewer].groupby("gift", observed=False)["copies"].sum()
    names = [g.name for g in sorted(model.config.gifts, key=lambda g: g.coins)]
    assert counted.reindex(names).to_numpy().tolist() == model.gift_counts.tolist()
    assert gifts.loc[~by_viewer, "gift"].isna().all() and gifts.loc[by_viewer, "gift"].notna().all()


def test_purchase_events_reconcile_exactly_with_the_books(recorded):
    purchases, model = recorded.recorded["purchase_events"], recorded.model
    viewers, brands = model.viewer_state, model.brand_state
    by_viewer = purchases["viewer_id"].notna()
    assert round(recorded.summary["gross_spend_usd"] * 1_000_000) == purchases.loc[by_viewer, "price_micro_usd"].sum()
    for column, total in (("price_micro_usd", viewers.spend_micro), ("tax_micro_usd", viewers.tax_micro),
                          ("fee_micro_usd", viewers.fee_micro), ("coins", viewers.coins_bought),
                          ("quantity", viewers.purchases)):
        summed = purchases[by_viewer].groupby("viewer_id")[column].sum()
        assert (summed.reindex(range(viewers.size), fill_value=0).to_numpy() == total).all(), column
    for column, total in (("price_micro_usd", brands.coin_spend_micro), ("coins", brands.coins_bought)):
        summed = purchases[~by_viewer].groupby("brand_id")[column].sum()
        assert (summed.reindex(range(brands.size), fill_value=0).to_numpy() == total).all(), column
    assert (purchases["bundle_coins"] * purchases["quantity"] == purchases["coins"]).all()
    regions = np.asarray(model.region_codes)[viewers.region[purchases.loc[by_viewer, "viewer_id"].to_numpy(int)]]
    assert (purchases.loc[by_viewer, "region"].astype(str).to_numpy() == regions).all()


def test_a_top_up_and_the_gift_it_pays_for_share_their_second(recorded):
    gifts, purchases = recorded.recorded["gift_events"], recorded.recorded["purchase_events"]
    viewer_purchases = purchases[purchases["viewer_id"].notna()]
    paired = viewer_purchases.merge(gifts, on=["step", "viewer_id"], suffixes=("_purchase", "_gift"))
    assert len(paired) == len(viewer_purchases)  # every top-up is for a gift sent in that hour
    assert (paired["second_purchase"] == paired["second_gift"]).all()


def test_the_second_within_the_hour_is_a_hash_of_seed_hour_and_sender():
    senders = np.arange(100_000)
    seconds = second_of_hour(3, 7, 0, senders)
    assert seconds.dtype == np.int16 and seconds.min() >= 0 and seconds.max() <= 3599
    assert (second_of_hour(3, 7, 0, senders) == seconds).all()
    assert abs(seconds.mean() - 1799.5) < 15  # uniform: the mean is within ~5 standard errors
    for other in (second_of_hour(4, 7, 0, senders), second_of_hour(3, 8, 0, senders),
                  second_of_hour(3, 7, 1, senders)):
        assert (other == seconds).mean() < 0.01  # a different seed, hour or kind of sender: unrelated


def test_histories_add_up_to_the_agents_totals(recorded):
    creators, viewers = recorded.recorded["creator_history"], recorded.recorded["viewer_history"]
    hours = recorded.config.hours
    assert len(creators) == hours * len(CREATORS) and len(viewers) == hours * len(VIEWERS)
    state_c, state_v = recorded.model.creator_state, recorded.model.viewer_state
    c = creators.groupby("creator_id").agg(live=("is_live", "sum"), diamonds=("new_diamonds", "sum"),
                                           gifts=("new_gifts", "sum"), income=("new_income_micro_usd", "sum"))
    ids = list(CREATORS)
    assert c["live"].tolist() == state_c.live_hours[ids].tolist()
    assert c["diamonds"].tolist() == state_c.diamonds_earned[ids].tolist()
    assert c["gifts"].tolist() == state_c.gifts_received[ids].tolist()
    assert c["income"].sum() == state_c.diamonds_earned[ids].sum() * recorded.config.platform.micro_usd_per_diamond
    assert (creators.loc[~creators["is_live"], "audience"] == 0).all()
    v = viewers.groupby("viewer_id").agg(online=("is_online", "sum"), spend=("new_spend_micro_usd", "sum"),
                                         coins=("new_coins_gifted", "sum"), watched=("watching", "count"))
    ids = list(VIEWERS)
    assert v["online"].tolist() == state_v.hours_online[ids].tolist()
    assert v["spend"].tolist() == state_v.spend_micro[ids].tolist()
    assert v["coins"].tolist() == state_v.coins_gifted[ids].tolist()
    assert v["watched"].tolist() == state_v.watch_hours[ids].tolist()
    last = viewers[viewers["step"] == hours].set_index("viewer_id")
    assert last["wallet_coins"].tolist() == state_v.wallet_coins[ids].tolist()


def test_events_are_reproducible_and_depend_on_the_seed(recorded):
    config = load_config(DEFAULT_CONFIG, [*SMALL, "run.record.events=true"])
    again = sim.run(config, seed=3)
    for name in ("gift_events", "purchase_events"):
        pd.testing.assert_frame_equal(again.recorded[name], recorded.recorded[name], check_exact=True)
    other = sim.run(config, seed=4).recorded["gift_events"]
    assert not other[["step", "viewer_id", "coins"]].equals(recorded.recorded["gift_events"][["step", "viewer_id",
                                                                                                 "coins"]])


def test_events_can_be_asked_for_by_the_run_call(plain):
    result = sim.run(load_config(DEFAULT_CONFIG, SMALL), seed=3, events=True)
    assert set(result.recorded) == {"gift_events", "purchase_events"} and result.config.run.record.events
    assert result.summary == plain.summary
    assert [c.name for c in GIFT_EVENT_COLUMNS][:3] == [c.name for c in PURCHASE_EVENT_COLUMNS][:3]


@pytest.mark.parametrize(("setting", "message"), [
    ("run.record.creators=[0, 64]",
     r"run\.record\.creators: no creator has id 64; ids run from 0 to 63 \(60 creators at the start; 60 to 63 are "
     r"kept for the up to 4 who may join, as supply is on\)"),
    ("supply.enabled=false; run.record.creators=[0, 60]",
     r"run\.record\.creators: no creator has id 60; ids run from 0 to 59 \(60 creators\)"),
    ("run.record.viewers=[2064, 5000]", r"run\.record\.viewers: no viewer has id 2064, 5000; ids run from 0 to 2063 "
                                        r"\(2,000 viewers and 64 creators' own viewer rows\)"),
    ("run.record.viewers=[-1]", r"run\.record\.viewers\.0: Input should be greater than or equal to 0 \(got -1\)"),
    ("run.record.creators=[4, 4]", r"run\.record\.creators: ids repeated: \[4\]"),
])
def test_bad_history_ids_are_named_with_the_allowed_range(setting, message):
    with pytest.raises(ConfigError, match=message):
        load_config(DEFAULT_CONFIG, [*SMALL, *setting.split("; ")])


def test_a_creator_who_joins_during_the_run_has_a_history(recorded):
    creators, history = recorded.model.creator_state, recorded.recorded["creator_history"]
    joiner = history[history["creator_id"] == 60]
    assert recorded.config.population.creators == 60 and creators.has_joined[60] and creators.joined_day[60] > 0
    assert len(joiner) == recorded.config.hours and joiner["followers"].iloc[-1] == creators.followers[60]
    assert joiner["new_gifts"].sum() == creators.gifts_received[60]
    assert recorded.config.creator_capacity == creators.size == 64  # the rows the state holds, and ids allowed


def test_without_peer_gifting_the_viewer_ids_stop_at_the_audience():
    with pytest.raises(ConfigError, match=r"no viewer has id 2000; ids run from 0 to 1999 \(2,000 viewers\)"):
        load_config(DEFAULT_CONFIG, [*SMALL, "peer_gifting.enabled=false", "run.record.viewers=[2000]"])
