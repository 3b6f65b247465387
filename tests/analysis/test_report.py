"""The report: one page a reader can brief from.

The first test opens it in a real headless browser (Debian's chromium, driven by Playwright);
the others read its HTML, and need no browser.
"""

import json
import re
import shutil
import subprocess
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from simulator.analysis import report, report_analyses, report_assumptions, report_html
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
    drivers = ["sensitivity", run, "--outcome", "summit_2025", "--out", run / "drivers-pawn"]
    assert runner.invoke(app, [str(a) for a in drivers]).exit_code == 0
    assert runner.invoke(app, ["discover", str(run), "--outcome", "ceasefire_2026"]).exit_code == 0
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
    assert "What to watch by 2025-12: Will a ceasefire in Ukraine be agreed by the end of 2026?" in html
    assert html.count("<div class=story>") == 4
    assert "president.volatility" in html and "Zhao" in html
    assert "http://" not in html and "https://" not in html
    refused = runner.invoke(app, ["report", str(reported)])
    assert refused.exit_code == 2 and "--force" in refused.output


class _Page(HTMLParser):
    """The page's headings, its cells' text, and the elements each cell sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.headings: list[str] = []
        self.cells: list[tuple[tuple[str, ...], str]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("br", "img", "meta"):
            return
        self.open.append(tag)
        if tag in ("h1", "h2", "h3", "td", "th"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "td", "th") and self._text is not None:
            text = "".join(self._text).strip()
            (self.headings if tag.startswith("h") else self.cells).append(
                text if tag.startswith("h") else (tuple(self.open), text)
            )
            self._text = None
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _page(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text())
    return parser


def test_report_opens_with_a_bottom_line_in_sentences(reported):
    html = (reported / "report.html").read_text()
    bottom = html[html.index("id=bottom-line") : html.index("</ul>", html.index("Track record"))]
    assert html.index("id=bottom-line") < html.index("<table")  # the bottom line comes before every table
    summary = json.loads((reported / "summary.json").read_text())
    final = summary["final_level_probabilities"]
    likeliest = max(final, key=final.get)
    assert (
        f"Most likely at {summary['horizon']}: relations at {likeliest.replace('_', ' ')} ({final[likeliest]:.0%}"
        in bottom
    )
    assert "Will the presidents meet in person by the end of 2025?" in bottom
    assert (
        "<b>What drives it.</b> \u201cWill the presidents meet in person by the end of 2025?\u201d turns most on"
        in bottom
    )
    assert "<b>What would change it.</b> Watch for " in bottom and "a ceasefire in Ukraine be agreed" in bottom
    assert "Track record." in bottom and escape(report._skill_line(summary)) in bottom


def test_report_names_its_scenario_and_the_day_it_was_made(reported):
    html = (reported / "report.html").read_text()
    made = json.loads((reported / "metadata.json").read_text())["created"]
    assert re.search(r"Run made \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC", html)
    assert made[:4] in html
    assert "The baseline forecast, made with January-2025 knowledge." in html  # the scenario's description


def test_headings_and_columns_speak_to_a_reader(reported):
    page = _page(reported / "report.html")
    text = " ".join(page.headings) + " ".join(cell for where, cell in page.cells if "th" in where)
    for raw in ("share_seen", "p_if_seen", "p_if_not_seen", "false_alarm_rate", "hit_rate", "signposts-", "pawn,"):
        assert raw not in text, raw
    assert not any(re.search(r"\((sobol|pawn|morris), ", heading) for heading in page.headings)
    assert "What drives the outcomes: PAWN indices from this run's worlds" in page.headings
    assert "What must be true: Will a ceasefire in Ukraine be agreed by the end of 2026?" in page.headings
    headers = [cell for where, cell in page.cells if "th" in where]
    assert "hit rate (seen in the outcome's worlds)" in headers and "a higher value" in headers


def test_values_read_as_a_reader_writes_them(reported):
    page = _page(reported / "report.html")
    cells = [cell for where, cell in page.cells if "td" in where]
    assert len(cells) > 300
    for cell in cells:
        assert not re.search(r"\b(None|True|False|nan)\b|\{\}|\[\]", cell), cell
    assert report_html._reader_value("{'war_intensity': 2.0}") == "war intensity: 2.0"
    assert report_html._reader_value("new_kremlin_leader: True") == "new_kremlin_leader: yes"
    assert [report_html._reader_value(v) for v in ("None", "{}", "[]", "False")] == ["none", "none", "none", "no"]


def test_assumptions_are_folded_away_and_say_which_line_of_the_users_file_set_them(reported):
    html = (reported / "report.html").read_text()
    folded = html[html.index("<details") : html.index("</details>")]
    assert "<table id=assumptions>" in folded and html.count("<table id=assumptions>") == 1
    assert "scenario.resolved.yaml" not in html  # the file was not changed since: its own lines are named
    page = _page(reported / "report.html")
    rows = [cell for where, cell in page.cells if "details" in where]
    assert f"{BASELINE}:30" in rows  # initial.review_law, where `sim describe` places it
    assert any(cell.endswith(tuple(f"structure.yaml:{n}" for n in range(1, 200))) for cell in rows)


def test_set_in_falls_back_to_the_run_when_the_users_file_changed(reported, tmp_path):
    metadata = json.loads((reported / "metadata.json").read_text())
    assert report_assumptions._user_origins(metadata)["initial.review_law"] == f"{BASELINE}:30"
    assert report_assumptions._user_origins(metadata | {"scenario_sha256": "0" * 64}) == {}
    assert report_assumptions._user_origins(metadata | {"scenario_file": str(tmp_path / "gone.yaml")}) == {}


def test_the_track_record_is_the_packaged_line_or_says_none_was_measured(monkeypatch, tmp_path):
    import simulator.files

    skill = tmp_path / "skill.json"
    monkeypatch.setattr(simulator.files, "packaged", lambda *parts: tmp_path.joinpath(*parts))
    assert report._skill_line({}) == report.NO_SKILL  # no file
    skill.write_text("{damaged")
    assert report._skill_line({}) == report.NO_SKILL
    skill.write_text(json.dumps({"line": "Brier 0.18 against 0.21 for the best baseline", "seed": 1}))
    assert report._skill_line({}) == "Brier 0.18 against 0.21 for the best baseline"
    assert report._skill_line({"skill": {"line": "the run's own"}}) == "the run's own"


def test_a_changed_scenario_file_is_said_and_values_are_placed_in_the_runs_copy(reported, monkeypatch):
    metadata = json.loads((reported / "metadata.json").read_text())
    monkeypatch.setattr(report_assumptions, "_user_origins", lambda metadata: {})
    page = report.render(reported, [])
    folded = page[page.index("<details") : page.index("</details>")]
    assert f"{metadata['scenario_file']} has changed since the run" in folded
    assert "the run&#x27;s scenario.resolved.yaml, line 11" in folded and str(reported) not in folded


def test_sensitivity_indices_below_zero_read_as_noise():
    assert report_analyses._index_value(-0.108) == "0 (noise)"
    assert report_analyses._index_value(0.0002) == "0" and report_analyses._index_value(0.144) == "0.144"
