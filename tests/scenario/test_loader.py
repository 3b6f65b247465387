"""The scenario language: extends chains, --set overrides, origins in messages, the configs folder."""

import re

import pytest

from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.loader import resolve_scenario
from tests.conftest import BASELINE, ROOT


def write(path, text):
    path.write_text(text)
    return path


@pytest.fixture
def child(tmp_path):
    return write(
        tmp_path / "child.yaml",
        f"""\
extends: {BASELINE}
name: child
president:
  volatility: 0.2
schedule:
  - {{month: 2026-11, event: midterms, effects: {{trust: -0.1}}}}
questions:
  - {{id: summit_2026, event: summit, by: 2026-12}}
""",
    )


def test_extends_merges_mappings_and_replaces_lists(child, baseline):
    spec = load_scenario(child)
    assert spec.name == "child"
    assert spec.president.volatility.value == 0.2
    assert spec.president.deal_drive == baseline.president.deal_drive, "siblings of a changed key are kept"
    assert [q.id for q in spec.questions] == ["summit_2026"], "lists replace, they do not merge"
    assert [item.event for item in spec.schedule] == [item.event for item in baseline.schedule], "but the schedule"
    (midterms,) = [item for item in spec.schedule if item.event == "midterms"]
    assert midterms.effects.trust == -0.1, "an entry of the same month and event replaces the inherited one"
    assert spec.structure == baseline.structure, "the chain reaches configs/structure.yaml"


def test_chains_and_origins(tmp_path, child):
    grandchild = write(
        tmp_path / "grandchild.yaml", "extends: child.yaml\nname: grandchild\nkremlin:\n  caution: 0.5\n"
    )
    resolved = resolve_scenario(grandchild)
    assert [p.name for p in resolved.files] == [
        "structure.yaml",
        "calibrated.yaml",
        "trump2025.yaml",
        "child.yaml",
        "grandchild.yaml",
    ]
    assert resolved.origin("kremlin.caution") == f"{grandchild}:4"
    assert resolved.origin("president.volatility") == f"{child}:4"
    assert resolved.origin("president.deal_drive").startswith(f"{BASELINE}:")
    assert re.fullmatch(r".*configs/structure.yaml:\d+", resolved.origin("structure.gates.aid_max"))
    assert re.fullmatch(r".*configs/calibrated.yaml:\d+", resolved.origin("structure.erosion"))


