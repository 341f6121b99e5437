"""The API reference (docs/api, Sphinx with autodoc and napoleon) builds from the docstrings without a warning.

Warnings are errors, so a docstring that breaks the reference (bad reST, a malformed Google-style
section, a module that no longer imports) fails the suite. Built as a fresh environment into
``tmp_path``, in its own process, as ``README.md`` says to build it by hand.
"""

import subprocess
import sys

import pytest

from tests.conftest import REPO

SOURCE = REPO / "docs" / "api"


@pytest.mark.slow
def test_the_api_reference_builds_without_warnings(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(SOURCE), str(tmp_path / "html")],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert build.returncode == 0, build.stderr
    html = {page: (tmp_path / "html" / f"{page}.html").read_text(encoding="utf-8")
            for page in ("runs", "config", "figures", "sweeps", "cli")}
    # The public API (sim.__all__ and sim.figures.__all__) and every command are in it.
    assert 'id="sim.io.runner.run"' in html["runs"] and 'id="sim.io.folder.write_results"' in html["runs"]
    assert 'id="sim.engine.config_io.load_config"' in html["config"]
    assert 'id="sim.figures.style.figure_width"' in html["figures"]
    assert 'id="sim.figures.run.save_run_figures"' in html["figures"]
    assert 'id="sim.sweeps.experiment.sweep"' in html["sweeps"] and 'id="sim.sweeps.lift.brand_lift"' in html["sweeps"]
    for command in ("run", "validate", "schema", "sweep", "query", "plot"):
        assert f"<h3>{command}" in html["cli"], command
    assert "--width" in html["cli"]
