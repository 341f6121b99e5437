"""Every notebook runs top to bottom (through papermill, with small parameters)."""

from pathlib import Path

import papermill
import pytest

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
SMALL = {"days": 2, "viewers": 1500}
PARAMETERS = {
    "01_quickstart": SMALL,
    "02_pricing_sweep": {**SMALL, "replicates": 2, "workers": 1},
    "03_paper_figures": SMALL,
    "04_brands": {**SMALL, "brands": 3},
}


def test_every_notebook_has_parameters_here():
    assert {p.stem for p in NOTEBOOKS} == set(PARAMETERS)


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(notebook: Path, tmp_path: Path):
    parameters = dict(PARAMETERS[notebook.stem])
    if notebook.stem in ("02_pricing_sweep", "03_paper_figures"):
        parameters["out"] = str(tmp_path / "results")  # write nothing into the repository
    papermill.execute_notebook(str(notebook), str(tmp_path / notebook.name), parameters=parameters,
                               cwd=str(notebook.parent), kernel_name="python3", progress_bar=False)


def test_committed_notebooks_have_no_outputs():
    for notebook in NOTEBOOKS:
        assert '"output_type"' not in notebook.read_text(), notebook.name
