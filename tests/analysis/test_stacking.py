"""The recalibrating stack: fitted at each origin only on questions resolved by then, kept beside the raw model."""

import numpy as np
import pandas as pd
import pytest

from simulator.analysis import baselines, outofsample, stacking
from simulator.months import Month


def synthetic(seed: int = 3) -> pd.DataFrame:
    """Questions on the grid 1994-2004 with an overconfident model: its logit is twice the truth's."""
    rng = np.random.default_rng(seed)
    rows = []
    for origin in baselines.origins("1994-01", "2004-10"):
        for horizon in baselines.HORIZONS:
            for _ in range(20):
                truth = rng.uniform(-3, 1)
                rows.append({"origin": origin, "horizon": horizon, "truth": truth,
                             "outcome": float(rng.random() < 1 / (1 + np.exp(-truth)))})  # fmt: skip
    table = pd.DataFrame(rows)
    noise = rng.normal(0, 0.5, len(table))
    return table.assign(
        model=1 / (1 + np.exp(-2 * (table["truth"] + noise))),
        reference_class=1 / (1 + np.exp(-(table["truth"] - noise))),
    )


def test_a_question_resolved_after_the_origin_cannot_change_the_stack_there():
    table = synthetic()
    origin = "2000-01"
    at = Month.parse(origin).ordinal
    later = stacking.resolved_by(table) > at
    flipped = table.assign(outcome=np.where(later, 1 - table["outcome"], table["outcome"]))
    asked = (table["origin"] == origin).to_numpy()
    before, after = stacking.recalibrate(table).forecast, stacking.recalibrate(flipped).forecast
    assert np.array_equal(before[asked], after[asked])
    # a question resolved exactly at the origin is known there, and moves it
    known = (stacking.resolved_by(table) <= at) & ~asked
    assert known.sum() > stacking.FEWEST
    moved = table.assign(outcome=np.where(known, 1 - table["outcome"], table["outcome"]))
    assert not np.allclose(stacking.recalibrate(moved).forecast[asked], before[asked])


def test_a_question_from_an_earlier_origin_whose_window_is_still_open_is_not_used():
    table = synthetic()
    origin = "2000-01"
    usable = stacking.resolved_by(table) <= Month.parse(origin).ordinal
    # the 24-month questions of 1999-01 close in 2001-01: after the origin, though asked before it
    open_window = ((table["origin"] == "1999-01") & (table["horizon"] == 24)).to_numpy()
    assert not usable[open_window].any()
    fits = stacking.recalibrate(table).fits.set_index("origin")
    assert fits.loc[origin, "resolved"] == int(usable.sum())


def test_the_stack_undoes_an_overconfident_model_and_scores_better():
    table = synthetic()
    stack = stacking.recalibrate(table)
    late = (table["origin"] >= "1998-01").to_numpy()
    y = table["outcome"].to_numpy()
    brier = {name: ((p[late] - y[late]) ** 2).mean() for name, p in
             {"model": table["model"].to_numpy(), "stack": stack.forecast}.items()}  # fmt: skip
    assert brier["stack"] < brier["model"]
    last = stack.fits.iloc[-1]
    assert last["fitted"] and 0 < last["on_model"] < 1  # the model's logit shrunk toward zero


def test_no_question_gets_less_than_one_percent_and_the_first_origins_pass_the_model_through():
    table = synthetic()
    table.loc[0, "model"] = 0.0
    stack = stacking.recalibrate(table)
    assert stack.forecast.min() >= stacking.FLOOR and stack.forecast.max() <= 1 - stacking.FLOOR
    first = (table["origin"] == "1994-01").to_numpy()
    assert not stack.fits.iloc[0]["fitted"]
    expected = table.loc[first, "model"].clip(stacking.FLOOR, 1 - stacking.FLOOR)  # EDGE < FLOOR
    assert np.allclose(stack.forecast[first], expected)
    misses = stacking.confident_misses(table.assign(outcome=1.0), {"model": table["model"].to_numpy()})
    assert misses.loc[0, "below_1_percent"] == int((table["model"] < 0.01).sum()) > 0


def test_a_question_the_model_does_not_answer_gets_no_stack():
    table = synthetic()
    table.loc[5, "model"] = np.nan
    assert np.isnan(stacking.recalibrate(table).forecast[5])


@pytest.mark.slow
def test_the_backtest_reports_the_recalibrated_model_beside_the_raw_one():
    table = outofsample.run(300, 7, origins=baselines.origins("2005-01", "2010-10"))
    tables = outofsample.scores(table, seed=7)
    skill = tables["skill.csv"]
    assert set(skill["forecast"]) == {outofsample.MODEL, outofsample.STACKED}
    assert set(tables["scores_by_horizon.csv"]["forecast"]) >= {outofsample.MODEL, outofsample.STACKED}
    assert {"reliability_recalibrated.csv", "stacking.csv", "confident_misses.csv"} <= set(tables)
    line = outofsample.headline(table, 300, 7)
    assert line["baseline"] != outofsample.STACKED  # the headline quotes the raw model against a baseline
