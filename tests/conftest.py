"""Shared fixtures: the default config and a small version of it that runs in well under a second.

Also the signal dispositions the signal tests rely on, and the end-of-run report of tests that take
longer than the ``slow`` marker's definition and are not marked.
"""

import os
import signal
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from sim import load_config

# The suite gives the same verdict on the same code: the property tests draw the same examples on every run
# (Hypothesis seeded from each test). HYPOTHESIS_PROFILE=explore draws fresh ones, to look for new failures.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "configs" / "default.yaml"
TIKTOK_CONFIG = REPO / "configs" / "tiktok.yaml"
SMALL = ["population.viewers=2000", "population.creators=60", "population.brands=3", "run.days=3"]
SLOW_SECONDS = 1.4  # pyproject.toml's `slow` marker: a test whose call takes longer is marked slow
# Runs `python -m sim ARGS` with SIGINT raising KeyboardInterrupt, whatever disposition it inherited.
DEFAULT_SIGINT = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                  "runpy.run_module('sim', run_name='__main__', alter_sys=True)")


@pytest.fixture(scope="session")
def default_config():
    return load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def small_config():
    return load_config(DEFAULT_CONFIG, SMALL)


@pytest.fixture
def sigint_raises():
    """SIGINT raises KeyboardInterrupt in this process for the test, then the disposition before it is restored.

    A suite started from a background job (``nohup make test &``) inherits SIGINT as ignored, and Python
    keeps an inherited ignore, so a test that signals its own process sets the disposition it relies on.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def giftsim_command(*args: str) -> list[str]:
    """The command line of ``python -m sim ARGS`` in a child whose SIGINT raises KeyboardInterrupt.

    A child inherits an ignored SIGINT from a suite started from a background job; this one sets
    Python's default handler before the CLI starts, as an interactive shell would have left it.
    """
    return [sys.executable, "-c", DEFAULT_SIGINT, *args]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Lists the tests not marked ``slow`` whose call took longer than SLOW_SECONDS, slowest first."""
    over = sorted(((report.duration, report.nodeid) for reports in terminalreporter.stats.values()
                   for report in reports
                   if getattr(report, "when", None) == "call" and report.duration > SLOW_SECONDS
                   and "slow" not in report.keywords), reverse=True)
    if over:
        terminalreporter.write_sep("=", f"{len(over)} tests not marked slow took over {SLOW_SECONDS:g} s: "
                                        "mark them @pytest.mark.slow")
        for duration, nodeid in over:
            terminalreporter.write_line(f"{duration:6.2f}s {nodeid}")
