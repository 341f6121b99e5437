"""The model's ``datacollector``: Mesa's DataCollector over the declared hourly outputs.

Its model reporters are the outputs the mechanisms declare (:class:`~sim.engine.mechanism.Output`),
one per name and in the time series' units (money in USD), so that ``mesa.batch_run`` and
SolaraViz's plot components read the economy as they read any Mesa model. The values are not
computed again: each reporter reads an hour's recorded row, and the model collects the hours it has
recorded when its ``datacollector`` is read. Running totals (``cum_*``) are columns of
:meth:`~sim.engine.model.GiftEconomy.timeseries` only.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import mesa

from sim.engine.config import MICRO_PER_USD
from sim.engine.mechanism import Output


def recorded_value(name: str, per_unit: int, model: Any) -> int | float:
    """The output ``name`` in the row the model recorded last, divided by ``per_unit`` (micro-USD to USD)."""
    value = model.last_hour[name]
    return value / per_unit if per_unit != 1 else value


class HourlyOutputs(mesa.DataCollector):
    """A DataCollector whose model reporters are ``outputs``, read from the model's recorded rows.

    The reporters are ordinary Mesa reporters (:func:`recorded_value`) and Mesa's own ``collect``
    calls them, so the collector reads and is read as Mesa's own; it relies on no private part of Mesa.

    Args:
        outputs: The declared outputs, in the time series' column order.
    """

    def __init__(self, outputs: tuple[Output, ...]):
        """One model reporter per output, each reading its value off the model's last recorded row."""
        self.columns = tuple((output.name, MICRO_PER_USD if output.is_money else 1) for output in outputs)
        super().__init__(model_reporters={name: partial(recorded_value, name, per_unit)
                                          for name, per_unit in self.columns})
