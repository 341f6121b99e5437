"""The dashboard page: Mesa's SolaraViz over a :class:`~sim.engine.model.GiftEconomy`, with giftsim's inputs."""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from sim.dashboard.controls import model_params
from sim.dashboard.plots import COMPONENTS
from sim.engine.config import Config
from sim.engine.model import GiftEconomy


@solara.component
def Dashboard(config: Config, seed: int | None = None):
    """A live dashboard of ``config``: SolaraViz's step, play and reset, giftsim's inputs, and live plots.

    The inputs (:func:`sim.dashboard.controls.model_params`) take effect on Reset, which builds a new
    model from ``config`` with their values, as Mesa's dashboards do. In a notebook, display
    ``Dashboard(config)``; ``giftsim dashboard`` serves it as a web page.

    Args:
        config: The economy to start from; every input starts at its value.
        seed: The seed of every model built; None takes ``config.run.seed``.
    """
    seed = config.run.seed if seed is None else seed
    model = solara.use_memo(lambda: GiftEconomy(config, rng=seed), [])  # one model per page, built once
    return SolaraViz(model, components=[(component, 0) for component in COMPONENTS],
                     model_params=model_params(config, seed), name=f"giftsim: {config.name} (seed {seed})")
