"""One dashboard's run: its model, the hours it may still run, and what the page shows of it.

:class:`Session` owns the model a page steps. It never runs past the run's end: a step of more hours
than are left runs only those left, and :attr:`Session.is_finished` says when the last has run. The
page renders from a :class:`View`, a snapshot taken after each step (numbers already written, plots
already drawn as SVG), so drawing happens in the worker that stepped the model and the page never
reads a model that is being stepped. Nothing here needs Solara.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.dashboard.numbers import FORMATS, format_metric
from sim.dashboard.plots import draw_plots
from sim.engine.config import Config
from sim.engine.model import GiftEconomy
from sim.figures import metric_label

HEADLINES = tuple(FORMATS)  # the metrics giftsim run's closing summary prints, in its order


@dataclass(frozen=True)
class View:
    """What the page shows of a run at one moment."""

    hour: int  # hours run
    total_hours: int  # hours the run lasts (its burn-in's included)
    clock: str  # "Hour 24 of 168: day 1, 23:00 UTC"
    headlines: tuple[tuple[str, str, str], ...]  # (summary key, label with unit, value as the CLI writes it)
    plots: dict[str, str | None] = field(default_factory=dict)  # inline SVG by plot name; None: nothing yet

    @property
    def is_finished(self) -> bool:
        """Whether the run's last hour has run."""
        return self.hour >= self.total_hours


class Session:
    """A dashboard's model, built from a config, a seed and the page's settings.

    Args:
        config: The economy.
        seed: The run's seed.
        settings: Config fields by dotted path laid over ``config`` (the page's inputs).
    """

    def __init__(self, config: Config, seed: int, settings: dict[str, Any] | None = None):
        self.config, self.seed = config, seed
        self.settings = dict(settings or {})
        self.model = GiftEconomy(config, rng=seed, **self.settings)

    @property
    def total_hours(self) -> int:
        """Hours the run lasts: its burn-in's and its measured days'."""
        return self.model.config.total_hours

    @property
    def hours_left(self) -> int:
        """Hours still to run."""
        return max(0, self.total_hours - self.model.steps)

    @property
    def is_finished(self) -> bool:
        """Whether the run's last hour has run."""
        return self.hours_left == 0

    def advance(self, hours: int) -> int:
        """Run ``hours`` hours, or those left if fewer; return how many ran."""
        hours = min(hours, self.hours_left)
        for _ in range(hours):
            self.model.step()
        return hours

    def view(self, *, draw: bool = True) -> View:
        """The run as it stands: the clock, the headline metrics so far and, with ``draw``, the plots."""
        model = self.model
        clock = f"Hour {model.steps} of {self.total_hours}"
        if model.steps and model.steps <= model.burn_in_hours:
            clock += " (burn-in: not yet measured)"
        elif model.steps:
            row = model.last_hour
            clock += f": day {row['day']}, {row['hour_utc']:02d}:00 UTC"
        summary = model.summary()
        headlines = tuple((key, metric_label(key), format_metric(key, summary[key])) for key in HEADLINES)
        return View(model.steps, self.total_hours, clock, headlines, draw_plots(model) if draw else {})