def test_a_cycle_is_named(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\nname: b\n")
    circle = r"b.yaml:1: extends: goes round in a circle: .*a.yaml -> .*b.yaml -> .*a.yaml"
    with pytest.raises(ScenarioError, match=circle):
        load_scenario(tmp_path / "a.yaml")


def test_a_missing_base_names_file_and_line(tmp_path):
    path = write(tmp_path / "lost.yaml", "name: lost\nextends: nowhere.yaml\n")
    with pytest.raises(ScenarioError, match=r"lost.yaml:2: extends: 'nowhere.yaml' not found next to lost.yaml"):
        load_scenario(path)


def test_errors_point_at_the_file_that_set_the_value(tmp_path, child):
    bad = write(tmp_path / "bad.yaml", "extends: child.yaml\nname: bad\ncongress:\n  relief_block: 2\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:4: congress.relief_block: a probability must lie in"):
        load_scenario(bad)


def test_set_overrides_with_yaml_values(baseline):
    spec = load_scenario(
        BASELINE,
        sets=[
            "president.volatility=0.3",
            "shocks.scandal.hazard=beta(2,40)",
            "initial.review_law=false",
            "initial.war=ceasefire",
        ],
    )
    assert spec.president.volatility.value == 0.3
    assert str(spec.shocks.scandal.hazard) == "beta(2, 40)"
    assert spec.initial.review_law is False and spec.initial.war == "ceasefire"
    assert spec.kremlin == baseline.kremlin


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "president.volatilty=0.3",
            r"--set president.volatilty=0.3: president.volatilty: unknown key; did you mean 'volatility'\?",
        ),
        (
            "presidnt.volatility=0.3",
            r"--set presidnt.volatility=0.3: presidnt: unknown key; did you mean 'president'\?",
        ),
        (
            "questions.0.level=suspended",
            "--set questions.0.level=suspended: questions.0: a question asks about exactly",
        ),
        ("name=../../escaped", "name: String should match pattern"),
        (
            "president.volatility=1.5",
            r"--set president.volatility=1.5: president.volatility: a probability must lie in",
        ),
        ("shocks.scandal.hazard=beta(0,2)", "beta needs a > 0"),
        ("president.volatility", "write it as key.path=value"),
        ("questions.0.by=2040-01", "questions.0.by: month 2040-01 lies outside"),
    ],
)
def test_bad_set_is_one_clear_message(assignment, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(BASELINE, sets=[assignment])


def test_unknown_key_in_a_nested_section_suggests_the_fix(tmp_path):
    path = write(tmp_path / "typo.yaml", f"extends: {BASELINE}\nshocks:\n  scandal:\n    hazrd: 0.1\n")
    with pytest.raises(ScenarioError, match=r"typo.yaml:4: shocks.scandal.hazrd: unknown key; did you mean 'hazard'\?"):
        load_scenario(path)


def test_a_mistyped_name_is_one_message_at_its_key_path_with_every_name_allowed(tmp_path):
    for text, path, close in [
        ("schedule:\n  - {month: 2026-07, event: summitt}\n", "schedule.1.event", "summit"),  # after 2026-02's
        ("shocks:\n  scandal:\n    drivers:\n      oposition: 1.0\n", "shocks.scandal.drivers.oposition", "opposition"),
    ]:
        scenario = write(tmp_path / "typo.yaml", f"extends: {BASELINE}\n{text}")
        with pytest.raises(ScenarioError) as refused:
            load_scenario(scenario)
        (problem,) = [line for line in str(refused.value).splitlines() if "not allowed" in line]
        assert f": {path}: " in problem and f"did you mean {close!r}?" in problem
        assert "literal[" not in problem and "[key]" not in problem


def test_a_sensitivity_range_for_no_assumption_is_refused_at_validation(tmp_path):
    text = f"extends: {BASELINE}\nsensitivity:\n  ranges:\n    kremlin.talk_valu: [-1, 1]\n"
    scenario = write(tmp_path / "ranges.yaml", text)
    with pytest.raises(ScenarioError, match=r"ranges.yaml:4: sensitivity.ranges.kremlin.talk_valu: not an assumption"):
        load_scenario(scenario)
    fixed = write(tmp_path / "fixed.yaml", text.replace("talk_valu", "talk_value"))
    assert load_scenario(fixed).sensitivity.ranges == {"kremlin.talk_value": (-1.0, 1.0)}


def test_parameter_sets_come_from_the_configs_folder(tmp_path, monkeypatch):
    own = tmp_path / "my_configs"
    own.mkdir()
    structure = (ROOT / "configs" / "structure.yaml").read_text().replace("erosion: 0.02", "erosion: 0.07")
    write(own / "structure.yaml", structure)
    # calibrated.yaml carries the fitted behaviour weights the baseline leaves to the fit.
    fitted = "kremlin: {aims_weight: 6.0, stall_value: 1.5}\nallies: {accept_value: 0.5}\n"
    write(own / "calibrated.yaml", "extends: structure.yaml\n" + fitted)
    scenario = write(tmp_path / "s.yaml", (BASELINE.read_text()))
    point = ["calibration=point"]  # a folder without posterior.csv runs the point values only when told to
    assert load_scenario(scenario, point, config_dir=own).structure.erosion.value == 0.07
    monkeypatch.setenv("SIM_CONFIG_DIR", str(own))
    assert load_scenario(scenario, point).structure.erosion.value == 0.07
    monkeypatch.setenv("SIM_CONFIG_DIR", str(tmp_path / "empty"))
    with pytest.raises(ScenarioError, match="'calibrated.yaml' not found"):
        load_scenario(scenario)


def test_set_reaches_blocks_the_file_left_to_defaults():
    spec = load_scenario(BASELINE, sets=["schedule.1.effects.trust=0.1"])
    assert spec.schedule[1].effects.trust == 0.1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", r"bad.yaml:1: anchors and aliases .* are not supported"),
        ("name: one\nname: two\n", r"bad.yaml:2: key 'name' is written twice here"),
        (
            "president:\n  volatility: 0.1\npresident:\n  deal_drive: 0.2\n",
            r"bad.yaml:3: key 'president' is written twice",
        ),
    ],
)
def test_yaml_that_would_mislead_is_refused(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path / "bad.yaml", text))


def test_non_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ScenarioError, match="latin.yaml:1: not UTF-8 text"):
        load_scenario(path)


def test_questions_on_suspended_and_endless_horizons_are_refused():
    with pytest.raises(ScenarioError, match="contact or above"):
        load_scenario(BASELINE, sets=["questions=[{id: s, level: suspended, by: 2026-01}]"])
    with pytest.raises(ScenarioError, match="at most 1200"):
        load_scenario(BASELINE, sets=["horizon=2190-01"])
