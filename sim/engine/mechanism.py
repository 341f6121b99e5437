"""How a mechanism declares itself, and the hour its phases share.

A mechanism is one module that declares a :class:`Mechanism`: its config section (whose ``enabled``
switches it off), the hourly phases and scheduled events it runs, the state each of them reads and
writes (and any arrays of state it adds, :class:`StateField`), its keyed draws (named after the
mechanism and the decision, :mod:`~sim.engine.randomness`), the multipliers it contributes to other
mechanisms' rules (:class:`Modifier`), and the outputs it produces (:class:`Output`, each with a unit
and a label). The model composes the registered mechanisms (``sim.engine.mechanisms``) and knows none
of them by name: it owns the clock, the hour's order and the books, not the domain rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from sim.engine.config import Config
from sim.engine.randomness import KeyedDraws
from sim.engine.state import NOBODY

if TYPE_CHECKING:
    from sim.engine.recorder import EventLog

OutputKind = Literal["flow", "stock"]
ModifierTarget = Literal["online", "feed", "room", "watcher", "combo", "session_floor"]


@dataclass(frozen=True)
class Output:
    """One column of the hourly time series.

    A ``flow`` is a sum over the hour (``new_*``), a ``stock`` a level (``n_*``). Money is counted in
    exact micro-USD during the hour and reported in USD: its ``unit`` is ``"USD"``. A flow with
    ``cumulative`` set also gets a running-total column of that name.

    A stock with ``measure`` is read off the model at the end of every hour, unless it names the arrays
    its measure ``reads`` (``creators.effort``): then it is measured again only after an hour in which a
    scheduled event ran, if none of the hour's enabled phases writes any of them (their ``writes``, which
    ``tests/test_phase_contract.py`` checks in an hour of a running economy, and which a test of every hour's
    recorded levels backs), since only the events can have changed it. A daily level such
    as the creators active costs nothing in the other 23 hours, where reading it had cost a small
    economy's step about 4% (six stocks, 15-25 us of 370-450).
    """

    name: str
    kind: OutputKind
    unit: str
    label: str
    description: str
    cumulative: str | None = None
    measure: Callable[[object], int] | None = None  # a stock read off the model at the end of the hour
    reads: tuple[str, ...] = ()  # the arrays ``measure`` reads, as ``population.field``; () for unknown

    def __post_init__(self) -> None:
        if self.measure is not None and self.kind != "stock":
            raise ValueError(f"output {self.name!r}: only a stock is measured off the model; a {self.kind} is added "
                             "to by the phases (Flows.add)")

    @property
    def is_money(self) -> bool:
        """Whether the output is money (held in micro-USD, reported in USD)."""
        return self.unit == "USD"


@dataclass(frozen=True)
class Phase:
    """A step of the hour (or of a scheduled event) and the state it reads and writes.

    ``reads`` and ``writes`` name arrays as ``population.field`` (``viewers.wallet_coins``), a shared
    quantity of the hour (``hour.watchers``) or the ``ledger``; they document the data flow between
    phases. The tests check them: every array named exists, what a phase reads of the hour an earlier
    phase wrote, and a phase run with every population array it does not declare in ``writes`` made
    read-only writes none of them (``tests/test_phase_contract.py``). The wallet operations name the
    arrays they write (:data:`sim.engine.wallet.GIVES` and its kin) for the phases that call them.
    """

    name: str
    run: Callable[[Hour], None]
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    section: str | None = None  # the config section whose ``enabled`` switches the phase off; None: core


@dataclass(frozen=True)
class Event:
    """A phase that runs at the end of every ``every_days(config)`` days instead of every hour."""

    phase: Phase
    every_days: Callable[[Config], int]


@dataclass(frozen=True)
class Modifier:
    """A multiplier one mechanism contributes to another's rule.

    Targets: ``online`` (per region, on the chance of being online), ``feed`` (per creator, on its
    weight in the recommendation feed), ``room`` (per creator, on the gifting hazard of everyone in its
    room) and ``watcher`` (per gifting candidate, on its own hazard; ``factor(hour, who)``). A ``combo``
    modifier is not a multiplier: ``factor(hour, who)`` returns the coins each candidate aims to spend
    when it gifts and the most copies of one gift it sends at once, from which gifting chooses the gift
    and the number of copies; at most one may be enabled. A ``session_floor`` modifier is not a multiplier
    either: ``factor(hour)`` returns the fewest hours a session starting this hour lasts (the largest
    floor wins).
    """

    name: str
    target: ModifierTarget
    factor: Callable[..., np.ndarray]
    section: str


@dataclass(frozen=True)
class StateField:
    """An array a mechanism adds to a population's state: one value per agent, set to ``fill`` at the start.

    ``is_creator_index`` marks an array of creator indices, where ``NOBODY`` (-1) means none: the only
    kind of array the invariants allow below zero. ``is_running_total`` marks a sum of what happened so
    far, which outputs count from the end of the burn-in (:mod:`sim.engine.measure`). ``is_window_measure``
    marks a measure that cannot be counted that way (distinct creators gifted: a set, not a sum), so its
    mechanism updates it only in the measured window, and it keeps its ``fill`` through the burn-in.
    """

    population: Literal["viewers", "creators", "brands"]
    name: str
    description: str
    fill: int | float = 0
    dtype: type = np.int64
    is_creator_index: bool = False
    is_running_total: bool = False
    is_window_measure: bool = False


@dataclass(frozen=True)
class Mechanism:
    """Everything a mechanism contributes to the model, declared in its module."""

    name: str  # also the name of its random stream
    summary: str  # one line, for docs/model.md
    section: str | None = None  # its config section; None for the core rules every run has
    phases: tuple[Phase, ...] = ()  # hourly phases; the hour's order is declared in sim.engine.mechanisms
    events: tuple[Event, ...] = ()
    modifiers: tuple[Modifier, ...] = ()
    outputs: tuple[Output, ...] = ()
    state: tuple[StateField, ...] = ()  # arrays it adds to the populations' state
    setup: Phase | None = None  # runs once when the model is built, before the first hour


def is_enabled(config: Config, section: str | None) -> bool:
    """Whether a phase or modifier of ``section`` runs under ``config`` (core rules always do)."""
    return section is None or getattr(config, section).enabled


class Flows:
    """The hour's outputs so far: only declared names are accepted, so a typo fails loudly."""

    def __init__(self, outputs: tuple[Output, ...]):
        self._declared = {o.name: o for o in outputs}
        self.values: dict[str, int] = {}

    def add(self, name: str, amount: int) -> None:
        """Add ``amount`` (micro-USD for money) to the flow ``name``."""
        if name not in self._declared or self._declared[name].kind != "flow":
            raise KeyError(f"{name!r} is not a declared flow; declare it in its mechanism's outputs")
        self.values[name] = self.values.get(name, 0) + int(amount)

    def set(self, name: str, level: int) -> None:
        """Record the level of the stock ``name`` this hour."""
        if name not in self._declared or self._declared[name].kind != "stock":
            raise KeyError(f"{name!r} is not a declared stock; declare it in its mechanism's outputs")
        self.values[name] = int(level)

    def take(self) -> dict[str, int]:
        """The hour's values, every declared output present (0 where nothing happened); then reset."""
        row = {name: self.values.get(name, 0) for name in self._declared}
        self.values = {}
        return row


