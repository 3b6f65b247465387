"""The new question kinds where an analyst meets them: the run's header, summary.json, the report, the
explorer's table and the ledger (freeze, rerun bit for bit, resolve, score); a bad one is exit 2."""

import json
import time
from datetime import UTC, datetime

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import simulator
from simulator.analysis import ledger as L
from simulator.api import posterior_design
from simulator.cli import ledger_commands
from simulator.cli.app import app
from simulator.explore.engine import _forecast, differences, run_block
from simulator.explore.page import _questions_html
from simulator.scenario import load_scenario, override
from tests.conftest import ROOT

runner = CliRunner()

SCENARIO = f"""extends: {ROOT / "tests" / "data" / "asof_start_2025_04.yaml"}
name: kinds
horizon: 2026-12
initial: {{met: true, happened: [contact_resumed, summit]}}
questions:
  - {{id: meet_again, text: "Will the presidents meet again by mid-2026?", event: summit, again: true, by: 2026-06}}
  - {{id: three_sanctions, event: new_sanctions, times: 3, by: 2026-03}}
  - {{id: back_to_suspended, text: "Will ties fall back to suspended?", falls_to: suspended, by: 2025-12}}
  - {{id: contact_holds, holds: contact, from: 2025-07, by: 2026-06}}
  - {{id: cooperation, level: selective_cooperation, by: 2026-06}}
  - {{id: both_of_them, both: [meet_again, cooperation]}}
  - {{id: one_or_other, either: [back_to_suspended, cooperation]}}
"""
NEW = ("meet_again", "three_sanctions", "back_to_suspended", "contact_holds", "both_of_them", "one_or_other")


