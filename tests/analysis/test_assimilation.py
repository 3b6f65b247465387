"""The evidence test: forecasts from each origin conditioned on the record's last months, as known at the origin."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.analysis import assimilation, baselines
from simulator.cli.app import app
from simulator.months import Month
from simulator.record import Record, packaged_record
from tests.analysis.test_outofsample import scrambled_after

ORIGIN, WINDOW, WORLDS, SEED = "2009-01", 6, 300, 5


def asked(origin: str = ORIGIN) -> pd.DataFrame:
    table = baselines.questions()
    return table[table["origin"] == origin].reset_index(drop=True)


def forecast(record: Record, window: int | None = WINDOW) -> tuple[np.ndarray, pd.DataFrame]:
    return assimilation.forecast(asked(), WORLDS, SEED, window, record)


@pytest.fixture(scope="module")
def record() -> Record:
    return packaged_record()


@pytest.fixture(scope="module")
def reference(record) -> tuple[np.ndarray, pd.DataFrame]:
    return forecast(record)


def test_the_evidence_is_the_records_months_in_the_window_and_nothing_after_the_origin(record):
    spec = assimilation.evidence_spec(ORIGIN, WINDOW, record)
    assert spec.start == Month.parse("2008-08") and spec.evidence.as_of == Month.parse(ORIGIN)
    months = {str(o.month) for o in spec.evidence.observed}
    assert months == {str(Month.parse("2008-08").plus(i)) for i in range(WINDOW)}
    levels = {str(o.month): o.level for o in spec.evidence.observed if o.level is not None}
    assert levels == dict(record.months.set_index("month").loc[sorted(months), "level"])
    events = {(str(o.month), o.event) for o in spec.evidence.observed if o.event is not None}
    expected = {(m, e) for e in assimilation.WATCHED for m in record.happened(e) if "2008-08" <= m <= ORIGIN}
    assert events == expected and events  # the window holds events (the Georgia war's aftermath)
    assert set(spec.evidence.watched()) == set(assimilation.WATCHED)
    assert "summit" in assimilation.WATCHED  # every meeting, in the record and in the model
    assert "leadership_change" not in assimilation.WATCHED  # the record's includes new US presidents


def test_scrambling_every_row_after_the_origin_leaves_the_evidence_forecast_bit_identical(record, reference):
    again, effective = forecast(scrambled_after(record, ORIGIN))
    assert np.array_equal(again, reference[0], equal_nan=True)
    assert effective.equals(reference[1])


def test_an_event_inside_the_window_moves_the_evidence_forecast(record, reference):
    events = record.events
    extra = events.iloc[[0]].assign(month="2008-11", date="2008-11", event="military_incident")
    moved, _ = forecast(Record(months=record.months, events=pd.concat([events, extra], ignore_index=True)))
    assert not np.array_equal(moved, reference[0], equal_nan=True)


def test_the_effective_worlds_are_kept_after_every_update(reference):
    effective = reference[1].iloc[0]
    assert effective["updates"] == WINDOW and effective["origin"] == ORIGIN
    assert 0 < effective["fewest"] <= effective["median"] <= 1


def test_without_evidence_the_prior_draws_start_at_the_origin(record, reference):
    prior, effective = forecast(record, None)
    assert effective.empty and not np.array_equal(prior, reference[0], equal_nan=True)
    answered = ~np.isnan(prior)
    assert answered.sum() == (~np.isnan(reference[0])).sum() and (prior[answered] >= 0).all()


def test_a_window_reaching_before_the_record_is_refused(record):
    with pytest.raises(ValueError, match="before the record"):
        assimilation.evidence_spec("1993-01", 24, record)


def test_backtest_with_evidence_writes_the_tests_tables_and_curve(tmp_path):
    out = tmp_path / "b"
    args = ["backtest", "--worlds", "200", "--placebo-worlds", "0", "--first", "2009-01", "--last", "2010-10",
            "--workers", "1", "--out", str(out)]  # fmt: skip
    args += ["--evidence", "6", "--evidence", "3", "--evidence-worlds", "300"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"evidence_scores.csv", "evidence_skill.csv", "evidence_curve.csv", "evidence.png"} <= names
    curve = pd.read_csv(out / "evidence_curve.csv")
    assert set(zip(curve["window"], curve["worlds"], strict=True)) == {(6, 200), (3, 200), (6, 300)}
    summary = pd.read_csv(out / "evidence_effective_summary.csv")
    assert set(summary["window"]) == {3, 6} and (summary["origins"] == 8).all()
    skill = pd.read_csv(out / "evidence_skill.csv")
    assert {"model", assimilation.PRIOR, "reference_class"} <= set(skill["baseline"])
    assert set(skill["forecast"]) == {"model_evidence_6", "model_evidence_3", assimilation.RECALIBRATED}
    assert "## The evidence test" in (out / "skill.md").read_text()
    misses = pd.read_csv(out / "evidence_confident_misses.csv").set_index("forecast")
    assert misses.loc[assimilation.RECALIBRATED, "below_1_percent"] == 0  # the stack's floor
    assert misses.loc["model_evidence_6", "happened"] == misses.loc["model", "happened"] > 0


def test_evidence_worlds_without_evidence_is_one_message(tmp_path):
    result = CliRunner().invoke(app, ["backtest", "--evidence-worlds", "500", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2 and "--evidence" in result.output
