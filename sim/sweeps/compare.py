"""Comparing sweep points: each point's change from a baseline point, with a confidence interval.

A product team asks "does this option raise creator income, and by how much?". Means per point
answer it badly: replicates of a gifting economy differ a lot (a few whales carry much of the
spend), so the bands of two points overlap even when one is better in every replicate. A sweep's
default seeds are common random numbers (replicate ``r`` has the same seed at every point), so the
question is answered replicate by replicate: the change is the mean of the paired differences
``x[point, r] - x[baseline, r]``, with a t interval over the replicates. Without common seeds the
change is the difference of the means, with Welch's interval. A relative change is read from the
paired values (:func:`paired_values`), a mean and its interval from :func:`mean_interval`.

The module also owns the check that a table of runs is a table of replicates
(:func:`check_replicates`), which the sweep figures use too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

# The columns of a differences table after the parameters, in order.
DIFFERENCE_COLUMNS = ("metric", "n", "baseline", "value", "difference", "low", "high", "level")


def t_quantile(probability: float, dof: float) -> float:
    """The ``probability`` quantile of Student's t distribution with ``dof`` degrees of freedom.

    Raises:
        ValueError: ``probability`` is outside [0.5, 0.999] or ``dof`` is below 1.
    """
    if not 0.5 <= probability <= 0.999 or not dof >= 1:
        raise ValueError(f"need 0.5 <= probability <= 0.999 and dof >= 1, got {probability}, {dof}")
    from scipy.stats import t  # slow to import; only intervals need it

    return float(t.ppf(probability, dof))


def mean_half_width(sd: float, n: int, probability: float = 0.975) -> float:
    """Half the width of the t interval of a mean of ``n`` values with sample standard deviation ``sd``.

    NaN for fewer than two values. ``probability`` is the upper quantile: 0.975 for 95%.
    """
    return t_quantile(probability, n - 1) * sd / math.sqrt(n) if n > 1 else math.nan


def check_replicates(runs: pd.DataFrame, parameters: Iterable[str], metrics: Iterable[str]) -> None:
    """Check that ``runs`` is a table of replicates: one row per point and replicate.

    Args:
        runs: One row per run.
        parameters: The columns that identify a point.
        metrics: The columns that will be read.

    Raises:
        ValueError: A column (of ``parameters``, ``replicate`` or ``metrics``) is missing, or two
            runs at one point share a replicate (a parameter not named varies among them).
    """
    parameters = list(parameters)
    missing = [c for c in [*parameters, "replicate", *metrics] if c not in runs.columns]
    if missing:
        raise ValueError(f"the runs have no column {missing}; columns are {list(runs.columns)}")
    repeated = runs.duplicated([*parameters, "replicate"])
    if repeated.any():
        point = runs.loc[repeated, parameters].iloc[0].to_dict()
        raise ValueError(f"several runs at {point} share a replicate: another parameter varies among them; "
                         "select the rows first, or name that parameter too")


def differences(
    runs: pd.DataFrame, parameters: Iterable[str], baseline: Mapping[str, Any], metrics: Iterable[str],
    *, paired: bool = True, level: float = 0.95,
) -> pd.DataFrame:
    """Each point's change in each metric from the baseline point, with a confidence interval.

    Args:
        runs: One row per run: the ``parameters`` columns (a point is one combination of their
            values), a ``replicate`` column and the ``metrics`` columns.
        parameters: The columns that identify a point.
        baseline: The baseline point: a value for every parameter column. Numbers match within
            floating-point rounding.
        metrics: The columns to compare.
        paired: Compare replicate ``r`` of each point with replicate ``r`` of the baseline (runs on
            common random numbers); replicates missing from either side are left out. Otherwise,
            compare the means, with Welch's interval.
        level: The confidence level of the intervals.

    Returns:
        One row per point and metric, points in order: the parameter columns, then ``metric``,
        ``n`` (pairs, or the point's runs when unpaired), ``baseline`` and ``value`` (the baseline's
        and the point's mean), ``difference`` (value minus baseline) and ``low``, ``high`` (its
        interval; NaN with fewer than two replicates) and ``level``. The baseline's own rows are
        included.

    Raises:
        ValueError: A column is missing, ``baseline`` does not name exactly the parameters or
            matches no run, two runs at one point share a replicate, or ``level`` is not in (0, 1).
    """
    parameters, metrics = list(parameters), list(metrics)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive), got {level}")
    check_replicates(runs, parameters, metrics)
    if set(baseline) != set(parameters):
        raise ValueError(f"the baseline must give a value for exactly the parameters {parameters}; "
                         f"it gives {list(baseline)}")
    at_baseline = _matching(runs, baseline)
    if not at_baseline.any():
        raise ValueError(f"no run is at the baseline {dict(baseline)}; "
                         + "; ".join(f"{c} takes {sorted(runs[c].unique().tolist())}" for c in parameters))
    base = runs.loc[at_baseline].set_index("replicate")[metrics]
    probability = 1 - (1 - level) / 2

    rows = []
    for point, group in runs.groupby(parameters, sort=True):
        group = group.set_index("replicate")[metrics]
        for metric in metrics:
            change = _paired(group[metric], base[metric], probability) if paired else \
                _unpaired(group[metric], base[metric], probability)
            rows.append((*point, metric, *change, level))
    return pd.DataFrame(rows, columns=[*parameters, *DIFFERENCE_COLUMNS])


def paired_values(
    runs: pd.DataFrame, parameters: Iterable[str], baseline: Mapping[str, Any], point: Mapping[str, Any],
    metric: str,
) -> pd.DataFrame:
    """A metric at a baseline point and at another point, replicate by replicate.

    Args:
        runs: One row per run: the ``parameters`` columns, ``replicate`` and ``metric``; replicate
            ``r`` has the same seed at every point (common random numbers).
        parameters: The columns that identify a point.
        baseline: The baseline point: a value for every parameter column (numbers match within rounding).
        point: The point compared with it, in the same form.
        metric: The column compared.

    Returns:
        Columns ``baseline`` and ``point`` (floats), indexed by the replicates both points have, in order.

    Raises:
        ValueError: A column is missing, two runs at one point share a replicate, or a point names
            other columns than the parameters or matches no run.
    """
    parameters = list(parameters)
    check_replicates(runs, parameters, [metric])
    values = {}
    for name, where in (("baseline", baseline), ("point", point)):
        if set(where) != set(parameters):
            raise ValueError(f"the {name} must give a value for exactly the parameters {parameters}; "
                             f"it gives {list(where)}")
        at = _matching(runs, where)
        if not at.any():
            raise ValueError(f"no run is at the {name} {dict(where)}")
        values[name] = runs.loc[at].set_index("replicate")[metric].astype(float)
    return pd.DataFrame(values).dropna().sort_index()


def mean_interval(values: Iterable[float], level: float = 0.95) -> tuple[float, float, float]:
    """The mean of ``values`` and the ends of its t interval at ``level`` (NaN ends with fewer than two)."""
    values = np.asarray(list(values), dtype=float)
    mean = float(values.mean()) if values.size else math.nan
    half = mean_half_width(float(values.std(ddof=1)) if values.size > 1 else math.nan, values.size,
                           1 - (1 - level) / 2)
    return mean, mean - half, mean + half


def _matching(runs: pd.DataFrame, point: Mapping[str, Any]) -> pd.Series:
    """Which runs are at ``point``: numbers within rounding, anything else equal."""
    mask = pd.Series(True, index=runs.index)
    for column, value in point.items():
        values = runs[column]
        if pd.api.types.is_numeric_dtype(values) and isinstance(value, int | float) and not isinstance(value, bool):
            mask &= np.isclose(values.to_numpy(dtype=float), float(value), rtol=1e-9, atol=0.0)
        else:
            mask &= values == value
    return mask


def _paired(point: pd.Series, base: pd.Series, probability: float) -> tuple:
    """n, baseline mean, point mean, mean paired difference and its t interval."""
    both = point.index.intersection(base.index)
    point, base = point.loc[both].astype(float), base.loc[both].astype(float)
    change = point - base
    n = len(both)
    mean = change.mean() if n else math.nan
    half = mean_half_width(change.std(), n, probability)
    return n, base.mean(), point.mean(), mean, mean - half, mean + half


def _unpaired(point: pd.Series, base: pd.Series, probability: float) -> tuple:
    """n, baseline mean, point mean, difference of means and Welch's interval."""
    point, base = point.astype(float), base.astype(float)
    mean = point.mean() - base.mean()
    if len(point) < 2 or len(base) < 2:
        return len(point), base.mean(), point.mean(), mean, math.nan, math.nan
    share_point, share_base = point.var() / len(point), base.var() / len(base)
    se = math.sqrt(share_point + share_base)
    if se == 0.0:
        return len(point), base.mean(), point.mean(), mean, mean, mean
    # Welch-Satterthwaite degrees of freedom
    dof = se**4 / (share_point**2 / (len(point) - 1) + share_base**2 / (len(base) - 1))
    half = t_quantile(probability, max(dof, 1.0)) * se
    return len(point), base.mean(), point.mean(), mean, mean - half, mean + half