class HourGifts:
    """The hour's gifts, published by the phases that send them for any mechanism to read.

    One entry per sender and room: the ``creator`` gifted, the ``coins`` sent in all (``copies`` of one
    gift), the ``diamonds`` they issued at gift time, and the sender, a ``viewer`` row or a ``brand``
    (the other ``NOBODY``). A mechanism that answers to gifts reads this hour's here (rewards pay on the
    diamonds each creator received) instead of diffing running totals against what it saw before. When
    the run records events, each batch added is logged as it comes (:meth:`EventLog.add_gifts`).
    """

    COLUMNS = ("creator", "coins", "copies", "diamonds", "viewer", "brand")

    def __init__(self, events: EventLog | None = None):
        self.events = events
        self._parts: list[tuple[np.ndarray, ...]] = []

    def add(self, creator: np.ndarray, coins: np.ndarray, diamonds: np.ndarray, *, copies: np.ndarray | int = 1,
            viewer: np.ndarray | None = None, brand: np.ndarray | None = None, gift_coins: np.ndarray | None = None,
            free_coins: np.ndarray | int = 0) -> None:
        """Publish gifts to ``creator`` (one entry each) from ``viewer`` rows or ``brand``s.

        ``gift_coins`` (one copy's price) and ``free_coins`` (of ``coins``, those brands dropped) go to the
        event log only.
        """
        if self.events is not None:
            self.events.add_gifts(creator, coins, diamonds, viewer=viewer, gift_coins=gift_coins, copies=copies,
                                  free_coins=free_coins, brand=brand)
        n = len(creator)
        if n:
            nobody = np.full(n, NOBODY, dtype=np.int64)
            self._parts.append(tuple(np.array(column, dtype=np.int64) for column in (  # copies, as np.array does
                creator, coins, np.broadcast_to(copies, n), diamonds, nobody if viewer is None else viewer,
                nobody if brand is None else brand)))

    def column(self, name: str) -> np.ndarray:
        """One of :attr:`COLUMNS` over every gift published so far this hour, in the order they were sent."""
        at = self.COLUMNS.index(name)
        return np.concatenate([part[at] for part in self._parts]) if self._parts else np.zeros(0, dtype=np.int64)

    def by_creator(self, name: str, n_creators: int) -> np.ndarray:
        """The sum of column ``name`` over each creator's gifts this hour (exact, int64)."""
        totals = np.zeros(n_creators, dtype=np.int64)
        np.add.at(totals, self.column("creator"), self.column(name))
        return totals


