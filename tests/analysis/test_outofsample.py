"""The out-of-sample test: the model's forecast from each origin uses the record as known then, and is scored."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.analysis import baselines, outofsample, rolling
from simulator.analysis.calibrate import FOLDS_FILE, read_folds
from simulator.cli.app import app
from simulator.files import out_of_sample_record, packaged
from simulator.record import Record, packaged_record

ORIGIN = "2009-01"
WORLDS, SEED = 400, 7


def asked(origin: str = ORIGIN) -> pd.DataFrame:
    table = baselines.questions()
    return table[table["origin"] == origin].reset_index(drop=True)


def forecast(record: Record, origin: str = ORIGIN) -> np.ndarray:
    return rolling.forecast(asked(origin), WORLDS, SEED, record)


def after(record: Record, origin: str) -> tuple[pd.Series, pd.Series]:
    return record.months["month"] > origin, record.events["month"] > origin


def scrambled_after(record: Record, origin: str) -> Record:
    """Every month after ``origin`` with its levels, phases and presidents shuffled; events after it moved about."""
    months, events = record.months.copy(), record.events.copy()
    later, later_events = after(record, origin)
    rng = np.random.default_rng(1)
    for column in ("level", "phase", "sanctions", "us_aid_ukraine", "us_president", "russian_president"):
        months.loc[later, column] = rng.permutation(months.loc[later, column].to_numpy())
    events.loc[later_events, "event"] = rng.permutation(events.loc[later_events, "event"].to_numpy())
    extra = events.iloc[[0]].assign(month="2015-06", date="2015-06", event="scandal")
    return Record(months=months, events=pd.concat([events, extra], ignore_index=True))


@pytest.fixture(scope="module")
def record() -> Record:
    return packaged_record()


@pytest.fixture(scope="module")
def reference(record) -> np.ndarray:
    return forecast(record)


def test_the_forecast_answers_every_question_but_those_the_vocabulary_cannot(reference):
    questions = asked()
    unanswered = questions["target"].isin(list(rolling.UNANSWERED))
    assert np.isnan(reference[unanswered.to_numpy()]).all()
    answered = reference[~unanswered.to_numpy()]
    assert not np.isnan(answered).any() and ((answered >= 0) & (answered <= 1)).all()


def test_every_meeting_and_a_new_president_in_either_capital_are_answered():
    # From 2012-03 the 2013 inauguration falls in the 12- and 24-month windows: Obama, in his first term, may be
    # re-elected, so a change of president is likely, not certain; within 6 months only the Kremlin's chance remains.
    questions = asked("2012-03")
    answers = rolling.forecast(questions, WORLDS, SEED, packaged_record())
    change = questions["target"] == "leadership_change"
    us = rolling.us_change(packaged_record().as_of("2012-03"))
    assert 0 < us < 1
    assert (answers[(change & questions["horizon"].isin([12, 24])).to_numpy()] >= us).all()
    assert (answers[(change & questions["horizon"].isin([12, 24])).to_numpy()] < 1).all()
    assert (answers[(change & questions["horizon"].isin([3, 6])).to_numpy()] < 0.5).all()
    # Presidents who met in 2009-2011 (Obama, Medvedev then Putin) meet again: every meeting counts.
    meets = answers[((questions["target"] == "summit") & (questions["horizon"] == 24)).to_numpy()]
    assert (meets > 0.3).all()


def test_scrambling_or_deleting_every_row_after_the_origin_leaves_the_forecast_bit_identical(record, reference):
    assert np.array_equal(forecast(scrambled_after(record, ORIGIN)), reference, equal_nan=True)
    assert np.array_equal(forecast(record.as_of(ORIGIN)), reference, equal_nan=True)


def test_changing_a_row_before_the_origin_moves_the_forecast(record, reference):
    months = record.months.copy()
    months.loc[months["month"] == ORIGIN, "level"] = "normalization"  # the state the forecast starts from
    assert not np.array_equal(forecast(Record(months=months, events=record.events)), reference, equal_nan=True)
    extra = record.events.iloc[[0]].assign(month="2005-06", date="2005-06", event="scandal")  # a base rate
    events = pd.concat([record.events, extra], ignore_index=True)
    assert not np.array_equal(forecast(Record(months=record.months, events=events)), reference, equal_nan=True)


def test_the_scenario_starts_from_the_record_at_the_origin_with_the_calendar_after_it():
    spec = rolling.origin_spec("2014-01")
    assert (str(spec.start), str(spec.horizon)) == ("2014-02", "2016-01")
    row = packaged_record().state("2014-01")
    assert (spec.initial.level, spec.initial.phase) == (row["level"], row["phase"])
    assert spec.initial.met  # Obama and Putin met in 2012-06
    assert [(str(s.month), s.event) for s in spec.schedule] == [("2014-11", "midterms")]
    # The fit as of 2014-01 (the latest fit point by then), not the shipped fit to 2024-12.
    fitted = read_folds(packaged("configs") / FOLDS_FILE, section="as_of")["2014-01"]
    assert spec.structure.reset_chance.value == pytest.approx(fitted["structure.reset_chance"])
    assert spec.kremlin.aims_weight.value == pytest.approx(fitted["kremlin.aims_weight"])
    late = rolling.origin_spec("2023-10")
    assert str(late.horizon) == "2024-12" and late.initial.war == "active" and late.initial.aid.value == 0.8
    assert ("2024-11", "election") in [(str(s.month), s.event) for s in late.schedule]


def test_results_depend_on_the_seed_not_on_the_processes():
    questions = baselines.questions()
    two = questions[questions["origin"].isin(["1999-01", "2019-01"])].reset_index(drop=True)
    alone = rolling.forecast(two, 300, 3, processes=1)
    assert np.array_equal(alone, rolling.forecast(two, 300, 3, processes=2), equal_nan=True)
    assert not np.array_equal(alone, rolling.forecast(two, 300, 4, processes=1), equal_nan=True)


def test_a_level_question_counts_the_worlds_at_or_above_k_at_the_horizon():
    questions = asked()
    p = rolling.forecast(questions, WORLDS, SEED)
    at_least = questions["kind"] == "level_at_least"
    for horizon in baselines.HORIZONS:
        rows = (at_least & (questions["horizon"] == horizon)).to_numpy()
        assert np.all(np.diff(p[rows]) <= 0)  # at or above a higher level is never likelier
        assert p[rows][0] <= 1 and p[rows][-1] >= 0


def test_the_headline_names_the_best_baseline_of_the_12_month_questions():
    table = outofsample.run(WORLDS, SEED, origins=["2005-01", "2010-01"])
    line = outofsample.headline(table, WORLDS, SEED)
    twelve = table[(table["horizon"] == 12) & table["model"].notna()]
    briers = {name: ((twelve[name] - twelve["outcome"]) ** 2).mean() for name in outofsample.FORECASTS}
    best = min(("climatology", "reference_class", "persistence"), key=briers.get)
    assert line["baseline"] == best and line["questions"] == len(twelve)
    assert line["model_brier"] == pytest.approx(briers["model"], abs=1e-4)
    assert f"{briers['model']:.3f}" in line["line"]


def test_the_packaged_record_is_a_line_every_run_shows():
    record = out_of_sample_record()
    assert record is not None and "12-month questions" in record["line"] and record["model_brier"] > 0


def test_backtest_command_writes_its_tables_diagram_and_questions(tmp_path):
    out = tmp_path / "bt"
    args = ["backtest", "--worlds", "200", "--first", "2009-01", "--last", "2010-01", "--out", str(out)]
    args += ["--workers", "1", "--placebo-worlds", "100"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"questions.csv", "skill.csv", "murphy.csv", "reliability.png", "skill.md", "permutation.csv"} <= names
    questions = pd.read_csv(out / "questions.csv")
    assert questions["origin"].nunique() == 5 and {"model", "reference_class", "outcome"} <= set(questions.columns)
    line = json.loads((out / "headline.json").read_text())["line"]
    assert line.startswith("12-month questions, 2009–2010") and "12-month questions" in result.output


@pytest.mark.parametrize(
    "args, said",
    [
        (["--first", "2009-02"], "must be origins of the grid"),
        (["--first", "2009-13"], "--first/--last"),
        (["--first", "2009-01", "--last", "2010-01", "--update-skill"], "every origin"),
    ],
)
def test_bad_backtest_options_are_one_message(tmp_path, args, said):
    result = CliRunner().invoke(app, ["backtest", "--worlds", "100", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output


def test_the_hindcast_is_given_the_records_shocks_and_the_placebo_shifts_them_within_the_window():
    real = rolling.given_shocks("2013-10")
    assert [(e["month"], e["shock"]) for e in real] == [
        ("2014-02", "ukraine_escalation"),
        ("2014-08", "ukraine_escalation"),
    ]
    shifted = rolling.given_shocks("2013-10", shift=20)  # the window is 2013-11 .. 2015-10: 2014-02 + 20 wraps
    assert [e["month"] for e in shifted] == ["2015-10", "2014-04"]
    spec = rolling.hindcast_spec("2013-10")
    assert spec.shocks.ukraine_escalation.hazard.value == 0  # given, not drawn
    assert [str(s.month) for s in spec.schedule if s.event == "shock"] == ["2014-02", "2014-08"]


def test_the_permutation_test_scores_the_real_dates_against_each_shift():
    table = outofsample.run(300, SEED, origins=["2013-10", "2014-01"])
    frame = outofsample.permutation(table, 300, SEED, shifts=(6, 12))
    assert list(frame["shift"]) == [0, 6, 12] and frame["questions"].nunique() == 1
    assert not frame["brier"].duplicated().any()  # the dates move the escalation's consequences
    real_rank = (frame["brier"] <= frame.loc[0, "brier"]).sum() / 3
    assert frame.loc[0, "p_brier"] == pytest.approx(real_rank)


def test_a_run_carries_the_out_of_sample_record_to_its_summary_header_and_report(tmp_path):
    from simulator.analysis.report import render
    from simulator.files import SIMULATION_ERROR, packaged

    out = tmp_path / "run"
    scenario = packaged("scenarios", "history") / "history_2009_leaders.yaml"
    result = CliRunner().invoke(app, ["run", str(scenario), "--runs", "200", "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    line = out_of_sample_record()["line"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skill"]["line"] == line and summary["standard_error"] == SIMULATION_ERROR
    assert "out-of-sample record" in result.output and "simulation error" in result.output
    assert line.split(":")[0] in render(out, [])


def test_docs_skill_quotes_the_packaged_out_of_sample_record():
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "skill.md").read_text(encoding="utf-8")
    assert f"**{out_of_sample_record()['line']}.**" in docs


@pytest.mark.parametrize(
    "origin, engaged",
    [
        ("2001-01", True),
        ("2001-07", False),
        ("2003-01", True),
        ("2015-01", False),
        ("2017-04", True),
        ("2022-07", False),
    ],
)
def test_the_president_starts_engaged_unless_he_has_turned_tough_since_taking_office_or_the_last_reset(origin, engaged):
    # Bush expelled diplomats in 2001-03 and reset after 9/11; Obama turned tough over Crimea; Trump came in new.
    spec = rolling.origin_spec(origin)
    assert spec.president.engaged_at_start.value == (1.0 if engaged else 0.0)