def holm_comparison(
    runs: pd.DataFrame, parameters: Iterable[str], baseline: Mapping[str, Any], metrics: Iterable[str],
    level: float = 0.95,
) -> pd.DataFrame:
    """Each point's paired change in several metrics, adjusted for comparing that many (Holm).

    For each point and metric: the paired change from the baseline (as :func:`differences`), the
    change relative to the baseline's mean, a t interval at the Bonferroni level ``1 - (1 - level) / m``
    for m metrics (simultaneous for the point's m changes), the paired t test's p-value adjusted by
    Holm's step-down over the m metrics, and a verdict: ``raised`` or ``lowered`` when the adjusted
    p-value is below ``1 - level``, else ``no clear change``.

    Raises:
        ValueError: As :func:`differences`; or the sweep's seeds are not common (no pairs).
    """
    metrics = list(metrics)
    parameters = list(parameters)
    m = len(metrics)
    alpha = 1 - level
    table = differences(runs, parameters, baseline, metrics, paired=True, level=1 - alpha / m)
    table = table.loc[~_matching(table, baseline)].reset_index(drop=True)
    p_values = np.array([_paired_p_value(row["difference"], row["high"] - row["difference"], int(row["n"]),
                                         1 - alpha / (2 * m)) for _, row in table.iterrows()])
    table["p_holm"] = np.nan
    for _, group in table.groupby(parameters, sort=False):
        index = group.index.to_numpy()
        order = index[np.argsort(p_values[index], kind="stable")]
        adjusted = np.minimum(1.0, np.maximum.accumulate(p_values[order] * (len(order) - np.arange(len(order)))))
        table.loc[order, "p_holm"] = adjusted
    table["relative"] = table["difference"] / table["baseline"].abs()
    table["verdict"] = np.where(table["p_holm"] >= alpha, "no clear change",
                                np.where(table["difference"] > 0, "raised", "lowered"))
    return table


def _paired_p_value(mean: float, half_width: float, n: int, probability: float) -> float:
    """The two-sided p-value of a paired t test, from the mean difference and its interval's half-width at
    ``probability`` (the interval's upper quantile) over ``n`` pairs; 1 with fewer than two pairs."""
    if n < 2:
        return 1.0
    if not half_width > 0:  # every pair differs alike
        return 0.0 if mean != 0 else 1.0
    from scipy.stats import t  # slow to import; only intervals need it

    standard_error = half_width / t_quantile(probability, n - 1)
    return float(2 * t.sf(abs(mean) / standard_error, n - 1))
