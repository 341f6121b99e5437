"""The model: Mesa agents, books that balance every hour, and reproducibility."""

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim import Brand, Creator, GiftEconomy, Viewer
from sim.engine import report
from sim.engine.ledger import Account
from tests.conftest import DEFAULT_CONFIG


def test_agents_are_registered_mesa_agents(small_config):
    model = GiftEconomy(small_config, rng=3)
    assert len(model.agents_by_type[Viewer]) == 2000
    assert len(model.agents_by_type[Creator]) == 60
    assert len(model.agents_by_type[Brand]) == 3


def test_agents_are_views_onto_the_state_arrays(small_config):
    model = GiftEconomy(small_config, rng=3)
    model.run_for(48)
    viewers = list(model.agents_by_type[Viewer])
    top = int(np.argmax(model.viewer_state.spend_micro[: model.n_audience]))
    viewer = viewers[top]
    assert viewer.index == top
    assert viewer.spend_micro == model.viewer_state.spend_micro[top] > 0
    assert viewer.region in small_config.regions
    assert viewer.channel in small_config.channels
    watched = viewer.watching
    assert watched is None or isinstance(watched, Creator)
    creator = list(model.agents_by_type[Creator])[int(np.argmax(model.creator_state.diamonds_earned))]
    assert creator.diamonds_earned == model.creator_state.diamonds_earned.max() > 0


def test_books_balance_after_every_hour(small_config):
    model = GiftEconomy(small_config, rng=11)
    for _ in range(small_config.hours):
        model.run_for(1)
        assert model.invariant_violations() == []
    assert model.summary()["gifts"] > 0  # the invariants were tested on a run where money moved


def test_summary_agrees_with_ledger_and_tables(small_config):
    result = sim.run(small_config, seed=5)
    s = result.summary
    assert s["gross_spend_usd"] == pytest.approx(result.viewers["spend_usd"].sum())
    assert s["creator_income_usd"] == pytest.approx(result.creators["income_usd"].sum())
    assert s["creator_payout_usd"] == pytest.approx(result.creators["payout_usd"].sum())
    assert s["brand_spend_usd"] == pytest.approx(result.brands["spend_usd"].sum())
    assert s["gifts"] == result.timeseries["new_gifts"].sum() == result.viewers["gifts_sent"].sum()
    # creator income and platform revenue over time add up to the totals, brands' gifts included
    assert result.timeseries["new_creator_income_usd"].sum() == pytest.approx(s["creator_income_usd"])
    assert result.timeseries["new_platform_revenue_usd"].sum() == pytest.approx(s["platform_revenue_usd"])
    assert s["creator_share_of_spend"] <= 1
    parts = ("tax_usd", "store_fees_usd", "platform_revenue_usd", "creator_income_usd", "unspent_coin_value_usd")
    # every dollar paid for coins, by viewers or brands, is accounted for
    assert sum(s[p] for p in parts) == pytest.approx(s["gross_spend_usd"] + s["brand_coin_spend_usd"])
    viewer_parts = ("tax_usd", "store_fees_usd", "platform_revenue_usd", "creator_income_usd", "unspent_usd")
    for by in ("by_region", "by_channel"):
        assert sum(m["gross_spend_usd"] for m in s[by].values()) == pytest.approx(s["gross_spend_usd"])
        for m in s[by].values():  # viewers' own money plus the free coins brands dropped to them
            assert sum(m[p] for p in viewer_parts) == pytest.approx(m["gross_spend_usd"] + m["dropped_value_usd"])
    last_day = result.ledger.iloc[-1]
    assert last_day["platform_micro_usd"] / 1e6 == pytest.approx(s["platform_revenue_usd"])
    assert int(result.ledger.drop(columns="day").sum(axis=1).abs().max()) == 0


def test_timeseries_has_flows_stocks_and_cumulatives(small_config):
    ts = sim.run(small_config, seed=2).timeseries
    assert len(ts) == small_config.hours
    assert ts["hour_utc"].tolist()[:25] == [*range(24), 0]
    assert not ts.isna().any().any()
    assert all(c.startswith(("new_", "n_", "cum_")) for c in ts.columns if c not in ("step", "day", "hour_utc"))
    assert ts["cum_gross_spend_usd"].iloc[-1] == pytest.approx(ts["new_gross_spend_usd"].sum())
    assert (ts.loc[ts["hour_utc"] != 23, "new_redemptions"] == 0).all()  # cash-outs happen at the day's end


