"""The model's ``datacollector``: Mesa's DataCollector over the declared hourly outputs and, when asked, agents.

Its model reporters are the run's ``seed`` (so that each of ``mesa.batch_run``'s replicates names the
seed it ran on) and the outputs the mechanisms declare (:class:`~sim.engine.mechanism.Output`), one
per name and in the time series' units (money in USD), so that batch_run and SolaraViz's plot
components read the economy as they read any Mesa model. The values are not computed again: each
reporter reads an hour's recorded row, and the model collects the hours it has recorded when its
``datacollector`` is read. Running totals (``cum_*``) are columns of
:meth:`~sim.engine.model.GiftEconomy.timeseries` only.

Agent reporters (:class:`AgentRows`) are opt-in: an agent's state at an hour's end cannot be rebuilt
later, so a model that collects agents takes their rows at the end of every measured hour, for every
creator who has joined and a fixed sample of the audience, and a model that does not pays nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from sim.engine.agents import Creator, CreatorRef, StateView, Viewer
from sim.engine.config import MICRO_PER_USD
from sim.engine.mechanism import Output
from sim.engine.mesa_import import mesa
from sim.engine.state import NOBODY

VIEWER_SAMPLE = 300  # viewers whose rows are collected each hour by default: 300 rows, whatever the population
# The agent reporters' columns: the agent's class name, then what creators and viewers report (None for the other's).
AGENT_COLUMNS = ("agent_type", *Creator.reported, *Viewer.reported)


def recorded_value(name: str, per_unit: int, model: Any) -> int | float:
    """The output ``name`` in the row the model recorded last, divided by ``per_unit`` (micro-USD to USD)."""
    value = model.last_hour[name]
    return value / per_unit if per_unit != 1 else value


def run_seed(model: Any) -> int:
    """The seed the model runs on."""
    return model.seed


def sample_rows(size: int, sample: int | None) -> np.ndarray:
    """``sample`` rows of ``size`` spread evenly from the first to the last, or every row if ``sample`` is None.

    Rows are spread rather than drawn so that the sample is the same on every seed (replicates stay
    paired) and, the audience being drawn region by region, every region is in it in proportion.

    Raises:
        ValueError: ``sample`` is negative.
    """
    if sample is not None and sample < 0:
        raise ValueError(f"viewer_sample must be a non-negative number of viewers or None (all), got {sample}")
    if sample is None or sample >= size:
        return np.arange(size)
    return np.unique(np.linspace(0, size - 1, sample).round().astype(np.int64)) if sample else np.arange(0)


class HourlyOutputs(mesa.DataCollector):
    """A DataCollector whose model reporters are the seed and ``outputs``, read from the model's recorded rows.

    The reporters are ordinary Mesa reporters (:func:`recorded_value`, agent attributes by name) and
    Mesa's own ``collect`` calls them, so the collector reads and is read as Mesa's own; it relies on no
    private part of Mesa.

    Args:
        outputs: The declared outputs, in the time series' column order.
        collect_agents: Whether to report agents too, one row per agent of :class:`AgentRows` an hour,
            with the columns :data:`AGENT_COLUMNS`.
    """

    def __init__(self, outputs: tuple[Output, ...], collect_agents: bool = False):
        """One model reporter per output, each reading its value off the model's last recorded row."""
        self.columns = tuple((output.name, MICRO_PER_USD if output.is_money else 1) for output in outputs)
        super().__init__(
            model_reporters={"seed": run_seed} | {name: partial(recorded_value, name, per_unit)
                                                  for name, per_unit in self.columns},
            agent_reporters={name: name for name in AGENT_COLUMNS} if collect_agents else None)

    def get_agent_vars_dataframe(self) -> Any:
        """Mesa's frame of the agent rows, indexed by (Step, AgentID), one column per :data:`AGENT_COLUMNS`.

        Raises:
            UserWarning: The model does not collect agents (Mesa raises the same for no agent reporters).
        """
        if not self.agent_reporters:
            raise UserWarning("no agent rows were collected: agent reporters are opt-in, as an agent's hour cannot be "
                              "rebuilt later; build the model with GiftEconomy(..., collect_agents=True)")
        return super().get_agent_vars_dataframe()


