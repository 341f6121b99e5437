"""Brand lift: what each brand's campaign changed, against the same run without it.

A brand's lift compares the run with every brand active against the same config and seed with
that one brand switched off (common random numbers: every mechanism draws from its own stream,
and gifting draws are made for every watcher, so the runs differ only through what the brand
did). It is an ordinary sweep over ``brands.switched_off`` (``[]``, then ``[i]`` for each brand), on
one seed or on several replicates, run on any executor and stored in a sweep folder: one run per
brand plus one, per replicate. Over replicates, the change in viewers' paid spend is reported with a
95% interval, paired by seed: free coins and the gifts sent with them are not paid spend.
:func:`campaign_lift` pools the brands of each campaign type, replicate by replicate.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.config import Config
from sim.engine.metrics import ratio
from sim.io.runner import with_days
from sim.sweeps.compare import mean_half_width
from sim.sweeps.experiment import sweep
from sim.sweeps.results import SweepResults, open_results
from sim.sweeps.store import BASE_CONFIG_FILE

SWITCH = "brands.switched_off"
# What campaign_lift measures in every run: viewers' paid spend, and the coins they gifted that they had bought.
CAMPAIGN_METRICS = ("paid_spend_usd", "paid_coins_gifted")
BRAND_COLUMNS = ["brand_id", "region", "campaign", "spend_usd", "impressions", "cpm_usd"]


def lift_spec(config: Config, seeds: list[int]) -> dict[str, Any]:
    """The sweep of a brand lift: every brand on, then each brand off alone, each on every seed of ``seeds``.

    Its ``base`` is the sweep folder's own ``base_config.yaml``, so the stored ``sweep.yaml``
    reruns (or resumes) from the folder alone.
    """
    return {
        "name": f"brand_lift-{config.name}", "base": BASE_CONFIG_FILE, "seeds": list(seeds),
        "grid": {"parameters": {SWITCH: [[], *([brand] for brand in range(config.population.brands))]}},
        "tables": ["viewers", "brands"],
    }


def brand_lift(
    config: Config, seed: int | None = None, days: int | None = None, *, replicates: int = 1,
    out: str | Path | None = None, workers: int | None = None, scheduler: Any = None,
    dask_local: int | None = None, progress: bool | None = False,
) -> pd.DataFrame:
    """Each brand's impressions, spend, CPM and gifting lift over the run without it.

    Args:
        config: The economy; brands it switches off are switched on for the lift.
        seed: The seed of the first replicate (``seed + r`` for replicate ``r``); ``None`` takes
            ``config.run.seed``.
        days: Overrides ``config.run.days``.
        replicates: Runs of every point, each on its own seed (common random numbers across points).
        out: The sweep folder to keep (it must not exist); by default a temporary one, deleted after.
        workers: Local worker processes (default 1, serially in this process, unless a Dask option is given).
        scheduler: Run on a Dask cluster: its scheduler's address or a ``distributed.Client``.
        dask_local: Run on a Dask LocalCluster of this many workers.
        progress: Show a progress bar, one tick per run: True always (a widget in Jupyter), None on
            a terminal or in a notebook only, False never.

    Returns:
        One row per brand: ``brand_id, region, campaign, spend_usd, impressions, cpm_usd,
        viewer_coins_gifted, viewer_coins_gifted_without, gifting_lift`` (relative change in the
        coins viewers gifted; 0.05 means 5% more with the brand) and ``gifts_lift`` (the same for the
        number of gifts), all from the first replicate; and over every replicate, paired by seed,
        ``paid_spend_change_usd`` (the mean change in viewers' gross spend on coins with the brand) with
        its 95% t interval ``paid_spend_change_low_usd``, ``paid_spend_change_high_usd`` (NaN with one
        replicate) and ``paid_spend_lift`` (the mean change over the mean spend without the brand).

    Raises:
        RuntimeError: A run failed (its error is in the message).
        SweepExistsError: ``out`` exists.
    """
    config = with_days(config, days)
    seed = config.run.seed if seed is None else seed
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    seeds = [seed + replicate for replicate in range(replicates)]
    if workers is None and scheduler is None and dask_local is None:
        workers = 1  # a few runs: starting worker processes would cost more than it saves
    options = {"workers": workers, "scheduler": scheduler, "dask_local": dask_local, "progress": progress}
    if out is not None:
        sweep(lift_spec(config, seeds), out=out, base_config=config, **options)
        return lift_table(open_results(out))
    with tempfile.TemporaryDirectory(prefix="giftsim-brand-lift-") as folder:
        sweep(lift_spec(config, seeds), out=Path(folder) / "sweep", base_config=config, **options)
        return lift_table(open_results(Path(folder) / "sweep"))


def lift_table(results: SweepResults) -> pd.DataFrame:
    """The brand-lift table (see :func:`brand_lift`) from a brand-lift sweep's folder.

    Raises:
        RuntimeError: A run of the sweep did not finish.
    """
    check_finished(results)
    runs = results.runs.sort_values(["point", "replicate"])
    first = runs[runs["replicate"] == runs["replicate"].min()]
    full, *brands_off = first["run_id"]  # points: every brand on, brand 0 off, ...
    table = results.run_table("brands", full)[BRAND_COLUMNS]
    coins_with, gifts_with = viewer_gifting(results, full)
    without = [viewer_gifting(results, run_id) for run_id in brands_off]
    table["viewer_coins_gifted"] = coins_with
    table["viewer_coins_gifted_without"] = [coins for coins, _ in without]
    table["gifting_lift"] = [ratio(coins_with - coins, coins) for coins, _ in without]
    table["gifts_lift"] = [ratio(gifts_with - gifts, gifts) for _, gifts in without]
    spend = runs.pivot(index="replicate", columns="point", values="gross_spend_usd")  # [replicate, point]
    change = spend[[0]].to_numpy() - spend.drop(columns=0).to_numpy()  # [replicate, brand]: on minus off
    half = [mean_half_width(float(c.std(ddof=1)), c.size) if c.size > 1 else math.nan for c in change.T]
    table["paid_spend_change_usd"] = change.mean(axis=0)
    table["paid_spend_change_low_usd"] = change.mean(axis=0) - half
    table["paid_spend_change_high_usd"] = change.mean(axis=0) + half
    table["paid_spend_lift"] = [ratio(c, s) for c, s in zip(change.mean(axis=0), spend.drop(columns=0).mean(),
                                                              strict=True)]
    return table


def check_finished(results: SweepResults) -> None:
    """Raise RuntimeError, naming the first, when a run of a brand-lift sweep did not finish."""
    unfinished = results.manifest[results.manifest["status"] != "ok"]
    if len(unfinished):
        first = unfinished.iloc[0]
        raise RuntimeError(f"{len(unfinished)} brand-lift runs did not finish; run {first['run_id']}: "
                           f"{first['error'] or first['status']}")


def viewer_gifting(results: SweepResults, run_id: str) -> tuple[int, int]:
    """Coins and gifts viewers sent in a run (brands' own gifts excluded)."""
    viewers = results.run_table("viewers", run_id)
    return int(viewers["coins_gifted"].sum()), int(viewers["gifts_sent"].sum())


def campaign_lift(results: SweepResults, level: float = 0.95) -> pd.DataFrame:
    """Each campaign type's relative lift in viewers' paid spend and paid gifting, with an interval over replicates.

    In replicate ``r``, a brand's lift in a metric is ``(x[all on, r] - x[brand off, r]) / x[brand off, r]``;
    a campaign type's lift is the mean lift of its brands in that replicate, and the table gives the mean
    over replicates with its t interval (the replicates share seeds across points: common random numbers).
    The metrics are ``paid_spend_usd`` (what viewers paid for coins, tax included) and
    ``paid_coins_gifted`` (coins viewers gifted, less those brands had dropped free).

    Args:
        results: A brand-lift sweep's folder (:func:`brand_lift` with ``out``), every run finished.
        level: The confidence level of the intervals.

    Returns:
        One row per campaign type present and metric: ``campaign``, ``metric``, ``brands``, ``n``
        (replicates), ``without`` (the metric's mean over replicates and brands with the brand off),
        ``change`` (the mean change with the brand on), ``lift`` (the mean relative lift; 0.05 is 5%
        more with the brand) and its interval ``low``, ``high`` (NaN with one replicate), ``level``.

    Raises:
        RuntimeError: A run of the sweep did not finish.
        ValueError: ``level`` is not in (0, 1).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive), got {level}")
    check_finished(results)
    runs = results.runs.sort_values(["point", "replicate"])
    coins = results.query("SELECT run_id, sum(coins_gifted) AS coins FROM viewers GROUP BY run_id")
    runs = runs.merge(coins, on="run_id", validate="one_to_one")
    runs["paid_spend_usd"] = runs["gross_spend_usd"]
    runs["paid_coins_gifted"] = runs["coins"] - runs["free_coins_gifted"]
    full = runs[runs["point"] == 0]["run_id"].iloc[0]
    campaigns = results.run_table("brands", full)["campaign"].astype(str).to_numpy()  # brand b is point b + 1
    rows = []
    for metric in CAMPAIGN_METRICS:
        x = runs.pivot(index="replicate", columns="point", values=metric).to_numpy(dtype=float)  # [replicate, point]
        on, off = x[:, :1], x[:, 1:]
        relative = (on - off) / np.where(off == 0, np.nan, off)  # [replicate, brand]
        for campaign in dict.fromkeys(campaigns):  # in brand order
            mine = campaigns == campaign
            per_replicate = relative[:, mine].mean(axis=1)
            n = per_replicate.size
            mean = float(per_replicate.mean())
            half = mean_half_width(float(per_replicate.std(ddof=1)), n, 1 - (1 - level) / 2) if n > 1 else math.nan
            rows.append((campaign, metric, int(mine.sum()), n, float(off[:, mine].mean()),
                         float((on - off)[:, mine].mean()), mean, mean - half, mean + half, level))
    return pd.DataFrame(rows, columns=["campaign", "metric", "brands", "n", "without", "change", "lift", "low",
                                       "high", "level"])
