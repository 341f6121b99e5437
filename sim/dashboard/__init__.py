"""A live dashboard of one economy in the browser: giftsim's inputs, run controls, plots and a comparison.

- :mod:`sim.dashboard.controls`: the inputs (creator share, regional price multipliers, population
  sizes, mechanism switches), labelled and bounded by the config schema; also Mesa SolaraViz's
  ``model_params`` for a notebook that shows the model in Mesa's own page.
- :mod:`sim.dashboard.numbers`: numbers written as ``giftsim run`` writes them.
- :mod:`sim.dashboard.plots`: the run figures of :mod:`sim.figures`, drawn for a screen pane.
- :mod:`sim.dashboard.session`: the model a page steps, which never runs past the run's end.
- :mod:`sim.dashboard.comparison`: a setting changed, both arms run on the same seeds, the paired change.
- :mod:`sim.dashboard.page`: :class:`Dashboard`, the page (display it in a notebook).
- :mod:`sim.dashboard.server` and :mod:`sim.dashboard.app`: serving it (``giftsim dashboard``).

It needs Solara (the ``dashboard`` extra: ``pip install 'giftsim[dashboard]'``), which ``import sim`` does not.
"""

import sim.engine.mesa_import  # noqa: F401  (Mesa first as the engine imports it: see that module)
from sim.dashboard.controls import model_params
from sim.dashboard.page import Dashboard

__all__ = ["Dashboard", "model_params"]
