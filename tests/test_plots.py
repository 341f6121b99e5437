"""Figures: what each one draws, the house style, the files in each format, and ``giftsim plot``."""

import copy
import itertools
import json
import re
import shutil
import xml.etree.ElementTree as ET

import matplotlib.colors
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.image import AxesImage
from matplotlib.text import Text
from PIL import Image

import sim
from sim import figures
from sim.cli.main import main
from sim.engine.metrics import gini, lorenz_curve
from sim.figures import run as figure_run
from sim.io.folder import read_results, write_results
from sim.io.provenance import figure_provenance
from sim.sweeps.compare import differences, t_quantile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LOW_DPI = 60  # the tests check content, not resolution; small PNGs keep them fast
# Its log axes' math text and its non-ASCII sign take the most font handling to write.
WRITTEN = ("income_ccdf",)


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory, small_config):
    # No figure files (no figure_writer): the tests draw and write their own.
    return write_results(sim.run(small_config, seed=2), tmp_path_factory.mktemp("plots") / "run")


@pytest.fixture(scope="module")
def results(results_dir):
    return read_results(results_dir)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def synthetic_sweep(seed: int = 0) -> pd.DataFrame:
    """A sweep by the documented contract: 4 x 3 parameter points, 5 replicates, two metrics."""
    rng = np.random.default_rng(seed)
    rows = [
        {"share": share, "price": price, "replicate": replicate,
         "creator_income_gini": 0.9 - 0.2 * share + rng.normal(0, 0.01),
         "gross_spend_usd": 9000 * price + rng.normal(0, 100)}
        for share, price, replicate in itertools.product([0.2, 0.33, 0.5, 0.7], [0.8, 1.0, 1.25], range(5))
    ]
    return pd.DataFrame(rows)


def drawn_texts(fig) -> list[Text]:
    """The texts a viewer sees: tick labels inside the axis limits, and every other visible text."""
    fig.canvas.draw()
    tick_labels, drawn = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = (high - low) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels.update({id(tick.label1), id(tick.label2)})
                if low - slack <= tick.get_loc() <= high + slack:
                    drawn += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    others = [t for t in fig.findobj(Text) if id(t) not in tick_labels and t.get_visible()]
    return [t for t in drawn + others if t.get_text().strip()]


def every_figure(results, width="single") -> dict:
    sweep = synthetic_sweep()
    return {
        **figures.run_figures(results, width=width),
        "compare_runs": figures.compare_runs_figure({"a": results, "b": results["summary"]}, width=width),
        "sweep": figures.sweep_figure(sweep, "share", "creator_income_gini", by="price", width=width),
        "sweep_heatmap": figures.sweep_heatmap_figure(sweep, "share", "price", "gross_spend_usd", width=width),
        "tradeoff": figures.tradeoff_figure(synthetic_changes(), "gross_spend_usd", "creator_income_gini",
                                            width=width),
    }


def synthetic_changes():
    return differences(synthetic_sweep(), ["share", "price"], {"share": 0.33, "price": 1.0},
                       ["gross_spend_usd", "creator_income_gini"])


# What each figure draws.

def test_run_figures_come_from_a_folder_or_the_dict_read_results_returns(results_dir, results):
    from_folder = figures.run_figures(results_dir)
    assert list(from_folder) == list(figures.RUN_FIGURES)
    assert list(figures.run_figures(results, ["engagement", "lorenz"])) == ["lorenz", "engagement"]
    with pytest.raises(KeyError, match="unknown figures"):
        figures.run_figures(results, ["nope"])


def test_lorenz_curves_carry_the_summarys_gini(results):
    fig = figures.lorenz_figure(results["creators"], results["viewers"])
    (ax,) = fig.axes
    assert len(ax.lines) == 4  # creators, active viewers, payers, equality
    labels = ax.get_legend_handles_labels()[1]
    summary = results["summary"]
    assert labels[0] == f"Creator income (Gini {summary['creator_income_gini']:.2f})"
    assert labels[1] == f"Active viewers' spend (Gini {summary['viewer_spend_gini']:.2f})"
    payers = results["viewers"].query("hours_online > 0 and spend_usd > 0")["spend_usd"].to_numpy()
    assert labels[2] == f"Payers' spend (Gini {gini(payers):.2f})"
    assert ax.lines[2].get_xdata().size == payers.size + 1  # one step per payer, from the origin
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)
    assert "(%)" in ax.get_xlabel() and "(%)" in ax.get_ylabel()
    assert len(figures.lorenz_figure(results["creators"]).axes[0].lines) == 2


