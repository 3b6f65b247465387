"""Ensemble files: members and weights read, and every bad input named with its file, line and key."""

import shutil

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.files import packaged
from simulator.scenario import ScenarioError
from simulator.scenario.ensemble import is_ensemble, load_ensemble
from tests.conftest import ENSEMBLES, ROOT

SCENARIOS = ROOT / "scenarios"


def write(tmp_path, text: str, members=("trump2025", "deni_structural")):
    for stem in members:
        (tmp_path / f"{stem}.yaml").write_text(f"extends: {SCENARIOS / (stem + '.yaml')}\n")
    path = tmp_path / "blend.yaml"
    path.write_text(text)
    return path


def refused(tmp_path, text: str, **kwargs) -> str:
    with pytest.raises(ScenarioError) as error:
        load_ensemble(write(tmp_path, text), **kwargs)
    return str(error.value)


def test_members_with_weights_load_in_order(tmp_path):
    path = write(
        tmp_path, "name: mix\nensemble:\n  members:\n    trump2025.yaml: 0.25\n    deni_structural.yaml: 0.75\n"
    )
    ensemble = load_ensemble(path)
    assert [(m.spec.name, m.weight) for m in ensemble.members] == [("trump2025", 0.25), ("deni_structural", 0.75)]
    assert ensemble.spec.name == "mix" and ensemble.spec.questions == ensemble.members[0].spec.questions
    assert is_ensemble(path) and not is_ensemble(SCENARIOS / "trump2025.yaml")


def test_equal_weights_and_sets_apply_to_every_member(tmp_path):
    path = write(tmp_path, "ensemble:\n  weights: equal\n  members: [trump2025.yaml, deni_structural.yaml]\n")
    ensemble = load_ensemble(path, ["kremlin.caution=0.5"])
    assert [m.weight for m in ensemble.members] == [0.5, 0.5]
    assert all(m.spec.kremlin.caution.value == 0.5 for m in ensemble.members)


def test_fitted_weights_are_read_by_scenario_name(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(packaged("configs"), configs)
    (configs / "ensemble.yaml").write_text("weights: {trump2025: 0.2, deni_structural: 0.8, other: 0.0}\n")
    path = write(tmp_path, "ensemble:\n  weights: fitted\n  members: [deni_structural.yaml, trump2025.yaml]\n")
    ensemble = load_ensemble(path, config_dir=configs)
    assert [m.weight for m in ensemble.members] == [0.8, 0.2]
    (configs / "ensemble.yaml").write_text("weights: {trump2025: 1.0}\n")
    with pytest.raises(ScenarioError, match="deni_structural has no weight in .*run `sim ensemble`"):
        load_ensemble(path, config_dir=configs)
    (configs / "ensemble.yaml").unlink()
    with pytest.raises(ScenarioError, match="no fitted weights yet; run `sim ensemble`"):
        load_ensemble(path, config_dir=configs)


@pytest.mark.parametrize("weight", [".nan", ".inf", "-0.5"])
def test_fitted_weights_that_are_no_share_are_refused_by_name(tmp_path, weight):
    configs = tmp_path / "configs"
    shutil.copytree(packaged("configs"), configs)
    (configs / "ensemble.yaml").write_text(f"weights: {{trump2025: {weight}, deni_structural: 0.8}}\n")
    path = write(tmp_path, "ensemble:\n  weights: fitted\n  members: [deni_structural.yaml, trump2025.yaml]\n")
    with pytest.raises(ScenarioError, match=r"weights: each must be a share from 0 to 1, got trump2025"):
        load_ensemble(path, config_dir=configs)
    assert [m.weight for m in load_ensemble(path, config_dir=configs, fitted=False).members] == [0.5, 0.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "ensemble:\n  members:\n    trump2025.yaml: 0.5\n    deni_structral.yaml: 0.5\n",
            "blend.yaml:4: ensemble.members: 'deni_structral.yaml' not found next to blend.yaml; "
            "did you mean 'deni_structural.yaml'?",
        ),
        (
            "ensemble:\n  members:\n    trump2025.yaml: 1.2\n    deni_structural.yaml: -0.2\n",
            "blend.yaml:4: ensemble.members.deni_structural.yaml: the weight -0.2 is negative",
        ),
        (
            "ensemble:\n  members:\n    trump2025.yaml: 0.5\n    deni_structural.yaml: 0.4\n",
            "blend.yaml:2: ensemble.members: the weights sum to 0.9, not 1",
        ),
        (
            "ensemble:\n  members:\n    trump2025.yaml: half\n    deni_structural.yaml: 0.5\n",
            "blend.yaml:3: ensemble.members.trump2025.yaml: the weight must be a number from 0 to 1, got 'half'",
        ),
        (
            "ensemble:\n  members: [trump2025.yaml]\n",
            "ensemble.weights: with members listed without weights, say weights: fitted",
        ),
        ("ensemble:\n  members: {}\n", "ensemble.members: name at least one member scenario"),
        ("ensemble:\n  member: [trump2025.yaml]\n", "blend.yaml:2: ensemble.member: unknown key in an ensemble"),
        ("name: x\nensembel: 1\nensemble:\n  members: {trump2025.yaml: 1}\n", "blend.yaml:2: ensembel: unknown key"),
        ("ensemble: [trump2025.yaml]\n", "an ensemble file has an ensemble: mapping"),
        (
            "name: two words\nensemble:\n  members: {trump2025.yaml: 1}\n",
            "blend.yaml:1: name: 'two words' is not a scenario name",
        ),
    ],
)
def test_bad_ensembles_are_named_with_file_line_and_key(tmp_path, text, message):
    assert message in refused(tmp_path, text)


