"""giftsim: an agent-based simulator of creator-gifting economies, on Mesa.

Quick start::

    import sim
    config = sim.load_config("configs/default.yaml", overrides=["run.days=3"])
    result = sim.run(config, seed=1)
    result.summary["creator_share_of_spend"], result.creators.head()
"""

from sim.engine.agents import Brand, Creator, Viewer
from sim.engine.config import Config
from sim.engine.config_io import ConfigError, load_config
from sim.engine.model import GiftEconomy
from sim.io.folder import read_results, write_results
from sim.io.runner import RunResult, run
from sim.sweeps.experiment import sweep
from sim.sweeps.lift import brand_lift
from sim.sweeps.results import open_results

__version__ = "0.1.0"  # the one place the version is written: pyproject.toml reads it from here
__all__ = [
    "Brand", "Config", "ConfigError", "Creator", "GiftEconomy", "RunResult", "Viewer",
    "__version__", "brand_lift", "load_config", "open_results", "read_results", "run", "sweep", "write_results",
]
