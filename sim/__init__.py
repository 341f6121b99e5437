"""giftsim: an agent-based simulator of creator-gifting economies, on Mesa.

Quick start::

    import sim
    config = sim.load_config("configs/default.yaml", overrides=["run.days=3"])
    result = sim.run(config, seed=1)
    result.summary["creator_share_of_spend"], result.creators.head()

The names below are imported on first use (PEP 562), so that ``import sim`` and every command that
needs only part of the package (``giftsim run`` needs no DuckDB, ``giftsim validate`` no Mesa) start
without importing the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"  # the one place the version is written: pyproject.toml reads it from here

# Each public name and the module that defines it.
_EXPORTS = {
    "Brand": "sim.engine.agents",
    "Creator": "sim.engine.agents",
    "Viewer": "sim.engine.agents",
    "Config": "sim.engine.config",
    "ConfigError": "sim.engine.config_io",
    "load_config": "sim.engine.config_io",
    "GiftEconomy": "sim.engine.model",
    "read_results": "sim.io.folder",
    "write_results": "sim.io.folder",
    "RunResult": "sim.io.runner",
    "run": "sim.io.runner",
    "sweep": "sim.sweeps.experiment",
    "brand_lift": "sim.sweeps.lift",
    "open_results": "sim.sweeps.results",
}
__all__ = [
    "Brand", "Config", "ConfigError", "Creator", "GiftEconomy", "RunResult", "Viewer",
    "__version__", "brand_lift", "load_config", "open_results", "read_results", "run", "sweep", "write_results",
]

if TYPE_CHECKING:  # what the names are, for readers and type checkers
    from sim.engine.agents import Brand, Creator, Viewer
    from sim.engine.config import Config
    from sim.engine.config_io import ConfigError, load_config
    from sim.engine.model import GiftEconomy
    from sim.io.folder import read_results, write_results
    from sim.io.runner import RunResult, run
    from sim.sweeps.experiment import sweep
    from sim.sweeps.lift import brand_lift
    from sim.sweeps.results import open_results


def __getattr__(name: str) -> object:
    """Import a public name's module the first time the name is used."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # later uses find it directly
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
