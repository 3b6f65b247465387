"""Revisions: forecasts of the same questions made at different months, set side by side by ``sim compare``."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import simulator
from simulator.analysis.ledger import Ledger
from simulator.analysis.revisions import (
    RevisionError,
    Revisions,
    events_between,
    ledger_outcomes,
    made_month,
    question_key,
    record_outcome,
)
from simulator.cli.app import app
from simulator.months import Month
from tests.conftest import BASELINE, ROOT

runner = CliRunner()
UPDATE = ROOT / "scenarios" / "update_2025_04.yaml"
RUNS = 1000


def later_start(tmp_path, name="later", questions=None):
    """The baseline re-started in 2025-06 from a hand-set state, asking the baseline's questions in another order."""
    asked = questions or (
        "  - {id: truce, event: ceasefire, by: 2026-12}\n"  # the baseline's ceasefire_2026 under another id
        "  - {id: summit_2025, event: summit, by: 2025-12}\n"
        "  - {id: deal_2026, event: cooperation_deal, by: 2026-12}\n"  # the baseline does not ask it
    )
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: {name}\nstart: 2025-06\n"
        "initial:\n  level: contact\n  met: true\n  happened: [contact_resumed, summit]\n"
        f"schedule: []\nquestions:\n{asked}"
    )
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The baseline, the baseline with evidence through April, and a later hand-set start, on one seed."""
    folder = tmp_path_factory.mktemp("revisions")
    specs = [simulator.load_scenario(p) for p in (later_start(folder), BASELINE, UPDATE)]
    return specs, [simulator.run(spec, runs=RUNS, seed=3) for spec in specs]


def test_forecasts_are_ordered_by_the_month_they_were_made(runs):
    specs, results = runs
    revised = Revisions.of([s.name for s in specs], results)
    assert revised.names == ["trump2025", "update_2025_04", "later"]
    assert [str(made_month(r.spec)) for r in revised.results] == ["2025-01", "2025-04", "2025-06"]


def test_questions_are_matched_by_what_they_ask_not_their_id_or_place(runs):
    specs, results = runs
    table = Revisions.of([s.name for s in specs], results).table()
    ceasefire = table[table["question"] == json.dumps({"by": "2026-12", "event": "ceasefire"}, separators=(",", ":"))]
    assert list(ceasefire["forecast"]) == ["trump2025", "update_2025_04", "later"]
    later = results[0].questions()["truce"]["probability"]
    base = results[1].questions()["ceasefire_2026"]["probability"]
    assert ceasefire["probability"].tolist() == pytest.approx(
        [base, results[2].questions()["ceasefire_2026"]["probability"], later]
    )
    # The text comes from the first forecast that asks it: the baseline's, not the bare id.
    assert ceasefire["text"].iloc[0].startswith("Will a ceasefire")


def test_a_question_one_forecast_lacks_is_shown_as_not_asked(runs):
    specs, results = runs
    table = Revisions.of([s.name for s in specs], results).table()
    deal = table[table["question"].str.contains("cooperation_deal")].set_index("forecast")
    assert np.isnan(deal.loc["trump2025", "probability"]) and np.isnan(deal.loc["update_2025_04", "probability"])
    assert 0 <= deal.loc["later", "probability"] <= 1
    normal = table[table["question"].str.contains("normalization")].set_index("forecast")
    assert np.isnan(normal.loc["later", "probability"]) and normal.loc["trump2025", "probability"] > 0


def test_the_change_is_from_the_forecast_before_with_its_error(runs):
    specs, results = runs
    table = Revisions.of([s.name for s in specs], results).table()
    summit = table[table["question"].str.contains('"summit"')].set_index("forecast")
    moved = summit.loc["later", "probability"] - summit.loc["update_2025_04", "probability"]
    assert summit.loc["later", "change"] == pytest.approx(moved)
    assert summit.loc["later", "probability"] == 1.0, "the later start records the summit as happened"
    # Different starts pair no worlds: the change's error is that of two independent estimates.
    expected = np.hypot(summit.loc["later", "standard_error"], summit.loc["update_2025_04", "standard_error"])
    assert summit.loc["later", "change_standard_error"] == pytest.approx(expected)
    assert np.isnan(summit.loc["trump2025", "change"])
    # The evidence's forecast counts its effective worlds, fewer than the worlds.
    assert summit.loc["update_2025_04", "effective_worlds"] < RUNS == summit.loc["trump2025", "effective_worlds"]


def test_the_events_between_are_what_the_later_forecast_knew(runs, tmp_path):
    specs, _ = runs
    later, baseline, update = specs
    assert events_between(baseline, update) == [
        "2025-02 contact_resumed",
        "2025-04 level contact",
        "2025-04 war active",
        "no summit, ceasefire 2025-02 to 2025-04 (watched)",
    ]
    assert events_between(update, later) == ["by 2025-06 (its start): contact_resumed, summit"]
    october = tmp_path / "october.yaml"
    october.write_text(
        f"extends: {UPDATE}\nname: october\nevidence:\n  as_of: 2025-10\n  observed:\n"
        "    - {month: 2025-02, event: contact_resumed}\n    - {month: 2025-08, event: summit}\n"
        "    - {month: 2025-10, event: new_sanctions}\n"
    )
    only_after_april = events_between(update, simulator.load_scenario(october))
    assert only_after_april == [
        "2025-08 summit",
        "2025-10 new_sanctions",
        "no contact_resumed, ceasefire 2025-05 to 2025-10 (watched)",
    ]


def test_forecasts_with_no_question_in_common_are_refused(runs, tmp_path):
    specs, results = runs
    other = simulator.load_scenario(later_start(tmp_path, "other", "  - {id: x, event: black_swan, by: 2027-01}\n"))
    with pytest.raises(RevisionError, match="share no question"):
        Revisions.of(["trump2025", "other"], [results[1], simulator.run(other, runs=100, seed=3)])


def test_the_record_resolves_questions_closing_by_2024_12():
    helsinki = record_outcome(json.dumps({"event": "summit", "by": "2018-12"}), Month(2018, 1))
    assert helsinki is not None and helsinki[0] is True and "2018-07" in helsinki[1]
    assert record_outcome(json.dumps({"event": "summit", "by": "2018-06"}), Month(2018, 1))[0] is False
    assert record_outcome(json.dumps({"event": "summit", "by": "2025-12"}), Month(2025, 1)) is None


def test_a_ledger_resolution_marks_the_same_question_whatever_its_id(runs):
    specs, results = runs
    rule = {"event": "summit", "by": "2025-12"}
    ledger = Ledger(
        path=ROOT / "unused.jsonl",
        entries=[
            {"n": 1, "kind": "forecast", "questions": [{"id": "meet", "rule": rule}]},
            {"n": 2, "kind": "resolution", "resolves": ["1:meet"], "outcome": True, "source": "Anchorage, 15 Aug"},
        ],
    )
    outcomes = ledger_outcomes(ledger)
    assert outcomes == {
        json.dumps(rule, sort_keys=True, separators=(",", ":")): (True, "ledger entry 2: Anchorage, 15 Aug")
    }
    table = Revisions.of([s.name for s in specs], results, outcomes).table()
    summit = table[table["question"] == question_key(specs[1].questions[0])]
    assert set(summit["resolution"]) == {"yes"} and summit["resolved_by"].iloc[0].startswith("ledger entry 2")
    assert table[table["question"].str.contains("ceasefire")]["resolution"].isna().all()


def test_compare_across_months_writes_the_revisions_and_a_chart_per_question(tmp_path):
    out = tmp_path / "cmp"
    later = later_start(tmp_path)
    result = runner.invoke(
        app, ["compare", str(BASELINE), str(UPDATE), str(later), "--runs", str(RUNS), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "revisions.csv")
    assert set(table["forecast"]) == {"trump2025", "update_2025_04", "later"}
    charts = sorted(p.name for p in out.glob("revision_*.png"))
    assert len(charts) == table["question"].nunique() and "revision_summit_2025.png" in charts
    assert all((out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for name in charts)
    assert not (out / "comparison.csv").exists(), "over different months there is no level-by-level comparison"
    assert "How each question's probability moved" in result.output and "not asked" in result.output
    assert "2025-02 contact_resumed" in result.output


def test_compare_of_the_baseline_and_its_update_shows_both_views(tmp_path):
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(BASELINE), str(UPDATE), "--runs", str(RUNS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "comparison.csv").is_file() and (out / "revisions.csv").is_file()
    table = pd.read_csv(out / "revisions.csv")
    moved = table[(table["forecast"] == "update_2025_04") & table["question"].str.contains('"summit"')].iloc[0]
    assert moved["change"] != 0 and moved["between"].startswith("2025-02 contact_resumed")


def test_compare_with_a_ledger_marks_its_resolutions_and_refuses_a_damaged_one(tmp_path):
    from simulator.analysis import ledger as L
    from tests.analysis.test_ledger import MADE, forecast

    path = tmp_path / "ledger.jsonl"
    L.append(path, lambda _: forecast(), create=True)  # summit by 2025-12, under the id summit_2025
    L.append(path, lambda found: L.resolution_body(found, "1:summit_2025", True, "Anchorage", MADE))
    out = tmp_path / "cmp"
    args = ["compare", str(BASELINE), str(UPDATE), "--runs", "500", "--ledger", str(path), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "revisions.csv")
    summit = table[table["question"].str.contains('"summit"')]
    assert set(summit["resolution"]) == {"yes"} and summit["resolved_by"].str.contains("Anchorage").all()
    assert table[~table["question"].str.contains('"summit"')]["resolution"].isna().all()
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))
    refused = runner.invoke(app, [*args[:-1], str(tmp_path / "other")])
    assert refused.exit_code == 2 and refused.output.startswith("error: --ledger") and "damaged" in refused.output
    assert not (tmp_path / "other").exists()


def test_the_revisions_of_a_forecast_are_the_same_assumptions_made_at_other_months(runs):
    from simulator.analysis.revisions import revisions_of

    (later, baseline, update), shipped = (
        runs[0],
        {p.stem: simulator.load_scenario(p) for p in ROOT.glob("scenarios/*.yaml") if "ensemble" not in p.name},
    )
    found = [name for name, _ in revisions_of(baseline, list(shipped.items()))]
    assert sorted(found) == ["update_2025_04", "update_2025_10"], "thesis variants change assumptions: not revisions"
    assert [name for name, _ in revisions_of(update, [("b", baseline), ("later", later)])] == ["b", "later"]
    hawks = simulator.load_scenario(ROOT / "scenarios" / "hawkish_congress.yaml")
    assert revisions_of(hawks, [("u", update)]) == []


def test_a_chart_marks_the_month_a_question_closes_and_its_resolution():
    from simulator.analysis.revisions import chart

    def table(key, resolution):
        return pd.DataFrame(
            [
                {
                    "question": key,
                    "text": "q",
                    "forecast": f,
                    "made": m,
                    "probability": p,
                    "standard_error": 0.01,
                    "resolution": resolution,
                }
                for f, m, p in (("a", "2025-01", 0.3), ("b", "2025-10", 0.6))
            ]
        )

    plain = json.dumps({"by": "2025-12", "event": "summit"})
    axes = chart(table(plain, "yes"), plain).axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["2025-01", "2025-10", "2025-12"]
    star = [line for line in axes.get_lines() if line.get_marker() == "*"]
    assert len(star) == 1 and list(star[0].get_ydata()) == [1.0], "resolved yes: a star at 100 %"
    # A kind of question without `by` closes at the latest month its rule names.
    window = json.dumps({"from": "2026-01", "level": "contact", "to": "2026-06"})
    axes = chart(table(window, None), window).axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()][-1] == "2026-06"
    assert not [line for line in axes.get_lines() if line.get_marker() == "*"], "open: no resolution marked"
