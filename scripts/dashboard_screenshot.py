"""Take docs/dashboard.png: the dashboard of configs/default.yaml after a simulated day, in headless Chromium.

Run from the repository: ``.venv/bin/python scripts/dashboard_screenshot.py``. It needs Debian's
chromium at /usr/bin/chromium (``make chromium``), as the browser test does.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "dashboard.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTINGS = ["population.viewers=5000", "population.creators=100"]  # quick to step, and every plot has data
CLICKS_OF_RIGHT_ARROW = 11  # the render interval slider from 1 to 23 hours a Step


def main() -> None:
    """Serve the dashboard, run a day in it, and save a screenshot of the page."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", str(REPO / "configs" / "default.yaml"),
                               "--port", str(port), *(f"--set={s}" for s in SETTINGS)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            browser = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                viewport={"width": 1600, "height": 1100})
            page = browser.new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            render_interval = page.locator(".v-input", has_text="Render Interval").get_by_role("slider")
            render_interval.focus()
            for _ in range(CLICKS_OF_RIGHT_ARROW):
                render_interval.press("ArrowRight")
            hours = int(render_interval.get_attribute("aria-valuenow"))
            page.get_by_role("button", name="Step").click()
            page.get_by_text(f"Time: {hours}.0", exact=True).wait_for()
            page.locator("#regions svg").wait_for()
            page.screenshot(path=OUT, full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
