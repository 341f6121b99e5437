"""The dashboard in a real browser: ``giftsim dashboard`` served, driven by headless Chromium through Playwright.

The test moves the creator-share slider, resets, steps, and reads the viewer-dollar plot off the page:
the width of each bar segment in the inline SVG is the share it shows. Those shares must equal the ones
a model built in this process with the same settings reports, before and after the slider moves. It
needs Debian's ``chromium`` (``make test`` installs it) and fails, never skips, without it.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from sim import GiftEconomy
from tests.conftest import DEFAULT_CONFIG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTINGS = {"population.viewers": 2000, "population.creators": 40, "population.brands": 2}
SEED = 3
TIMEOUT_MS = 60_000
# Each bar segment of the viewer-dollar plot's region panel, by series and row: viewer-dollar-ax0-<series>-<row>.
READ_BARS = """() => Array.from(document.querySelectorAll('#viewer-dollar [id^="viewer-dollar-ax0-"]'))
                      .map(e => [e.id, e.getBBox().width])"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dashboard_url():
    port = free_port()
    command = [sys.executable, "-m", "sim", "dashboard", str(DEFAULT_CONFIG), "--seed", str(SEED), "--port", str(port),
               *(f"--set={key}={value}" for key, value in SETTINGS.items())]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        announced = server.stdout.readline()
        url = f"http://127.0.0.1:{port}/"
        assert url in announced, f"giftsim dashboard printed {announced!r}; stderr: {server.stderr.read()}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                assert server.poll() is None, f"the server stopped: {server.stderr.read()}"
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def expected_creator_shares(hours: int, **settings) -> list[float]:
    """The creators' share of each region's coin money after ``hours``, as a model in this process reports it."""
    model = GiftEconomy(DEFAULT_CONFIG, rng=SEED, **SETTINGS, **settings)
    model.run_for(hours)
    summary = model.summary()
    assert summary["agency_usd"] == summary["payout_fees_usd"] == 0  # so creators keep all their income
    return [m["creator_income_usd"] / (m["gross_spend_usd"] + m["dropped_value_usd"])
            for m in summary["by_region"].values() if m["gross_spend_usd"] + m["dropped_value_usd"] > 0]


def plotted_creator_shares(page) -> list[float]:
    """The creators' share of each region's bar in the viewer-dollar plot, from the SVG's geometry."""
    rows: dict[int, dict[str, float]] = {}
    for element_id, width in page.evaluate(READ_BARS):
        series, row = re.fullmatch(r"viewer-dollar-ax0-(.+)-(\d+)", element_id).groups()
        rows.setdefault(int(row), {})[series] = width
    return [row["creators"] / sum(row.values()) for _, row in sorted(rows.items())]


def wait_for_plotted_shares(page, expected: list[float]) -> list[float]:
    """The plotted creators' shares once they equal ``expected``; the last read if they never do within the timeout.

    The clock's text and the plot are separate widgets, so the plot may arrive a moment after the clock.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        shares = plotted_creator_shares(page)
        if shares == pytest.approx(expected, abs=0.005) or time.monotonic() > deadline:
            return shares
        time.sleep(0.2)


def run_hours(page) -> int:
    """Click Step once, which runs as many hours as the render interval says; return them."""
    render_interval = page.locator(".v-input", has_text="Render Interval").get_by_role("slider")
    hours = int(render_interval.get_attribute("aria-valuenow"))
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"Time: {hours}.0", exact=True).wait_for()
    return hours


@pytest.mark.slow  # about 22 s: a server and headless Chromium
def test_a_slider_and_steps_change_the_plotted_data(dashboard_url):
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
                    "make test does so when run as root")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = playwright.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                                headless=True, viewport={"width": 1400, "height": 1000})
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(dashboard_url)
            page.get_by_text("No coins bought yet").wait_for()
            render_interval = page.locator(".v-input", has_text="Render Interval").get_by_role("slider")
            render_interval.focus()
            for _ in range(3):  # 1 -> 7 hours a click, in steps of 2
                render_interval.press("ArrowRight")
            hours = run_hours(page)
            expected = expected_creator_shares(hours)
            before = wait_for_plotted_shares(page, expected)
            assert before == pytest.approx(expected, abs=0.005)

            creator_share = page.locator(".v-input", has_text="platform.creator_share").get_by_role("slider")
            creator_share.focus()
            creator_share.press("Home")  # the slider's lowest position
            lowest = float(creator_share.get_attribute("aria-valuenow"))
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Time: 0.0", exact=True).wait_for()
            page.get_by_text("No coins bought yet").wait_for()
            assert run_hours(page) == hours
            expected = expected_creator_shares(hours, **{"platform.creator_share": lowest})
            after = wait_for_plotted_shares(page, expected)
            assert after == pytest.approx(expected, abs=0.005)
            # region by region: a share at 7 hours can be small where coins bought have not yet been gifted
            assert all(a < b / 5 for a, b in zip(after, before, strict=True))
        finally:
            browser.close()
