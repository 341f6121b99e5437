"""Running one economy from start to end and collecting everything it produced."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.engine import report
from sim.engine.config import Config
from sim.engine.config_io import config_from_dict
from sim.engine.model import HOURS_PER_DAY, GiftEconomy
from sim.io.progress import progress_bar


class BooksDoNotBalanceError(RuntimeError):
    """A run ended with a broken invariant; its results must not be used."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"the run's books do not balance at its end: {problems[0]}{more}")


@dataclass
class RunResult:
    """Everything one run produced, as pandas objects (see ``docs/results.md``).

    ``recorded`` holds what ``run.record`` asked for, by table name (``gift_events``,
    ``purchase_events``, ``creator_history``, ``viewer_history``); it is empty by default.
    ``wall_time_s`` is the seconds :func:`run` took to build, run and collect the model (None for a
    result made otherwise); :func:`sim.io.folder.write_results` records it in ``meta.json``.
    """

    config: Config
    seed: int
    timeseries: pd.DataFrame
    viewers: pd.DataFrame
    creators: pd.DataFrame
    brands: pd.DataFrame
    ledger: pd.DataFrame
    summary: dict[str, Any]
    model: GiftEconomy | None = field(default=None, repr=False)
    recorded: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    wall_time_s: float | None = None


def with_days(config: Config, days: int | None) -> Config:
    """The config with ``run.days`` replaced (validated), or unchanged when ``days`` is None."""
    return _with_run_field(config, "days", days)


def with_burn_in(config: Config, burn_in_days: int | None) -> Config:
    """The config with ``run.burn_in_days`` replaced (validated), or unchanged when ``burn_in_days`` is None."""
    return _with_run_field(config, "burn_in_days", burn_in_days)


def with_seed(config: Config, seed: int | None) -> Config:
    """The config with ``run.seed`` replaced (validated), or unchanged when ``seed`` is None."""
    return _with_run_field(config, "seed", seed)


def with_events(config: Config, events: bool | None) -> Config:
    """The config with ``run.record.events`` replaced, or unchanged when ``events`` is None."""
    if events is None or config.run.record.events == events:
        return config
    return config.model_copy(update={"run": config.run.model_copy(update={
        "record": config.run.record.model_copy(update={"events": bool(events)})})})


def _with_run_field(config: Config, name: str, value: int | None) -> Config:
    if value is None or getattr(config.run, name) == value:
        return config
    raw = config.model_dump(mode="json")
    raw["run"][name] = value
    return config_from_dict(raw, source=f"--{name.replace('_', '-')}")


def run(
    config: Config, seed: int | None = None, days: int | None = None, progress: bool | None = False,
    keep_model: bool = False, events: bool | None = None, burn_in_days: int | None = None,
    kernel_threads: int | None = None,
) -> RunResult:
    """Build a :class:`GiftEconomy`, run it for its days, and collect its outputs.

    Args:
        config: A validated config.
        seed: The run's seed; ``None`` takes ``config.run.seed``.
        days: Overrides ``config.run.days``.
        progress: Show a progress bar, one tick per simulated day: True always (a widget in
            Jupyter), None on a terminal or in a notebook only, False never.
        keep_model: Keep the model in the result, for inspecting agents afterwards.
        events: Record every gift and purchase (``run.record.events``); ``None`` keeps the config's
            setting. Recording changes no result.
        burn_in_days: Overrides ``config.run.burn_in_days``: days simulated first and left out of every
            output (whole weeks).
        kernel_threads: Threads the heaviest kernels use (:class:`GiftEconomy`); None: two on two cores or
            more. The results never depend on it.

    Returns:
        The run's time series, per-agent tables, daily ledger and summary, of the measured days, with the
        resolved config: ``run.days``, ``run.burn_in_days`` and ``run.seed`` as run, so that running it
        again gives the same results; and the seconds it took.

    Raises:
        BooksDoNotBalanceError: An invariant (:mod:`sim.engine.invariants`) is broken at the end,
            e.g. an amount that overflowed; the first broken identity is named.
    """
    started = time.perf_counter()
    config = with_events(with_burn_in(with_seed(with_days(config, days), seed), burn_in_days), events)
    model = GiftEconomy(config, rng=config.run.seed,  # with_seed set it; rng=None would draw a fresh seed
                        kernel_threads=kernel_threads)
    with progress_bar(progress, total=config.total_days, desc=f"{config.name} seed {model.seed}", unit="day",
                      leave=False) as bar:
        for _ in range(config.total_days):
            model.run_for(HOURS_PER_DAY)
            bar.update()
    problems = model.invariant_violations()
    if problems:
        raise BooksDoNotBalanceError(problems)
    outputs = {"timeseries": model.timeseries(), "creators": model.creators_table(), "brands": model.brands_table(),
               "ledger": model.ledger_table(), "summary": model.summary(), "recorded": model.recorded_tables()}
    # Last: a model not kept lets go of its viewers' arrays as their table is made, so that the
    # table takes their place in memory instead of adding to it.
    viewers = report.viewers_table(model, release_state=not keep_model)
    return RunResult(
        config=config, seed=model.seed, viewers=viewers, model=model if keep_model else None,
        wall_time_s=round(time.perf_counter() - started, 3), **outputs,
    )