@dataclass
class Hour:
    """What the phases of one hour share: the clock, the populations, the books and the hour's results.

    Phases receive this one object instead of long argument lists; ``online`` and ``watchers`` are
    set by the phases that choose them and read by the phases after. ``events`` is the run's
    :class:`~sim.engine.recorder.EventLog` when it records events: the phases that move coins hand it
    their arrays.
    """

    model: object  # the GiftEconomy: its prices, ledger, catalog and counters
    step: int  # steps completed before this hour (0 for the first hour)
    local_hour: np.ndarray  # [region] local hour of the day
    is_weekend: np.ndarray  # [region] whether it is a local Saturday or Sunday
    config: Config
    viewers: object
    creators: object
    brands: object
    flows: Flows
    draws: KeyedDraws
    modifiers: dict[str, list[Modifier]]
    online: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    watchers: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    events: EventLog | None = None  # where phases log their gifts and purchases; None unless run.record.events
    is_measuring: bool = True  # in the measured window (the burn-in is over)
    gifts: HourGifts = field(init=False)  # the hour's gifts so far, logged to ``events`` as they come

    def __post_init__(self) -> None:
        self.gifts = HourGifts(self.events)

    def uniforms(self, name: str, ids: np.ndarray, count: int | None = None) -> np.ndarray:
        """Keyed uniforms for agents ``ids`` deciding ``name`` this hour (``[count, ids]`` with ``count``).

        ``name`` is the mechanism's name and the decision's (``"gifting.whether"``); an agent's numbers
        depend only on the run's seed, ``name``, its row and the hour (:mod:`~sim.engine.randomness`).
        """
        return self.draws.uniforms(name, ids, self.step, count)

    def memory(self, mechanism: str) -> dict:
        """What ``mechanism`` keeps from one hour to the next (its private state, held by the model)."""
        return self.model.mechanism_memory.setdefault(mechanism, {})

    def multiplier(self, target: ModifierTarget, *args) -> np.ndarray | float:
        """The product of every enabled modifier of ``target`` (1.0 when there is none)."""
        product: np.ndarray | float = 1.0
        for modifier in self.modifiers[target]:
            product = product * modifier.factor(self, *args)
        return product
