"""The measured window: what a run reports starts at the end of its burn-in (``run.burn_in_days``).

A run simulates ``run.burn_in_days`` days, then ``run.days`` measured days. At the end of the burn-in
the model takes a :class:`Baseline`: a copy of every running total there is, each declared where it is
defined, once:

- the population arrays declared with :func:`~sim.engine.state.running_total` (``spend_micro``,
  ``coins_bought``, ``watch_hours``, ...) or by a mechanism as ``StateField(is_running_total=True)``;
- the ledger's balances, except its stocks (:data:`~sim.engine.ledger.STOCKS`: the coin and diamond
  liabilities);
- the model's own counters, which the model names when it takes the baseline (gifts sent by catalog
  gift, bundles sold).

:func:`measured` is the model as its outputs see it: running totals less the baseline, stocks (wallets,
diamonds held, followers, budgets, the liabilities) as they are. The tables and the summary
(:mod:`sim.engine.report`) are built from it; the model's own arrays are never changed, so the
mechanisms and the invariants (:mod:`sim.engine.invariants`) keep reading whole-run totals.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from sim.engine.ledger import STOCKS, Ledger
from sim.engine.mechanisms import MECHANISMS
from sim.engine.state import RUNNING_TOTAL

POPULATIONS = {"viewers": "viewer_state", "creators": "creator_state", "brands": "brand_state"}


def running_totals(population: str, state: Any) -> tuple[str, ...]:
    """The names of ``state``'s running totals: its class's declared fields and the mechanisms' added arrays.

    Args:
        population: ``viewers``, ``creators`` or ``brands``.
        state: That population's state (:class:`~sim.engine.state.ViewerState` and its kin).
    """
    declared = [f.name for f in fields(state) if f.metadata.get(RUNNING_TOTAL)]
    added = [f.name for mechanism in MECHANISMS for f in mechanism.state
             if f.population == population and f.is_running_total and hasattr(state, f.name)]
    return (*declared, *added)


@dataclass(frozen=True)
class Baseline:
    """Every running total at the end of the burn-in.

    Attributes:
        steps: Hours simulated by then (the burn-in's).
        populations: By the model's attribute (``viewer_state``, ...), each running total's values.
        ledger: Every account's balance, stocks set to 0 (micro-USD).
        counters: The model's own counters by attribute name.
    """

    steps: int
    populations: dict[str, dict[str, np.ndarray]]
    ledger: np.ndarray
    counters: dict[str, np.ndarray]

    @classmethod
    def take(cls, model: Any, counters: tuple[str, ...]) -> Baseline:
        """Copy ``model``'s running totals now, and its counters named in ``counters``."""
        populations = {}
        for population, attribute in POPULATIONS.items():
            state = getattr(model, attribute)
            populations[attribute] = {name: getattr(state, name).copy() for name in running_totals(population, state)}
        ledger = model.ledger.balances.copy()
        ledger[list(STOCKS)] = 0
        return cls(model.steps, populations, ledger, {name: getattr(model, name).copy() for name in counters})

    def ledger_since(self, balances: dict[str, int]) -> dict[str, int]:
        """Balances by lower-case account name (``Ledger.as_dict``), flows counted from the baseline."""
        return {name: value - int(self.ledger[i]) for i, (name, value) in enumerate(balances.items())}


class MeasuredModel:
    """A model as its outputs see it: running totals since the :class:`Baseline`, stocks as they are.

    It has the model's populations, ledger, counters and ``steps`` (hours measured), each rebased, and
    reads every other attribute off the model.
    """

    def __init__(self, model: Any, baseline: Baseline):
        self._model = model
        for attribute, totals in baseline.populations.items():
            state = copy.copy(getattr(model, attribute))  # a new object holding the same arrays
            for name, before in totals.items():
                setattr(state, name, getattr(state, name) - before)
            setattr(self, attribute, state)
        self.ledger = Ledger()
        self.ledger.balances = model.ledger.balances - baseline.ledger
        for name, before in baseline.counters.items():
            setattr(self, name, getattr(model, name) - before)
        self.steps = model.steps - baseline.steps

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def measured(model: Any) -> Any:
    """``model`` as its outputs see it: a :class:`MeasuredModel` once its burn-in is over.

    Without a burn-in, or before it ends, the model itself: its outputs then cover every hour run so far.
    """
    baseline = getattr(model, "baseline", None)
    return model if baseline is None else MeasuredModel(model, baseline)
