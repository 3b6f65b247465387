import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import simulator
from simulator.analysis.compare import COMPARISON_FILES, Comparison
from simulator.cli.app import app
from simulator.scenario import override
from tests.conftest import BASELINE, ROOT

runner = CliRunner()


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(baseline):
    a = simulator.run(baseline, runs=3000, seed=4)
    b = simulator.run(baseline, runs=3000, seed=4)
    table = Comparison(["a", "b"], [a, b]).table()
    assert (table["difference"] == 0).all() and (table["standard_error"] == 0).all()


def test_paired_differences_match_the_separate_probabilities(baseline):
    runs = 4000
    a = simulator.run(baseline, runs=runs, seed=4)
    b = simulator.run(override(baseline, {"congress.hawkishness": 0.95}), runs=runs, seed=4)
    table = Comparison(["base", "hawks"], [a, b]).table().set_index(["kind", "quantity", "scenario"]).sort_index()
    relief = table.loc[("event by horizon", "sanctions_relief")]
    assert relief.loc["hawks", "difference"] == pytest.approx(
        relief.loc["hawks", "probability"] - relief.loc["base", "probability"]
    )
    assert relief.loc["hawks", "difference"] < 0
    # Common random numbers: the paired standard error is below the independent-runs one.
    p_a, p_b = relief.loc["base", "probability"], relief.loc["hawks", "probability"]
    independent = np.sqrt((p_a * (1 - p_a) + p_b * (1 - p_b)) / runs)
    assert 0 < relief.loc["hawks", "standard_error"] < independent


def test_compare_command_writes_table_and_plots(tmp_path):
    out = tmp_path / "cmp"
    variant = ROOT / "scenarios" / "zhao_success.yaml"
    result = runner.invoke(app, ["compare", str(BASELINE), str(variant), "--runs", "1500", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(COMPARISON_FILES)
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == ["kind", "quantity", "scenario", "probability", "difference", "standard_error"]
    assert set(table["scenario"]) == {"trump2025", "zhao_success"}
    peace = table[(table["quantity"] == "peace_agreement") & (table["scenario"] == "zhao_success")].iloc[0]
    assert peace["difference"] > 0.1
    assert "zhao_success" in result.output and "peace_agreement" in result.output


def test_compare_needs_two_scenarios():
    result = runner.invoke(app, ["compare", str(BASELINE)])
    assert result.exit_code == 2 and "at least two" in result.output


def test_validate_command(tmp_path):
    shipped = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    ok = runner.invoke(app, ["validate", *shipped])
    assert ok.exit_code == 0 and ok.output.count("ok ") == len(shipped)
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nkremlin:\n  cauton: 0.3\n")
    mixed = runner.invoke(app, ["validate", str(BASELINE), str(bad)])
    assert mixed.exit_code == 2
    assert "bad.yaml:3: kremlin.cauton: unknown key; did you mean 'caution'?" in mixed.output
    assert "Traceback" not in mixed.output


def test_compare_refuses_scenarios_over_different_months_with_no_question_in_common(tmp_path):
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {BASELINE}\nname: short\nhorizon: 2026-12\nquestions: []\nschedule: []\n")
    result = runner.invoke(app, ["compare", str(BASELINE), str(short), "--runs", "100", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "share no question" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
