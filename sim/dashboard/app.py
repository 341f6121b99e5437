"""The Solara app that ``giftsim dashboard`` serves (``SOLARA_APP=sim.dashboard.app``).

It shows :class:`~sim.dashboard.page.Dashboard` for the config and seed that
:func:`sim.dashboard.server.serve` passed in the environment variable :data:`SETTINGS_VARIABLE`,
as JSON: ``{"config": <the validated config>, "seed": <int>}``. Each browser tab gets its own model.
"""

from __future__ import annotations

import json
import os

import solara

from sim.dashboard.page import Dashboard
from sim.dashboard.server import SETTINGS_VARIABLE
from sim.engine.config_io import config_from_dict


@solara.component
def Page():
    """The page Solara serves: the dashboard of the config the server was started with."""
    settings = solara.use_memo(lambda: json.loads(os.environ[SETTINGS_VARIABLE]), [])
    config = solara.use_memo(lambda: config_from_dict(settings["config"], source="giftsim dashboard"), [])
    return Dashboard(config, seed=settings["seed"])
