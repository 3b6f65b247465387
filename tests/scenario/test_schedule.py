"""A variant's schedule keeps what it inherits unless it says otherwise; a span's missing calendar dates are noted."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.months import Month
from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.loader import resolve_scenario
from simulator.scenario.schedule import calendar_due
from tests.conftest import BASELINE, ROOT, SCENARIOS

SIM = Path(sys.executable).parent / "sim"


def variant(tmp_path, body: str, name: str = "variant") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {BASELINE}\nname: {name}\n{body}")
    return path


def events(spec) -> list[tuple[str, str]]:
    return [(str(item.month), item.event) for item in spec.schedule]


def test_a_variant_with_its_own_schedule_keeps_the_inherited_entries(tmp_path, baseline):
    path = variant(tmp_path, "schedule:\n  - {month: 2026-06, event: intervention, effects: {sanctions: -0.3}}\n")
    spec = load_scenario(path)
    assert events(spec) == [
        ("2026-02", "treaty_expiry"),
        ("2026-06", "intervention"),
        ("2026-11", "midterms"),
        ("2028-11", "election"),
        ("2029-01", "inauguration"),
    ]
    assert spec.schedule[0] == baseline.schedule[0], "the inherited entry is kept whole, effects and note"


def test_an_entry_of_the_same_month_and_event_replaces_the_inherited_one_in_its_place(tmp_path, baseline):
    path = variant(tmp_path, "schedule:\n  - {month: 2026-02, event: treaty_expiry, effects: {trust: -0.2}}\n")
    spec = load_scenario(path)
    assert events(spec) == events(baseline)
    assert spec.schedule[0].effects.trust == -0.2
    assert resolve_scenario(path).origin("schedule.0.effects.trust") == f"{path}:4"


def test_a_removal_takes_out_the_inherited_entry_without_a_note(tmp_path, baseline):
    path = variant(tmp_path, "schedule:\n  - {month: 2026-02, event: treaty_expiry, remove: true}\n")
    resolved = resolve_scenario(path)
    assert events(resolved.spec) == events(baseline)[1:]
    assert resolved.notes == (), "a date removed on purpose is not noted as missing"


def test_a_removal_that_names_no_inherited_entry_is_refused_at_its_line(tmp_path):
    path = variant(
        tmp_path,
        "schedule:\n"
        "  - {month: 2026-03, event: treaty_expiry, remove: true}\n"
        "  - {month: 2026-11, event: midterms, remove: true, effects: {trust: 1}}\n"
        "  - {month: 2028-11, event: election, remove: false}\n",
    )
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    lines = str(refused.value).splitlines()
    assert lines[0] == (
        f"{path}:4: schedule.0: removes {{month: 2026-03, event: treaty_expiry}}, which is not inherited;"
        " treaty_expiry is inherited in 2026-02"
    )
    assert lines[1].startswith(f"{path}:5: schedule.1: a removal names its entry by month and event")
    assert lines[2].startswith(f"{path}:6: schedule.2: remove: write remove: true")


def test_replace_drops_the_inherited_schedule_and_the_missing_dates_are_noted(tmp_path):
    path = variant(
        tmp_path, "schedule:\n  replace:\n    - {month: 2026-06, event: intervention, effects: {sanctions: -0.3}}\n"
    )
    resolved = resolve_scenario(path)
    assert events(resolved.spec) == [("2026-06", "intervention")]
    assert resolved.origin("schedule.0.effects") == f"{path}:5"
    noted = " ".join(resolved.notes)
    for due in ("New START's expiry (2026-02)", "2026 midterms (2026-11)", "2028 presidential election (2028-11)"):
        assert due in noted
    assert len(resolved.notes) == 4


def test_a_schedule_written_as_another_mapping_is_refused(tmp_path):
    path = variant(tmp_path, "schedule:\n  entries: []\n")
    with pytest.raises(ScenarioError, match=r"variant.yaml:3: schedule: write a list of entries.*\{replace: \["):
        load_scenario(path)


def test_validate_notes_a_variant_whose_horizon_outruns_its_calendar(tmp_path):
    """The issue's case: a variant with its own schedule and a horizon moved to 2033-01."""
    path = variant(
        tmp_path, "horizon: 2033-01\nschedule:\n  - {month: 2026-06, event: intervention, effects: {sanctions: -0.3}}\n"
    )
    done = subprocess.run([str(SIM), "validate", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("ok ")
    for due in ("2030 midterms (2030-11)", "2032 presidential election (2032-11)", "2033 inauguration (2033-01)"):
        assert f"spans the {due}, which the schedule does not hold" in done.stderr
    assert "add {month: 2030-11, event: midterms}" in done.stderr
    assert "2026 midterms" not in done.stderr, "inherited dates are held"


def test_calendar_listed_holds_only_the_dates_listed(tmp_path):
    path = variant(tmp_path, "horizon: 2033-01\ncalendar: listed\n")
    assert resolve_scenario(path).notes == ()


def test_no_shipped_scenario_misses_a_date_of_its_calendar():
    for path in SCENARIOS:
        assert resolve_scenario(path).notes == (), path


def test_inherited_entries_outside_a_shorter_span_are_left_out_but_the_variants_own_are_refused(tmp_path, baseline):
    short = variant(tmp_path, "horizon: 2026-12\nquestions: []\n", "short")
    assert events(load_scenario(short)) == [("2026-02", "treaty_expiry"), ("2026-11", "midterms")]
    late = variant(tmp_path, "horizon: 2026-12\nquestions: []\nschedule:\n  - {month: 2027-06, event: intervention}\n")
    with pytest.raises(ScenarioError, match=r"variant.yaml:6: schedule.2.month: month 2027-06 lies outside"):
        load_scenario(late)
    with pytest.raises(ScenarioError, match="2028-11 lies outside"):
        load_scenario(BASELINE, sets=["horizon=2026-12", "questions=[]"])  # the named file's own entries


def test_turn_to_pressure_adds_its_forced_events_to_the_baseline_calendar(baseline):
    spec = load_scenario(ROOT / "scenarios" / "turn_to_pressure.yaml")
    assert [item for item in spec.schedule if not item.force] == baseline.schedule
    assert events(spec)[1:3] == [("2026-06", "president_turns_tough"), ("2026-07", "congress_sanctions_act")]


def test_walk_away_forces_the_president_to_disengage_and_nothing_else(baseline):
    spec = load_scenario(ROOT / "scenarios" / "walk_away.yaml")
    assert [item for item in spec.schedule if not item.force] == baseline.schedule
    assert [(str(item.month), item.event) for item in spec.schedule if item.force] == [("2026-06", "disengage")]


@pytest.mark.parametrize(
    ("start", "horizon", "expected"),
    [
        (
            "2025-01",
            "2029-01",
            ["2026-02 treaty_expiry", "2026-11 midterms", "2028-11 election", "2029-01 inauguration"],
        ),
        ("1992-01", "1994-12", ["1992-11 election", "1993-01 inauguration", "1994-11 midterms"]),
        ("2029-01", "2030-10", []),
    ],
)
def test_the_us_calendar(start, horizon, expected):
    due = calendar_due(Month.parse(start), Month.parse(horizon))
    assert [f"{month} {event}" for month, event, _ in due] == expected


#: Entries a variant may write: the baseline's own (month, event) and others, each with a note to tell them apart.
KEYS = [
    ("2026-02", "treaty_expiry"),
    ("2026-11", "midterms"),
    ("2028-11", "election"),
    ("2029-01", "inauguration"),
    ("2026-06", "intervention"),
    ("2025-03", "planned_summit"),
    ("2027-05", "intervention"),
]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(written=st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["write", "remove"]), max_size=6))
def test_nothing_inherited_is_lost_unless_removed(tmp_path, baseline, written):
    """Whatever a variant writes, the merged schedule is the inherited one with entries replaced, added, removed."""
    expected = {(str(item.month), item.event): item.note for item in baseline.schedule}
    lines = []
    for i, ((month, event), action) in enumerate(written.items()):
        if action == "remove" and (month, event) in expected:
            del expected[(month, event)]
            lines.append(f"  - {{month: {month}, event: {event}, remove: true}}\n")
        elif action == "write":
            expected[(month, event)] = f"entry {i}"
            lines.append(f"  - {{month: {month}, event: {event}, note: entry {i}}}\n")
    path = variant(tmp_path, "schedule:\n" + "".join(lines) if lines else "")
    merged = {(str(item.month), item.event): item.note for item in load_scenario(path).schedule}
    assert merged == expected
    assert list(merged) == sorted(expected), "in month order"
