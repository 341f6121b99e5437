"""The gift economy as a Mesa model: the clock, the hour's phases in their declared order, and the books.

One step is one simulated hour (UTC). A run simulates ``run.burn_in_days`` days (whole weeks), then
``run.days`` measured days, which start at midnight UTC on a Monday; everything the model reports covers
the measured days only (:mod:`~sim.engine.measure`), numbered from hour 1 and day 1. The model knows no
mechanism by name: it runs the phases of ``sim.engine.mechanisms.HOUR`` whose mechanism is enabled,
composes the registered mechanisms' modifiers, and schedules their events (paydays, cash-outs,
effort and brands' daily allowances, all daily) as Mesa events at the end of their days.
The hourly row of the time series is recorded by a low-priority event after all of them.

Randomness: one seed per run. Every draw is keyed by (seed, decision, agent, hour, index)
(:mod:`~sim.engine.randomness`): an agent's numbers do not depend on how many others draw or in what
order, so two runs on one seed stay paired agent by agent, whatever a change does elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd

from sim.engine import recorder, report, threads, wallet
from sim.engine.agents import Brand, Creator, Viewer
from sim.engine.collector import VIEWER_SAMPLE, AgentRows, HourlyOutputs
from sim.engine.config import Config
from sim.engine.config_io import resolve_config
from sim.engine.invariants import invariant_violations
from sim.engine.ledger import Ledger
from sim.engine.measure import Baseline
from sim.engine.mechanism import Flows, Hour, Modifier, ModifierTarget, Phase, is_enabled
from sim.engine.mechanisms import HOUR, MECHANISMS, add_state
from sim.engine.mechanisms.gifting import Catalog
from sim.engine.mesa_import import Priority, Scenario, Schedule, mesa
from sim.engine.pricing import PriceTable
from sim.engine.randomness import KeyedDraws
from sim.engine.resources import check_memory
from sim.engine.state import INDEX_FIELDS, NOBODY, draw_brands, draw_creators, draw_viewers

HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
SATURDAY = 5  # day of the week, Monday = 0
HOURS_PER_WEEK = HOURS_PER_DAY * DAYS_PER_WEEK
# The model's own running totals, counted from the end of the burn-in in what it reports.
RUNNING_COUNTERS = ("gift_counts", "bundle_sales")
MAX_SEED = 2**63 - 1  # as run.seed in a config


def fresh_seed() -> int:
    """A new seed from the operating system's entropy, in ``run.seed``'s range (63 bits)."""
    return int(np.random.SeedSequence().entropy) % (MAX_SEED + 1)


class GiftEconomy(mesa.Model):
    """A creator-gifting economy: viewers, creators and brands around one platform.

    It follows Mesa's conventions: ``model.datacollector`` is a :class:`mesa.DataCollector` of the
    run's ``seed`` and the declared hourly outputs, ``running`` turns False once ``config.total_hours``
    hours (the burn-in's and the measured ones) have run (so ``run_model()`` and ``mesa.batch_run``
    stop there), and any config field can be given as a keyword argument by its dotted path, which is
    what batch_run's parameter grids and SolaraViz's sliders pass.

    Seeds: as in Mesa, ``rng=None`` draws a fresh seed from the operating system, so that batch_run's
    ``iterations`` are distinct replicates; the seed is recorded as ``model.seed``, in the config
    (``model.config.run.seed``, whatever seed the run was given) and in the datacollector's ``seed``
    column, and that seed alone reproduces the run. ``sim.run`` and ``giftsim run`` take the
    config's ``run.seed`` instead, as does a ``"run.seed"`` setting here.

    Agent reporters are opt-in: with ``collect_agents=True`` the datacollector takes, at the end of
    every measured hour, one row for every creator who has joined and for ``viewer_sample`` viewers
    (spread evenly over the audience's rows, the same on every seed), which
    ``model.datacollector.get_agent_vars_dataframe()`` returns indexed by (Step, AgentID), with the
    columns ``agent_type``, the creators' ``Creator.reported`` and the viewers' ``Viewer.reported``
    (None in the other kind's). Without it, runs pay nothing for agents.

    Args:
        config: A validated config (see :func:`sim.load_config`), a YAML file's path, or the name
            of a preset in ``configs/`` (``"tiktok"``).
        rng: The run's seed, from 0 to 2**63 - 1; ``None`` draws a fresh one (or takes a ``"run.seed"`` setting).
        scenario: A Mesa scenario: its parameters are settings, and its ``rng`` the seed unless ``rng`` is given.
        collect_agents: Whether the datacollector collects agent rows each measured hour.
        viewer_sample: How many viewers' rows it collects each hour when it does; None: every viewer.
        kernel_threads: 1, or 2 for the heaviest kernels to split a large economy's rows over two threads
            (:mod:`sim.engine.threads`; more counts as 2); None: 2 on a machine with two cores or more, else 1.
            The results never depend on it.
        **settings: Config fields by dotted path, laid over ``config``
            (``**{"platform.creator_share": 0.5}``); values are used as given.

    Raises:
        ConfigError: The file or preset does not exist, or the settings make an invalid config.
        ValueError: The seed is out of range or differs from a ``"run.seed"`` setting, ``viewer_sample`` is
            negative, or ``kernel_threads`` is below 1.
        InsufficientMemoryError: The populations need more memory than the machine has available.

    Example:
        >>> model = GiftEconomy(load_config("configs/default.yaml"), rng=1)
        >>> model.run_for(24)
        >>> model.summary()["gross_spend_usd"]
        >>> GiftEconomy("tiktok", rng=1, **{"platform.creator_share": 0.5, "run.days": 1}).run_model()
        >>> model = GiftEconomy("default", collect_agents=True, viewer_sample=100, **{"run.days": 1})
        >>> model.run_model()  # on a fresh seed: model.seed
        >>> model.datacollector.get_agent_vars_dataframe()
    """

    def __init__(self, config: Config | str | Path = "default", rng: int | None = None,
                 scenario: Scenario | None = None, *, collect_agents: bool = False,
                 viewer_sample: int | None = VIEWER_SAMPLE, kernel_threads: int | None = None, **settings: Any):
        if scenario is not None:  # Mesa's SolaraViz passes one on Reset: its parameters are settings
            parameters = {k: v for k, v in scenario.to_dict().items() if k not in ("rng", "model", "_scenario_id")}
            settings, rng = {**parameters, **settings}, scenario.rng if rng is None else rng
        config = resolve_config(config, settings)
        config = _with_seed(config, _seed_of(rng, config, "run.seed" in settings))
        seed = config.run.seed
        check_memory(config)
        super().__init__(rng=seed)
        self.config = config
        self.seed = seed
        if kernel_threads is not None and kernel_threads < 1:
            raise ValueError(f"kernel_threads must be 1 or more (2 splits the heaviest kernels), got {kernel_threads}")
        self.kernel_threads = threads.default_count() if kernel_threads is None else kernel_threads
        self.draws = KeyedDraws(seed)
        self.region_codes = tuple(config.regions)
        self.utc_offsets = np.array([r.utc_offset_hours for r in config.regions.values()])
        self._week_clock = _week_clock(self.utc_offsets)
        self.prices = PriceTable.from_config(config)
        self.payout = wallet.Payout.from_config(config)  # gifts' diamonds, by the coins' region
        self.catalog = Catalog.build([g.coins for g in config.gifts], config.viewers.gift_size_exponent)
        self.ledger = Ledger()
        self.burn_in_hours = config.burn_in_hours
        self.baseline: Baseline | None = None  # the running totals at the end of the burn-in, once it is over
        self._is_measuring = self.burn_in_hours == 0
        self.gift_counts = np.zeros(len(config.gifts), dtype=np.int64)  # by catalog.coins position
        self.bundle_sales = np.zeros_like(self.prices.coins)  # bundles sold [region, channel, bundle]

        self.viewer_state = draw_viewers(config, seed)
        self.creator_state = draw_creators(config, seed)
        self.brand_state = draw_brands(config, seed)
        self.brand_state.is_active[list(config.brands.switched_off)] = False
        self._add_mechanism_state()
        self.mechanism_memory: dict[str, dict] = {}  # what mechanisms keep between hours, by name (Hour.memory)
        self.n_audience = config.population.viewers  # rows past it are creators watching peers
        # The Mesa agents are views that the mechanisms never use: they are made on first access
        # (see _register_views), which saves about 4 us per viewer of the build.
        self._creators: list[Creator] | None = None
        self._registering = False

        self.event_log, self.history = recorder.for_model(self)  # None, None unless run.record asks
        self._compose_mechanisms()
        self._rows: list[dict[str, int]] = []  # the measured hours'
        self._last_row: dict[str, int] | None = None
        self._collector, self._collected = HourlyOutputs(self.outputs, collect_agents), 0
        self.agent_rows = AgentRows(viewer_sample) if collect_agents else None  # taken each measured hour
        self._ledger_days: list[dict[str, int]] = []
        self.scheduled_events = [
            _EventRun(self, event.phase, HOURS_PER_DAY * event.every_days(config))
            for mechanism in MECHANISMS for event in mechanism.events if is_enabled(config, event.phase.section)
        ]
        for event in self.scheduled_events:  # Mesa holds callbacks weakly: the model keeps them
            self.schedule_recurring(event, Schedule(interval=event.every_hours, start=event.every_hours))
        self.schedule_recurring(self._close_day, Schedule(interval=HOURS_PER_DAY, start=HOURS_PER_DAY))
        self.schedule_recurring(self._record_hour, Schedule(interval=1, start=1), priority=Priority.LOW)

    def _add_mechanism_state(self) -> None:
        """Add the arrays of state the registered mechanisms declare to their populations."""
        add_state({"viewers": self.viewer_state, "creators": self.creator_state, "brands": self.brand_state})
        self.index_fields = INDEX_FIELDS | {f.name for m in MECHANISMS for f in m.state if f.is_creator_index}

    def _compose_mechanisms(self) -> None:
        """Take the enabled mechanisms' outputs, phases and modifiers, and run their setup phases."""
        config = self.config
        self.outputs = tuple(output for mechanism in MECHANISMS for output in mechanism.outputs)
        self.flows = Flows(self.outputs)
        # the hour's phases, fixed for the run: which stocks are measured every hour is decided from them
        self.phases = tuple(phase for phase in HOUR if is_enabled(config, phase.section))
        hourly_writes = {name for phase in self.phases for name in phase.writes}
        measured = [o for o in self.outputs if o.measure is not None]  # stocks: Output allows no other
        self._measured_hourly = tuple(o for o in measured if not o.reads or hourly_writes & set(o.reads))
        # the stocks only scheduled events change: measured after an hour in which one ran (and the first)
        self._measured_after_events = tuple(o for o in measured if o not in self._measured_hourly)
        self._stocks_after_events: dict[str, int] = {}
        self._event_ran_this_hour = True
        self.modifiers: dict[str, list[Modifier]] = {target: [] for target in get_args(ModifierTarget)}
        for mechanism in MECHANISMS:
            for modifier in mechanism.modifiers:
                if is_enabled(config, modifier.section):
                    self.modifiers[modifier.target].append(modifier)
        if len(self.modifiers["combo"]) > 1:
            raise ValueError(f"only one combo modifier may be enabled, got {[m.name for m in self.modifiers['combo']]}")
        for mechanism in MECHANISMS:
            if mechanism.setup is not None and is_enabled(config, mechanism.setup.section):
                mechanism.setup.run(self._hour())

    # --- the hourly step -------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one hour: every enabled phase, in the declared order."""
        hour = self._hour()
        for phase in self.phases:
            phase.run(hour)

    def _hour(self) -> Hour:
        local_hour, is_weekend = self._week_clock
        hour_of_week = (self.steps - 1) % HOURS_PER_WEEK  # the clock repeats every week
        return Hour(
            model=self, step=self.steps, local_hour=local_hour[hour_of_week], is_weekend=is_weekend[hour_of_week],
            config=self.config,
            viewers=self.viewer_state, creators=self.creator_state, brands=self.brand_state, flows=self.flows,
            draws=self.draws, modifiers=self.modifiers, events=self.event_log if self._is_measuring else None,
            is_measuring=self._is_measuring,
        )

    # --- scheduled bookkeeping -------------------------------------------------------------
    def _close_day(self) -> None:
        self._ledger_days.append({"day": len(self._ledger_days) + 1, **self.ledger.as_dict()})

    def _record_hour(self) -> None:
        step = self.steps - self.burn_in_hours  # the measured window's hour, from 1 (0 and below: the burn-in)
        row = {"step": step, "day": (step - 1) // HOURS_PER_DAY + 1, "hour_utc": (step - 1) % HOURS_PER_DAY}
        for output in self._measured_hourly:
            self.flows.set(output.name, output.measure(self))
        if self._event_ran_this_hour:
            self._stocks_after_events = {o.name: int(o.measure(self)) for o in self._measured_after_events}
            self._event_ran_this_hour = False
        row.update(self.flows.take())
        row.update(self._stocks_after_events)
        self._last_row = row
        if self._is_measuring:
            self._rows.append(row)
            if self.agent_rows is not None:
                self.agent_rows.take(self, step)
            if self.history is not None:
                self.history.record(step, self.creator_state, self.viewer_state)
        elif step == 0:
            self._start_measuring()
        if self.steps >= self.config.total_hours:
            self.running = False

    def _start_measuring(self) -> None:
        """End the burn-in: take the running totals as they are, from which every output counts."""
        self.baseline = Baseline.take(self, RUNNING_COUNTERS)
        self._is_measuring = True
        if self.history is not None:
            self.history.start(self.creator_state, self.viewer_state)

    # --- the agents, made when first asked for --------------------------------------------
    def _register_views(self) -> None:
        """Register the Viewer, Creator and Brand views with Mesa, once, in the order of an eager build.

        Creators first, then the audience's viewers, then brands, each in row order: the unique ids
        and the AgentSets' order are those the views would have had if made during ``__init__``.
        Everything that can reach an agent (``agents``, ``agents_by_type``, ``agent_types``, ``creator``,
        registering any other agent) comes here first, through Mesa's public API:
        each view registers itself as any Mesa agent does.

        Only creators who have joined are agents (the rows set aside for creators still to join are
        not); those who join later are registered the next time agents are asked for, after every
        agent already there, so they take the next ids, as a Mesa agent made during the run would.
        """
        if self._registering:  # a view registering itself comes back here
            return
        self._registering = True
        try:
            is_first = self._creators is None
            self._creators = self._creators or []
            joined = int(self.creator_state.has_joined.sum())  # the joined rows are the first ones
            for i in range(len(self._creators), joined):
                self._creators.append(Creator(self, i))
            if is_first:
                for i in range(self.n_audience):
                    Viewer(self, i)
                for i in range(self.brand_state.size):
                    Brand(self, i)
        finally:
            self._registering = False

    @mesa.Model.agents.getter
    def agents(self) -> Any:
        """Mesa's AgentSet of every agent: the creators, the audience's viewers and the brands, in that order."""
        self._register_views()
        return mesa.Model.agents.fget(self)

    @property
    def agents_by_type(self) -> dict[type, Any]:
        """Mesa's AgentSets by agent class: ``model.agents_by_type[Viewer]`` holds the audience in row order."""
        self._register_views()
        return mesa.Model.agents_by_type.fget(self)

    @property
    def agent_types(self) -> list[type]:
        """The agent classes in the model, in the order their first agent registered."""
        self._register_views()
        return mesa.Model.agent_types.fget(self)

    def register_agent(self, agent: mesa.Agent) -> None:
        """Register an agent with Mesa; the model's own views come first, so their ids never change."""
        self._register_views()
        super().register_agent(agent)

    def remove_all_agents(self) -> None:
        """Mesa's removal of every agent, which the views refuse: their ``remove`` raises TypeError."""
        self._register_views()
        super().remove_all_agents()

    # --- reading the model -----------------------------------------------------------------
    @property
    def datacollector(self) -> HourlyOutputs:
        """Mesa's DataCollector of the declared hourly outputs, one row per measured hour run so far.

        Collected from the recorded hours when it is read rather than every hour, so that a run that
        never reads it pays nothing for it (collecting every hour cost about 10% of a small run).
        With ``collect_agents``, its agent rows are those taken at each measured hour's end.
        """
        for row in self._rows[self._collected:]:
            hour = _RecordedHour(row, self.seed)
            if self.agent_rows is not None:
                hour.agents = self.agent_rows.pop(row["step"], hour)
            self._collector.collect(hour)
        self._collected = len(self._rows)
        return self._collector

    @property
    def last_hour(self) -> dict[str, int]:
        """The row recorded for the last hour: the clock and every output (money in micro-USD).

        In the burn-in, its ``step`` and ``day`` are 0 or below (the measured window's hour 1 is the first after it).
        """
        if self._last_row is None:
            raise IndexError("no hour has run yet")
        return self._last_row

    def creator(self, index: int) -> Creator | None:
        """The Creator agent at population ``index``, or None for no creator."""
        if index == NOBODY:
            return None
        self._register_views()
        return self._creators[index]

    def timeseries(self) -> pd.DataFrame:
        """One row per measured hour: flows ``new_*``, stocks ``n_*`` and cumulative ``cum_*``, from step 1."""
        return report.timeseries(self._rows, self.outputs)

    def viewers_table(self) -> pd.DataFrame:
        """One row per viewer with its region, channel, spending, gifting and watching."""
        return report.viewers_table(self)

    def creators_table(self) -> pd.DataFrame:
        """One row per creator with its audience, streaming, income and payouts."""
        return report.creators_table(self)

    def brands_table(self) -> pd.DataFrame:
        """One row per brand with its spend, sponsored hours, impressions and CPM."""
        return report.brands_table(self)

    def ledger_table(self) -> pd.DataFrame:
        """Every account's balance at the end of each measured day (micro-USD), flows counted from its start."""
        return report.ledger_table(self._ledger_days, self.config.run.burn_in_days, self.baseline)

    def recorded_tables(self) -> dict[str, pd.DataFrame]:
        """What ``run.record`` asked for: the gift and purchase events, the creators' and viewers' histories.

        Only the tables recorded are present (none when nothing is); columns in ``docs/results.md``.
        """
        tables = {} if self.event_log is None else self.event_log.tables()
        return tables | ({} if self.history is None else self.history.tables())

    def summary(self) -> dict:
        """Scalar outcomes of the measured days so far, with money by region and by channel."""
        return report.summary(self)

    def invariant_violations(self) -> list[str]:
        """Everything wrong with the books now: an empty list when money, coins and diamonds balance.

        Checked on the whole run's totals, burn-in included (the outputs' rebasing does not touch them).
        """
        return invariant_violations(self.viewer_state, self.creator_state, self.brand_state, self.ledger,
                                    self.config.platform.micro_usd_per_diamond, self.index_fields)


class _EventRun:
    """A mechanism's scheduled phase, bound to its model: the callback of a recurring Mesa event."""

    def __init__(self, model: GiftEconomy, phase: Phase, every_hours: int):
        self.model, self.phase, self.every_hours = model, phase, every_hours

    def __call__(self) -> None:
        self.phase.run(self.model._hour())
        self.model._event_ran_this_hour = True  # the stocks measured after events are measured again this hour


class _RecordedHour:
    """One recorded hour as the collector's reporters read it: as the model right after that hour."""

    def __init__(self, row: dict[str, int], seed: int):
        self.last_hour, self.time, self.seed = row, row["step"], seed
        self.agents: list = []  # the agent rows taken at that hour's end, when the model collects agents


def _week_clock(utc_offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``[hour of the week, region]``: each region's local hour of the day and whether it is a local Saturday or
    Sunday, the hours counted from the first hour (a Monday at midnight UTC); read-only, as every hour shares them."""
    utc_hours = np.arange(HOURS_PER_WEEK)[:, None] + utc_offsets  # hours since the start, on each region's clock
    local_hour, is_weekend = utc_hours % HOURS_PER_DAY, (utc_hours // HOURS_PER_DAY) % DAYS_PER_WEEK >= SATURDAY
    local_hour.setflags(write=False)
    is_weekend.setflags(write=False)
    return local_hour, is_weekend


def _seed_of(rng: int | None, config: Config, is_seed_set: bool) -> int:
    """The run's seed: ``rng``; else the config's, if a setting named it; else a fresh one."""
    if rng is None:
        return config.run.seed if is_seed_set else fresh_seed()
    seed = int(rng)
    if is_seed_set and seed != config.run.seed:
        raise ValueError(f"rng={seed} and the setting run.seed={config.run.seed} differ; give the seed once")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an integer from 0 to 2**63 - 1 (run.seed's range), got {seed}")
    return seed


def _with_seed(config: Config, seed: int) -> Config:
    """``config`` with ``run.seed`` set to ``seed`` (the same object if it already is), so the config names its run."""
    if config.run.seed == seed:
        return config
    return config.model_copy(update={"run": config.run.model_copy(update={"seed": seed})})
