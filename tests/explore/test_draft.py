"""The draft: changes validated as --set validates them, refused ones kept apart, YAML that round-trips."""

from typer.testing import CliRunner

from simulator.api import posterior_design
from simulator.cli.app import app
from simulator.explore.draft import SCHEDULE, Draft, actors, as_text, bounds
from simulator.explore.export import scenario_yaml
from simulator.scenario import load_scenario
from simulator.scenario.distributions import Fixed
from tests.conftest import BASELINE


def a_probability(draft: Draft) -> str:
    """A president's assumption that is a plain probability strictly between 0 and 1 in the baseline."""
    return next(
        row.path
        for row in actors(draft.rows())["president"]
        if bounds(row.path) == (0.0, 1.0) and 0 < (draft.number(row.path) or 0) < 1
    )


def test_an_accepted_change_is_what_set_gives():
    draft = Draft.open(BASELINE).edit("president.volatility", "0.3").edit("shocks.scandal.hazard", "beta(2, 40)")
    expected = load_scenario(BASELINE, ["president.volatility=0.3", "shocks.scandal.hazard=beta(2, 40)"])
    assert draft.spec == expected
    assert draft.errors == {}
    was = Draft.open(BASELINE)
    assert draft.changes() == [
        ("president.volatility", was.text("president.volatility"), "0.3"),
        ("shocks.scandal.hazard", was.text("shocks.scandal.hazard"), "beta(2, 40)"),
    ]
    assert was.text("president.volatility") != "0.3"


def test_a_refused_change_keeps_the_last_valid_scenario_and_says_why():
    path = a_probability(Draft.open(BASELINE))
    before = Draft.open(BASELINE).edit(path, "0.9")
    after = before.edit(path, "1.5")
    assert after.spec == before.spec
    assert "must lie in [0, 1], got 1.5" in after.errors[path]
    assert after.refused[path] == "1.5"
    assert not after.errors[path].startswith("--set")
    fixed = after.edit(path, "0.2")
    assert fixed.errors == {} and getattr(fixed.spec.president, path.split(".")[1]) == Fixed(0.2)


def test_a_key_the_scenario_does_not_have_is_named():
    draft = Draft.open(BASELINE).edit("president.no_such_thing", "0.3")
    assert "unknown key" in draft.errors["president.no_such_thing"]


def test_bad_distributions_and_words_are_refused_with_the_languages_message():
    draft = Draft.open(BASELINE)
    assert "beta needs a > 0" in draft.edit("president.volatility", "beta(-1, 2)").errors["president.volatility"]
    assert "'nowhere' is not allowed" in draft.edit("initial.war", "nowhere").errors["initial.war"]
    assert "not valid YAML" in draft.edit("president.volatility", "[0.1").errors["president.volatility"]


def test_setting_a_value_back_to_the_file_is_no_change_and_undo_removes_it():
    draft = Draft.open(BASELINE)
    path = a_probability(draft)
    assert not draft.edit(path, draft.text(path)).changed
    changed = draft.edit(path, "0.9")
    assert changed.changed and not changed.reset(path).changed


def test_scheduled_events_are_validated_and_removable():
    draft = Draft.open(BASELINE)
    added = draft.schedule({"month": "2026-06", "event": "intervention", "effects": {"sanctions": -0.3}, "note": ""})
    assert added.spec.schedule[-1].effects.sanctions == -0.3
    assert len(added.spec.schedule) == len(draft.spec.schedule) + 1
    late = added.schedule({"month": "2031-01", "event": "intervention", "effects": {}, "note": ""})
    assert "outside the scenario" in late.errors[SCHEDULE] and late.spec == added.spec
    assert added.unschedule(0).spec == draft.spec


def test_every_assumption_is_shown_once_grouped_by_block():
    rows = Draft.open(BASELINE).rows()
    groups = actors(rows)
    assert list(groups)[:3] == ["initial", "president", "kremlin"]
    assert sum(len(group) for group in groups.values()) == len(rows)
    assert all(row.path.startswith(name + ".") for name, group in groups.items() for row in group)


def test_slider_ranges_are_what_the_schema_accepts():
    assert bounds("shocks.scandal.hazard") == (0.0, 1.0)
    assert bounds("structure.up.reset") == (0.0, 20.0)
    assert bounds("structure.phase_months.crisis") == (1.0, 600.0)
    assert bounds("no.such.key") is None


def test_effects_are_written_without_their_zeros():
    assert as_text({"trust": -0.1, "level": 0, "phase": None, "war": "peace"}) == "{trust: -0.1, war: peace}"


def test_the_downloaded_yaml_validates_and_is_the_edited_scenario(tmp_path):
    draft = (
        Draft.open(BASELINE)
        .edit("president.volatility", "0.3")
        .edit("shocks.scandal.effects", "{opposition: 0.3, level: -1}")
        .schedule({"month": "2026-06", "event": "intervention", "effects": {"sanctions": -0.3}, "note": "relief: 1"})
    )
    path = tmp_path / "edited.yaml"
    path.write_text(scenario_yaml(draft), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert load_scenario(path) == draft.spec
    text = path.read_text()
    assert f"volatility: 0.3  # changed in sim explore; was {Draft.open(BASELINE).text('president.volatility')}" in text
    assert "# added in sim explore" in text
    # It extends only the calibrated values, so its worlds draw the same parameters from the posterior.
    assert "\nextends: calibrated.yaml\n" in text
    drawn = posterior_design(load_scenario(path), seed=1)
    assert drawn is not None and drawn.paths == posterior_design(draft.spec, seed=1).paths


def test_forced_events_and_changes_are_scheduled_and_written_back(tmp_path):
    draft = (
        Draft.open(BASELINE)
        .schedule({"month": "2026-03", "event": "summit", "force": True, "note": ""})
        .schedule({"month": "2026-05", "event": "change", "set": {"president.volatility": 0.2}, "note": ""})
    )
    assert draft.errors == {}
    forced, changed = draft.spec.schedule[-2:]
    assert forced.force and str(changed.set["president.volatility"]) == "0.2"
    refused = draft.schedule({"month": "2026-05", "event": "change", "set": {"initial.trust": 0.2}, "note": ""})
    assert "only actor, structure and shock assumptions" in refused.errors[SCHEDULE]
    path = tmp_path / "forced.yaml"
    path.write_text(scenario_yaml(draft), encoding="utf-8")
    assert load_scenario(path) == draft.spec
