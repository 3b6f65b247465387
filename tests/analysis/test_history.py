"""The record, the historical scenarios and the backtest's scores."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.analysis import history
from simulator.analysis.backtest import SCENARIOS, backtest, brier, load_history, rps, scores_table
from simulator.cli.app import app
from simulator.scenario import load_scenario
from tests.conftest import ROOT

runner = CliRunner()
HISTORY = ROOT / "scenarios" / "history"


def test_observed_record_is_a_distribution_with_coders_disagreement():
    months = [f"{y}-{m:02d}" for y in range(1992, 2017) for m in range(1, 13)]
    levels, phases, covered = history.observed(months)
    assert covered.all()
    assert np.allclose(levels.sum(axis=1), 1) and np.allclose(phases.sum(axis=1), 1)
    feb_2000 = months.index("2000-02")
    assert levels[feb_2000][2] == 1.0, "a span without disagreement is certain"
    jan_1992 = months.index("1992-01")
    assert levels[jan_1992][4] == pytest.approx(2 / 3) and levels[jan_1992][3] == pytest.approx(1 / 3)
    # "reset -> euphoria" is a sequence: a reset first, then euphoria.
    assert phases[months.index("2001-10")][4] == 1.0 and phases[months.index("2002-10")][0] == 1.0
    # Alternatives apply only to the months the coders' note names.
    assert levels[months.index("1997-03")][3] == 1.0
    assert levels[months.index("1998-09")][2] == pytest.approx(1 / 3)
    # "post-crisis realism ... (pre-reset)" is realism, not a mix with its neighbours.
    assert phases[months.index("2000-06")][1] == 1.0


def test_polls_are_read_as_yearly_percentages():
    gallup, levada = history.gallup(), history.levada()
    assert gallup.loc["2002-02"] == 66 and gallup.loc["2015-02"] == 24 and gallup.loc["1999-10"] == 38
    assert not gallup.index.str.startswith("2010").any(), "NOT FOUND years stay missing, never invented"
    assert levada.loc["2015-01"] == 13 and levada.loc["2015-04"] == 19


@pytest.mark.parametrize(("key", "with_timeline"), [(k, t) for k in history.HISTORY_STARTS for t in (True, False)])
def test_historical_scenarios_are_the_generated_ones(key, with_timeline):
    name = f"history_{key}" + ("" if with_timeline else "_leaders")
    path = HISTORY / f"{name}.yaml"
    assert path.read_text() == history.scenario_text(key, with_timeline)
    spec = load_scenario(path)
    assert all(item.effects.phase is None for item in spec.schedule), "no hand-placed phase changes"
    assert all(getattr(spec.shocks, name).hazard.value == 0 for name in type(spec.shocks).model_fields)
    shocks = [item for item in spec.schedule if item.event == "shock"]
    assert bool(shocks) == with_timeline


def test_scores_are_proper_and_zero_when_exact():
    observed = np.array([[0, 0, 1, 0, 0], [0, 0.5, 0.5, 0, 0]], dtype=float)
    assert np.allclose(rps(observed, observed), 0) and np.allclose(brier(observed, observed), 0)
    near = np.array([[0, 0.5, 0.5, 0, 0]])
    far = np.array([[0.5, 0, 0, 0, 0.5]])
    assert rps(near, observed[:1])[0] < rps(far, observed[:1])[0]


@pytest.fixture(scope="module")
def backtested():
    return backtest(load_history(), runs=600, seed=3)


def test_backtest_scores_every_historical_scenario(backtested):
    scores, results = backtested
    table = scores_table(scores)
    assert set(table["scenario"]) == {s + v for s in SCENARIOS for v in ("", "_leaders")}
    assert table[["level_rps", "phase_brier", "level_rps_climatology"]].gt(0).all().all()
    assert table["share_reaching_crisis"].between(0, 1).all()
    by_name = table.set_index("scenario")
    assert by_name.loc["history_1992", "record_months_to_crisis"] == 86
    # The timeline's shocks carry information the leadership calendar alone does not.
    assert by_name.loc["history_1992", "level_rps"] < by_name.loc["history_1992_leaders", "level_rps"]
    assert np.isfinite(by_name.loc["history_1992", "trust_gallup_rho"])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """One run of the baseline that every scoring test reads (``sim score`` writes nothing into it)."""
    out = tmp_path_factory.mktemp("scored") / "run"
    assert (
        runner.invoke(
            app, ["run", str(ROOT / "scenarios/trump2025.yaml"), "--runs", "2000", "--out", str(out)]
        ).exit_code
        == 0
    )
    return out


def test_score_command(tmp_path, run_dir):
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "answers:\n"
        "  - {id: summit_2025, event: summit, by: 2025-12, outcome: true}\n"
        "  - {id: ceasefire_2025, event: ceasefire, by: 2025-12, outcome: false}\n"
        "  - {id: coop_2026, level: selective_cooperation, by: 2026-06, outcome: false}\n"
    )
    result = runner.invoke(app, ["score", str(run_dir), str(answers)])
    assert result.exit_code == 0, result.output
    assert "summit_2025" in result.output and "overall" in result.output and "base rate" in result.output

    from simulator.analysis.scoring import load_answers, score

    table = score(run_dir, load_answers(answers))
    summit = table.set_index("id").loc["summit_2025"]
    assert summit["brier_model"] == pytest.approx((summit["probability"] - 1) ** 2)
    assert summit["brier_half"] == 0.25
    assert table["brier_base_rate"].iloc[0] == pytest.approx((1 / 3 - 1) ** 2)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{id: q, event: handshake, by: 2025-12, outcome: true}", "answers.0.event"),
        ("{id: q, event: summit, by: 2025-12}", "answers.0.outcome"),
        ("{id: q, event: summit, by: 2035-12, outcome: true}", "lies outside the run"),
        ("{id: q, level: suspended, by: 2025-12, outcome: true}", "contact or above"),
    ],
)
def test_bad_answers_are_one_message(tmp_path, run_dir, entry, message):
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"answers:\n  - {entry}\n")
    result = runner.invoke(app, ["score", str(run_dir), str(answers)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("answers: []\n", "no resolved questions"),
        (
            "- {id: q, event: summit, by: 2025-12, outcome: true}\n"
            "- {id: q, event: summit, by: 2026-12, outcome: false}\n",
            "id 'q' is used twice",
        ),
    ],
)
def test_answers_files_that_cannot_be_scored(tmp_path, text, message):
    from simulator.analysis.scoring import load_answers
    from simulator.scenario import ScenarioError

    path = tmp_path / "answers.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message):
        load_answers(path)
