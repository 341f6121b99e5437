"""Rewrite the generated sections of docs/model.md and docs/results.md from the declarations.

    .venv/bin/python scripts/make_docs.py

Run it after changing a mechanism, a config section or an output; tests/test_docs.py fails until then.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.engine.reference import fill, model_reference, results_reference  # noqa: E402

DOCS = {REPO / "docs" / "model.md": model_reference, REPO / "docs" / "results.md": results_reference}

if __name__ == "__main__":
    for path, sections in DOCS.items():
        path.write_text(fill(path.read_text(encoding="utf-8"), sections()), encoding="utf-8")
        print(f"wrote {path.relative_to(REPO)}")
