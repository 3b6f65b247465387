"""Consistent starts: an ``initial`` block and its ``happened`` events that contradict each other are refused."""

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.loader import override
from tests.conftest import BASELINE, ROOT

ASOF = ROOT / "tests" / "data" / "asof_start_2025_04.yaml"
SIM = Path(sys.executable).parent / "sim"


def start(tmp_path, initial: str):
    path = tmp_path / "start.yaml"
    path.write_text(f"extends: {ASOF}\nname: start\ninitial:\n{initial}")
    return path


def refusal(path) -> list[str]:
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    return str(refused.value).splitlines()


def test_a_summit_with_the_presidents_not_met_is_refused_naming_both_lines(tmp_path):
    path = start(tmp_path, "  happened: [contact_resumed, summit]\n")
    (line,) = refusal(path)
    assert line.startswith(f"{path}:4: initial.happened: summit has happened, so the presidents have met")
    assert "but met: false says otherwise; write met: true, or take summit out of happened" in line
    assert f"(initial.met: {ASOF}:" in line, "the other half of the contradiction is placed too"


def test_a_summit_in_suspended_ties_with_met_false_is_one_message(tmp_path):
    path = start(tmp_path, "  level: suspended\n  met: false\n  happened: [summit]\n")
    (line,) = refusal(path)
    assert "but met: false and level: suspended say otherwise; write met: true and level: contact or above" in line


def test_met_with_suspended_ties_is_refused(tmp_path):
    (line,) = refusal(start(tmp_path, "  level: suspended\n  met: true\n  happened: []\n"))
    assert "start.yaml:5: initial.met: met: true says the presidents' meeting completed contact" in line


@pytest.mark.parametrize(
    ("initial", "expected"),
    [
        ("  level: suspended\n  happened: [level>=4]\n", "level>=4 has happened, so relations reached strategic"),
        ("  level: contact\n  happened: [level>=2, level>=3]\n", "level>=3 has happened, so relations reached norm"),
        ("  level: suspended\n  happened: [contact_resumed]\n", "contact_resumed has happened, so relations reached c"),
    ],
)
def test_a_level_reached_above_the_starting_level_is_refused(tmp_path, initial, expected):
    (line,) = refusal(start(tmp_path, initial))
    assert "initial.happened: " + expected in line and "(initial.level: " in line


@pytest.mark.parametrize(
    ("initial", "expected"),
    [
        ("  happened: [ceasefire]\n", "ceasefire has happened, so the fighting stopped, but war: active"),
        (
            "  war: ceasefire\n  happened: [peace_agreement]\n",
            "peace_agreement has happened, so the war ended, but war: c",
        ),
        ("  happened: [sanctions_relief]\n", "sanctions_relief has happened, but war: active: the president orders"),
    ],
)
def test_the_war_and_relief_events_need_the_fighting_stopped(tmp_path, initial, expected):
    (line,) = refusal(start(tmp_path, initial))
    assert "initial.happened: " + expected in line


def test_every_contradiction_is_named_at_once(tmp_path):
    lines = refusal(
        start(tmp_path, "  level: suspended\n  happened: [summit, level>=4, peace_agreement, sanctions_relief]\n")
    )
    assert len(lines) == 4 and all("initial.happened:" in line for line in lines)


def test_consistent_starts_pass(tmp_path):
    assert load_scenario(start(tmp_path, "  met: true\n  happened: [contact_resumed, summit]\n")).initial.met
    ended = "  level: selective_cooperation\n  met: true\n  war: peace\n"
    spec = load_scenario(start(tmp_path, ended + "  happened: [summit, level>=2, ceasefire, peace_agreement]\n"))
    assert spec.initial.war == "peace"
    assert load_scenario(start(tmp_path, "  war: ceasefire\n  happened: [ceasefire, sanctions_relief]\n"))


def test_an_override_is_checked_the_same_way(baseline):
    with pytest.raises(ScenarioError, match="initial.happened: summit has happened"):
        override(baseline, {"initial.happened": ["summit"]})
    with pytest.raises(
        ScenarioError, match=r"--set initial.happened=\[ceasefire\]: .*ceasefire has happened.*--set initial.war=active"
    ):
        load_scenario(BASELINE, sets=["initial.war=active", "initial.happened=[ceasefire]"])


def test_validate_refuses_a_contradictory_start_with_exit_2_and_no_traceback(tmp_path):
    path = start(tmp_path, "  level: suspended\n  met: false\n  happened: [summit]\n")
    done = subprocess.run([str(SIM), "validate", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert f"{path}:6: initial.happened: summit has happened" in done.stdout + done.stderr
