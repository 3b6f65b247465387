"""``sim report RUN --ledger LEDGER``: the run's report with the ledger's track record; without one, as before."""

import re

import pytest
from typer.testing import CliRunner

from simulator.analysis import ledger as L
from simulator.cli.app import app
from tests.analysis.test_ledger import LATER, MADE, forecast
from tests.conftest import BASELINE

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-ledger") / "run"
    done = runner.invoke(app, ["run", str(BASELINE), "--runs", "500", "--seed", "2", "--out", str(folder)])
    assert done.exit_code == 0, done.output
    return folder


def ledger_with_a_miss(path):
    """Two forecasts: a summit at 42 % that happened (resolved yes) and a ceasefire at 20 % still open."""
    L.append(path, lambda _: forecast(), create=True)
    L.append(path, lambda found: L.resolution_body(found, "1:summit_2025", True, "Anchorage, 15 Aug 2025", MADE))
    L.append(path, lambda _: forecast(questions=(("ceasefire", "ceasefire", "2026-12", 0.2),), timing="before"))
    return path


def test_a_report_with_a_ledger_holds_its_track_record(run, tmp_path):
    ledger = ledger_with_a_miss(tmp_path / "ledger.jsonl")
    out = tmp_path / "with.html"
    done = runner.invoke(app, ["report", str(run), "--ledger", str(ledger), "--out", str(out)])
    assert done.exit_code == 0, done.output
    page = out.read_text()
    section = page[page.index("<h2 id=track-record>") :]
    assert f"Track record: {ledger}" in section
    assert "2 forecasts, 2 questions forecast, 1 resolved" in section
    assert "<h3>Made after the fact</h3>" in section and "<h3>Open questions</h3>" in section
    # The resolved forecast is listed with its outcome and Brier score (0.42 for an event that happened).
    row = re.search(r"<tr[^>]*><td>1:summit_2025</td>.*?</tr>", section).group(0)
    assert "<td>yes</td>" in row and f"<td>{(1 - 0.42) ** 2:.4f}</td>" in row and "Anchorage" in row
    assert "3:ceasefire" in section, "the open question is listed"
    bottom = page[page.index("id=bottom-line") : page.index("<h2", page.index("id=bottom-line"))]
    assert "The ledger ledger.jsonl: 1 resolved forecasts (1 after the fact) (below)." in bottom


def test_without_a_ledger_the_report_is_as_before(run, tmp_path):
    ledger = ledger_with_a_miss(tmp_path / "ledger.jsonl")
    plain, withs = tmp_path / "plain.html", tmp_path / "with.html"
    assert runner.invoke(app, ["report", str(run), "--out", str(plain)]).exit_code == 0
    assert runner.invoke(app, ["report", str(run), "--ledger", str(ledger), "--out", str(withs)]).exit_code == 0
    without = plain.read_text()
    assert "track-record" not in without
    page = withs.read_text()
    start = page.index("<h2 id=track-record>")
    end = page.index("<h2", start + 1)  # the section ends where the report's next section begins
    line = " The ledger ledger.jsonl: 1 resolved forecasts (1 after the fact) (below)."
    assert line in page[:start]
    assert (page[:start] + page[end:]).replace(line, "") == without


def test_a_damaged_or_missing_ledger_is_one_message_and_no_report(run, tmp_path):
    ledger = ledger_with_a_miss(tmp_path / "ledger.jsonl")
    data = bytearray(ledger.read_bytes())
    data[40] ^= 0x01
    ledger.write_bytes(bytes(data))
    out = tmp_path / "r.html"
    for path in (ledger, tmp_path / "none.jsonl"):
        done = runner.invoke(app, ["report", str(run), "--ledger", str(path), "--out", str(out)])
        assert done.exit_code == 2 and len(done.output.strip().splitlines()) == 1, done.output
        assert done.output.startswith("error: --ledger") and str(path) in done.output.replace("\n", "")
        assert not out.exists()


def test_the_bottom_line_scores_the_forecasts_made_before_the_fact_apart(tmp_path):
    from simulator.analysis.report import _ledger_line

    path = ledger_with_a_miss(tmp_path / "ledger.jsonl")
    L.append(path, lambda found: L.resolution_body(found, "3:ceasefire", False, "no truce", LATER))
    line = _ledger_line(L.read(path))
    assert "2 resolved forecasts (1 before the fact, 1 after the fact)" in line
    assert f"made before the fact {(0.2 - 0) ** 2:.3f}" in line  # the after-the-fact miss is not pooled in
    empty = tmp_path / "empty.jsonl"
    L.append(empty, lambda _: forecast(), create=True)
    assert _ledger_line(L.read(empty)) == " The ledger empty.jsonl: 1 questions forecast, none resolved yet."
    assert _ledger_line(None) == ""