class RecordedAgent:
    """One agent's reported values at the end of one hour, as the collector's agent reporters read them."""

    def __init__(self, hour: Any, unique_id: int, values: dict[str, Any]):
        self.model, self.unique_id = hour, unique_id
        self.__dict__.update(dict.fromkeys(AGENT_COLUMNS) | values)


class AgentRows:
    """The agents' rows taken at each hour's end: every creator who has joined and a fixed sample of viewers.

    The values are read from the population arrays behind the agents' reported attributes
    (``Creator.reported``, ``Viewer.reported``), for all the rows at once; ``watching_id`` names the
    creator watched by its agent's ``unique_id``. Taking them makes the model's agents (once), so that
    every row carries its agent's ``unique_id``.

    Args:
        viewer_sample: How many of the audience's viewers to report (spread evenly over its rows);
            None reports every viewer.

    Raises:
        ValueError: ``viewer_sample`` is negative.
    """

    def __init__(self, viewer_sample: int | None = VIEWER_SAMPLE):
        sample_rows(0, viewer_sample)  # refuses a negative sample now rather than at the first hour's end
        self.viewer_sample = viewer_sample
        self.viewer_rows: np.ndarray | None = None
        self.viewer_ids = np.zeros(0, dtype=np.int64)
        self.creator_ids = np.zeros(0, dtype=np.int64)  # by creator row, for the creators registered so far
        self.hours: dict[int, list[tuple[type, np.ndarray, dict[str, list]]]] = {}

    def take(self, model: Any, step: int) -> None:
        """Take the rows of measured hour ``step`` from ``model`` as it is now, at that hour's end."""
        by_type = model.agents_by_type  # registers the creators who joined since the last hour
        if self.viewer_rows is None:
            self.viewer_rows = sample_rows(model.n_audience, self.viewer_sample)
            viewers = list(by_type[Viewer]) if self.viewer_rows.size else []
            self.viewer_ids = np.array([viewers[row].unique_id for row in self.viewer_rows], dtype=np.int64)
        joined = int(model.creator_state.has_joined.sum())  # the joined rows are the first ones
        if joined > self.creator_ids.size:
            new = [model.creator(row).unique_id for row in range(self.creator_ids.size, joined)]
            self.creator_ids = np.concatenate([self.creator_ids, np.array(new, dtype=np.int64)])
        self.hours[step] = [
            (Creator, self.creator_ids, self._values(Creator, model.creator_state, slice(0, joined))),
            (Viewer, self.viewer_ids, self._values(Viewer, model.viewer_state, self.viewer_rows)),
        ]

    def _values(self, kind: type, population: Any, rows: Any) -> dict[str, list]:
        values = {}
        for name in kind.reported:
            view = getattr(kind, name)
            if not isinstance(view, StateView):
                raise TypeError(f"{kind.__name__}.{name} is reported but is not a view of a state array")
            column = getattr(population, view.field)[rows]
            if isinstance(view, CreatorRef):  # a creator's row to its unique_id (ids start at 1; NOBODY to None)
                lookup = np.append(self.creator_ids, NOBODY)
                named = lookup[np.where(column == NOBODY, self.creator_ids.size, column)].tolist()
                values[name] = [None if uid == NOBODY else uid for uid in named]
            else:
                values[name] = column.tolist()
        return values

    def pop(self, step: int, hour: Any) -> list[RecordedAgent]:
        """The rows taken at measured hour ``step``, as agents of ``hour``; they are let go."""
        agents = []
        for kind, ids, values in self.hours.pop(step, []):
            names, columns = list(values), list(values.values())
            agents.extend(RecordedAgent(hour, uid, {"agent_type": kind.__name__, **dict(zip(names, row, strict=True))})
                          for uid, *row in zip(ids.tolist(), *columns, strict=True))
        return agents
