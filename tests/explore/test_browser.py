"""The explorer in a real browser: Debian's chromium driven by Playwright, against `sim explore` itself.

One server and one page go through an analyst's session: load, change an
assumption, see the chart move and the probabilities match `simulator.run`,
make a mistake and see it named, add an intervention, step one world, and
download the scenario and the figures. Each step leaves a screenshot in the
test's temporary folder.
"""

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from simulator.explore.draft import Draft
from simulator.scenario import load_scenario
from tests.conftest import BASELINE, ROOT
from tests.explore.test_draft import a_probability

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SIM = Path(sys.executable).parent / "sim"
RUNS, SEED = 6000, 11  # more than one random-number block: the page shows the first block while the rest runs
CHROMIUM = os.environ.get("SIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
START_SECONDS = 90  # worker processes and the web stack start together; a loaded 2-core box is slow
WAIT_MS = 30_000  # for the page to answer one change


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    for _ in range(START_SECONDS * 4):
        if server.poll() is not None:
            raise RuntimeError(f"sim explore exited with {server.returncode}: {log.read_text()}")
        try:
            with urlopen(url, timeout=2):
                return
        except (URLError, OSError):
            if time.monotonic() > deadline:
                break
            time.sleep(0.25)
    raise RuntimeError(f"sim explore did not answer at {url} within {START_SECONDS} s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    port = _free_port()
    command = [str(SIM), "explore", str(BASELINE), "--port", str(port), "--runs", str(RUNS), "--seed", str(SEED)]
    log = tmp_path_factory.mktemp("explorer") / "server.log"
    with log.open("w") as output:  # a file, not a pipe: a pipe nobody reads would stall the server
        server = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, server, log)
        yield url
    finally:
        _stop(server)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"no chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _canvas(page: Page, chart: str) -> str:
    return page.evaluate(f"document.querySelector('.{chart} canvas').toDataURL()")


def _shown(page: Page, ids: list[str]) -> dict[str, str]:
    return {i: page.inner_text(f"#{i}") for i in ids}


def _expected(result: simulator.RunResult) -> dict[str, str]:
    shown = {f"q-{qid}": f"{answer['probability']:.1%}" for qid, answer in result.questions().items()}
    shown |= {f"level-{level}": f"{p:.1%}" for level, p in result.final_level_probabilities().items()}
    return shown


def _edit(page: Page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")


def test_an_analysts_session(explorer, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    shot = iter(range(1, 100))

    def screenshot(name: str) -> None:
        page.screenshot(path=tmp_path / f"{next(shot):02d}-{name}.png", full_page=True)

    page.goto(explorer)
    expect(page.locator(".run-status")).to_contain_text(f"{RUNS:,} worlds, seed {SEED}")
    page.wait_for_function("document.querySelector('.levels-chart canvas') !== null")
    page.wait_for_timeout(400)  # let the first drawing finish its animation
    screenshot("loaded")
    as_loaded = _canvas(page, "levels-chart")
    ids = list(_expected(simulator.run(load_scenario(BASELINE), runs=RUNS, seed=SEED)))
    assert _shown(page, ids) == _expected(simulator.run(load_scenario(BASELINE), runs=RUNS, seed=SEED))

    # Change an assumption: the chart redraws, and what is shown is what simulator.run gives.
    _edit(page, "president.volatility", "0.3")
    page.wait_for_function(
        "before => (c => c !== null && c.toDataURL() !== before)(document.querySelector('.levels-chart canvas'))",
        arg=as_loaded,
    )
    edited = load_scenario(BASELINE, ["president.volatility=0.3"])
    expected = _expected(simulator.run(edited, runs=RUNS, seed=SEED))
    for cell, text in expected.items():
        expect(page.locator(f"#{cell}")).to_have_text(text)
    page.locator("h2").scroll_into_view_if_needed()  # the whole forecast, as in the README
    screenshot("volatility-changed")

    # Revisions: the shipped updates of the loaded scenario (April and October 2025), with the same change made.
    page.get_by_role("tab", name="Revisions").click()
    page.get_by_role("button", name="Run the revisions").click()
    revisions = page.locator(".revisions")
    expect(revisions).to_contain_text("2025-08 summit")
    update = load_scenario(ROOT / "scenarios" / "update_2025_10.yaml", ["president.volatility=0.3"])
    summit = simulator.run(update, runs=RUNS, seed=SEED).questions()["summit_2025"]
    row = revisions.locator("tr", has_text="Will the presidents meet in person by the end of 2025?")
    expect(row.locator("td[data-forecast='update_2025_10 (edited)']")).to_contain_text(
        f"{summit['probability']:.1%} \u00b1 {summit['standard_error']:.1%}"
    )
    mine = expected["q-summit_2025"]
    expect(row.locator("td[data-forecast='trump2025 (edited)']")).to_contain_text(mine)
    page.wait_for_function("document.querySelector('.revisions-chart canvas') !== null")
    screenshot("revisions")
    page.get_by_role("tab", name="Forecast").click()

    # A slider moves a plain number by one step, through the same validation.
    probability = a_probability(Draft.open(BASELINE))
    moved = f"{Draft.open(BASELINE).number(probability) + 0.005:.6g}"
    slider = page.locator(f".assumption-{probability.replace('.', '-')} [role=slider]")
    slider.focus()
    slider.press("ArrowRight")
    expect(page.get_by_label(probability, exact=True)).to_have_value(moved)
    edited = load_scenario(BASELINE, ["president.volatility=0.3", f"{probability}={moved}"])
    expected = _expected(simulator.run(edited, runs=RUNS, seed=SEED))
    for cell, text in expected.items():
        expect(page.locator(f"#{cell}")).to_have_text(text)

    # A value the scenario language refuses is named beside its field; the forecast stays as it was.
    for path, text in ((probability, "1.5"), ("president.volatility", "beta(0, 2)")):
        message = Draft.open(BASELINE).edit(path, text).errors[path]  # the scenario language's own words
        assert "must lie in [0, 1], got 1.5" in message or "beta needs a > 0 and b > 0" in message
        _edit(page, path, text)
        expect(page.get_by_text(message)).to_be_visible()
    screenshot("refused")
    assert _shown(page, list(expected)) == expected

    # An intervention on the schedule.
    page.get_by_role("tab", name="Schedule").click()
    _edit(page, "Month (YYYY-MM)", "2026-06")
    _edit(page, "Effects", "{sanctions: -0.3}")
    page.get_by_role("button", name="Add to the schedule").click()
    expect(page.locator(".schedule")).to_contain_text("added")
    screenshot("intervention-added")

    # One world, month by month.
    page.get_by_role("tab", name="One world").click()
    for _ in range(3):
        page.get_by_role("button", name="Next month").click()
    expect(page.locator(".chapter")).to_have_count(3)
    screenshot("one-world")

    # Download the scenario: `sim validate` accepts it, and it is what the page ran.
    page.get_by_role("tab", name="Download").click()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Scenario as YAML")).click()
    saved = tmp_path / "explored.yaml"
    download.value.save_as(saved)
    result = CliRunner().invoke(app, ["validate", str(saved)])
    assert result.exit_code == 0, result.output
    text = saved.read_text()
    assert "volatility: 0.3  # changed in sim explore" in text and "# added in sim explore" in text
    downloaded = load_scenario(saved)
    assert downloaded.president == edited.president and downloaded.schedule[-1].effects.sanctions == -0.3
    page.get_by_role("tab", name="Forecast").click()
    for cell, text in _expected(simulator.run(downloaded, runs=RUNS, seed=SEED)).items():
        expect(page.locator(f"#{cell}")).to_have_text(text)

    page.get_by_role("tab", name="Download").click()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Figures and tables")).click()
    names = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())).namelist()
    assert {"levels_over_time.png", "level_at_horizon.png", "questions.csv", "differences_from_loaded.csv"} <= set(
        names
    )
    screenshot("downloaded")

    page.close()


def test_a_host_other_than_localhost_is_warned_about():
    port = _free_port()
    command = [str(SIM), "explore", str(BASELINE), "--host", "127.0.0.2", "--port", str(port), "--runs", "100"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        warning = server.stderr.readline()
        assert "warning" in warning and "127.0.0.2" in warning
    finally:
        _stop(server)


def test_a_port_in_use_is_refused_before_anything_starts():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["explore", str(BASELINE), "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