def test_daily_ledger_has_every_account(small_config):
    ledger = sim.run(small_config, seed=2).ledger
    assert ledger["day"].tolist() == [1, 2, 3]
    assert {f"{a.name.lower()}_micro_usd" for a in Account} <= set(ledger.columns)
    assert (ledger.dtypes == "int64").all()


def test_same_seed_same_outputs_and_different_seeds_differ(small_config):
    a, b, c = (sim.run(small_config, seed=s) for s in (7, 7, 8))
    for name in ("timeseries", "viewers", "creators", "brands", "ledger"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.summary == b.summary
    assert not a.timeseries.equals(c.timeseries)
    assert a.summary["gross_spend_usd"] != c.summary["gross_spend_usd"]


def test_seed_defaults_to_the_config(small_config):
    assert sim.run(small_config).seed == small_config.run.seed


def test_rng_none_draws_a_fresh_seed_and_the_config_records_every_seed(small_config):
    seeds = [GiftEconomy(small_config).seed for _ in range(3)]
    assert len(set(seeds)) == 3 and all(0 <= seed <= 2**63 - 1 for seed in seeds)
    fresh = GiftEconomy(small_config)
    assert fresh.config.run.seed == fresh.seed
    given = GiftEconomy(small_config, rng=small_config.run.seed + 9)
    assert given.config.run.seed == given.seed == small_config.run.seed + 9
    assert given.config.model_copy(update={"run": small_config.run}) == small_config  # nothing else changes
    assert GiftEconomy(small_config, **{"run.seed": 12}).seed == 12  # a setting names the seed: no fresh draw
    assert GiftEconomy(small_config, rng=12, **{"run.seed": 12}).seed == 12


def test_a_seed_out_of_range_or_given_twice_is_refused(small_config):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 2\*\*63 - 1 .*got -1"):
        GiftEconomy(small_config, rng=-1)
    with pytest.raises(ValueError, match=r"seed must be .* got 9223372036854775808"):
        GiftEconomy(small_config, rng=2**63)
    with pytest.raises(ValueError, match=r"rng=3 and the setting run.seed=4 differ"):
        GiftEconomy(small_config, rng=3, **{"run.seed": 4})


def test_run_can_shorten_a_config(small_config):
    result = sim.run(small_config, seed=1, days=1)
    assert len(result.timeseries) == 24 and result.config.run.days == 1


# --- Mesa's conventions --------------------------------------------------------------------------
def test_agent_views_refuse_assignment(small_config):
    model = GiftEconomy(small_config, rng=3)
    viewer = next(iter(model.agents_by_type[Viewer]))
    with pytest.raises(AttributeError, match=r"Viewer.wallet_coins is read-only: .* row 0 of the model's viewer_state"):
        viewer.wallet_coins = 999_999
    with pytest.raises(AttributeError, match="Creator.payout_micro is read-only"):
        model.agents_by_type[Creator].set("payout_micro", 1)
    with pytest.raises(AttributeError, match="read-only"):
        del viewer.wallet_coins
    assert viewer.wallet_coins == model.viewer_state.wallet_coins[0]
    assert model.invariant_violations() == []


def test_agents_cannot_be_removed(small_config):
    model = GiftEconomy(small_config, rng=3)
    creator = model.creator(0)
    with pytest.raises(TypeError, match=r"Creator\(index=0\) cannot be removed: .*creators leave by quitting"):
        creator.remove()
    assert creator in model.agents_by_type[Creator]


# --- agents made on first access ---------------------------------------------------------------
def eager_order(model):
    """(class, unique id, row) of every view as an eager build registers them: creators, viewers, brands."""
    joined = int(model.creator_state.has_joined.sum())  # creators still to join are not agents yet
    kinds = [(Creator, joined), (Viewer, model.n_audience), (Brand, model.brand_state.size)]
    rows = [(kind, index) for kind, size in kinds for index in range(size)]
    return [(kind, unique_id, index) for unique_id, (kind, index) in enumerate(rows, start=1)]


def registered(agents):
    return [(type(agent), agent.unique_id, agent.index) for agent in agents]


def test_no_agent_is_made_until_one_is_asked_for(small_config):
    result = sim.run(small_config, seed=3, keep_model=True)  # a whole run, its tables and summary
    model = result.model
    assert model.agent_id_counter == 1  # Mesa's counter of registered agents: none yet
    assert len(mesa.Model.agents.fget(model)) == 0  # Mesa's own view of the model, without this model's access
    creators = int(model.creator_state.has_joined.sum())  # 60 at the start and those who joined since
    assert creators > 60
    assert len(model.agents) == 2000 + creators + 3
    assert model.agent_id_counter == 1 + 2000 + creators + 3


FIRST_ACCESS = {
    "agents": lambda model: model.agents,
    "agents_by_type": lambda model: model.agents_by_type,
    "agent_types": lambda model: model.agent_types,
    "creator": lambda model: model.creator(5),
    "select": lambda model: model.agents.select(lambda agent: agent.index < 3),
    "another agent": lambda model: mesa.Agent(model),
    "datacollector": lambda model: mesa.DataCollector(
        agenttype_reporters={Viewer: {"coins": "wallet_coins"}}).collect(model),
}


@pytest.mark.parametrize("access", list(FIRST_ACCESS))
def test_agents_made_late_have_the_ids_order_and_values_of_an_eager_build(small_config, access):
    model = GiftEconomy(small_config, rng=3)
    model.run_for(30)
    FIRST_ACCESS[access](model)
    expected = eager_order(model)
    views = [agent for agent in model.agents if isinstance(agent, (Viewer, Creator, Brand))]
    assert registered(views) == expected
    assert model.agent_types[:3] == [Creator, Viewer, Brand]
    for kind in (Creator, Viewer, Brand):
        assert registered(model.agents_by_type[kind]) == [row for row in expected if row[0] is kind]
    assert model.creator(5) is list(model.agents_by_type[Creator])[5]
    assert [v.spend_micro for v in model.agents_by_type[Viewer]] == model.viewer_state.spend_micro[:2000].tolist()
    assert model.agents_by_type[Creator].agg("diamonds_earned", sum) == model.creator_state.diamonds_earned.sum()
    others = [agent for agent in model.agents if not isinstance(agent, (Viewer, Creator, Brand))]
    assert [agent.unique_id for agent in others] == ([len(expected) + 1] if access == "another agent" else [])


def test_agents_are_made_once_and_creators_who_join_later_take_the_next_ids(small_config):
    model = GiftEconomy(small_config, rng=3)
    first = list(model.agents)
    model.run_for(small_config.hours)
    joined = np.flatnonzero(model.creator_state.joined_day > 0)
    assert joined.size > 0
    now = list(model.agents)
    assert now[: len(first)] == first  # the same objects, in the same order
    assert [(agent.index, agent.unique_id) for agent in now[len(first):]] == [
        (index, len(first) + 1 + k) for k, index in enumerate(joined)]
    assert all(agent.joined_day > 0 for agent in now[len(first):])


def test_remove_all_agents_is_refused_before_any_agent_was_asked_for(small_config):
    model = GiftEconomy(small_config, rng=3)
    with pytest.raises(TypeError, match=r"Creator\(index=0\) cannot be removed"):
        model.remove_all_agents()
    assert len(model.agents) == 2000 + 60 + 3


def test_running_turns_false_at_the_configured_end(small_config):
    model = GiftEconomy(small_config, rng=3)
    model.run_for(small_config.hours - 1)
    assert model.running
    model.run_model()
    assert not model.running and model.steps == small_config.hours
    assert len(model.timeseries()) == small_config.hours


def test_keyword_construction_reaches_any_config_field(small_config):
    settings = {"platform.creator_share": 0.5, "run.days": 1, "population.viewers": 500,
                "population.creators": 20, "regions.ID.price_multiplier": 1.2}
    model = GiftEconomy("default", rng=4, **settings)
    assert model.config.platform.creator_share == 0.5 and model.config.hours == 24
    assert model.config.regions["ID"].price_multiplier == 1.2
    from_path = GiftEconomy(config=str(DEFAULT_CONFIG), rng=4, **settings)
    assert from_path.config == model.config
    from_object = GiftEconomy(small_config, rng=4, **settings)
    assert from_object.config.platform.creator_share == 0.5
    assert GiftEconomy(small_config, rng=small_config.run.seed).config is small_config


def test_keyword_construction_names_what_is_wrong(small_config):
    with pytest.raises(sim.ConfigError, match="no preset named 'tiktk'; presets are: .*tiktok"):
        GiftEconomy("tiktk")
    with pytest.raises(sim.ConfigError, match="platform.creator_shar: unknown key"):
        GiftEconomy(small_config, **{"platform.creator_shar": 0.5})
    with pytest.raises(sim.ConfigError, match="platform.creator_share"):
        GiftEconomy(small_config, **{"platform.creator_share": 2.0})
    with pytest.raises(TypeError, match=r"put it in a list: parameters=\{'config': \[config\]\}"):
        GiftEconomy(("name", "default"))


def test_batch_run_collects_the_declared_outputs(small_config):
    rows = mesa.batch_run(GiftEconomy, parameters={"config": [small_config], "platform.creator_share": [0.3, 0.5]},
                          rng=[1, 2], max_steps=24, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 4 and set(frame["Step"]) == {24}
    outputs = [o.name for o in GiftEconomy(small_config, rng=1).outputs]
    assert set(outputs) <= set(frame.columns)
    income = frame.groupby("platform.creator_share")["new_creator_income_usd"].sum()
    assert income[0.5] > income[0.3]
    whole = pd.DataFrame(mesa.batch_run(GiftEconomy, parameters={"config": [small_config], "run.days": 1}, rng=[1],
                                        max_steps=1000, data_collection_period=1, display_progress=False))
    assert list(whole["Step"]) == list(range(1, 25))  # stopped by `running` at the configured end
    direct = GiftEconomy(small_config, rng=1, **{"run.days": 1})
    direct.run_model()
    expected = direct.timeseries()[outputs].reset_index(drop=True)
    pd.testing.assert_frame_equal(whole[outputs].astype(float), expected.astype(float))


def test_tables_taken_mid_run_are_copies_the_run_does_not_change(small_config):
    model = GiftEconomy(small_config, rng=5)
    model.run_for(24)
    tables = {"viewers": model.viewers_table(), "creators": model.creators_table(), "brands": model.brands_table()}
    kept = {name: table.copy(deep=True) for name, table in tables.items()}
    model.run_for(48)
    assert model.viewers_table()["watch_hours"].sum() > kept["viewers"]["watch_hours"].sum()  # the run moved on
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, kept[name])


@pytest.mark.parametrize("burn_in_days", [0, 7])
def test_a_viewers_table_that_releases_the_state_is_the_same_table(small_config, burn_in_days):
    config = small_config.model_copy(update={"run": small_config.run.model_copy(update={"burn_in_days": burn_in_days})})
    model = GiftEconomy(config, rng=3)
    model.run_for(config.total_hours)
    kept = model.viewers_table()
    released = report.viewers_table(model, release_state=True)
    pd.testing.assert_frame_equal(released, kept)
    # every viewer array is let go, by the state and by the baseline after a burn-in
    assert not [name for name, value in vars(model.viewer_state).items() if isinstance(value, np.ndarray)]
    if burn_in_days:
        assert not model.baseline.populations["viewer_state"]


def test_each_viewers_column_declares_the_arrays_it_reads(small_config):
    model = GiftEconomy(small_config, rng=3)
    model.run_for(24)
    state = model.viewer_state
    for column in report.VIEWER_COLUMNS:
        held = dict(vars(state))
        for name in [n for n in held if n not in column.reads and isinstance(held[n], np.ndarray)]:
            setattr(state, name, None)  # an undeclared read would fail on None
        try:
            column.compute(model)
        finally:
            vars(state).update(held)


def test_a_run_not_kept_gives_the_tables_of_a_run_kept(small_config):
    kept, released = sim.run(small_config, seed=2, keep_model=True), sim.run(small_config, seed=2)
    for name in ("viewers", "creators", "brands", "ledger", "timeseries"):
        pd.testing.assert_frame_equal(getattr(released, name), getattr(kept, name))
    assert released.summary == kept.summary
