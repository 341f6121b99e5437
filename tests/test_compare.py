"""Each sweep point's change from a baseline point, with its confidence interval."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.sweeps.compare import DIFFERENCE_COLUMNS, differences, t_quantile
from tests.test_plots import synthetic_sweep

BASELINE = {"share": 0.33, "price": 1.0}


def one_change(table: pd.DataFrame, metric: str, **point) -> pd.Series:
    rows = table[(table["metric"] == metric) & np.logical_and.reduce([table[k] == v for k, v in point.items()])]
    assert len(rows) == 1
    return rows.iloc[0]


def test_paired_change_is_the_mean_difference_by_replicate_with_a_t_interval():
    sweep = synthetic_sweep()
    table = differences(sweep, ["share", "price"], BASELINE, ["gross_spend_usd", "creator_income_gini"])
    assert list(table.columns) == ["share", "price", *DIFFERENCE_COLUMNS]
    assert len(table) == 12 * 2
    change = one_change(table, "gross_spend_usd", share=0.5, price=1.25)
    point = sweep[(sweep.share == 0.5) & (sweep.price == 1.25)].set_index("replicate")["gross_spend_usd"]
    base = sweep[(sweep.share == 0.33) & (sweep.price == 1.0)].set_index("replicate")["gross_spend_usd"]
    paired = point - base
    half = t_quantile(0.975, 4) * paired.std() / math.sqrt(5)
    assert change["n"] == 5 and change["level"] == 0.95
    assert change["difference"] == pytest.approx(paired.mean())
    assert change["value"] - change["baseline"] == pytest.approx(change["difference"])
    assert (change["low"], change["high"]) == pytest.approx((paired.mean() - half, paired.mean() + half))
    at_baseline = one_change(table, "gross_spend_usd", **BASELINE)
    assert at_baseline["difference"] == at_baseline["low"] == at_baseline["high"] == 0.0


def test_pairing_removes_noise_shared_by_a_replicate_across_points():
    # Each replicate has its own level (as a seed with a whale does); the change itself is +10.
    rng = np.random.default_rng(3)
    level = rng.normal(1000, 300, 8)
    runs = pd.DataFrame([{"x": x, "replicate": r, "m": level[r] + 10 * x + rng.normal(0, 1)}
                         for x in (0, 1) for r in range(8)])
    paired = one_change(differences(runs, ["x"], {"x": 0}, ["m"]), "m", x=1)
    unpaired = one_change(differences(runs, ["x"], {"x": 0}, ["m"], paired=False), "m", x=1)
    assert paired["difference"] == pytest.approx(unpaired["difference"])
    assert paired["low"] > 0 and unpaired["low"] < 0  # only pairing sees that the change is positive
    assert paired["high"] - paired["low"] < (unpaired["high"] - unpaired["low"]) / 20


def test_unpaired_change_uses_welchs_interval():
    runs = pd.DataFrame({"x": [0] * 4 + [1] * 6, "replicate": [*range(4), *range(6)],
                         "m": [1.0, 2.0, 3.0, 4.0, 10.0, 14.0, 9.0, 11.0, 13.0, 12.0]})
    change = one_change(differences(runs, ["x"], {"x": 0}, ["m"], paired=False, level=0.9), "m", x=1)
    a, b = runs.m[runs.x == 1], runs.m[runs.x == 0]
    va, vb = a.var() / 6, b.var() / 4
    dof = (va + vb) ** 2 / (va**2 / 5 + vb**2 / 3)
    half = t_quantile(0.95, dof) * math.sqrt(va + vb)
    assert change["difference"] == pytest.approx(a.mean() - b.mean())
    assert change["high"] - change["difference"] == pytest.approx(half)
    assert change["n"] == 6


def test_replicates_missing_on_either_side_are_left_out_of_the_pairs():
    sweep = synthetic_sweep()
    sweep = sweep[~((sweep.share == 0.2) & (sweep.price == 0.8) & (sweep.replicate == 0))]
    sweep = sweep[~((sweep.share == 0.33) & (sweep.price == 1.0) & (sweep.replicate == 4))]
    table = differences(sweep, ["share", "price"], BASELINE, ["gross_spend_usd"])
    assert one_change(table, "gross_spend_usd", share=0.2, price=0.8)["n"] == 3
    assert one_change(table, "gross_spend_usd", share=0.5, price=0.8)["n"] == 4
    single = sweep[(sweep.replicate == 1)]
    assert one_change(differences(single, ["share", "price"], BASELINE, ["gross_spend_usd"]),
                      "gross_spend_usd", share=0.5, price=0.8)[["low", "high"]].isna().all()


@pytest.mark.parametrize(("baseline", "message"), [
    ({"share": 0.33}, "exactly the parameters"),
    ({"share": 0.33, "price": 1.0, "other": 1}, "exactly the parameters"),
    ({"share": 0.34, "price": 1.0}, r"no run is at the baseline .*share takes \[0.2, 0.33, 0.5, 0.7\]"),
])
def test_a_baseline_that_is_not_a_point_is_refused_with_the_values_there_are(baseline, message):
    with pytest.raises(ValueError, match=message):
        differences(synthetic_sweep(), ["share", "price"], baseline, ["gross_spend_usd"])


def test_bad_tables_and_levels_are_refused():
    sweep = synthetic_sweep()
    with pytest.raises(ValueError, match="no column"):
        differences(sweep, ["share", "price"], BASELINE, ["nope"])
    with pytest.raises(ValueError, match="share a replicate"):
        differences(sweep, ["share"], {"share": 0.33}, ["gross_spend_usd"])  # price varies too
    with pytest.raises(ValueError, match="level"):
        differences(sweep, ["share", "price"], BASELINE, ["gross_spend_usd"], level=95)


def test_baseline_numbers_match_within_rounding():
    sweep = synthetic_sweep().assign(share=lambda d: d.share + 1e-15)  # as a sampled design might store 0.33
    table = differences(sweep, ["share", "price"], BASELINE, ["gross_spend_usd"])
    share = sweep.share[sweep.share > 0.3].min()
    assert one_change(table, "gross_spend_usd", share=share, price=1.0)["difference"] == 0


@pytest.mark.parametrize(("probability", "dof", "quantile"),
                         [(0.975, 1, 12.7062), (0.975, 2, 4.3027), (0.975, 4, 2.7764), (0.975, 30, 2.0423),
                          (0.95, 10, 1.8125), (0.5, 3, 0.0)])
def test_t_quantile_matches_published_tables(probability, dof, quantile):
    assert t_quantile(probability, dof) == pytest.approx(quantile, abs=1e-4)


def test_t_quantile_refuses_what_it_cannot_compute():
    with pytest.raises(ValueError):
        t_quantile(0.975, 0)
    with pytest.raises(ValueError):
        t_quantile(0.9999, 3)
