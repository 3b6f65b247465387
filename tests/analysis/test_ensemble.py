"""Weighting the theses on the 1992-2016 question set: what carries, stacking, and the weights written."""

import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from simulator.analysis import backtest, ensemble_weights, questions, thesis_carry, thesis_scores
from simulator.cli.app import app
from simulator.files import packaged
from simulator.scenario import assumptions, load_scenario
from simulator.scenario.distributions import Fixed
from simulator.scenario.ensemble import load_ensemble
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def theses():
    names = ["trump2025", "deni_structural", "zhao_success", "concessions_backfire", "hawkish_congress", "black_swans"]
    return {name: load_scenario(SCENARIOS / f"{name}.yaml") for name in names}


@pytest.fixture(scope="module")
def found(theses):
    return thesis_carry.thesis_changes(list(theses.values()))


def rules(items):
    return {c.path: c.rule for c in items}


def test_what_each_thesis_carries_to_history(found):
    assert found["trump2025"] == []
    deni = rules(found["deni_structural"])
    assert deni["kremlin.talk_value"] == thesis_carry.SHIFT
    assert {r for p, r in deni.items() if p.startswith("structure.")} == {thesis_carry.SET}
    assert set(rules(found["black_swans"]).values()) == {thesis_carry.SCALE}
    zhao = rules(found["zhao_success"])
    assert zhao["kremlin.war_aims"] is None and zhao["president.volatility"] is None
    assert zhao["kremlin.talk_value"] == thesis_carry.SHIFT
    assert rules(found["hawkish_congress"])["congress.midterm_shift"] is None
    # Concessions backfire changes only what 1992-2016 had no counterpart for: no evidence, the prior weight.
    assert not any(rules(found["concessions_backfire"]).values())
    evidence = thesis_carry.evidence_of(found)
    assert evidence == {name: name != "concessions_backfire" for name in found}


def test_carried_changes_set_scale_and_shift_the_historical_values(theses, found):
    leaders = backtest.load_history()
    origin = thesis_scores.forecast_specs(leaders, None)["2001-09"]
    before, baseline = value_of(origin), value_of(theses["trump2025"])

    def carried(thesis):
        return value_of(thesis_carry.historical(origin, [c for c in found[thesis] if c.rule], theses["trump2025"]))

    deni = carried("deni_structural")
    assert deni["kremlin.talk_value"] == pytest.approx(before["kremlin.talk_value"] - 0.7)
    reset = "structure.phase_months.reset"
    assert deni[reset] == value_of(theses["deni_structural"])[reset] != before[reset]
    swans, hazard = carried("black_swans"), "shocks.scandal.hazard"
    ratio = value_of(theses["black_swans"])[hazard] / baseline[hazard]
    assert swans[hazard] == pytest.approx(before[hazard] * ratio, rel=1e-4)
    assert swans["structure.erosion"] == before["structure.erosion"]
    hawks = carried("hawkish_congress")
    assert hawks["congress.act_value"] == pytest.approx(before["congress.act_value"] + 1.0)
    assert hawks["congress.midterm_shift"] == before["congress.midterm_shift"]
    assert 0 <= hawks["congress.relief_block"] <= 1  # shifted, then kept within its domain


def value_of(spec) -> dict[str, float]:
    """Every plain-number assumption of a scenario by key path."""
    return {path: value.value for path, value in assumptions(spec) if isinstance(value, Fixed)}


