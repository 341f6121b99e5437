"""The dashboard's comparison: one setting changed, both arms run on the same seeds, the paired change.

A price change's effect in one run is drowned in the run's own noise, so the comparison runs
:data:`PAIRS` pairs of whole runs: pair ``r`` runs the baseline (the page's settings) and the changed
arm (the same, with one field changed) on one seed, the replicate seeds a sweep with common seeds
would use (:func:`sim.sweeps.spec.run_seed`). The change in each metric is then read replicate by
replicate with :func:`sim.sweeps.compare.holm_comparison`, as ``giftsim compare`` reads a sweep:
intervals at the Bonferroni level over the metrics, p-values Holm-adjusted, and a verdict. Four pairs
give wide intervals; the page says so, and where a firmer answer comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.cli.compare import METRICS
from sim.dashboard.controls import config_value, slider_control
from sim.dashboard.numbers import format_metric, format_relative
from sim.engine.config import Config
from sim.engine.model import GiftEconomy
from sim.figures import metric_label
from sim.sweeps.compare import holm_comparison
from sim.sweeps.spec import run_seed

PAIRS = 4  # a few pairs: enough for an interval, quick at a dashboard's size
LEVEL = 0.95  # over all the metrics together, as giftsim compare's default


@dataclass(frozen=True)
class MetricChange:
    """One metric's paired change from the baseline arm, written as the CLI writes it."""

    name: str
    label: str
    baseline: str  # the baseline arm's mean over the pairs
    changed: str  # the changed arm's mean
    difference: str  # the mean paired difference
    interval: str  # its interval, "[low, high]"
    relative: str  # the difference over the baseline's mean, with the interval likewise: "+4.2% [+1.0%, +7.5%]"
    verdict: str  # raised, lowered or no clear change


@dataclass(frozen=True)
class Comparison:
    """The paired comparison of two arms that differ in one setting."""

    path: str
    label: str  # the changed field's label, as its input shows it
    baseline_value: str  # its value in the baseline arm, as its input shows it
    changed_value: str  # and in the changed arm
    pairs: int
    seeds: tuple[int, ...]
    viewers: int
    hours: int
    level_each: float  # each interval's level: LEVEL over the metrics, Bonferroni
    changes: tuple[MetricChange, ...]

    def describe(self) -> str:
        """What was run, in one paragraph, with what a few pairs can and cannot say."""
        return (f"{self.pairs} pairs of runs, each pair on one seed: the baseline (the model's settings) and the "
                f"same with {self.label} at {self.changed_value} instead of {self.baseline_value}; "
                f"{self.viewers:,} viewers, {self.hours} hours each. Intervals at {self.level_each:.2%} "
                f"(= {LEVEL:.0%} over {len(self.changes)} metrics, Bonferroni), as giftsim compare gives them. "
                f"{self.pairs} pairs make wide intervals: for a firmer answer, run a sweep with more replicates "
                "(giftsim sweep, then giftsim compare).")


def compare(config: Config, seed: int, settings: dict[str, Any], path: str, value: Any, *, pairs: int = PAIRS,
            progress: Callable[[str], None] | None = None) -> Comparison:
    """Run ``pairs`` pairs of whole runs, baseline and ``path`` = ``value``, and compare them pair by pair.

    Args:
        config: The economy.
        seed: The root seed the pairs' seeds are drawn from.
        settings: Config fields by dotted path laid over ``config`` in both arms (the baseline's values).
        path: The field the changed arm changes.
        value: Its value in the changed arm.
        pairs: How many pairs to run; at least 2 for an interval.
        progress: Called with a line saying which run is starting, before each.

    Raises:
        ValueError: ``value`` is the baseline's own, or fewer than 2 pairs.
    """
    baseline_value = settings[path] if path in settings else config_value(config, path)
    if value == baseline_value:
        raise ValueError(f"{path} = {value} is the baseline's own value: change it to compare")
    if pairs < 2:
        raise ValueError(f"an interval needs at least 2 pairs, got {pairs}")
    seeds = tuple(run_seed(seed, 0, replicate, "common") for replicate in range(pairs))
    rows, hours, viewers = [], 0, 0
    for replicate, replicate_seed in enumerate(seeds):
        for arm, arm_value in (("baseline", baseline_value), ("changed", value)):
            if progress:
                progress(f"run {2 * replicate + (arm == 'changed') + 1} of {2 * pairs}: pair {replicate + 1}, {arm}")
            model = GiftEconomy(config, rng=replicate_seed, **{**settings, path: arm_value})
            model.run_model()
            summary = model.summary()
            rows.append({"arm": arm, "replicate": replicate, **{metric: summary[metric] for metric in METRICS}})
            hours, viewers = model.steps, model.config.population.viewers
    table = holm_comparison(pd.DataFrame(rows), ["arm"], {"arm": "baseline"}, METRICS, LEVEL)
    changes = []
    for _, row in table.iterrows():
        name, scale = row["metric"], abs(row["baseline"])
        changes.append(MetricChange(
            name, metric_label(name), format_metric(name, row["baseline"]), format_metric(name, row["value"]),
            _signed(name, row["difference"]), f"[{_signed(name, row['low'])}, {_signed(name, row['high'])}]",
            f"{format_relative(row['relative'])} [{format_relative(row['low'] / scale if scale else float('nan'))}, "
            f"{format_relative(row['high'] / scale if scale else float('nan'))}]", row["verdict"]))
    control = slider_control(config, path)
    return Comparison(path, control.label, control.show(baseline_value), control.show(value), pairs, seeds, viewers,
                      hours, 1 - (1 - LEVEL) / len(METRICS), tuple(changes))


def _signed(name: str, value: float) -> str:
    """A difference as the CLI writes the metric, with its sign."""
    text = format_metric(name, value)
    return text if text.startswith("-") or text == "n/a" else f"+{text}"
