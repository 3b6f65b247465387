import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.analysis.outcomes import parse_outcome
from simulator.analysis.signposts import SignpostError, signposts
from simulator.cli.app import app

runner = CliRunner()


@pytest.fixture
def run(small_run):
    return small_run


def test_conditional_chances_are_consistent_and_a_known_signpost_is_certain(run, baseline):
    outcome = parse_outcome(baseline, "contact@2026-12")
    table = signposts(run, outcome, "2026-06", min_worlds=1).set_index("signpost")
    # Having reached selective cooperation by June means contact was reached by December.
    implies = "relations at selective cooperation or higher by 2026-06"
    assert table.loc[implies, "p_if_seen"] == 1.0
    assert table.loc[implies, "false_alarm_rate"] == 0.0
    assert "relations at contact or higher by 2026-06" not in table.index  # the outcome itself, earlier
    # The law of total probability holds for every signpost.
    total = table["p_if_seen"] * table["share_seen"] + table["p_if_not_seen"] * (1 - table["share_seen"])
    assert total.to_numpy() == pytest.approx(table["p_outcome"].to_numpy())
    assert any(name.endswith("in 2026-06") for name in table.index)  # states from the kept paths
    strength = (table["p_if_seen"] - table["p_if_not_seen"]).abs()
    assert strength.is_monotonic_decreasing


def test_signposts_must_come_before_the_outcome(run, baseline):
    with pytest.raises(SignpostError, match="must come before"):
        signposts(run, parse_outcome(baseline, "summit_2025"), "2026-01")


def test_cli_prints_sentences_and_writes_csv(run, tmp_path):
    out = tmp_path / "signs"
    args = ["signposts", run, "--outcome", "normalization_2028", "--by", "2026-06", "--out", out]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "P(relations at normalization or higher by 2028-12)" in result.output
    table = pd.read_csv(out / "signposts.csv")
    assert {"p_if_seen", "lift", "false_alarm_rate", "hit_rate"} <= set(table.columns)
    for args, message in [
        (["signposts", run, "--outcome", "normalization_2028", "--by", "2026-13"], "not a month"),
        (["signposts", run, "--outcome", "normalization_2028", "--by", "2030-01"], "outside"),
        (["signposts", run, "--outcome", "nothing", "--by", "2026-01"], "neither a question id"),
        (["signposts", tmp_path, "--outcome", "summit_2025", "--by", "2025-06"], "not a finished run folder"),
    ]:
        bad = runner.invoke(app, [str(a) for a in [*args, "--out", tmp_path / "bad"]])
        assert bad.exit_code == 2 and message in bad.output, (args, bad.output)
