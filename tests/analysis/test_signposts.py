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
    outcome = parse_outcome(baseline, "ceasefire@2026-12")
    table = signposts(run, outcome, "2026-06", min_worlds=1).set_index("signpost")
    # A world in ceasefire in June has had its ceasefire by December.
    assert table.loc["war state ceasefire in 2026-06", "p_if_seen"] == 1.0
    assert table.loc["war state ceasefire in 2026-06", "false_alarm_rate"] == 0.0
    assert "ceasefire by 2026-06" not in table.index  # the outcome itself, earlier
    # The law of total probability holds for every signpost.
    total = table["p_if_seen"] * table["share_seen"] + table["p_if_not_seen"] * (1 - table["share_seen"])
    assert total.to_numpy() == pytest.approx(table["p_outcome"].to_numpy())
    strength = (table["p_if_seen"] - table["p_if_not_seen"]).abs()
    assert strength.is_monotonic_decreasing


def test_a_level_outcome_is_not_signposted_by_itself(run, baseline):
    table = signposts(run, parse_outcome(baseline, "contact@2026-12"), "2026-06", min_worlds=1)
    levels = {n for n in table["signpost"] if n.startswith("relations at")}
    assert levels <= {"relations at suspended in 2026-06"}  # only the level below the one asked about


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


def test_run_folder_commands_refuse_an_unwritable_output_before_any_work(run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for args in [
        ["signposts", str(run), "--outcome", "ceasefire_2026", "--by", "2026-01", "--out", str(blocker / "out")],
        ["discover", str(run), "--outcome", "ceasefire_2026", "--out", str(blocker / "out")],
        ["sensitivity", str(run), "--outcome", "ceasefire_2026", "--out", str(blocker / "out")],
        ["report", str(run), "--out", str(blocker / "report.html")],
        ["report", str(run), "--out", str(tmp_path)],
        ["sensitivity", str(run), "--outcome", "ceasefire_2026", "--method", "delta", "--out", str(tmp_path / "d")],
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "d").exists()
    made = tmp_path / "new" / "folder" / "report.html"
    assert runner.invoke(app, ["report", str(run), "--out", str(made)]).exit_code == 0 and made.is_file()
