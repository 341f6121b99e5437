"""The model driven only through Mesa's public API, as a Mesa user would: build, step, batch_run, collect, show.

Apart from naming the class and its keywords, every call here is Mesa's: ``run_model``, ``step``,
``running``, ``datacollector``, ``agents_by_type``, ``AgentSet.get``, ``mesa.batch_run`` and SolaraViz.
"""

import inspect
import json
import subprocess
import sys
import time
import warnings

import ipyvuetify as v
import mesa
import pandas as pd
import pytest
import solara
from mesa.visualization import SolaraViz

from sim import GiftEconomy
from sim.engine.agents import Creator, Viewer

SETTINGS = {"population.viewers": 500, "population.creators": 20, "population.brands": 2, "run.days": 1}


def batch_run(**kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():  # Mesa 3.5 deprecates `iterations` (for rng=[None] * n) ahead of Mesa 4
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return pd.DataFrame(mesa.batch_run(GiftEconomy, display_progress=False, **kwargs))


def test_run_model_stops_at_the_end_with_one_row_an_hour():
    model = GiftEconomy("default", rng=7, **SETTINGS)
    model.run_model()
    assert not model.running and model.steps == 24
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 24 and set(frame["seed"]) == {7}
    assert frame["n_viewers_online"].sum() > 0


def test_rng_none_draws_a_fresh_seed_that_reproduces_the_run():
    first, second = GiftEconomy("default", **SETTINGS), GiftEconomy("default", **SETTINGS)
    assert first.seed != second.seed
    for model in (first, second):
        assert 0 <= model.seed < 2**63 and model.config.run.seed == model.seed
        model.run_model()
    again = GiftEconomy(first.config, rng=first.seed)
    again.run_model()
    pd.testing.assert_frame_equal(again.datacollector.get_model_vars_dataframe(),
                                  first.datacollector.get_model_vars_dataframe())
    outputs = [frame.drop(columns="seed") for frame in (first.datacollector.get_model_vars_dataframe(),
                                                        second.datacollector.get_model_vars_dataframe())]
    assert not outputs[0].equals(outputs[1])  # different seeds, different economies


def test_batch_run_iterations_are_distinct_replicates_with_recorded_seeds():
    frame = batch_run(parameters={"config": "default", **SETTINGS}, iterations=2, data_collection_period=1)
    assert len(frame) == 48 and sorted(frame["iteration"].unique()) == [0, 1]
    seeds = frame.groupby("iteration")["seed"].unique()
    assert all(len(s) == 1 for s in seeds) and seeds[0][0] != seeds[1][0]
    online = [frame.loc[frame["iteration"] == i, "n_viewers_online"].tolist() for i in (0, 1)]
    assert online[0] != online[1]
    replayed = GiftEconomy("default", rng=int(seeds[1][0]), **SETTINGS)
    replayed.run_model()
    assert replayed.datacollector.get_model_vars_dataframe()["n_viewers_online"].tolist() == online[1]


def test_agent_rows_are_every_creator_and_the_viewer_sample_each_hour():
    model = GiftEconomy("default", rng=3, collect_agents=True, viewer_sample=40, **SETTINGS)
    for _ in range(6):
        model.step()
        rows = model.datacollector.get_agent_vars_dataframe().loc[model.steps]
        creators, viewers = model.agents_by_type[Creator], model.agents_by_type[Viewer]
        assert (rows["agent_type"] == "Creator").sum() == len(creators)
        assert (rows["agent_type"] == "Viewer").sum() == 40
        for kind, agents in ((Creator, creators), (Viewer, viewers)):
            mine = rows[rows["agent_type"] == kind.__name__]
            now = agents.select(lambda agent, ids=set(mine.index): agent.unique_id in ids)
            for name in kind.reported:  # the rows are the agents' attributes at the hour's end
                expected = dict(zip(now.get("unique_id"), now.get(name), strict=True))
                column = pd.Series([expected[uid] for uid in mine.index], index=mine.index, name=name)
                pd.testing.assert_series_equal(column.astype(mine[name].dtype), mine[name])  # None as NaN
    collected = model.datacollector.get_agent_vars_dataframe()
    assert collected.index.names == ["Step", "AgentID"] and len(collected) == 6 * (20 + 40)
    assert collected["is_live"].any() and collected["is_online"].any() and collected["watching_id"].notna().any()


def test_agent_rows_are_opt_in():
    model = GiftEconomy("default", rng=3, **SETTINGS)
    model.step()
    with pytest.raises(UserWarning, match=r"collect_agents=True"):
        model.datacollector.get_agent_vars_dataframe()


def test_batch_run_carries_the_agent_rows_when_asked():
    frame = batch_run(parameters={"config": "default", "collect_agents": True, "viewer_sample": 10, **SETTINGS},
                      rng=[1, 2], data_collection_period=-1)
    assert set(frame["Step"]) == {24}
    for _, replicate in frame.groupby("RunId"):
        assert (replicate["agent_type"] == "Viewer").sum() == 10
        assert (replicate["agent_type"] == "Creator").sum() >= 20
        assert replicate["AgentID"].is_unique and replicate["seed"].nunique() == 1


def test_solaraviz_steps_and_resets_the_model():
    model = solara.reactive(GiftEconomy("default", rng=1, **SETTINGS))
    first = model.value

    @solara.component
    def Page():
        with solara.AppLayout():
            SolaraViz(model, components=[], model_params={"config": "default", **SETTINGS})

    _, rendered = solara.render(Page(), handle_error=False)
    rendered.find(v.Btn, children=["Step"]).widget.click()
    wait_until(lambda: first.steps == 1)
    rendered.find(v.Btn, children=["Reset"]).widget.click()
    wait_until(lambda: model.value is not first)
    rebuilt = model.value
    assert rebuilt.steps == 0 and rebuilt.config.population.viewers == 500
    assert rebuilt.config.run.seed == rebuilt.seed  # no rng among the params: a fresh seed, recorded


def wait_until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "SolaraViz did not act within the timeout"
        time.sleep(0.02)


# What Mesa's logging learns from the stack as it is imported: its module logger's name and the class
# whose __init__ it logs; and whether it read Mesa's source to learn them (the stack walk's cost). Printed
# by a fresh interpreter, importing Mesa as the engine does or directly.
MESA_LOGGING_NAMES = """
import inspect, json, linecache, mesa
closure = dict(zip(mesa.Model.__init__.__code__.co_freevars,
                   (cell.cell_contents for cell in mesa.Model.__init__.__closure__)))
print(json.dumps([mesa.model._mesa_logger.name, closure["classname"], closure["logger"].name,
                  inspect.getouterframes.__module__, inspect.getmodule.__module__,
                  any("/mesa/" in path for path in linecache.cache)]))
"""


@pytest.mark.slow
def test_the_engine_imports_mesa_with_the_names_its_logging_would_find():
    def names(first_import: str) -> list[str]:
        code = f"{first_import}\n{MESA_LOGGING_NAMES}"
        return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                         check=True).stdout)

    engine, direct = names("import sim.engine.model"), names("")
    # the same names; and only the direct import read Mesa's source to find them (the stack walk skipped)
    assert engine[:-1] == direct[:-1] == ["MESA.mesa.model", "Model", "MESA.mesa.model", "inspect", "inspect"]
    assert (engine[-1], direct[-1]) == (False, True)


def test_frames_without_source_are_the_frames_inspect_lists():
    from sim.engine.mesa_import import frames_without_source

    here = inspect.currentframe()
    fast, full = frames_without_source(here), inspect.getouterframes(here)
    assert [(f.frame, f.filename, f.lineno, f.function) for f in fast] == \
           [(f.frame, f.filename, f.lineno, f.function) for f in full]
    assert all(f.code_context is None for f in fast)