def sim(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kinds.yaml").write_text(SCENARIO)
    return tmp_path


def test_a_run_shows_each_kind_in_its_header_summary_rows_and_report(here):
    result = sim("run", "kinds.yaml", "--runs", 300, "--seed", 6, "--out", "run", "--workers", 1, "--report")
    assert result.exit_code == 0, result.output
    summary = json.loads((here / "run" / "summary.json").read_text())
    answers = summary["questions"]
    assert list(answers) == [*NEW[:4], "cooperation", *NEW[4:]]
    rows = pq.read_table(here / "run" / "runs.parquet")
    page = (here / "run" / "report.html").read_text()
    header = " ".join(result.output.split())
    for qid in NEW:
        answer = answers[qid]
        p = answer["probability"]
        assert p == np.mean(rows.column(f"answer_{qid}").to_numpy(zero_copy_only=False))
        assert answer["standard_error"] == pytest.approx(np.sqrt(p * (1 - p) / 300))
        assert f"{qid} " in header and f"{p:.1%} ± {answer['standard_error']:.1%}" in header
        assert f"data-id='{qid}'" in page and answer["asks"] in page.replace("&#x27;", "'")
    assert "answer_cooperation" not in rows.column_names  # read from the first months, as before
    assert answers["one_or_other"]["by"] == "2026-06" and answers["one_or_other"]["kind"] == "either"


def test_the_explorer_compares_each_kind_world_by_world(here):
    spec = load_scenario(here / "kinds.yaml")
    block = run_block(spec, 2, 0, 400, posterior_design(spec, 2))  # as the explorer's engine runs it
    loaded = _forecast(spec, 2, [block], time.perf_counter())
    assert loaded.questions() == simulator.run(spec, runs=400, seed=2).questions()
    same = differences(loaded, loaded).set_index("quantity")
    assert set(NEW) <= set(same.index) and (same.loc[list(NEW), "difference"] == 0).all()
    edited_spec = override(spec, {"president.volatility": 0.3})
    edited = _forecast(edited_spec, 2, [run_block(edited_spec, 2, 0, 400, posterior_design(edited_spec, 2))], 0.0)
    moved = differences(loaded, edited).set_index("quantity")
    for qid in NEW:  # paired world by world: the mean of the per-world differences
        paired = edited.question_worlds[qid].astype(float) - loaded.question_worlds[qid].astype(float)
        assert moved.loc[qid, "difference"] == pytest.approx(paired.mean())
        assert moved.loc[qid, "probability"] == edited.questions()[qid]["probability"]
    assert (moved.loc[list(NEW), "difference"] != 0).any()
    html = _questions_html(loaded, differences(loaded, loaded))
    for qid in NEW:
        assert f"id='q-{qid}'>{loaded.questions()[qid]['probability']:.1%}<" in html
    assert "Will ties fall back to suspended?" in html and "relations are at contact or higher" in html


def test_the_ledger_freezes_reruns_resolves_and_scores_each_kind(here):
    result = sim("ledger", "freeze", "kinds.yaml", "--runs", 200, "--seed", 4)
    assert result.exit_code == 0, result.output
    entry = L.read(here / "ledger.jsonl").entries[0]
    frozen = {q["id"]: q for q in entry["questions"]}
    assert frozen["meet_again"]["rule"] == {"event": "summit", "again": True, "by": "2026-06"}
    assert frozen["contact_holds"]["rule"] == {"holds": "contact", "from": "2025-07", "by": "2026-06"}
    assert frozen["both_of_them"]["rule"] == {"both": ["meet_again", "cooperation"], "by": "2026-06"}
    suspended = "yes if relations are at suspended at the end of a month from 2025-04 to 2025-12"
    assert frozen["back_to_suspended"]["resolution"].startswith(suspended)
    assert frozen["three_sanctions"]["resolution"].startswith("yes if new sanctions happens in at least 3 months")
    assert {frozen[q]["closes"] for q in ("meet_again", "both_of_them", "one_or_other")} == {"2026-06"}
    assert all(0 < frozen[q]["probability"] < 1 for q in ("three_sanctions", "contact_holds", "one_or_other"))
    rerun = sim("ledger", "rerun", "1")
    assert rerun.exit_code == 0 and "bit for bit" in rerun.output and "NO" not in rerun.output
    resolved = sim("ledger", "resolve", "1:back_to_suspended", "no", "--source", "the record, 2025-12")
    assert resolved.exit_code == 0, resolved.output
    assert sim("ledger", "resolve", "1:one_or_other", "yes", "--source", "the record").exit_code == 0
    assert sim("ledger", "score").exit_code == 0
    page = (here / "track_record.html").read_text()
    assert "1:back_to_suspended" in page and "1:one_or_other" in page


def test_a_bad_question_is_exit_2_with_one_message(here):
    (here / "bad.yaml").write_text(SCENARIO.replace("either: [back_to_suspended", "either: [both_of_them"))
    result = sim("validate", "bad.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "questions.6.either: 'both_of_them' is a combination itself" in " ".join(result.output.split())


def test_an_ensemble_counts_the_blends_questions_in_every_member(here):
    (here / "plain.yaml").write_text(
        f"extends: {ROOT / 'tests' / 'data' / 'asof_start_2025_04.yaml'}\nname: plain\nhorizon: 2026-12\nquestions: []\n"
    )
    (here / "blend.yaml").write_text("name: blend\nensemble:\n  members: {kinds.yaml: 0.5, plain.yaml: 0.5}\n")
    result = sim("run", "blend.yaml", "--runs", 400, "--seed", 3, "--out", "blend", "--workers", 1)
    assert result.exit_code == 0, result.output
    answers = json.loads((here / "blend" / "summary.json").read_text())["questions"]
    rows = pq.read_table(here / "blend" / "runs.parquet")
    assert set(rows.column("member").to_pylist()) == {"kinds", "plain"}
    for qid in NEW:
        assert answers[qid]["probability"] == np.mean(rows.column(f"answer_{qid}").to_numpy(zero_copy_only=False))


def test_a_hold_frozen_before_its_first_month_is_before_the_fact(here, monkeypatch):
    monkeypatch.setattr(ledger_commands, "_now", lambda: datetime(2025, 5, 15, tzinfo=UTC))  # after the start
    assert sim("ledger", "freeze", "kinds.yaml", "--runs", 100, "--seed", 1).exit_code == 0
    timing = {q["id"]: q["timing"] for q in L.read(here / "ledger.jsonl").entries[0]["questions"]}
    assert timing["contact_holds"] == "before"  # its window opens in 2025-07
    assert timing["back_to_suspended"] == timing["meet_again"] == "during"