def planted(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes, and three theses: one that knows them, one that says 50 %, one that gets them backwards."""
    outcome = rng.random(n) < 0.4
    knows = np.where(outcome, 0.85, 0.15)
    return outcome, np.column_stack([np.full(n, 0.5), knows, 1 - knows])


def test_stacking_gives_the_weight_to_the_thesis_that_answers_well():
    outcome, p = planted(200, np.random.default_rng(1))
    weights = ensemble_weights.stack(ensemble_weights.likelihoods(p, outcome))
    assert weights.sum() == pytest.approx(1)
    assert weights[1] > 0.9 and weights[2] < 0.01


def test_stacking_reaches_the_maximum_of_the_mixture_log_score():
    rng = np.random.default_rng(2)
    outcome = rng.random(60) < 0.5
    p = rng.uniform(0.05, 0.95, size=(60, 4))
    like = ensemble_weights.likelihoods(p, outcome)
    weights = ensemble_weights.stack(like)
    # Optimality on the simplex: the mean log score's gradient is 1 where a weight is positive, at most 1 elsewhere.
    gradient = (like / (like @ weights)[:, None]).mean(axis=0)
    assert np.allclose(gradient[weights > 1e-4], 1, atol=1e-3)
    assert np.all(gradient[weights <= 1e-4] <= 1 + 1e-3)
    for _ in range(20):
        other = rng.dirichlet(np.ones(4))
        assert np.log(like @ weights).mean() >= np.log(like @ other).mean() - 1e-9


def test_a_thesis_without_evidence_keeps_its_prior_weight():
    free = np.array([0.2, 0.8])
    weights = ensemble_weights.with_prior(free, np.array([True, False, True]))
    assert weights == pytest.approx([0.2 * 2 / 3, 1 / 3, 0.8 * 2 / 3])


def test_fit_on_the_question_set_weights_a_planted_oracle(theses, found):
    frame = questions.questions()
    outcome = frame["outcome"].to_numpy()
    p = pd.DataFrame(
        {
            "trump2025": np.full(len(frame), 0.5),
            "oracle": np.where(outcome, 0.9, 0.1),
            "fool": np.where(outcome, 0.2, 0.8),
            "untested": np.full(len(frame), 0.5),
        },
        index=frame["id"],
    )
    weights = ensemble_weights.fit(p, {"trump2025": True, "oracle": True, "fool": True, "untested": False}, seed=1)
    table = weights.table.set_index("thesis")
    assert table["weight"].sum() == pytest.approx(1)
    assert table.at["oracle", "weight"] > 0.7 and table.at["oracle", "low"] > 0.5
    assert table.at["untested", "weight"] == pytest.approx(0.25) and table.at["untested", "high"] == pytest.approx(0.25)
    assert (table["low"] <= table["weight"] + 1e-9).all() and (table["weight"] <= table["high"] + 1e-9).all()
    scores = weights.scores.set_index("forecast")
    assert scores.at["ensemble, stacked (in sample)", "brier"] < scores.at["always 50%", "brier"]
    # Weights fitted without each cycle still find the oracle in the others.
    assert scores.at["ensemble, stacked, leave-one-cycle-out", "log"] < scores.at["always 50%", "log"]


def test_sim_ensemble_scores_the_theses_and_writes_weights_a_scenario_can_use(tmp_path):
    members = {"trump2025": 1, "concessions_backfire": 1, "black_swans": 1}
    for stem in members:
        (tmp_path / f"{stem}.yaml").write_text(f"extends: {SCENARIOS / (stem + '.yaml')}\n")
    blend = tmp_path / "blend.yaml"
    blend.write_text(
        "ensemble:\n  weights: fitted\n  members: [trump2025.yaml, concessions_backfire.yaml, black_swans.yaml]\n"
    )
    target = tmp_path / "weights.yaml"
    result = CliRunner().invoke(
        app,
        ["ensemble", str(blend), "--runs", "300", "--seed", "2", "--out", str(tmp_path / "o"), "--write", str(target),
         "--first", "2008-01", "--last", "2010-10", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(target.read_text())
    assert target.read_text().startswith("# Written by `sim ensemble`")
    assert "rolling-origin questions" in target.read_text() and set(written["evidence"].values()) == {
        "rolling-origin questions 1994-2023",
        "none: prior weight",
    }
    assert sum(written["weights"].values()) == pytest.approx(1, abs=1e-3)
    assert written["weights"]["concessions_backfire"] == pytest.approx(1 / 3, abs=1e-4)
    probabilities = pd.read_csv(tmp_path / "o" / "questions.csv")
    assert probabilities["origin"].nunique() == 12  # 2008-01 to 2010-10, every third month
    # No change of concessions_backfire carries, so before 2024 it forecasts exactly as the baseline does.
    assert (probabilities["concessions_backfire"] == probabilities["trump2025"]).all()
    assert not (probabilities["black_swans"] == probabilities["trump2025"]).all()
    carried = pd.read_csv(tmp_path / "o" / "carried.csv")
    assert set(carried.loc[carried["thesis"] == "concessions_backfire", "rule"]) == {"not carried"}
    shutil.copytree(packaged("configs"), tmp_path / "configs", dirs_exist_ok=True)
    shutil.copy(target, tmp_path / "configs" / "ensemble.yaml")
    ensemble = load_ensemble(blend, config_dir=tmp_path / "configs")
    assert [m.weight for m in ensemble.members] == pytest.approx([written["weights"][n] for n in members], abs=1e-3)


def test_the_rolling_fit_resamples_whole_years_and_leaves_each_year_out():
    rows = [(f"{year}-{month:02d}", h) for year in range(2000, 2010) for month in (1, 4) for h in (3, 12)]
    frame = pd.DataFrame(rows * 10, columns=["origin", "horizon"])
    rng = np.random.default_rng(4)
    outcome = rng.random(len(frame)) < 0.3
    frame = frame.assign(outcome=outcome, id=[f"q{i}" for i in range(len(frame))])
    p = pd.DataFrame({"base": np.full(len(frame), 0.3), "oracle": np.where(outcome, 0.8, 0.1),
                      "untested": np.full(len(frame), 0.3)})  # fmt: skip
    weights = ensemble_weights.fit(p, {"base": True, "oracle": True, "untested": False}, seed=1, frame=frame)
    table = weights.table.set_index("thesis")
    assert table.at["oracle", "weight"] > 0.6 and table.at["oracle", "low"] > 0.5
    assert table.at["oracle", "evidence"] == ensemble_weights.ROLLING_SET
    scores = weights.scores.set_index("forecast")
    assert scores.at["ensemble, stacked, leave-one-year-out", "log"] < scores.at["base", "log"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--questions", "2001"], "--questions 2001"),
        (["--first", "1994-02"], "must be origins of the grid"),
        (["--runs", "30000"], "at most 20,000 worlds per origin"),
    ],
)
def test_bad_ensemble_options_are_one_message(tmp_path, args, said):
    result = CliRunner().invoke(app, ["ensemble", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2 and said in " ".join(result.output.split())
    assert not (tmp_path / "o").exists()
