"""``sim ledger`` at the command line: freeze, verify, resolve, score, rerun; bad input is exit 2, nothing written."""

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.analysis import ledger as L
from simulator.cli import ledger_commands
from simulator.cli.app import app
from simulator.files import sha256_of
from tests.conftest import BASELINE, ROOT

runner = CliRunner()


def sim(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    """A ledger in the current folder holding one forecast of a copy of the baseline (200 worlds, seed 4)."""
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "mine.yaml"
    shutil.copy(BASELINE, scenario)
    (tmp_path / "evidence.txt").write_text("what was known\n")
    result = sim("ledger", "freeze", scenario, "--runs", 200, "--seed", 4, "--evidence", "evidence.txt")
    assert result.exit_code == 0, result.output
    return tmp_path


def test_freeze_records_each_question_with_its_inputs(frozen):
    found = L.read(frozen / "ledger.jsonl")
    assert found.damage is None and len(found.entries) == 1
    entry = found.entries[0]
    assert entry["kind"] == "forecast" and entry["runs"] == 200 and entry["seed"] == 4
    assert entry["scenario"]["sha256"] == sha256_of(frozen / "mine.yaml")
    assert [f["path"] for f in entry["scenario"]["files"]][-1] == str(frozen / "mine.yaml")
    assert len(entry["scenario"]["files"]) >= 3  # the extends chain: structure, calibrated, the scenario
    assert entry["evidence"][0]["sha256"] == sha256_of(frozen / "evidence.txt")
    assert entry["posterior"]["sha256"] and entry["software"]["version"]
    if (ROOT / ".git").exists():  # run from a checkout: its commit is recorded
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        assert entry["software"]["commit"] == head.stdout.strip()
    assert entry["made"].endswith("Z") and entry["made"][:4] >= "2026"
    summit = next(q for q in entry["questions"] if q["id"] == "summit_2025")
    assert summit["rule"] == {"event": "summit", "by": "2025-12"} and summit["timing"] == "after"
    assert entry["after_the_fact"] is True
    assert all(0 <= q["probability"] <= 1 and q["standard_error"] >= 0 for q in entry["questions"])


def test_a_forecast_frozen_before_its_window_is_not_after_the_fact(frozen, monkeypatch):
    monkeypatch.setattr(ledger_commands, "_now", lambda: datetime(2024, 12, 20, tzinfo=UTC))
    shutil.copy(BASELINE, frozen / "early.yaml")  # starts 2025-01; its questions run to 2025-12 and later
    assert sim("ledger", "freeze", "early.yaml", "--runs", 100, "--seed", 1).exit_code == 0
    entry = L.read(frozen / "ledger.jsonl").entries[1]
    assert entry["after_the_fact"] is False and {q["timing"] for q in entry["questions"]} == {"before"}


def test_rerun_gives_the_frozen_probabilities_bit_for_bit(frozen):
    result = sim("ledger", "rerun", "1")
    assert result.exit_code == 0, result.output
    assert "bit for bit" in result.output and "NO" not in result.output


def test_rerun_says_when_the_scenario_file_changed(frozen):
    with (frozen / "mine.yaml").open("a") as file:
        file.write("\n# an edit\n")
    result = sim("ledger", "rerun", "1")
    assert result.exit_code == 1 and "changed since the forecast" in result.output


def test_rerun_finds_changed_probabilities(frozen, monkeypatch):
    real = L.rerun_table

    def nudged(entry, result):
        entry["questions"][0]["probability"] += 1e-16 if entry["questions"][0]["probability"] else 5e-324
        return real(entry, result)

    monkeypatch.setattr(L, "rerun_table", nudged)
    result = sim("ledger", "rerun", "1")
    assert result.exit_code == 1 and "does not give the frozen" in result.output


def test_verify_passes_a_whole_ledger_and_finds_one_changed_byte(frozen):
    result = sim("ledger", "verify")
    head = L.read(frozen / "ledger.jsonl").head
    assert result.exit_code == 0 and head in result.output
    assert sim("ledger", "verify", "--head", head).exit_code == 0
    data = bytearray((frozen / "ledger.jsonl").read_bytes())
    data[len(data) // 2] ^= 0x04
    (frozen / "ledger.jsonl").write_bytes(bytes(data))
    result = sim("ledger", "verify")
    assert result.exit_code == 1 and "line 1" in result.output


def test_verify_names_an_unfinished_line_and_a_head_no_longer_held(frozen):
    path = frozen / "ledger.jsonl"
    assert sim("ledger", "resolve", "summit_2025", "yes", "--source", "Alaska, 2025-08-15").exit_code == 0
    head = L.read(path).head
    data = path.read_bytes()
    path.write_bytes(data[:-30])
    result = sim("ledger", "verify")
    assert result.exit_code == 1 and "unfinished" in result.output and "line 2" in result.output
    assert sim("ledger", "verify", "--head", head).exit_code == 1
    score = sim("ledger", "score", "--out", "page.html")  # readers ignore the torn line, with a note
    assert score.exit_code == 0 and "is unfinished" in score.output and "0 of 6" in score.output


def test_resolve_appends_a_chained_entry_and_score_writes_the_page(frozen):
    path = frozen / "ledger.jsonl"
    before = path.read_bytes()
    result = sim("ledger", "resolve", "1:summit_2025", "yes", "--source", "Alaska <summit>, 2025-08-15")
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(before)
    entry = L.read(path).entries[1]
    assert entry["resolves"] == ["1:summit_2025"] and entry["outcome"] is True and entry["prev"] != L.GENESIS
    result = sim("ledger", "score")
    assert result.exit_code == 0, result.output
    page = (frozen / "track_record.html").read_text()
    assert "Alaska &lt;summit&gt;" in page and "<script" not in page
    assert "Made after the fact" in page and "1:summit_2025" in page
    again = sim("ledger", "score")  # the default page is never replaced
    assert again.exit_code == 2 and "exists" in again.output
    assert sim("ledger", "score", "--out", "track_record.html").exit_code == 0  # named: replaced


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("resolve", "1:summit_2025", "maybe", "--source", "x"), "write yes or no"),
        (("resolve", "7:summit_2025", "yes", "--source", "x"), "no entry 7"),
        (("resolve", "1:nope", "yes", "--source", "x"), "has no question 'nope'"),
        (("resolve", "nope", "no", "--source", "x"), "no forecast"),
        (("resolve", "1:summit_2025", "no", "--source", " "), "--source"),
        (("resolve", "1:normalization_2028", "no", "--source", "x"), "'no' cannot be known before"),
        (("rerun", "5"), "no entry 5"),
        (("rerun", "one"), "number of a forecast entry"),
        (("freeze", "missing.yaml"), "no scenario file"),
        (("freeze", "bad.yaml"), "kremlin.cauton"),
        (("freeze", "mine.yaml", "--evidence", "nothing.txt"), "not a file"),
        (("score", "--out", "ledger.jsonl"), "is the ledger itself"),
        (("score", "--out", "."), "is a folder"),
    ],
)
def test_bad_input_is_one_message_exit_2_and_nothing_written(frozen, monkeypatch, args, message):
    monkeypatch.setattr(ledger_commands, "_now", lambda: datetime(2026, 12, 7, tzinfo=UTC))
    (frozen / "bad.yaml").write_text("extends: trump2025.yaml\nkremlin:\n  cauton: 1\n")
    shutil.copy(BASELINE, frozen / "trump2025.yaml")
    before = (frozen / "ledger.jsonl").read_bytes()
    result = sim("ledger", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert (frozen / "ledger.jsonl").read_bytes() == before


@pytest.mark.parametrize("command", ["verify", "show", "score", "rerun 1", "resolve summit_2025 yes --source x"])
def test_a_missing_ledger_is_refused(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = sim("ledger", *command.split(), "--ledger", "none.jsonl")
    assert result.exit_code == 2 and "no ledger here" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command", ["score", "rerun 1", "resolve summit_2025 yes --source x", "freeze mine.yaml --runs 50"]
)
def test_a_damaged_ledger_is_refused_and_left_as_it_is(frozen, command):
    path = frozen / "ledger.jsonl"
    entry = json.loads(path.read_bytes())
    entry["seed"] = 5  # edited by hand, hash left alone
    damaged = L.canonical(entry) + b"\n"
    path.write_bytes(damaged)
    result = sim("ledger", *command.split())
    assert result.exit_code == 2 and "line 1: entry 1 was changed" in result.output
    assert path.read_bytes() == damaged
    assert not (frozen / "track_record.html").exists()


def test_an_empty_ledger_verifies_and_scores(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.jsonl").write_bytes(b"")
    result = sim("ledger", "verify")
    assert result.exit_code == 0 and "0 entries" in result.output and L.GENESIS in result.output
    result = sim("ledger", "score")
    assert result.exit_code == 0 and "0 of 0" in result.output
    assert "No resolved forecast" in (tmp_path / "track_record.html").read_text()


def test_show_lists_each_forecast_with_its_id_and_outcome(frozen):
    assert sim("ledger", "resolve", "1:summit_2025", "yes", "--source", "Alaska").exit_code == 0
    result = sim("ledger", "show")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("1:summit_2025" in line and "yes (entry 2)" in line and "after" in line for line in lines)
    assert any("1:ceasefire_2026" in line and "open" in line for line in lines)


def test_an_ensemble_is_frozen_and_rerun_with_its_members_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("trump2025.yaml", "deni_structural.yaml"):
        shutil.copy(BASELINE.parent / name, tmp_path / name)
    (tmp_path / "pair.yaml").write_text(
        "name: pair\nensemble:\n  weights: equal\n  members: [trump2025.yaml, deni_structural.yaml]\n"
    )
    result = sim("ledger", "freeze", "pair.yaml", "--runs", 200, "--seed", 2)
    assert result.exit_code == 0, result.output
    entry = L.read(tmp_path / "ledger.jsonl").entries[0]
    assert entry["scenario"]["ensemble"] is True and entry["scenario"]["name"] == "pair"
    hashed = {Path(f["path"]).name for f in entry["scenario"]["files"]}
    assert {"pair.yaml", "trump2025.yaml", "deni_structural.yaml"} <= hashed
    assert sim("ledger", "rerun", "1").exit_code == 0
    with (tmp_path / "deni_structural.yaml").open("a") as file:
        file.write("\n# an edit to a member\n")
    result = sim("ledger", "rerun", "1")
    assert result.exit_code == 1 and "deni_structural.yaml changed" in result.output
