"""A live dashboard of one economy: Mesa's SolaraViz with giftsim's inputs and plots.

- :mod:`sim.dashboard.controls`: the inputs (creator share, regional price multipliers, population
  sizes, mechanism switches), built from a config and its declared bounds.
- :mod:`sim.dashboard.plots`: the live plots, the run figures of :mod:`sim.figures` drawn from the
  running model.
- :mod:`sim.dashboard.page`: :class:`Dashboard`, the page (display it in a notebook).
- :mod:`sim.dashboard.server` and :mod:`sim.dashboard.app`: serving it (``giftsim dashboard``).

It needs Solara (the ``dashboard`` extra: ``pip install 'giftsim[dashboard]'``), which ``import sim`` does not.
"""

from sim.dashboard.controls import model_params
from sim.dashboard.page import Dashboard

__all__ = ["Dashboard", "model_params"]
