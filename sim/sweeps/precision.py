"""Precision on demand: add a sweep's replicates in batches until every comparison is as narrow as asked.

A spec may ask ``replicates: {until: {metric: creator_income_usd, relative_half_width: 0.02}, max: 64}``.
The sweep then runs ``batch`` replicates of every point, and after each batch measures, for every point
but the baseline (the first point), the 95% t half-width of the paired change in ``metric`` from the
baseline (replicate r against replicate r, on common seeds), relative to the baseline's mean. It stops
when every point's is at most ``relative_half_width``, or when ``max`` replicates have run, and says
which. A sweep of one point asks the same of that point's mean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.sweeps.compare import mean_half_width


class Precision(BaseModel):
    """The precision a sweep's replicates are added until: a metric and the half-width asked of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = Field(description="The runs table's column (a summary key, e.g. creator_income_usd).")
    relative_half_width: float = Field(
        gt=0.0, lt=1.0, description="The largest 95% half-width of each point's paired change from the "
        "baseline point, over the baseline's mean (0.02: +/- 2% of the baseline).",
    )
    batch: int = Field(4, ge=2, le=1000, description="Replicates added at a time (the first batch included).")


@dataclass(frozen=True)
class PrecisionCheck:
    """Where a sweep stands against its precision after some replicates."""

    replicates: int  # replicates run at every point
    worst: float  # the largest relative half-width over the points compared (NaN with fewer than 2)
    target: float

    @property
    def is_met(self) -> bool:
        """Whether every comparison is as narrow as asked."""
        return self.worst <= self.target

    def describe(self, metric: str, cap: int) -> str:
        """One line for the sweep's closing summary."""
        widest = f"+/-{self.worst:.2%}" if math.isfinite(self.worst) else "not yet measurable"
        if self.is_met:
            return (f"precision reached after {self.replicates} replicates: every paired change in {metric} "
                    f"is within {widest} (asked +/-{self.target:.2%}) of the baseline, at 95%")
        return (f"precision NOT reached: the cap of {cap} replicates ran and the widest paired change in {metric} "
                f"is {widest} of the baseline (asked +/-{self.target:.2%}); raise max or accept the wider interval")


def check_precision(rows: Iterable[Mapping[str, Any]], precision: Precision) -> PrecisionCheck:
    """Measure a sweep's precision from its finished runs' rows (``point``, ``replicate`` and the metric).

    Point 0 is the baseline; each other point is compared with it replicate by replicate. With one
    point, the half-width is that of the point's own mean.
    """
    values: dict[int, dict[int, float]] = {}
    for row in rows:
        value = row.get(precision.metric)
        if value is None:
            raise KeyError(f"until.metric: {precision.metric!r} is not a column of the runs table")
        values.setdefault(int(row["point"]), {})[int(row["replicate"])] = float(value)
    base = values.get(0, {})
    replicates = min((len(v) for v in values.values()), default=0)
    scale = abs(float(np.mean(list(base.values())))) if base else math.nan
    widths = []
    for point, by_replicate in values.items():
        if point == 0 and len(values) > 1:
            continue
        if len(values) == 1:
            series = np.array(list(by_replicate.values()))
        else:
            both = sorted(set(by_replicate) & set(base))
            series = np.array([by_replicate[r] - base[r] for r in both])
        half = mean_half_width(float(series.std(ddof=1)), series.size) if series.size > 1 else math.nan
        widths.append(half / scale if scale else math.inf)
    worst = max(widths) if widths and not any(math.isnan(w) for w in widths) else math.nan
    return PrecisionCheck(replicates=replicates, worst=worst, target=precision.relative_half_width)
