"""Honest skill: forecast mode blind to the record's dates, baselines, intervals, the question set, folds."""

from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.analysis import history, questions
from simulator.analysis.backtest import load_history, score_questions, skill_backtest
from simulator.analysis.calibrate import FOLDS_FILE
from simulator.analysis.skill import (
    FORECAST,
    HINDCAST,
    IN_SAMPLE,
    OUT_OF_SAMPLE,
    ROLLING,
    block_bootstrap,
    forecast_spec,
    hindcast_spec,
    skill,
    skill_table,
)
from simulator.api import run
from simulator.cli.app import app
from simulator.files import packaged
from simulator.months import Month
from simulator.vocabulary import EVENTS, LEVELS

ORIGIN = "2001-09"


@pytest.fixture(scope="module")
def specs():
    return load_history()


def _shifted(rows: pd.DataFrame, months: int) -> pd.DataFrame:
    """The timeline with every row after ``ORIGIN`` moved ``months`` on, wrapping round within the record.

    Rows the history scenarios treat as exceptions stay put: they are keyed by their dates.
    """
    first, last = Month.parse(ORIGIN).plus(1), Month.parse(history.RECORD_SPAN[1])
    span = last.minus(first) + 1
    moved = rows.copy()
    for i, row in rows.iterrows():
        if row["date"] > ORIGIN and (row["date"], row["category"]) not in history.SHOCK_EXCEPTIONS:
            offset = (Month.parse(row["date"]).minus(first) + months) % span
            moved.at[i, "date"] = str(first.plus(offset))
    return moved


