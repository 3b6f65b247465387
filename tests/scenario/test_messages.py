"""Validation messages: sorted by file and line, a did-you-mean wherever a name is refused, answers as a list;
and a configs folder whose posterior sample is missing or damaged is refused, never run at other values.
"""

import re
import shutil

import pytest

from simulator.analysis.scoring import load_answers
from simulator.files import packaged
from simulator.scenario import ScenarioError, load_scenario
from tests.conftest import BASELINE


def refusal(path, sets=(), config_dir=None) -> list[str]:
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path, sets=sets, config_dir=config_dir)
    return str(refused.value).splitlines()


def test_problems_are_sorted_by_file_and_line(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: mixed\n"
        "kremlin:\n  cauton: 0.3\n"
        "schedule:\n  - {month: 2026-06, event: intervention, effects: {trus: 1}}\n"
        "president:\n  volatility: 3\n"
        "congress:\n  hawkishness: 2\n"
    )
    lines = refusal(path)
    assert [int(line.split(":")[1]) for line in lines] == [4, 6, 8, 10], lines


def test_a_typo_inside_set_gets_a_suggestion_and_one_prefix(tmp_path):
    path = tmp_path / "change.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: change\n"
        "schedule:\n  - {month: 2026-06, event: change, set: {president.volatilty: 0.2}}\n"
        "  - {month: 2026-07, event: change, set: {presdent.deal_drive: 0.2}}\n"
    )
    first, second = refusal(path)
    assert first == (
        f"{path}:4: schedule.1.set: 'president.volatilty' is not an assumption path"
        " (president.volatilty is unknown); did you mean 'president.volatility'?"
    )
    assert "set: set:" not in first
    assert second.endswith("did you mean 'president.deal_drive'?")


def test_a_set_of_what_cannot_change_says_so_once(tmp_path):
    (line,) = refusal(BASELINE, sets=["schedule.0={month: 2026-06, event: change, set: {initial.trust: 0.2}}"])
    assert line.endswith(
        "schedule.0.set: 'initial.trust': only actor, structure and shock assumptions can change over time"
    )


@pytest.mark.parametrize(
    ("written", "suggested"),
    [
        ("walk_away", "'disengage'"),
        ("turn_to_pressure", "'president_turns_tough'"),
        ("truce", "'ceasefire'"),
        ("relief", "'sanctions_relief'"),
        ("summitt", "'summit'"),
    ],
)
def test_a_refused_event_name_gets_a_suggestion(written, suggested):
    (line,) = refusal(BASELINE, sets=[f"schedule.0={{month: 2026-06, event: {written}, force: true}}"])
    assert f"schedule.0.event: '{written}' is not allowed" in line
    assert line.endswith(f"did you mean {suggested}?") or f"did you mean {suggested} or " in line, line


def test_walk_away_suggests_disengage_where_it_is_a_forceable_event():
    from simulator.scenario import messages

    item = {"input": "walk_away"}
    assert messages.closest(item, ["summit", "president_turns_tough"]) == "; did you mean 'president_turns_tough'?"
    assert messages.closest(item, ["disengage", "president_turns_tough"]).startswith("; did you mean 'disengage'")


def test_an_answers_file_written_as_a_mapping_says_to_write_a_list(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("summit_2025: true\nceasefire_2026: false\n")
    with pytest.raises(ScenarioError) as refused:
        load_answers(answers)
    message = str(refused.value)
    assert message.startswith(f"{answers}:1: answers: write the resolved questions as a list")
    assert "- {id: summit_2025, event: summit, by: 2025-12, outcome: true}" in message
    nested = tmp_path / "nested.yaml"
    nested.write_text("answers:\n  summit_2025: {event: summit, by: 2025-12, outcome: true}\n")
    with pytest.raises(ScenarioError, match="as a list"):
        load_answers(nested)
    listed = tmp_path / "listed.yaml"
    listed.write_text("answers:\n  - {id: summit_2025, event: summit, by: 2025-12, outcome: true}\n")
    assert [a.id for a in load_answers(listed)] == ["summit_2025"]


@pytest.fixture
def configs(tmp_path):
    """A copy of the packaged configs folder."""
    folder = tmp_path / "configs"
    shutil.copytree(packaged("configs"), folder)
    return folder


def test_a_configs_folder_without_its_posterior_sample_is_refused_not_run_at_point_values(configs):
    sample = configs / "posterior.csv"
    sample.unlink()
    with pytest.raises(ScenarioError) as refused:
        load_scenario(BASELINE, config_dir=configs)
    assert str(refused.value).startswith(f"{BASELINE}: calibration: posterior draws each world's calibrated")
    assert f"from {sample}, which does not exist;" in str(refused.value)
    assert "--set calibration=point" in str(refused.value)
    assert load_scenario(BASELINE, sets=["calibration=point"], config_dir=configs).posterior is None
    sample.mkdir()
    with pytest.raises(ScenarioError, match="which is a folder"):
        load_scenario(BASELINE, config_dir=configs)


def test_a_posterior_sample_cut_short_is_refused(configs):
    sample = configs / "posterior.csv"
    whole = sample.read_bytes()
    sample.write_bytes(whole[:-20])  # cut mid-row
    lines = whole.count(b"\n")
    with pytest.raises(ScenarioError, match=rf"posterior.csv:{lines}: the posterior sample's row is cut short"):
        load_scenario(BASELINE, config_dir=configs)
    sample.write_bytes(whole[: whole.index(b"\n", len(whole) // 2) + 1])  # cut between rows
    accepted = re.search(rb"# accepted: ([\d,]+)", whole).group(1).decode()
    with pytest.raises(ScenarioError, match=rf"header says {accepted} rows were accepted, but it holds \d+"):
        load_scenario(BASELINE, config_dir=configs)
    sample.write_bytes(whole)
    assert load_scenario(BASELINE, config_dir=configs).posterior.sample == sample.resolve()


def test_every_value_refused_inside_set_is_named_by_its_path():
    change = "{month: 2026-06, event: change, set: {president.volatility: 3, kremlin.caution: 'beta(0, 1)'}}"
    (line,) = refusal(BASELINE, sets=[f"schedule.0={change}"])
    assert line.endswith(
        "schedule.0.set: 'president.volatility': a probability must lie in [0, 1], got 3;"
        " 'kremlin.caution': beta needs a > 0 and b > 0, got 0 and 1"
    ), line


def test_a_parameter_set_cut_short_is_blamed_on_itself_not_on_the_file_that_extends_it(configs):
    structure = configs / "structure.yaml"
    lines = structure.read_text().splitlines(keepends=True)
    structure.write_text("".join(lines[: len(lines) // 2]))
    problems = refusal(BASELINE, config_dir=configs)
    missing = [line for line in problems if "missing key" in line]
    assert missing and all(line.startswith(f"{structure}:") for line in missing), missing
