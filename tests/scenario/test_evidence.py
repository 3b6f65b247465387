"""Evidence in the scenario language: what it may say, and one clear message for each thing it may not."""

import textwrap

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.scenario import ScenarioError, load_scenario
from tests.conftest import ROOT

BASE = ROOT / "tests" / "data" / "asof_start_2025_04.yaml"


def scenario(tmp_path, evidence: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(f"extends: {BASE}\nname: conditioned\n" + textwrap.dedent(evidence))
    return path


def problems(path) -> str:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    return str(raised.value)


def test_evidence_reads_inline_and_watches_what_it_observes_happen(tmp_path):
    spec = load_scenario(
        scenario(
            tmp_path,
            """
            evidence:
              as_of: 2025-10
              error: 0.05
              observed:
                - {month: 2025-08, event: summit}
                - {month: 2025-10, level: contact}
                - {month: 2025-10, event: ceasefire, happened: false}
            """,
        )
    )
    assert spec.evidence.error == 0.05 and str(spec.evidence.as_of) == "2025-10"
    assert spec.evidence.watched() == ("summit",)  # a ceasefire observed not to happen is no watch


def test_evidence_reads_from_its_own_file_under_the_keys_beside_it(tmp_path):
    (tmp_path / "seen.yaml").write_text("as_of: 2025-09\nerror: 0.1\nobserved:\n  - {month: 2025-08, event: summit}\n")
    spec = load_scenario(scenario(tmp_path, "evidence: {file: seen.yaml, error: 0.03}\n"))
    assert spec.evidence.error == 0.03 and str(spec.evidence.as_of) == "2025-09"
    assert [o.event for o in spec.evidence.observed] == ["summit"]


def test_a_bad_observation_in_an_evidence_file_names_that_file_and_line(tmp_path):
    (tmp_path / "seen.yaml").write_text("as_of: 2025-09\nobserved:\n  - {month: 2025-08, event: sumit}\n")
    message = problems(scenario(tmp_path, "evidence: {file: seen.yaml}\n"))
    assert f"{tmp_path / 'seen.yaml'}:3: evidence.observed.0.event" in message
    assert "did you mean 'summit'?" in message


def test_a_missing_evidence_file_is_named(tmp_path):
    message = problems(scenario(tmp_path, "evidence: {file: nowhere.yaml}\n"))
    assert "evidence.file: 'nowhere.yaml' not found" in message


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        ("- {month: 2025-11, level: contact}", "evidence.observed.0.month: month 2025-11 lies outside"),
        ("- {month: 2025-03, level: contact}", "evidence.observed.0.month: month 2025-03 lies outside"),
        ("- {month: 2025-06, level: friendly}", "evidence.observed.0.level: 'friendly' is not allowed"),
        ("- {month: 2025-06, event: summit, level: contact}", "exactly one of 'event', 'level' or 'war'"),
        (
            "- {month: 2025-06, war: active}\n  - {month: 2025-06, event: ceasefire}",
            "evidence.observed.1.event: 2025-06: a ceasefire contradicts the war observed active",
        ),
        (
            "- {month: 2025-06, level: contact}\n  - {month: 2025-06, level: suspended}",
            "evidence.observed.1.level: 2025-06: level 'suspended' contradicts level 'contact'",
        ),
        (
            "- {month: 2025-06, event: summit}\n  - {month: 2025-06, event: summit, happened: false}",
            "summit is observed both to happen and not to",
        ),
    ],
)
def test_each_bad_observation_is_one_message_with_file_and_line(tmp_path, observed, expected):
    path = scenario(tmp_path, f"evidence:\n  as_of: 2025-10\n  observed:\n  {observed}\n")
    message = problems(path)
    assert expected in message
    assert message.startswith(f"{path}:")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("as_of: 2030-01", "evidence.as_of: as_of 2030-01 lies outside"),
        ("as_of: 2025-10\n  error: 0.7", "evidence.error"),
        ("as_of: 2025-10\n  filter_worlds: 5000", "evidence.filter_worlds"),
        ("as_of: 2025-10\n  watch: [sumit]", "did you mean 'summit'?"),
        ("as_of: 2025-10\n  seen: []", "evidence.seen: unknown key"),
    ],
)
def test_bad_evidence_settings_are_named(tmp_path, key, expected):
    assert expected in problems(scenario(tmp_path, f"evidence:\n  {key}\n"))


def test_sim_run_refuses_bad_evidence_with_exit_code_2_and_no_traceback(tmp_path):
    path = scenario(tmp_path, "evidence:\n  as_of: 2025-10\n  observed:\n    - {month: 2025-12, event: summit}\n")
    result = CliRunner().invoke(app, ["run", str(path), "--runs", "100", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{path}:6: evidence.observed.0.month" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