def test_income_ccdf_is_log_log_and_starts_at_the_share_of_earners(results):
    income = results["creators"]["income_usd"]
    fig = figures.income_ccdf_figure(results["creators"])
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "USD" in ax.get_xlabel()
    (line,) = ax.lines
    shares = line.get_ydata()
    assert shares[0] == pytest.approx((income > 0).mean()) and np.all(np.diff(shares) < 0)
    assert f"{(income == 0).sum():,} of {len(income):,} creators earned nothing" in ax.texts[0].get_text()


def test_viewer_dollar_bars_split_all_the_money_by_region_and_channel(results):
    summary = results["summary"]
    fig = figures.viewer_dollar_figure(summary)
    region_ax, channel_ax = fig.axes
    assert region_ax.get_ylabel() == "Viewer's region" and channel_ax.get_ylabel() == "Purchase channel"
    assert "(%)" in channel_ax.get_xlabel()
    parts = ["Tax", "Store and payment fees", "Platform", "Creators", "Coins not yet gifted"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == parts
    for ax, group in ((region_ax, "region"), (channel_ax, "channel")):
        n_groups = sum(m["gross_spend_usd"] + m["dropped_value_usd"] > 0 for m in summary[f"by_{group}"].values())
        assert len(ax.patches) == n_groups * len(parts)
        ends = {}
        for patch in ax.patches:  # each bar's parts end where the next begins; the last ends at 100%
            ends[patch.get_y()] = max(ends.get(patch.get_y(), 0), patch.get_x() + patch.get_width())
        assert list(ends.values()) == pytest.approx([1.0] * n_groups)
    assert len(figures.viewer_dollar_figure(summary, groups=["channel"]).axes) == 1


def test_viewer_dollar_shows_agencies_when_the_run_had_them(results):
    summary = copy.deepcopy(results["summary"])
    summary["agency_usd"] = 0.25 * summary["creator_income_usd"]
    fig = figures.viewer_dollar_figure(summary)
    assert "Agencies and payout fees" in [t.get_text() for t in fig.legends[0].get_texts()]
    region_ax = fig.axes[0]
    assert len(region_ax.patches) == 6 * len(summary["by_region"])
    assert max(p.get_x() + p.get_width() for p in region_ax.patches) == pytest.approx(1.0)


def test_engagement_plots_every_hour(results):
    fig = figures.engagement_figure(results["timeseries"])
    watching, gifting = fig.axes
    hours = len(results["timeseries"])
    assert len(watching.lines[0].get_xdata()) == hours and len(gifting.lines[0].get_xdata()) == hours
    assert "Concurrent viewers" in watching.get_ylabel() and "per hour" in gifting.get_ylabel()
    assert "days" in gifting.get_xlabel()


def test_regions_figure_compares_every_region(results):
    summary = results["summary"]
    regions = summary["by_region"]
    fig = figures.regions_figure(summary)
    arpu_ax, payer_ax, share_ax = fig.axes
    assert [len(ax.patches) for ax in fig.axes] == [len(regions), len(regions), 2 * len(regions)]
    assert [p.get_height() for p in arpu_ax.patches] == [m["arpu_usd"] for m in regions.values()]
    assert [p.get_height() for p in payer_ax.patches] == pytest.approx([m["payer_ratio"] for m in regions.values()])
    assert [t.get_text() for t in share_ax.get_xticklabels()] == list(regions)
    assert "USD" in arpu_ax.get_ylabel() and "%" in payer_ax.get_ylabel() and "%" in share_ax.get_ylabel()
    assert [ax.get_ylabel().count("\n") for ax in fig.axes] == [1, 1, 1]  # a name, then its unit: two lines each


def test_regions_creator_share_lines_are_told_apart_and_named_once(results):
    summary = results["summary"]
    fig = figures.regions_figure(summary)
    share_ax = fig.axes[2]
    bars = {container.get_label(): container.patches[0].get_facecolor() for container in share_ax.containers}
    lines = {line.get_ydata()[0]: line.get_color() for line in share_ax.lines}
    assert matplotlib.colors.same_color(lines[summary["creator_share_of_spend"]], bars["Of all spend"])
    assert matplotlib.colors.same_color(lines[summary["creator_share_of_gifted_spend"]],
                                        bars["Of spend on gifted coins"])
    entries = [t.get_text() for t in fig.legends[0].get_texts()]
    assert entries == ["Of all spend", "Of spend on gifted coins", "All regions (dashed)"]

def test_regions_arpu_bars_and_the_all_regions_line_measure_the_same_spend(results):
    # The run's ARPU is the active-viewer-weighted mean of the regions' (both of the audience's spend).
    summary = results["summary"]
    regions = summary["by_region"].values()
    (arpu_ax, *_) = figures.regions_figure(summary).axes
    bars = [p.get_height() for p in arpu_ax.patches]
    active = [m["active_viewers"] for m in regions]
    assert np.dot(bars, active) / sum(active) == pytest.approx(summary["arpu_usd"], rel=1e-12)
    (all_regions,) = arpu_ax.lines
    assert all_regions.get_ydata()[0] == summary["arpu_usd"]


def test_compare_runs_draws_one_bar_per_run_and_measure(results_dir, results):
    other = copy.deepcopy(results["summary"])
    other["gross_spend_usd"] *= 2
    fig = figures.compare_runs_figure({"folder": results_dir, "summary": results["summary"], "doubled": other})
    share_ax, dollar_ax = fig.axes
    assert len(share_ax.patches) == 3 * len(figures.COMPARED_SHARES)
    assert len(dollar_ax.patches) == 3 * len(figures.COMPARED_DOLLARS)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["folder", "summary", "doubled"]
    gross = [p.get_height() for p in dollar_ax.patches][::len(figures.COMPARED_DOLLARS)]  # first measure of each run
    assert gross == pytest.approx([results["summary"]["gross_spend_usd"]] * 2 + [other["gross_spend_usd"]])
    assert "USD" in dollar_ax.get_ylabel()
    for runs in ({}, {str(i): results for i in range(9)}):
        with pytest.raises(ValueError, match="compare 1 to 8 runs"):
            figures.compare_runs_figure(runs)


# Sweeps, on synthetic DataFrames.

def interval_bars(container) -> np.ndarray:
    """The (low, high) ends of an errorbar container's vertical bars, one row per point."""
    (bars,) = container.lines[2]
    return np.array([[segment[:, 1].min(), segment[:, 1].max()] if segment.size else [np.nan, np.nan]
                     for segment in bars.get_segments()])


def test_sweep_figure_draws_the_mean_and_a_t_based_95_percent_interval_bar():
    sweep = synthetic_sweep()
    one_price = sweep[sweep["price"] == 1.0]
    fig = figures.sweep_figure(one_price, "share", "creator_income_gini",
                             labels={"share": "Creator share of coin value (0-1)"})
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Creator share of coin value (0-1)"
    assert ax.get_ylabel() == figures.metric_label("creator_income_gini")
    (container,) = ax.containers
    line = container.lines[0]
    groups = one_price.groupby("share")["creator_income_gini"]
    assert list(line.get_xdata()) == [0.2, 0.33, 0.5, 0.7]
    assert line.get_ydata() == pytest.approx(groups.mean().to_numpy())
    half_width = t_quantile(0.975, 4) * groups.std() / np.sqrt(5)
    assert np.diff(interval_bars(container)).ravel() == pytest.approx(2 * half_width.to_numpy())
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]  # bars, no translucent band
    assert "95% CI (t) over 5 replicates" in ax.get_title(loc="left")


