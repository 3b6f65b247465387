"""The report opens in a real headless browser (Debian's chromium, driven by Playwright) without errors."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from simulator.cli.app import app
from tests.conftest import BASELINE

runner = CliRunner()
SIM = Path(sys.executable).parent / "sim"
CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    run = tmp_path_factory.mktemp("report") / "run"
    args = ["run", BASELINE, "--runs", 3000, "--seed", 8, "--out", run, "--workers", 1, "--report"]
    args += ["--set", "president.volatility=0.1"]
    done = subprocess.run([SIM, *map(str, args)], capture_output=True, text=True)  # as typed: metadata keeps it
    assert done.returncode == 0, done.stderr
    signs = ["signposts", run, "--outcome", "ceasefire_2026", "--by", "2025-12"]
    assert runner.invoke(app, [str(a) for a in signs]).exit_code == 0
    again = runner.invoke(app, ["report", str(run), "--force"])
    assert again.exit_code == 0, again.output
    return run


def _open(path: Path):
    """The page's tables read by the browser, its console errors and every URL it asked for."""
    if CHROMIUM is None:
        pytest.fail("the report's test needs Debian's chromium: apt-get install chromium")
    problems, requests = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        cells = page.eval_on_selector_all(
            "td[data-value]",
            "cells => cells.map(c => [c.closest('table').id, c.closest('tr').dataset.id || "
            "c.closest('tr').cells[0].innerText, Number(c.dataset.value), c.innerText])",
        )
        title = page.inner_text("h1")
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
        browser.close()
    return problems, requests, cells, title, images


@pytest.mark.browser
def test_report_opens_without_errors_and_matches_the_summary(reported):
    problems, requests, cells, title, images = _open(reported / "report.html")
    assert problems == []
    assert all(url.startswith(("file:", "data:")) for url in requests)  # nothing from the network
    assert "president.volatility=0.1" in title
    assert len(images) >= 4 and min(images) > 100  # every embedded plot decodes
    summary = json.loads((reported / "summary.json").read_text())
    rows = [row for row in cells if row[0] == "questions"]
    probabilities, errors = rows[::2], rows[1::2]  # each question: its probability, then its standard error
    assert [row[1] for row in probabilities] == list(summary["questions"])
    for (qid, value, text), (_, error, _) in zip((r[1:] for r in probabilities), (r[1:] for r in errors), strict=True):
        expected = summary["questions"][qid]
        assert value == expected["probability"] and text == f"{expected['probability']:.1%}"
        assert error == expected["standard_error"]
    levels = [row for row in cells if row[0] == "levels"]
    final = dict(zip([r[1] for r in levels[::2]], [r[2] for r in levels[::2]], strict=True))
    assert final == {level.replace("_", " "): p for level, p in summary["final_level_probabilities"].items()}


def test_report_shows_signposts_stories_and_every_assumption(reported):
    html = (reported / "report.html").read_text()
    assert "Signposts (signposts-ceasefire_2026-2025-12)" in html
    assert html.count("<div class=story>") == 4
    assert "president.volatility" in html and "Zhao" in html
    assert "http://" not in html and "https://" not in html
    refused = runner.invoke(app, ["report", str(reported)])
    assert refused.exit_code == 2 and "--force" in refused.output