def test_members_over_different_months_and_nested_ensembles_are_refused(tmp_path):
    (tmp_path / "short.yaml").write_text(
        f"extends: {SCENARIOS / 'trump2025.yaml'}\nhorizon: 2026-12\nquestions: []\nschedule: []\n"
    )
    text = "ensemble:\n  members: {trump2025.yaml: 0.5, short.yaml: 0.5}\n"
    assert "members must run over the same months" in refused(tmp_path, text)
    (tmp_path / "inner.yaml").write_text("ensemble:\n  members: {trump2025.yaml: 1}\n")
    text = "ensemble:\n  members: {trump2025.yaml: 0.5, inner.yaml: 0.5}\n"
    assert "inner.yaml is itself an ensemble" in refused(tmp_path, text)


def test_a_bad_member_scenario_is_named_in_its_own_file(tmp_path):
    (tmp_path / "typo.yaml").write_text(f"extends: {SCENARIOS / 'trump2025.yaml'}\nkremlin:\n  cauton: 0.3\n")
    message = refused(tmp_path, "ensemble:\n  members: {trump2025.yaml: 0.5, typo.yaml: 0.5}\n")
    assert "typo.yaml:3: kremlin.cauton: unknown key" in message


@pytest.mark.parametrize("command", ["run", "compare", "validate"])
def test_the_commands_answer_a_bad_ensemble_with_one_message_and_exit_2(tmp_path, command):
    path = write(tmp_path, "ensemble:\n  members:\n    trump2025.yaml: 0.7\n    deni_structural.yaml: 0.7\n")
    args = [command, str(path)] if command != "compare" else [command, str(SCENARIOS / "trump2025.yaml"), str(path)]
    result = CliRunner().invoke(app, [*args, "--runs", "100"] if command != "validate" else args)
    assert result.exit_code == 2, result.output
    assert "ensemble.members: the weights sum to 1.4, not 1" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_shipped_ensemble_validates():
    assert ENSEMBLES, "scenarios/ holds an ensemble file"
    for path in ENSEMBLES:
        ensemble = load_ensemble(path)
        assert sum(m.weight for m in ensemble.members) == pytest.approx(1, abs=1e-3)
