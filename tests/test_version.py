"""The version is written once (sim.__version__) and is the installed distribution's."""

from importlib.metadata import version

import sim


def test_the_package_version_is_the_installed_distributions():
    assert sim.__version__ == version("giftsim"), (
        "sim.__version__ differs from the installed giftsim's version: reinstall (make clean test) "
        "after changing it, since pyproject.toml reads the version from sim.__version__")