def _shuffled(rows: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The timeline with the dates of the rows after ``ORIGIN`` shuffled among themselves (exceptions kept)."""
    moved = rows.copy()
    free = [
        i
        for i, r in rows.iterrows()
        if r["date"] > ORIGIN and (r["date"], r["category"]) not in history.SHOCK_EXCEPTIONS
    ]
    moved.loc[free, "date"] = np.random.default_rng(seed).permutation(rows.loc[free, "date"].to_numpy())
    return moved


def _level_rps(spec) -> float:
    return skill(run(spec, runs=300, seed=5), FORECAST, IN_SAMPLE, seed=5).level_rps


@pytest.mark.parametrize("perturb", [lambda r: _shifted(r, 12), lambda r: _shifted(r, 30), lambda r: _shuffled(r, 1)])
def test_forecast_mode_uses_nothing_after_the_origin_and_the_placebo_moves_the_hindcast(specs, perturb):
    leaders = specs["history_2001_leaders"]
    original, perturbed = history.timeline(), perturb(history.timeline())
    assert not perturbed["date"].equals(original["date"]), "the perturbation moves post-origin rows"
    assert perturbed.loc[original["date"] <= ORIGIN].equals(original.loc[original["date"] <= ORIGIN])

    forecast, blind = forecast_spec(leaders, original), forecast_spec(leaders, perturbed)
    assert forecast.model_dump() == blind.model_dump()
    first, second = run(forecast, runs=300, seed=5), run(blind, runs=300, seed=5)
    assert asdict(skill(first, FORECAST, IN_SAMPLE, 5)) == asdict(skill(second, FORECAST, IN_SAMPLE, 5))

    # Placebo: the hindcast is given the dates, so moving them changes what it is scored on.
    hindcast, placebo = hindcast_spec(leaders, original), hindcast_spec(leaders, perturbed)
    assert hindcast.model_dump()["schedule"] == specs["history_2001"].model_dump()["schedule"]
    assert hindcast.model_dump()["schedule"] != placebo.model_dump()["schedule"]
    assert _level_rps(hindcast) != _level_rps(placebo)


def test_forecast_mode_draws_shocks_at_the_record_base_rates(specs):
    spec = forecast_spec(specs["history_1992_leaders"])
    assert not [item for item in spec.schedule if item.event == "shock"], "no dated shocks in a forecast"
    counted = history.timeline_shocks(*history.RECORD_SPAN)
    months = history.months_between(*history.RECORD_SPAN) + 1
    nato = sum(entry["shock"] == "nato_enlargement" for entry in counted)
    assert nato > 0 and spec.shocks.nato_enlargement.hazard.value == pytest.approx(nato / months, abs=1e-6)


def test_block_bootstrap_interval_brackets_the_skill():
    rng = np.random.default_rng(0)
    baseline = rng.uniform(0.5, 1.0, size=120)
    model = baseline * 0.7
    low, high = block_bootstrap(model, baseline, np.random.default_rng(1))
    assert low == pytest.approx(0.3) and high == pytest.approx(0.3), "a constant ratio has no spread"
    noisy = baseline * rng.uniform(0.2, 1.4, size=120)
    low, high = block_bootstrap(noisy, baseline, np.random.default_rng(1))
    point = 1 - noisy.mean() / baseline.mean()
    assert low < point < high


def test_question_set_resolves_from_its_source_rows():
    frame = questions.questions()
    assert len(frame) >= 40 and frame["id"].is_unique
    origins = {start for start, *_ in history.HISTORY_STARTS.values()}
    for _, q in frame.iterrows():
        assert q["origin"] in origins, q["id"]
        assert q["origin"] < q["by"] <= history.RECORD_SPAN[1], q["id"]
        assert bool(q["event"]) != bool(q["level"]), q["id"]
        assert q["event"] in EVENTS if q["event"] else q["level"] in LEVELS, q["id"]
        rows = questions.resolving_rows(q)
        assert q["outcome"] == bool(rows), f"{q['id']}: outcome does not match the data ({rows})"
        assert q["source_row"] == (rows[0] if rows else ""), q["id"]
        if rows:
            source = pd.read_csv(packaged("history", q["source_file"]), dtype=str)
            keys = set(source["start"]) if "start" in source else set(source["date"] + " " + source["category"])
            assert q["source_row"] in keys, q["id"]
    assert 0.2 < frame["outcome"].mean() < 0.8, "both outcomes are well represented"


@pytest.fixture(scope="module")
def backtested(specs):
    folds = {key: {"structure.erosion": 0.03} for key in ("1992", "2001", "2009")}
    return skill_backtest(specs, runs=200, seed=2, folds=folds, rolling={"2001": {"structure.erosion": 0.02}})


def test_skill_backtest_has_both_modes_both_samples_and_scores_the_questions(backtested):
    skills, results = backtested
    table = skill_table(skills)
    assert set(zip(table["mode"], table["sample"], strict=True)) == {
        (HINDCAST, IN_SAMPLE),
        (FORECAST, IN_SAMPLE),
        (FORECAST, OUT_OF_SAMPLE),
        (FORECAST, ROLLING),
    }
    assert len(table) == 10 and table.loc[table["sample"] == ROLLING, "origin"].tolist() == ["2001-09"]
    for name in ("level_vs_climatology", "level_vs_persistence", "phase_vs_climatology", "phase_vs_persistence"):
        assert (table[f"{name}_low"] <= table[f"{name}_high"]).all()
        assert (table[name] <= 1).all()
    scored = score_questions(results)
    assert set(scored) == {IN_SAMPLE, OUT_OF_SAMPLE}
    q = scored[IN_SAMPLE]
    assert q.table["probability"].between(0, 1).all() and len(q.table) == len(questions.questions())
    overall = q.overall.set_index("forecast")["brier"]
    rate = q.table["outcome"].mean()
    assert overall["always 50%"] == pytest.approx(0.25) and overall["base rate"] == pytest.approx(rate * (1 - rate))
    assert q.calibration["questions"].sum() == len(q.table)


@pytest.mark.parametrize("text", ["leave_out: 3\n", "leave_out: {'1992': {structure.erosion: fast}}\n", "[unclosed\n"])
def test_bad_folds_file_is_one_message(tmp_path, text):
    for name in ("engine.yaml", "structure.yaml", "calibrated.yaml", "posterior.csv"):
        (tmp_path / name).write_text(packaged("configs", name).read_text())
    (tmp_path / FOLDS_FILE).write_text(text)
    result = CliRunner().invoke(
        app,
        ["ensemble", "--runs", "50", "--config-dir", str(tmp_path), "--out", str(tmp_path / "o"),
         "--write", str(tmp_path / "fitted.yaml")],
    )  # fmt: skip
    assert result.exit_code == 2 and FOLDS_FILE in result.output and "leave_out must map" in result.output
    assert "Traceback" not in result.output
