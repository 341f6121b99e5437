"""Retake the dashboard's screenshots in docs/: the browser test, run with its screenshots written there.

Run from the repository: ``.venv/bin/python scripts/dashboard_screenshot.py``. The screenshots are
the ones ``tests/dashboard/test_browser.py`` takes at 1280x800 and 390x844 (after a day's step, and
after a price comparison), so they show what the test checked, and none is written unless it passes.
It needs Debian's chromium at /usr/bin/chromium (``make chromium``), as the test does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs"


def main() -> int:
    """Run the browser test with its screenshots written into docs/; return its exit status."""
    environment = {**os.environ, "GIFTSIM_SCREENSHOTS": str(OUT)}
    status = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                              str(REPO / "tests" / "dashboard" / "test_browser.py")], cwd=REPO, env=environment)
    if status == 0:
        print("wrote", ", ".join(str(p.relative_to(REPO)) for p in sorted(OUT.glob("dashboard-*.png"))))
    return status


if __name__ == "__main__":
    sys.exit(main())
