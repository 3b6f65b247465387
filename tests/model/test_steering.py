"""Steering: forced events, assumptions that change at a month, scenarios that start as of a later month."""

import numpy as np

import simulator
from simulator.model.model import RelationsModel
from simulator.scenario import override
from tests.conftest import ROOT

RUNS = 6000


def run(spec):
    return simulator.run(spec, runs=RUNS, seed=11)


def with_schedule(spec, *items):
    return override(spec, {"schedule": [*(i.model_dump(mode="json") for i in spec.schedule), *items]})


def test_a_forced_event_happens_in_every_world_that_month_and_not_before(baseline):
    forced = with_schedule(baseline, {"month": "2026-07", "event": "congress_sanctions_act", "force": True})
    result = run(forced)
    assert result.probability_by("congress_sanctions_act", "2026-07") == 1.0
    assert result.probability_by("congress_sanctions_act", "2026-06") < 0.5
    model = RelationsModel(forced, worlds=500, seed=1)
    while model.calendar_month.minus(forced.start) <= 18:
        model.step()
    assert model.state.review_law.all(), "the act binds the president's relief in every world"


def test_forcing_the_president_to_turn_to_pressure_moves_the_outcome(baseline):
    presses = with_schedule(
        baseline,
        {"month": "2026-06", "event": "president_turns_tough", "force": True},
        {"month": "2026-07", "event": "congress_sanctions_act", "force": True},
    )
    before, after = run(baseline), run(presses)
    assert after.probability_by("president_turns_tough", "2026-06") == 1.0
    assert after.event_summary()["sanctions_relief"]["probability"] < (
        before.event_summary()["sanctions_relief"]["probability"] - 0.05
    )
    level = "level>=2"
    assert after.probability_by(level, "2029-01") <= before.probability_by(level, "2029-01")


def test_forcing_the_president_to_disengage_makes_a_summit_and_cooperation_rarer(baseline):
    walks_away = with_schedule(baseline, {"month": "2025-03", "event": "disengage", "force": True})
    before, after = run(baseline), run(walks_away)
    assert after.probability_by("disengage", "2025-03") == 1.0
    assert before.probability_by("disengage", "2025-03") < 0.5
    assert np.allclose(before.events_by_month["summit"].iloc[:2], after.events_by_month["summit"].iloc[:2])
    assert after.probability_by("summit", "2025-12") < before.probability_by("summit", "2025-12") - 0.02
    cooperation = "level>=2"
    assert after.probability_by(cooperation, "2026-12") < before.probability_by(cooperation, "2026-12") - 0.01


def test_an_assumption_can_change_from_a_month_on(baseline):
    hawks = with_schedule(
        baseline,
        {"month": "2026-01", "event": "change", "set": {"congress.act_value": 2.0, "president.volatility": 0.0}},
    )
    model = RelationsModel(hawks, worlds=4096, seed=2)
    for _ in range(12):
        model.step()
    assert np.all(model.p.congress.act_value == -4.5) and model.p.president.volatility.shape == (4096,)
    model.step()
    assert np.all(model.p.congress.act_value == 2.0) and np.all(model.p.president.volatility == 0.0)
    before, after = run(baseline), run(hawks)
    assert np.allclose(
        before.events_by_month["congress_sanctions_act"].iloc[:12],
        after.events_by_month["congress_sanctions_act"].iloc[:12],
    ), "nothing changes before the change"
    assert after.event_summary()["congress_sanctions_act"]["probability"] > 0.95


def test_a_change_draws_a_distribution_per_world(baseline):
    quiet = override(baseline, {"shocks.leadership_change.hazard": 0.0})  # a new leader would move the aims again
    spec = with_schedule(
        quiet, {"month": "2025-06", "event": "change", "set": {"kremlin.war_aims": "uniform(0.1, 0.2)"}}
    )
    model = RelationsModel(spec, worlds=2000, seed=4)
    for _ in range(6):
        model.step()
    aims = model.p.kremlin.war_aims
    assert aims.min() >= 0.1 and aims.max() <= 0.2 and len(np.unique(aims)) > 1900


def test_a_scenario_as_of_a_later_month_starts_from_what_has_happened():
    spec = simulator.load_scenario(ROOT / "tests" / "data" / "asof_start_2025_04.yaml")
    result = run(spec)
    assert str(spec.start) == "2025-04"
    assert result.questions()["contact_2025"]["probability"] == 1.0
    assert result.probability_by("contact_resumed", "2025-04") == 1.0
    assert result.levels_by_month["suspended"].iloc[0] < 0.05, "contact holds at the start"
