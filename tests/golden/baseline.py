"""The golden run: the frozen economy of tests/golden/config.yaml on its own seed, every mechanism on."""

from pathlib import Path

import sim

CONFIG = Path(__file__).resolve().parent / "config.yaml"


def golden_summary() -> dict:
    """The golden run's summary."""
    config = sim.load_config(CONFIG)
    return sim.run(config, seed=config.run.seed).summary
