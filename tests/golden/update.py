"""Rewrite the golden baseline: run only when a change to the model's outcomes is intended.

    .venv/bin/python tests/golden/update.py

then review the diff of tests/golden/summary.json and commit it with the change that explains it.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.golden.baseline import golden_summary  # noqa: E402

if __name__ == "__main__":
    (HERE / "summary.json").write_text(json.dumps(golden_summary(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {HERE / 'summary.json'}")
