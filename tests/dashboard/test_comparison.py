"""The dashboard's comparison runs both arms on the same seeds and reads the change pair by pair."""

import pytest

from sim import GiftEconomy
from sim.cli.compare import METRICS
from sim.dashboard.comparison import compare
from sim.sweeps.spec import run_seed

SETTINGS = {"run.days": 1, "population.viewers": 600, "population.creators": 20}
PATH = "regions.ID.price_multiplier"


@pytest.mark.slow  # six runs of a day
def test_the_arms_differ_in_one_setting_and_share_their_seeds(small_config):
    lines = []
    result = compare(small_config, 7, {**SETTINGS, PATH: 1.0}, PATH, 0.5, pairs=3, progress=lines.append)
    assert lines == [f"run {i} of 6: pair {(i + 1) // 2}, {'baseline' if i % 2 else 'changed'}" for i in range(1, 7)]
    assert result.seeds == tuple(run_seed(7, 0, r, "common") for r in range(3))  # a sweep's common seeds
    assert (result.label, result.baseline_value, result.changed_value) == ("Price multiplier, ID", "1.00", "0.50")
    assert [c.name for c in result.changes] == list(METRICS)
    assert result.level_each == pytest.approx(1 - 0.05 / len(METRICS))  # Bonferroni, as giftsim compare
    # The baseline arm's mean is the mean of the runs a model gives on those seeds
    models = [GiftEconomy(small_config, rng=seed, **SETTINGS) for seed in result.seeds]
    for model in models:
        model.run_model()
    mean = sum(m.summary()["gross_spend_usd"] for m in models) / 3
    gross = result.changes[0]
    assert gross.baseline == f"{mean:,.2f}"
    assert gross.interval.startswith("[") and gross.verdict in ("raised", "lowered", "no clear change")
    said = result.describe()
    assert "3 pairs of runs" in said and "Price multiplier, ID at 0.50 instead of 1.00" in said


def test_a_comparison_needs_a_change_and_two_pairs(small_config):
    with pytest.raises(ValueError, match="is the baseline's own value"):
        compare(small_config, 7, {PATH: 1.0}, PATH, 1.0)
    with pytest.raises(ValueError, match="at least 2 pairs"):
        compare(small_config, 7, {PATH: 1.0}, PATH, 0.5, pairs=1)