def test_sweep_figure_draws_one_line_per_value_of_a_second_parameter_set_apart():
    fig = figures.sweep_figure(synthetic_sweep(), "share", "gross_spend_usd", by="price")
    (ax,) = fig.axes
    assert len(ax.containers) == 3
    firsts = [container.lines[0].get_xdata()[0] for container in ax.containers]
    assert firsts == sorted(firsts) and firsts[1] == pytest.approx(0.2) and firsts[0] < 0.2 < firsts[2]
    legend = fig.legends[0]
    assert legend.get_title().get_text() == "price"
    assert [t.get_text() for t in legend.get_texts()] == ["0.8", "1", "1.25"]


def test_sweep_figure_against_a_baseline_draws_paired_changes_and_their_intervals():
    sweep = synthetic_sweep()
    fig = figures.sweep_figure(sweep, "share", "gross_spend_usd", by="price", baseline={"share": 0.33, "price": 1.0})
    (ax,) = fig.axes
    changes = differences(sweep, ["price", "share"], {"share": 0.33, "price": 1.0}, ["gross_spend_usd"])
    middle = ax.containers[1]  # price 1.0, the baseline's line
    expected = changes[changes["price"] == 1.0]
    assert middle.lines[0].get_ydata() == pytest.approx(expected["difference"].to_numpy())
    assert interval_bars(middle) == pytest.approx(expected[["low", "high"]].to_numpy())
    (zero,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert list(zero.get_ydata()) == [0, 0]
    (open_marker,) = [line for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert list(open_marker.get_ydata()) == [0.0]
    assert ax.get_ylabel() == "Change in gross viewer spend (USD)"
    assert "Paired change from the baseline" in ax.get_title(loc="left")
    with pytest.raises(ValueError, match="no run is at the baseline"):
        figures.sweep_figure(sweep, "share", "gross_spend_usd", by="price", baseline={"share": 0.3, "price": 1.0})


def test_sweep_figure_places_text_parameters_in_order_and_skips_bands_of_single_runs():
    sweep = synthetic_sweep()
    presets = {0.2: "a", 0.33: "b", 0.5: "c", 0.7: "d"}
    sweep = sweep[sweep["price"] == 1.0].assign(preset=lambda d: d["share"].map(presets))
    single = sweep[(sweep["preset"] != "d") | (sweep["replicate"] == 0)]
    (ax,) = figures.sweep_figure(single, "preset", "creator_income_gini").axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    bars = interval_bars(ax.containers[0])
    assert np.isfinite(bars[:3]).all() and np.isnan(bars[3]).all()  # one replicate at "d": no interval there
    assert "1-5 replicates" in ax.get_title(loc="left")



def sampled_sweep(points: int = 40, seed: int = 0) -> pd.DataFrame:
    """A sampled design: 40 points with continuous values of two parameters, 2 replicates each."""
    rng = np.random.default_rng(seed)
    share, herding = rng.random(points), rng.random(points)
    return pd.DataFrame([{"point": p, "replicate": r, "share": share[p], "herding": herding[p],
                          "creator_income_gini": min(1.0, 0.9 + 0.1 * share[p] + rng.normal(0, 0.05)),
                          "gross_spend_usd": 1000 * share[p] + rng.normal(0, 10),
                          "creator_income_usd": 300 * share[p], "platform_revenue_usd": 700 * share[p]}
                         for p in range(points) for r in range(2)])


def test_a_sampled_parameter_is_a_scatter_of_point_means_with_a_binned_mean():
    sweep = sampled_sweep()
    (ax,) = figures.sampled_figure(sweep, "share", "gross_spend_usd").axes
    dots = [c for c in ax.collections if not isinstance(c, PolyCollection)][0]
    assert len(dots.get_offsets()) == 40  # one dot per point, at its value: not 40 categories
    means = sweep.groupby("point")["gross_spend_usd"].mean()
    assert sorted(dots.get_offsets()[:, 1]) == pytest.approx(sorted(means))
    (line,) = ax.lines
    assert len(line.get_xdata()) == 5 and np.all(np.diff(line.get_xdata()) > 0)  # 40 points in 5 bins of 8
    assert "40 points; mean and 95% CI (t) in 5 bins of ~8" in ax.get_title(loc="left")
    drawn = figures.sweep_figures(sweep, {"share": "Share (0-1)", "herding": "Herding"}, sampled=["share", "herding"])
    assert "gross_spend_usd_by_share" in drawn and not any(name.endswith("_heatmap") for name in drawn)


def test_bands_of_ginis_ratios_and_shares_stay_within_0_and_1():
    (ax,) = figures.sampled_figure(sampled_sweep(), "share", "creator_income_gini").axes
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert band.get_paths()[0].vertices[:, 1].max() <= 1.0
    grid = synthetic_sweep().query("price == 1.0").assign(creator_income_gini=lambda d: 0.99 + 0.02 * (d.replicate % 2))
    (ax,) = figures.sweep_figure(grid, "share", "creator_income_gini").axes
    assert interval_bars(ax.containers[0])[:, 1].max() == pytest.approx(1.0)
    assert figures.sweep.valid_range("creator_share_of_spend") == (None, None)  # it may exceed 1

def test_sweeps_refuse_runs_that_are_not_replicates_of_one_point():
    sweep = synthetic_sweep()
    with pytest.raises(ValueError, match="share a replicate"):
        figures.sweep_figure(sweep, "share", "creator_income_gini")  # price varies too
    with pytest.raises(ValueError, match="no column"):
        figures.sweep_figure(sweep.drop(columns="replicate"), "share", "creator_income_gini", by="price")
    with pytest.raises(ValueError, match="no column"):
        figures.sweep_heatmap_figure(sweep, "share", "nope", "gross_spend_usd")


def test_sweep_heatmap_colours_the_mean_of_each_point():
    sweep = synthetic_sweep()
    sweep = sweep[~((sweep["share"] == 0.7) & (sweep["price"] == 1.25))]  # one point not run
    fig = figures.sweep_heatmap_figure(sweep, "share", "price", "gross_spend_usd", labels={"price": "Price multiplier"})
    ax, colorbar_ax = fig.axes
    (image,) = [i for i in ax.get_images() if isinstance(i, AxesImage)]
    values = image.get_array()
    expected = sweep.groupby(["price", "share"])["gross_spend_usd"].mean().unstack("share").to_numpy()
    assert values.shape == (3, 4) and values.mask[2, 3]
    assert values.filled(np.nan) == pytest.approx(expected, nan_ok=True)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.2", "0.33", "0.5", "0.7"]
    assert ax.get_ylabel() == "Price multiplier" and "Gross viewer spend (USD)" in colorbar_ax.get_ylabel()
    assert len(ax.texts) == 11  # the mean printed in every point that was run, with its interval's half-width
    half = t_quantile(0.975, 4) * sweep.query("share == 0.2 and price == 0.8")["gross_spend_usd"].std() / np.sqrt(5)
    assert ax.texts[0].get_text() == f"{expected[0, 0]:,.0f}\n±{half:,.0f}"


def test_sweep_heatmap_against_a_baseline_fades_and_hatches_changes_it_cannot_tell_from_none():
    sweep = synthetic_sweep()
    fig = figures.sweep_heatmap_figure(sweep, "share", "price", "creator_income_gini",
                                       baseline={"share": 0.33, "price": 1.0})
    ax, colorbar_ax = fig.axes
    changes = differences(sweep, ["price", "share"], {"share": 0.33, "price": 1.0}, ["creator_income_gini"])
    unclear = changes.query("low <= 0 <= high and high > low")
    hatched = [patch for patch in ax.patches if patch.get_hatch()]
    assert len(hatched) == len(unclear) > 0
    centres = {(round(p.get_x() + 0.5), round(p.get_y() + 0.5)) for p in hatched}
    shares, prices = sorted(sweep["share"].unique()), sorted(sweep["price"].unique())
    assert centres == {(shares.index(row.share), prices.index(row.price)) for row in unclear.itertuples()}
    (image,) = ax.get_images()
    assert image.norm.vmin == -image.norm.vmax  # a diverging scale, centred on no change
    assert "baseline" in [text.get_text() for text in ax.texts]
    assert "Change in creator income Gini" in colorbar_ax.get_ylabel()


def test_tradeoff_figure_draws_each_points_change_with_its_intervals():
    changes = synthetic_changes()
    fig = figures.tradeoff_figure(changes, "gross_spend_usd", "creator_income_gini", labels={"share": "Share (0-1)"})
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Change in gross viewer spend (USD)"
    assert ax.get_ylabel() == "Change in creator income Gini"  # a change in a share runs from -1 to 1
    markers = [line for line in ax.lines if line.get_marker() not in ("None", None, "")]
    assert len(markers) == 12  # one per point, the baseline at the origin among them
    at = {(round(float(m.get_xdata()[0]), 6), round(float(m.get_ydata()[0]), 6)) for m in markers}
    x = changes[changes.metric == "gross_spend_usd"]["difference"].round(6)
    y = changes[changes.metric == "creator_income_gini"]["difference"].round(6)
    assert at == set(zip(x, y, strict=True)) and (0.0, 0.0) in at
    colour_key, shape_key = fig.legends
    assert colour_key.get_title().get_text() == "Share (0-1)"
    assert [t.get_text() for t in colour_key.get_texts()] == ["0.2", "0.33", "0.5", "0.7"]
    assert shape_key.get_title().get_text() == "price"
    assert [t.get_text() for t in shape_key.get_texts()] == ["0.8", "1", "1.25"]
    assert "95% CI, 5 replicates per point" in ax.get_title(loc="left")


def test_tradeoff_figure_refuses_a_table_without_both_metrics():
    changes = synthetic_changes()
    with pytest.raises(ValueError, match="the metrics 'gross_spend_usd' and 'payer_ratio'"):
        figures.tradeoff_figure(changes, "gross_spend_usd", "payer_ratio")


# The house style.

def test_parameter_labels_come_from_the_schema():
    from sim.figures.style import parameter_label

    assert parameter_label("platform.creator_share") == "Creator share of coin value (0-1)"
    assert parameter_label("regions__ID__price_multiplier") == "Price multiplier, ID"  # a sweep's column
    assert parameter_label("exploration.share") == "Exploration share (0-1)"  # "Share" alone would say nothing
    assert parameter_label("viewers.gift_hazard") == "Viewers gift hazard (1/h)"
    assert parameter_label("viewers.budget_median_usd") == "Viewers budget median (USD)"
    assert parameter_label("creators.popularity_exponent") == "Creators popularity exponent"  # dimensionless
    assert parameter_label("gross_spend_usd") is None and parameter_label("regions.ID") is None


def test_metric_labels_come_from_one_place():
    assert figures.metric_label("gross_spend_usd") == "Gross viewer spend (USD)"
    assert figures.metric_label("creator_income_gini") == "Creator income Gini (0-1)"
    assert figures.metric_label("brand_cpm_usd") == "Brand CPM (USD per 1,000 impressions)"
    assert figures.metric_label("new_gifts") == "Gifts (count)"  # a time-series column
    assert figures.metric_label("new_coins_gifted") == "Coins gifted (coins)"
    assert figures.metric_label("entry_cost_usd") == "entry cost (USD)"  # undeclared: words and unit from its name
    assert figures.metric_label("price") == "price"
    one_price = synthetic_sweep().query("price == 1.0").assign(creator_income_usd=1.0, platform_revenue_usd=2.0)
    sweep = figures.sweep_figures(one_price, {"share": "Share (0-1)"})
    assert sweep["gross_spend_usd_by_share"].axes[0].get_ylabel() == figures.metric_label("gross_spend_usd")


def test_figures_are_made_outside_pyplot(results):
    drawn = figures.run_figures(results, ["lorenz"])
    assert plt.get_fignums() == []  # pyplot holds none: a notebook shows only what it displays
    assert drawn["lorenz"]._repr_png_().startswith(PNG_SIGNATURE)  # what a notebook shows inline



@pytest.mark.parametrize(("width", "inches"), [("single", 3.5), ("double", 7.2), (5, 5.0)])
@pytest.mark.slow
def test_every_figure_fits_its_width_with_readable_text_and_nothing_overlapping(results, width, inches):
    for name, fig in every_figure(results, width).items():
        assert fig.get_figwidth() == inches, name
        renderer = fig.canvas.get_renderer()
        boxes = []
        for text in drawn_texts(fig):
            assert text.get_fontsize() >= 7, (name, text.get_text())
            box = text.get_window_extent(renderer)
            inside = box.x0 >= -1 and box.y0 >= -1 and box.x1 <= fig.bbox.x1 + 1 and box.y1 <= fig.bbox.y1 + 1
            assert inside, (name, "clipped", text.get_text())
            boxes.append((text.get_text(), box))
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
            assert not box_a.overlaps(box_b), (name, "overlap", a, b)


@pytest.mark.parametrize(("width", "inches"), [("single", figures.COLUMN_WIDTH_IN), ("double", 7.2), (2.5, 2.5),
                                               ("6.5", 6.5), (10, 10.0)])
def test_figure_width_takes_a_preset_or_inches(width, inches):
    assert figures.figure_width(width) == inches


@pytest.mark.parametrize("width", ["triple", "", 2.4, "10.5", float("nan"), None])
def test_figure_width_refuses_anything_else(width):
    with pytest.raises(ValueError, match="neither 'single' nor 'double' nor inches from 2.5 to 10"):
        figures.figure_width(width)


def test_every_panel_has_a_y_label(results):
    for name, fig in every_figure(results).items():
        assert all(ax.get_ylabel() for ax in fig.axes), name


# Files.

@pytest.mark.parametrize("fmt", figures.FORMATS)
@pytest.mark.slow
def test_each_format_is_written_readable_and_byte_identical_twice(results, tmp_path, fmt):
    first = figures.save_run_figures(results, tmp_path / "a", names=WRITTEN, formats=[fmt], dpi=LOW_DPI)
    again = figures.save_run_figures(results, tmp_path / "b", names=WRITTEN, formats=[fmt], dpi=LOW_DPI)
    assert [p.name for p in first] == [f"{name}.{fmt}" for name in WRITTEN]
    for a, b in zip(first, again, strict=True):
        data = a.read_bytes()
        assert data == b.read_bytes(), a.name
        if fmt == "png":
            assert data.startswith(PNG_SIGNATURE)
            assert matplotlib.image.imread(a).shape[1] == round(figures.COLUMN_WIDTH_IN * LOW_DPI)
        elif fmt == "svg":
            texts = ET.fromstring(data).iter("{http://www.w3.org/2000/svg}text")
            assert any(t.text for t in texts), a.name  # text kept as text, not paths
        else:
            assert data.startswith(b"%PDF") and b"CreationDate" not in data
        assert embedded_provenance(a) == figure_provenance(results["meta"]), a.name


def embedded_provenance(path) -> dict[str, str]:
    """The provenance a figure file carries, read back as each format stores it."""
    if path.suffix == ".png":
        text = Image.open(path).text["Description"]
    elif path.suffix == ".svg":
        text = ET.parse(path).find(".//{http://purl.org/dc/elements/1.1/}description").text
    else:
        text = re.search(rb"/Subject \((.*?)\)", path.read_bytes()).group(1).decode()
    return dict(item.split("=", 1) for item in text.split("; "))


def test_figure_files_record_the_run_they_show(results, small_config, tmp_path):
    meta = results["meta"]
    [png] = figures.save_run_figures(results, tmp_path, names=["lorenz"], dpi=LOW_DPI)
    chunks = Image.open(png).text
    assert chunks["seed"] == "2" and chunks["config_sha256"] == meta["config_sha256"]
    assert chunks["giftsim_version"] == sim.__version__ and chunks["git_commit"] == str(meta["git_commit"])
    assert chunks["git_dirty"] in ("true", "false")
    # A RunResult records what its folder would: the same config hash and seed.
    result = sim.run(small_config, seed=2)
    [again] = figures.save_run_figures(result, tmp_path / "from_result", names=["lorenz"], dpi=LOW_DPI)
    assert {key: Image.open(again).text[key] for key in ("seed", "config_sha256")} == {
        "seed": "2", "config_sha256": meta["config_sha256"]}
    # A plain dict of tables says nothing of where it came from.
    bare = {key: value for key, value in results.items() if key != "meta"}
    [plain] = figures.save_run_figures(bare, tmp_path / "bare", names=["lorenz"], dpi=LOW_DPI)
    assert "seed" not in Image.open(plain).text


def test_save_figures_refuses_unknown_formats(results, tmp_path):
    with pytest.raises(ValueError, match="unknown formats"):
        figures.save_figures(figures.run_figures(results, ["lorenz"]), tmp_path, formats=["jpg"])
    assert list(tmp_path.iterdir()) == []


# giftsim plot.

def test_giftsim_plot_writes_every_format_asked(results_dir, tmp_path, capsys, monkeypatch):
    # One figure is enough here.
    monkeypatch.setattr(figure_run, "RUN_FIGURES", {"lorenz": figures.RUN_FIGURES["lorenz"]})
    out = tmp_path / "figures"
    args = ["plot", str(results_dir), "--out", str(out), "--format", "png", "SVG", "--format", "pdf", "png",
            "--dpi", "50"]
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} == {"lorenz.png", "lorenz.svg", "lorenz.pdf", "provenance.json"}
    assert matplotlib.image.imread(out / "lorenz.png").shape[1] == round(figures.COLUMN_WIDTH_IN * 50)
    assert f"3 files written to {out}: lorenz" in capsys.readouterr().out
    # Outside the results folder, a file beside the figures says which results they show.
    record = json.loads((out / "provenance.json").read_text())
    meta = json.loads((results_dir / "meta.json").read_text())
    assert record["results"] == str(results_dir) and record["files"] == ["lorenz.pdf", "lorenz.png", "lorenz.svg"]
    assert record["seed"] == "2" and record["config_sha256"] == meta["config_sha256"]


def test_giftsim_plot_draws_at_the_width_asked(results_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(figure_run, "RUN_FIGURES", {"engagement": figures.RUN_FIGURES["engagement"]})
    for width, inches in (("double", 7.2), ("5.5", 5.5)):
        out = tmp_path / width
        assert main(["plot", str(results_dir), "--out", str(out), "--width", width, "--dpi", "50"]) == 0
        assert matplotlib.image.imread(out / "engagement.png").shape[1] == round(inches * 50)


def test_giftsim_plot_writes_png_into_the_results_folder_by_default(results_dir, tmp_path):
    folder = shutil.copytree(results_dir, tmp_path / "run")
    assert main(["plot", str(folder), "--dpi", str(LOW_DPI)]) == 0
    assert {p.name for p in (folder / "figures").iterdir()} == {f"{name}.png" for name in figures.RUN_FIGURES}


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (lambda tmp, run: tmp / "missing", [], "missing: no such folder"),
        (lambda tmp, run: tmp, [], "not a results folder (no summary.json)"),
        (lambda tmp, run: run / "summary.json", [], "not a folder"),
        (lambda tmp, run: run, ["--format", "png", "jpg"], "unknown format 'jpg'"),
        (lambda tmp, run: run, ["--width", "wide"], "--width: width 'wide' is neither 'single' nor 'double'"),
        (lambda tmp, run: run, ["--width", "1"], "nor inches from 2.5 to 10"),
    ],
)
def test_giftsim_plot_fails_cleanly(results_dir, tmp_path, capsys, make, extra, message):
    target = make(tmp_path, results_dir)
    out = tmp_path / "out"
    assert main(["plot", str(target), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("giftsim: error:") and message in err and err.count("\n") == 1
    assert not out.exists()


def test_giftsim_plot_reports_unreadable_or_outdated_results(results_dir, tmp_path, capsys):
    broken = shutil.copytree(results_dir, tmp_path / "broken")
    (broken / "creators.parquet").write_bytes(b"not parquet")
    assert main(["plot", str(broken)]) == 2
    assert "cannot read results" in capsys.readouterr().err
    old = shutil.copytree(results_dir, tmp_path / "old")
    summary = (old / "summary.json").read_text().replace('"by_channel"', '"by_something"')
    (old / "summary.json").write_text(summary)
    assert main(["plot", str(old), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "the results have no 'by_channel'" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_giftsim_plot_draws_a_sweep_folder(tmp_path, capsys):
    from tests.test_sweep import tiny_spec

    spec = tiny_spec(grid={"combine": "product", "parameters": {
        "platform.creator_share": [0.2, 0.5], "regions.ID.price_multiplier": [0.8, 1.2]}})
    folder = tmp_path / "sweep"
    sim.sweep(spec, out=folder, workers=1)
    assert main(["plot", str(folder), "--format", "png", "svg"]) == 0
    names = {p.name for p in (folder / "figures").iterdir()}
    # 4 metrics against each of 2 parameters, and 4 heatmaps, each as means and as changes from the first
    # point (the seeds are common), in 2 formats
    assert len(names) == (4 * 2 + 4) * 2 * 2
    assert "creator_income_usd_change_by_platform__creator_share.png" in names
    assert "creator_income_usd_change_heatmap.svg" in names
    drawn = (folder / "figures" / "creator_income_usd_heatmap.svg").read_text()
    assert "Creator share of coin value (0-1)" in drawn and "Price multiplier, ID" in drawn  # the schema's labels
    assert "regions.ID" not in drawn and "platform__creator_share" not in drawn
    assert "creator_income_usd_by_platform__creator_share.svg" in names
    assert "platform_revenue_usd_heatmap.png" in names
    assert "files written" in capsys.readouterr().out
    meta = json.loads((folder / "meta.json").read_text())
    recorded = embedded_provenance(folder / "figures" / "platform_revenue_usd_heatmap.svg")
    assert recorded["sweep_name"] == meta["sweep_name"] and recorded["spec_sha256"] == meta["spec_sha256"]
    assert not (folder / "figures" / "provenance.json").exists()  # inside the folder, meta.json says it


def test_a_long_lorenz_curve_is_drawn_thinned_with_its_ends_and_gini():
    spend = np.random.default_rng(0).pareto(1.2, 50_000)
    fig = figures.lorenz_figure(pd.DataFrame({"income_usd": spend}))
    curve = fig.axes[0].lines[0]
    x, y = curve.get_xdata(), curve.get_ydata()
    assert len(x) <= figure_run.LORENZ_POINTS
    assert (x[0], y[0], x[-1], y[-1]) == pytest.approx((0.0, 0.0, 1.0, 1.0))
    full_x, full_y = lorenz_curve(spend)
    assert np.interp(x, full_x, full_y) == pytest.approx(y)  # points of the full curve
    assert f"Gini {gini(spend):.2f}" in curve.get_label()
