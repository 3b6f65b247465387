"""Directional checks: each assumption moves the outcome the way its source says.

Both sides of each comparison share the seed, so they share random numbers
wherever assumptions agree; the tolerances are several Monte Carlo standard
errors (at 8,000 worlds a probability's standard error is at most 0.56 points).
"""

import numpy as np
import pytest

import simulator
from simulator.scenario import override

RUNS = 8000


def run(spec, **values):
    return simulator.run(override(spec, values) if values else spec, runs=RUNS, seed=7)


def p(result, event):
    return result.event_summary()[event]["probability"]


@pytest.fixture(scope="module")
def ended_war(baseline):
    return override(baseline, {"initial.war": "peace"})


def test_hawkish_congress_lowers_sanctions_relief(baseline):
    dovish = run(baseline, **{"congress.hawkishness": 0.2})
    hawkish = run(baseline, **{"congress.hawkishness": 0.95})
    assert p(hawkish, "sanctions_relief") < p(dovish, "sanctions_relief") - 0.03


def test_hawkish_congress_lowers_normalization(ended_war):
    dovish = run(ended_war, **{"congress.hawkishness": 0.2})
    hawkish = run(ended_war, **{"congress.hawkishness": 0.95})
    assert p(hawkish, "level>=3") < p(dovish, "level>=3") - 0.03


def test_ended_war_raises_normalization(baseline, ended_war):
    at_war = run(baseline)
    at_peace = run(ended_war)
    assert p(at_peace, "level>=3") > p(at_war, "level>=3") + 0.05


def test_erratic_president_reverses_more(baseline):
    steady = run(baseline, **{"president.volatility": 0.01})
    erratic = run(baseline, **{"president.volatility": 0.2})
    assert erratic.worlds["reversals"].mean() > steady.worlds["reversals"].mean() + 2
    assert (
        erratic.probability_by("president_turns_tough", "2025-06")
        > steady.probability_by("president_turns_tough", "2025-06") + 0.1
    )


def test_cautious_kremlin_shortens_euphoria(baseline):
    trusting = run(baseline, **{"kremlin.caution": 0.0})
    cautious = run(baseline, **{"kremlin.caution": 1.0})
    assert cautious.phases_by_month["euphoria"].mean() < 0.01
    assert trusting.phases_by_month["euphoria"].mean() > 0.05


def test_emboldened_kremlin_escalates_more(baseline):
    restrained = run(baseline, **{"kremlin.emboldenment": 0.0})
    emboldened = run(baseline, **{"kremlin.emboldenment": 0.3})
    assert p(emboldened, "russian_escalation") > p(restrained, "russian_escalation") + 0.1


def test_sanctions_review_law_only_binds_when_in_force(baseline):
    no_law = run(baseline, **{"initial.review_law": False, "congress.sanctions_act_rate": 0.0})
    law = run(baseline, **{"congress.sanctions_act_rate": 0.0})
    assert p(no_law, "sanctions_relief") > p(law, "sanctions_relief") + 0.02


def test_common_random_numbers_make_equal_scenarios_identical(baseline):
    a = run(baseline)
    b = run(override(baseline, {"congress.hawkishness": "uniform(0.4, 0.6)"}))
    assert np.array_equal(a.first_event, b.first_event)
