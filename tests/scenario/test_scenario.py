import pytest
import yaml

import simulator
from simulator.scenario import ScenarioError, load_scenario, override, scenario_from_dict
from simulator.scenario.schema import assumptions
from simulator.vocabulary import EVENTS, LEVELS
from tests.conftest import BASELINE, SCENARIOS


def write_variant(tmp_path, old: str, new: str):
    text = BASELINE.read_text()
    assert old in text, f"the baseline no longer contains {old!r}"
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def line_of(path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path):
    spec = load_scenario(path)
    assert spec.months > 1
    for question in spec.questions:
        named = [question.event in EVENTS, *(getattr(question, k) in LEVELS for k in ("level", "falls_to", "holds"))]
        assert sum(named) == 1 or (question.parts and not any(named))


def test_unknown_key_names_file_line_path_and_suggestion(tmp_path):
    path = write_variant(tmp_path, "  volatility:", "  volatilty:")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert f"variant.yaml:{line_of(path, 'volatilty')}" in message
    assert "president.volatilty: unknown key; did you mean 'volatility'?" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  engaged_at_start: 1.0 ",
            "  engaged_at_start: 1.5 ",
            "president.engaged_at_start: a probability must lie in [0, 1], got 1.5",
        ),
        (
            "hawkishness: uniform(0.4, 0.6)",
            "hawkishness: normal(0.5, 0.1)",
            "give the normal distribution low= and high= bounds",
        ),
        ("caution: 0.8 ", "caution: beta(0, 2) ", "beta needs a > 0"),
        ("war_aims: uniform(0.5, 0.9)", "war_aims: uniform(0.9, 0.5)", "uniform needs low < high"),
        ("  level: suspended ", "  level: friendship ", "initial.level: 'friendship' is not allowed"),
        (
            "event: summit, by: 2025-12",
            "event: handshake, by: 2025-12",
            "questions.0.event: 'handshake' is not allowed",
        ),
        ("event: summit, by: 2025-12", "event: summit, by: 2031-12", "lies outside the scenario's 2025-01 to 2029-01"),
        ("event: summit, by: 2025-12", "event: summit, by: 2025-13", "not a month written YYYY-MM"),
        ("horizon: 2029-01", "horizon: 2024-01", "horizon 2024-01 must come after start 2025-01"),
        ("review_law: true ", "review_law: maybe ", "initial.review_law: Input should be a valid boolean"),
        (
            "  engaged_at_start: 1.0 ",
            "  engaged_at_start: [1.0] ",
            "president.engaged_at_start: expected a number or a distribution",
        ),
        (
            "level: selective_cooperation, by: 2026-12",
            "level: friendship, by: 2026-12",
            "questions.3.level: 'friendship' is not allowed",
        ),
    ],
)
def test_bad_values_are_named_with_their_key(tmp_path, old, new, expected):
    with pytest.raises(ScenarioError, match=None) as error:
        load_scenario(write_variant(tmp_path, old, new))
    assert expected in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "variant.yaml"))


def test_missing_key_is_named(tmp_path):
    path = write_variant(tmp_path, "  caution: 0.8 ", "  # caution removed ")
    with pytest.raises(ScenarioError, match="kremlin.caution: missing key"):
        load_scenario(path)


def test_malformed_yaml_names_the_line(tmp_path):
    path = write_variant(tmp_path, "  engaged_at_start: 1.0 ", "  engaged_at_start: [1.0 ")
    with pytest.raises(ScenarioError, match=r"variant.yaml:\d+: not valid YAML"):
        load_scenario(path)


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read the scenario"):
        load_scenario(tmp_path / "nowhere.yaml")


def test_resolved_scenario_round_trips(baseline):
    dumped = yaml.safe_load(yaml.safe_dump(baseline.model_dump(mode="json")))
    assert scenario_from_dict(dumped) == baseline


def test_override_replaces_and_revalidates(baseline):
    hawkish = override(baseline, {"congress.hawkishness": 0.9, "president.volatility": "beta(2, 20)"})
    assert hawkish.congress.hawkishness.value == 0.9
    assert str(hawkish.president.volatility) == "beta(2, 20)"
    assert baseline.congress.hawkishness != hawkish.congress.hawkishness
    with pytest.raises(ScenarioError, match="did you mean 'hawkishness'"):
        override(baseline, {"congress.hawkish": 0.9})
    with pytest.raises(ScenarioError, match="a probability must lie in"):
        override(baseline, {"kremlin.caution": -0.1})


def test_every_assumption_has_a_source_and_description():
    fields = {}

    def collect(model, prefix=""):
        for name, field in model.model_fields.items():
            fields[prefix + name] = field

    for section in ("president", "kremlin", "congress", "bureaucracy", "allies", "publics", "china"):
        collect(simulator.Scenario.model_fields[section].annotation, section + ".")
    for path, field in fields.items():
        assert field.description, path
        assert field.json_schema_extra["source"] in {"000", "001", "002", "003", "004"}, path


def test_assumption_paths_cover_actors_and_shocks(baseline):
    paths = dict(assumptions(baseline))
    assert "president.volatility" in paths
    assert "structure.phase_months.realism" in paths
    assert "shocks.scandal.hazard" in paths


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"month": "2026-01", "event": "change", "set": {"president.nope": 1}},
            "'president.nope' is not an assumption",
        ),
        ({"month": "2026-01", "event": "change", "set": {"kremlin.war_aims": 3}}, "must lie in"),
        ({"month": "2026-01", "event": "change", "set": {"initial.aid": 0.1}}, "can change over time"),
        ({"month": "2026-01", "event": "change"}, "a change lists its new values"),
        ({"month": "2026-01", "event": "congress_sanctions_act"}, "write force: true"),
        ({"month": "2026-01", "event": "midterms", "force": True}, "needs an event to force"),
    ],
)
def test_bad_steering_is_named(baseline, item, message):
    with pytest.raises(ScenarioError, match=message) as error:
        override(baseline, {"schedule": [item]})
    assert "schedule.0" in str(error.value)
