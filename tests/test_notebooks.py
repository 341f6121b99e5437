"""Every notebook runs top to bottom (through papermill, with small parameters) and shows its figures."""

import importlib.util
import json
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
    "04_brands": {**SMALL, "brands": 3, "replicates": 3, "workers": 1},
}
FIGURE_CELLS = {"01_quickstart": 3, "02_pricing_sweep": 3, "03_paper_figures": 2, "04_brands": 1}


def figure_outputs(cell: dict) -> list[dict]:
    """The outputs of a code cell that display a matplotlib figure, as an image or only as its text."""
    return [output for output in cell.get("outputs", []) if "image/png" in output.get("data", {})
            or "".join(output.get("data", {}).get("text/plain", "")).startswith("<Figure size")]


def test_every_notebook_has_parameters_here():
    assert {p.stem for p in NOTEBOOKS} == set(PARAMETERS) == set(FIGURE_CELLS)


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(notebook: Path, tmp_path: Path):
    parameters = dict(PARAMETERS[notebook.stem])
    if notebook.stem in ("02_pricing_sweep", "03_paper_figures"):
        parameters["out"] = str(tmp_path / "results")  # write nothing into the repository
    executed = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(executed), parameters=parameters,
                               cwd=str(notebook.parent), kernel_name="python3", progress_bar=False)
    cells = [cell for cell in json.loads(executed.read_text())["cells"] if cell["cell_type"] == "code"]
    drawing = [cell for cell in cells if figure_outputs(cell)]
    assert len(drawing) == FIGURE_CELLS[notebook.stem]
    for cell in drawing:  # an inline image, not the figure's repr (`<Figure size 350x350 with 1 Axes>`)
        assert all("image/png" in output["data"] for output in figure_outputs(cell)), "".join(cell["source"])
    if importlib.util.find_spec("ipywidgets"):  # in the dev and notebooks extras; a venv set up before may lack it
        assert "IProgress not found" not in json.dumps(cells)  # tqdm draws its widget bars


def test_committed_notebooks_have_no_outputs():
    for notebook in NOTEBOOKS:
        assert '"output_type"' not in notebook.read_text(), notebook.name
