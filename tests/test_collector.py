"""The model's datacollector: Mesa's DataCollector over the seed, the declared hourly outputs and, if asked, agents."""

import numpy as np
import pandas as pd
import pytest

from sim import GiftEconomy
from sim.engine.agents import Creator, Viewer
from sim.engine.collector import AGENT_COLUMNS, sample_rows


def test_datacollector_holds_the_time_series_outputs_hour_by_hour(small_config):
    model = GiftEconomy(small_config, rng=5)
    model.run_for(30)
    collected = model.datacollector.get_model_vars_dataframe()
    names = [output.name for output in model.outputs]
    assert list(collected.columns) == ["seed", *names] and len(collected) == 30
    assert set(collected["seed"]) == {5}
    expected = model.timeseries()[names]  # money in USD in both
    pd.testing.assert_frame_equal(collected[names].reset_index(drop=True).astype(float), expected.astype(float))
    assert collected["new_gross_spend_usd"].sum() > 0


def test_reporters_agree_with_what_collect_appends(small_config):
    model = GiftEconomy(small_config, rng=5)
    model.run_for(5)
    collector = model.datacollector
    for name, reporter in collector.model_reporters.items():
        assert reporter(model) == collector.model_vars[name][-1], name


def test_the_viewer_sample_spreads_evenly_over_the_rows():
    assert sample_rows(10, 3).tolist() == [0, 4, 9]  # linspace(0, 9, 3) = 0, 4.5, 9; 4.5 rounds to even
    assert sample_rows(5, None).tolist() == sample_rows(5, 8).tolist() == [0, 1, 2, 3, 4]
    assert sample_rows(5, 0).tolist() == []
    with pytest.raises(ValueError, match="viewer_sample must be a non-negative number of viewers or None"):
        sample_rows(5, -1)


def test_a_negative_sample_is_refused_when_the_model_is_built(small_config):
    with pytest.raises(ValueError, match="viewer_sample must be .* got -3"):
        GiftEconomy(small_config, rng=1, collect_agents=True, viewer_sample=-3)


def test_a_model_that_does_not_collect_agents_takes_no_rows(small_config):
    model = GiftEconomy(small_config, rng=5)
    model.run_for(3)
    assert model.agent_rows is None and not model.datacollector.agent_reporters
    assert model.agent_id_counter == 1  # no agent was made for the collector


def test_agent_rows_read_the_arrays_at_each_hours_end(small_config):
    model = GiftEconomy(small_config, rng=5, collect_agents=True, viewer_sample=7)
    rows = sample_rows(2000, 7)
    kept = []
    for _ in range(3):
        model.step()
        kept.append((model.creator_state.is_live.copy(), model.creator_state.diamonds_earned.copy(),
                     model.viewer_state.watching[rows].copy(), model.viewer_state.spend_micro[rows].copy()))
    frame = model.datacollector.get_agent_vars_dataframe()
    assert list(frame.columns) == list(AGENT_COLUMNS)
    viewer_ids = [agent.unique_id for agent in np.array(list(model.agents_by_type[Viewer]))[rows]]
    creator_ids = [agent.unique_id for agent in model.agents_by_type[Creator]]
    for step, (is_live, earned, watching, spend) in enumerate(kept, start=1):
        hour = frame.loc[step]
        creators, viewers = hour[hour["agent_type"] == "Creator"], hour[hour["agent_type"] == "Viewer"]
        assert creators.index.tolist() == creator_ids and viewers.index.tolist() == viewer_ids
        assert creators["is_live"].tolist() == is_live.tolist()[:60]
        assert creators["diamonds_earned"].tolist() == earned.tolist()[:60]
        assert viewers["spend_micro"].tolist() == spend.tolist()
        named = [None if row < 0 else creator_ids[row] for row in watching]
        assert [None if np.isnan(uid) else int(uid) for uid in viewers["watching_id"]] == named
        assert viewers[list(Creator.reported)].isna().all().all() and creators[list(Viewer.reported)].isna().all().all()


def test_creators_who_join_get_rows_under_the_ids_they_take(small_config):
    model = GiftEconomy(small_config, rng=3, collect_agents=True, viewer_sample=0)
    model.run_for(small_config.hours)
    joined = np.flatnonzero(model.creator_state.joined_day > 0)
    assert joined.size > 0
    frame = model.datacollector.get_agent_vars_dataframe()
    last = frame.loc[small_config.hours]
    late = [model.creator(int(row)).unique_id for row in joined]
    assert set(late) <= set(last.index) and len(last) == int(model.creator_state.has_joined.sum())
    steps = frame.reset_index().groupby("AgentID")["Step"].agg(["min", "max", "count"])
    for uid in late:  # a row every hour from the hour after they joined to the end
        first, last_step, count = steps.loc[uid]
        assert first > 1 and last_step == small_config.hours and count == last_step - first + 1
