"""The dashboard in a real browser: ``giftsim dashboard`` served, driven by headless Chromium through Playwright.

At a desktop's 1280x800 and a phone's 390x844, the test reads what a user sees: the inputs' labels
(the schema's, not config paths) and the values beside them, the headline numbers as ``giftsim run``
writes them (equal to a model built in this process with the same settings), the plots' text size on
screen, the busy state while a step runs, Play stopping at the run's end and saying so, and a price
comparison's table. It writes a screenshot of each viewport after a step and after the comparison,
into ``tmp_path``, or into ``$GIFTSIM_SCREENSHOTS`` when set (``scripts/dashboard_screenshot.py``
sets it to ``docs/``). It needs Debian's ``chromium`` (``make test`` installs it) and fails, never
skips, without it. No assertion depends on how long anything takes: the busy state is read from a
record the page keeps of every state its run controls passed through.
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
from pathlib import Path

import pytest

from sim import GiftEconomy
from sim.dashboard.numbers import format_metric
from sim.dashboard.session import HEADLINES
from tests.conftest import DEFAULT_CONFIG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTINGS = {"population.viewers": 2000, "population.creators": 40, "population.brands": 2, "run.days": 2}
SEED = 3
HOURS = 48  # run.days
STEP_HOURS = 24  # the page's hours per Step, for a run of 2 days
TIMEOUT_MS = 60_000
VIEWPORTS = [(1280, 800), (390, 844)]
MIN_TEXT_PX = 10.5  # the smallest text a plot may show on screen (the house style's 7 pt at the pane's scale)
LABELS = ["Creator share of coin value", "Price multiplier, US", "Price multiplier, ID", "Number of viewers",
          "Number of creators", "Number of brands", "Brands", "Contagion", "Peer gifting"]
NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?")  # 13,580.25, 0.330, 4,218: never 1.358e+04
# Each bar segment of the viewer-dollar plot's region panel, by series and row: viewer-dollar-ax0-<series>-<row>.
READ_BARS = """() => Array.from(document.querySelectorAll('#viewer-dollar [id^="viewer-dollar-ax0-"]'))
                      .map(e => [e.id, e.getBBox().width])"""
# The smallest text in each plot, in CSS px on screen: the SVG's font size times its scale on screen
# (the length of the transform's first column, which rotated labels keep).
SMALLEST_TEXT = """() => Array.from(document.querySelectorAll('.giftsim-plot svg')).map(svg =>
    Math.min(...Array.from(svg.querySelectorAll('text')).map(t => {
        const m = t.getScreenCTM();
        return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    })))"""
# Keeps, in window.seen, every state the run controls pass through: the status line, whether Step is
# disabled, and the clock. A state lasting less than a frame is still recorded.
RECORD_STATES = """() => {
    window.seen = [];
    const take = () => {
        const step = Array.from(document.querySelectorAll('button')).find(b => b.innerText.trim().startsWith('STEP')
                                                                         || b.innerText.trim().startsWith('Step'));
        window.seen.push({status: document.querySelector('#status').innerText,
                          stepDisabled: step ? step.disabled : null,
                          clock: document.querySelector('#clock').innerText});
    };
    new MutationObserver(take).observe(document.querySelector('.giftsim-run'),
                                       {subtree: true, childList: true, characterData: true, attributes: true});
    take();
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
                    "make test does so when run as root")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        context = playwright.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                                headless=True)
        yield context
        context.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("GIFTSIM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def model_after(hours: int) -> GiftEconomy:
    model = GiftEconomy(DEFAULT_CONFIG, rng=SEED, **SETTINGS)
    model.run_for(hours)
    return model


def expected_creator_shares(model: GiftEconomy) -> list[float]:
    """The creators' share of each region's coin money, as the model reports it."""
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


def shown_value(page, path: str) -> str:
    """The value shown beside the control of ``path``."""
    return page.locator(f"#control-{path.replace('.', '-')} .giftsim-value").inner_text().strip()


def headline_values(page) -> dict[str, str]:
    """The headline table's values by summary key."""
    rows = page.locator("#headlines tr")
    return {rows.nth(i).get_attribute("data-metric"): rows.nth(i).locator("td.number").inner_text().strip()
            for i in range(rows.count())}


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


@pytest.mark.slow  # about 25 s: a server, headless Chromium at two viewports, and eight runs compared at each
@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_what_a_user_sees(dashboard_url, browser, screenshots, width, height):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(dashboard_url)
        page.locator("#clock", has_text=f"Hour 0 of {HOURS}").wait_for()
        assert page.locator("#status").inner_text() == f"Ready: {HOURS} hours left to run."

        # Labels are the schema's, with the value beside each control; no raw config path is shown
        inputs = page.locator(".giftsim-inputs").inner_text()
        labels = page.locator(".giftsim-inputs .giftsim-label").all_inner_texts()
        assert all(labels.count(label) == 1 for label in LABELS), labels
        assert "price_multiplier" not in inputs and "population." not in inputs
        assert shown_value(page, "platform.creator_share") == "0.33"
        assert shown_value(page, "regions.ID.price_multiplier") == "1.00"
        assert shown_value(page, "population.viewers") == "2,000"
        assert shown_value(page, "contagion.enabled") == "on"
        assert shown_value(page, "hours_per_step") == str(STEP_HOURS)

        # The layout fits the screen: nothing wider than the viewport, and Step in the first screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = button(page, f"Step {STEP_HOURS} h").bounding_box()
        assert box["y"] + box["height"] <= height

        # A moved slider shows its new value and says it takes effect on Reset
        creator_share = page.locator("#control-platform-creator_share").get_by_role("slider")
        creator_share.focus()
        creator_share.press("Home")
        lowest = float(creator_share.get_attribute("aria-valuenow"))
        page.locator("#control-platform-creator_share .giftsim-value", has_text=f"{lowest:.2f}").wait_for()
        assert page.locator("#inputs-note").inner_text() == "Changed: Reset to build the model with them."

        # A step: the page is busy (Step disabled, the hours running named), then shows hour 24
        page.evaluate(RECORD_STATES)
        button(page, f"Step {STEP_HOURS} h").click()
        page.locator("#clock", has_text=f"Hour {STEP_HOURS} of {HOURS}").wait_for()
        page.locator("#status", has_text="Ready").wait_for()
        seen = page.evaluate("window.seen")
        busy = [s for s in seen if s["status"] == f"Running hours 1–{STEP_HOURS} of {HOURS}…"]
        assert busy and any(s["stepDisabled"] for s in busy), seen
        assert not button(page, f"Step {STEP_HOURS} h").is_disabled()

        # The numbers as giftsim run writes them, equal to a model's with the settings the model was built with
        model = model_after(STEP_HOURS)
        summary = model.summary()
        shown = headline_values(page)
        assert list(shown) == list(HEADLINES)
        assert shown == {key: format_metric(key, summary[key]) for key in HEADLINES}
        assert all(NUMBER.fullmatch(value) for value in shown.values()), shown
        assert plotted_creator_shares(page) == pytest.approx(expected_creator_shares(model), abs=0.005)

        # Every plot drawn, its smallest text readable at this screen's size
        page.locator("#regions svg").wait_for()
        smallest = page.evaluate(SMALLEST_TEXT)
        assert len(smallest) == 4 and min(smallest) >= MIN_TEXT_PX, smallest
        page.screenshot(path=screenshots / f"dashboard-{width}x{height}.png")

        # Reset applies the inputs; Play runs to the run's end, stops there and says so
        button(page, "Reset").click()
        page.locator("#clock", has_text=f"Hour 0 of {HOURS}").wait_for()
        page.locator("#inputs-note", has_text="They take effect on Reset").wait_for()
        page.evaluate(RECORD_STATES)
        button(page, "Play").click()
        ended = f"The run has ended: hour {HOURS} of {HOURS}. Reset to run it again."
        page.locator("#status", has_text=ended).wait_for()
        assert page.locator("#clock").inner_text().startswith(f"Hour {HOURS} of {HOURS}")
        seen = page.evaluate("window.seen")
        hours_shown = [int(re.match(r"Hour (\d+) of", s["clock"]).group(1)) for s in seen]
        assert max(hours_shown) == HOURS and hours_shown == sorted(hours_shown), hours_shown
        assert any(s["status"].startswith("Running hours") and s["stepDisabled"] for s in seen), seen
        assert button(page, f"Step {STEP_HOURS} h").is_disabled() and button(page, "Play").is_disabled()

        # The comparison: one region's price lowered, four pairs run, the paired change with its interval
        price = page.locator("#comparison").get_by_role("slider")
        price.focus()
        for _ in range(20):
            price.press("ArrowLeft")
        page.locator("#comparison .giftsim-value", has_text="0.80").wait_for()
        button(page, "Compare 4 pairs").click()
        result = page.locator("#comparison-result")
        result.wait_for()
        rows = result.locator("tbody tr")
        assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == [
            "Gross viewer spend (USD)", "Creator income (USD)", "Platform revenue (USD)", "Payers (viewers)"]
        for i in range(rows.count()):
            cells = [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
            assert NUMBER.fullmatch(cells[1]) and NUMBER.fullmatch(cells[2]), cells
            assert re.fullmatch(r"[+-][\d,.]+ \[[+-][\d,.]+, [+-][\d,.]+\]", cells[3]), cells
            assert re.fullmatch(r"[+-]\d+\.\d% \[[+-]\d+\.\d%, [+-]\d+\.\d%\]", cells[4]), cells
            assert cells[5] in ("raised", "lowered", "no clear change"), cells
        note = result.locator(".giftsim-note").inner_text()
        assert note.startswith("4 pairs of runs, each pair on one seed")
        assert "Price multiplier, US at 0.80 instead of 1.00" in note
        assert "4 pairs make wide intervals" in note
        page.locator("#comparison").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"dashboard-{width}x{height}-compare.png")
    finally:
        page.close()
