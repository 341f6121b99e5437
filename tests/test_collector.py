"""The model's datacollector: Mesa's DataCollector over the declared hourly outputs."""

import pandas as pd

from sim import GiftEconomy


def test_datacollector_holds_the_time_series_outputs_hour_by_hour(small_config):
    model = GiftEconomy(small_config, rng=5)
    model.run_for(30)
    collected = model.datacollector.get_model_vars_dataframe()
    names = [output.name for output in model.outputs]
    assert list(collected.columns) == names and len(collected) == 30
    expected = model.timeseries()[names]  # money in USD in both
    pd.testing.assert_frame_equal(collected.reset_index(drop=True).astype(float), expected.astype(float))
    assert collected["new_gross_spend_usd"].sum() > 0


def test_reporters_agree_with_what_collect_appends(small_config):
    model = GiftEconomy(small_config, rng=5)
    model.run_for(5)
    collector = model.datacollector
    for name, reporter in collector.model_reporters.items():
        assert reporter(model) == collector.model_vars[name][-1], name
