"""Directional checks: each assumption and decision rule moves the outcome the way its source says.

Both sides of each comparison share the seed, so they share random numbers
wherever assumptions agree; the tolerances are several Monte Carlo standard
errors (at 8,000 worlds a probability's standard error is at most 0.56 points).
"""

import numpy as np
import pytest

import simulator
from simulator.model.agents.kremlin import SETTLE, TALK
from simulator.model.choice import probabilities
from simulator.model.model import RelationsModel
from simulator.scenario import override

RUNS = 8000


def run(spec, **values):
    return simulator.run(override(spec, values) if values else spec, runs=RUNS, seed=7)


def p(result, event):
    return result.event_summary()[event]["probability"]


@pytest.fixture(scope="module")
def ended_war(baseline):
    return override(baseline, {"initial.war": "peace"})


def first_month(spec, **values):
    """A model of 4,096 worlds with the president's first moves on the agenda, before the Kremlin answers."""
    model = RelationsModel(override(spec, values) if values else spec, worlds=4096, seed=3)
    model.agenda.clear()
    model.shocks.step()
    for actor in (model.publics, model.president, model.congress, model.bureaucracy):
        actor.step()
    return model


def test_hawkish_congress_lowers_sanctions_relief(ended_war):
    dovish = run(ended_war, **{"congress.hawkishness": 0.2})
    hawkish = run(ended_war, **{"congress.hawkishness": 0.95})
    by = "2025-12"
    assert hawkish.probability_by("sanctions_relief", by) < dovish.probability_by("sanctions_relief", by) - 0.03


def test_ended_war_raises_normalization(baseline, ended_war):
    at_war = run(baseline)
    at_peace = run(ended_war)
    assert p(at_peace, "level>=3") > p(at_war, "level>=3") + 0.05


def test_erratic_president_reverses_more(baseline):
    steady = run(baseline, **{"president.volatility": 0.01})
    erratic = run(baseline, **{"president.volatility": 0.2})
    assert erratic.worlds["reversals"].mean() > steady.worlds["reversals"].mean() + 2


def test_cautious_kremlin_shortens_euphoria(baseline):
    trusting = run(baseline, **{"kremlin.caution": 0.0})
    cautious = run(baseline, **{"kremlin.caution": 1.0})
    assert cautious.phases_by_month["euphoria"].mean() < 0.01
    assert trusting.phases_by_month["euphoria"].mean() > 0.05


def test_more_sanctions_pressure_makes_the_kremlin_accept_more(baseline):
    light = first_month(baseline, **{"initial.sanctions": 0.2, "initial.europe_sanctions": 0.2})
    heavy = first_month(baseline, **{"initial.sanctions": 1.0, "initial.europe_sanctions": 1.0})
    accept = [probabilities(m.kremlin.values())[[SETTLE, TALK]].sum(axis=0).mean() for m in (light, heavy)]
    assert accept[1] > accept[0] + 0.05
    relaxed = run(baseline, **{"initial.sanctions": 0.3, "initial.europe_sanctions": 0.3})
    squeezed = run(baseline, **{"initial.sanctions": 1.0, "initial.europe_sanctions": 1.0})
    assert p(squeezed, "ceasefire") > p(relaxed, "ceasefire") + 0.02


def test_a_forced_sanctions_act_means_less_relief(ended_war):
    forced = override(ended_war, {"schedule": [{"month": "2025-03", "event": "congress_sanctions_act", "force": True}]})
    free = override(ended_war, {"initial.review_law": False, "schedule": []})
    bound = run(forced, **{"initial.review_law": False})
    unbound = run(free)
    assert p(bound, "congress_sanctions_act") == 1.0
    assert bound.probability_by("congress_sanctions_act", "2025-02") < 0.05
    by = "2025-12"
    assert bound.probability_by("sanctions_relief", by) < unbound.probability_by("sanctions_relief", by) - 0.03


def test_more_aid_makes_ukraine_refuse_more(baseline):
    little = first_month(baseline, **{"initial.aid": 0.7})
    much = first_month(baseline, **{"initial.aid": 1.0})
    assert much.allies.acceptance().mean() < little.allies.acceptance().mean() - 0.1


@pytest.mark.parametrize("reading", [1.0, -1.0])
def test_concessions_move_escalation_the_way_the_kremlin_reads_them(baseline, reading):
    """004 (weakness, +1): more concessions, more escalation; 000 (good faith, -1): fewer."""
    reads = {
        "kremlin.concession_reading": reading,
        "kremlin.concession_weight": 4.0,
        "kremlin.escalation_value": -3.0,
        "kremlin.deterrence": 0.0,  # aid's own deterrence is tested apart
        "allies.ceasefire_breakdown": 0.0,  # so that escalation is the Kremlin's choice, not a broken truce
    }
    spec = override(baseline, reads)
    few = run(spec, **{"president.concession_drive": -5.0, "president.pause_depth": 0.1})
    many = run(spec, **{"president.concession_drive": 4.0, "president.pause_depth": 1.0})
    assert many.worlds["reversals"].size == few.worlds["reversals"].size
    difference = p(many, "russian_escalation") - p(few, "russian_escalation")
    assert difference * reading > 0.02


def test_aid_deters_escalation_only_when_deterrence_is_assumed(baseline):
    baseline = override(baseline, {"kremlin.escalation_value": -2.0})
    armed, unarmed = {"initial.aid": 1.0}, {"initial.aid": 0.1}
    deterred = [run(baseline, **{"kremlin.deterrence": 3.0, **aid}) for aid in (armed, unarmed)]
    undeterred = [run(baseline, **{"kremlin.deterrence": 0.0, **aid}) for aid in (armed, unarmed)]
    assert p(deterred[0], "russian_escalation") < p(deterred[1], "russian_escalation") - 0.02
    gap = abs(p(undeterred[0], "russian_escalation") - p(undeterred[1], "russian_escalation"))
    assert gap < abs(p(deterred[0], "russian_escalation") - p(deterred[1], "russian_escalation"))


def test_outreach_makes_scandal_likelier(baseline):
    engaged = run(baseline, **{"president.deal_drive": 4.0})
    aloof = run(baseline, **{"president.deal_drive": -4.0, "president.engaged_at_start": 0.0})
    assert p(engaged, "scandal") > p(aloof, "scandal") + 0.05


def test_hot_war_makes_incidents_likelier(baseline):
    hot = run(baseline, **{"initial.intensity": 1.0})
    cold = run(baseline, **{"initial.intensity": 0.1})
    assert p(hot, "military_incident") > p(cold, "military_incident") + 0.03


def test_sanctions_review_law_only_binds_when_in_force(ended_war):
    no_law = run(ended_war, **{"initial.review_law": False, "congress.act_value": -20.0})
    law = run(ended_war, **{"congress.act_value": -20.0})
    by = "2025-12"
    assert no_law.probability_by("sanctions_relief", by) > law.probability_by("sanctions_relief", by) + 0.02


def test_common_random_numbers_make_equal_scenarios_identical(baseline):
    a = run(baseline)
    b = run(override(baseline, {"congress.hawkishness": "uniform(0.4, 0.6)"}))
    assert np.array_equal(a.first_event, b.first_event)
