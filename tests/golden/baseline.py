"""The golden run: a small default economy on a fixed seed, every mechanism on."""

import sim
from tests.conftest import DEFAULT_CONFIG

GOLDEN = ["population.viewers=3000", "population.creators=80", "population.brands=6", "run.days=5",
          "battles.enabled=true"]
SEED = 20261124


def golden_summary() -> dict:
    """The golden run's summary."""
    return sim.run(sim.load_config(DEFAULT_CONFIG, GOLDEN), seed=SEED).summary
