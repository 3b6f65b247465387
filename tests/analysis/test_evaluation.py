"""Scores of forecasts on the record's questions: the formulas, the year-block intervals, the CORP decomposition."""

import numpy as np
import pandas as pd
import pytest

from simulator.analysis import evaluation, skill
from simulator.vocabulary import LEVELS


def _levels_table(rng: np.random.Generator, origins: int = 12) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Level questions "at or above k" for k = 1..4 at each origin, from random five-level forecasts and outcomes."""
    dist = rng.dirichlet(np.ones(len(LEVELS)), size=origins)
    observed = rng.integers(0, len(LEVELS), size=origins)
    rows = []
    for i in range(origins):
        for k in range(1, len(LEVELS)):
            rows.append(
                {
                    "origin": f"{2000 + i}-01",
                    "horizon": 12,
                    "kind": "level_at_least",
                    "target": LEVELS[k],
                    "outcome": bool(observed[i] >= k),
                    "f": float(dist[i, k:].sum()),
                }
            )
    return pd.DataFrame(rows), dist, np.eye(len(LEVELS))[observed]


def test_rps_of_the_threshold_questions_is_the_ranked_probability_score_of_the_level_distribution():
    table, dist, observed = _levels_table(np.random.default_rng(1))
    got = evaluation.rps(table, ("f",))["f"].to_numpy()
    np.testing.assert_allclose(got, skill.rps(dist, observed))


def test_rps_needs_every_threshold_of_an_origin():
    table, _, _ = _levels_table(np.random.default_rng(2))
    with pytest.raises(ValueError, match="4 level questions"):
        evaluation.rps(table.iloc[1:], ("f",))


def test_scores_average_by_group_and_leave_out_questions_a_forecast_does_not_answer():
    table = pd.DataFrame(
        {
            "horizon": [3, 3, 12, 12],
            "outcome": [True, False, True, False],
            "a": [0.9, 0.2, 0.5, 0.5],
            "b": [np.nan, 0.4, 1.0, 0.0],
        }
    )
    got = evaluation.scores(table, ("a", "b"), ("horizon",)).set_index(["horizon", "forecast"])
    assert got.loc[(3, "a"), "brier"] == pytest.approx((0.01 + 0.04) / 2)
    assert got.loc[(3, "b"), "questions"] == 1 and got.loc[(3, "b"), "brier"] == pytest.approx(0.16)
    assert got.loc[(12, "b"), "brier"] == 0.0
    assert got.loc[(12, "a"), "log"] == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="unknown loss 'rps'"):
        evaluation.skill_table(table, ("a",), "b", loss="rps")


def test_skill_intervals_resample_whole_years():
    rng = np.random.default_rng(3)
    loss, baseline = rng.random(200), rng.random(200)
    one_year = np.full(200, "2001")
    point, low, high = evaluation.skill(loss, baseline, one_year)
    assert low == pytest.approx(point) and high == pytest.approx(point)  # one year: every replicate is the whole set
    years = np.repeat([str(y) for y in range(1994, 2014)], 10)
    point, low, high = evaluation.skill(loss, baseline, years)
    assert low < point < high
    assert evaluation.skill(loss, baseline, years) == (point, low, high)
    assert evaluation.skill(loss, loss, years) == (0.0, 0.0, 0.0)
    better = evaluation.skill(loss * 0.5, loss, years)
    assert better[1] == pytest.approx(0.5) and better[2] == pytest.approx(0.5)


def test_skill_table_compares_on_the_questions_both_forecasts_answer():
    table = pd.DataFrame(
        {
            "origin": ["1994-01", "1995-01", "1996-01", "1997-01"],
            "horizon": [3, 3, 3, 3],
            "outcome": [True, False, True, False],
            "good": [0.9, 0.1, 0.8, np.nan],
            "base": [0.5, 0.5, 0.5, 0.5],
        }
    )
    row = evaluation.skill_table(table, ("good",), "base").iloc[0]
    assert row["questions"] == 3
    assert row["skill"] == pytest.approx(1 - (0.01 + 0.01 + 0.04) / 3 / 0.25)


def test_murphy_decomposition_adds_up_and_separates_calibration_from_discrimination():
    rng = np.random.default_rng(4)
    p = rng.random(4000)
    outcome = rng.random(4000) < p
    parts = evaluation.murphy(p, outcome)
    assert parts["brier"] == pytest.approx(parts["miscalibration"] - parts["discrimination"] + parts["uncertainty"])
    assert parts["miscalibration"] < 0.005 and parts["discrimination"] > 0.05
    shifted = evaluation.murphy(np.clip(p + 0.3, 0, 1), outcome)
    assert shifted["miscalibration"] > 10 * parts["miscalibration"]
    assert shifted["discrimination"] == pytest.approx(parts["discrimination"], abs=0.01)
    flat = evaluation.murphy(np.full(4000, outcome.mean()), outcome)
    assert flat["discrimination"] == pytest.approx(0) and flat["miscalibration"] == pytest.approx(0)
    perfect = evaluation.murphy(outcome.astype(float), outcome)
    assert perfect["brier"] == 0 and perfect["discrimination"] == pytest.approx(perfect["uncertainty"])


def test_reliability_curve_lies_in_its_bands_for_a_calibrated_forecast_and_leaves_them_for_a_biased_one():
    rng = np.random.default_rng(5)
    p = rng.choice(np.linspace(0.05, 0.95, 10), size=3000)
    outcome = rng.random(3000) < p
    curve = evaluation.reliability(p, outcome, replicates=300)
    assert len(curve) == 10 and curve["questions"].sum() == 3000
    assert (np.diff(curve["recalibrated"]) >= 0).all() and (curve["low"] <= curve["high"]).all()
    inside = (curve["recalibrated"] >= curve["low"]) & (curve["recalibrated"] <= curve["high"])
    assert inside.mean() >= 0.8
    biased = evaluation.reliability(np.clip(p + 0.15, 0, 1), outcome, replicates=300)
    inside = (biased["recalibrated"] >= biased["low"]) & (biased["recalibrated"] <= biased["high"])
    assert inside.mean() <= 0.2


@pytest.mark.slow
def test_the_baselines_table_in_the_docs_is_what_the_packaged_record_gives():
    """docs/record.md quotes each baseline's Brier, log score and CORP decomposition; they are the calls' results."""
    from pathlib import Path

    from simulator.analysis import baselines

    table = baselines.forecasts(baselines.questions())
    text = (Path(__file__).parents[2] / "docs" / "record.md").read_text(encoding="utf-8")
    names = {"climatology": "climatology", "reference_class": "reference class", "markov": "Markov (levels)"}
    names["persistence"] = "persistence"
    overall = evaluation.scores(table, baselines.BASELINES).set_index("forecast")
    for name, label in names.items():
        answered = table[~table[name].isna()]
        parts = evaluation.murphy(answered[name].to_numpy(), answered["outcome"].to_numpy())
        cells = [overall.loc[name, "brier"], overall.loc[name, "log"], *list(parts.values())[1:]]
        assert f"| {label} | " + " | ".join(f"{x:.3f}" for x in cells) + " |" in text, name
