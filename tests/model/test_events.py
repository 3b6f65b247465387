"""The table of events: every event comes about the way its kind says, in every world.

A forced event (``force: true``) must happen in every world the month it is forced,
a shock event in every world a scheduled strike of its shock reaches, and a level
event wherever relations first reach its level. A new event in
``vocabulary.EVENT_TABLE`` whose kind nothing handles fails here, not mid-run.
"""

import numpy as np
import pytest

from simulator.model.model import RelationsModel
from simulator.scenario import override
from simulator.scenario.schema import ShockSpecs
from simulator.vocabulary import (
    EVENT_INDEX,
    EVENT_TABLE,
    EVENTS,
    FORCEABLE,
    FORCED,
    LEVEL,
    LEVELS,
    SHOCK,
    SHOCK_EVENTS,
)

WORLDS = 300
#: The month (from the start) at which the schedule forces or strikes: the first, where every forced event can happen
#: (the war is still fought, aid and sanctions are neither at their floor nor their ceiling).
AT = 0
#: No chance shocks: a shock in the month of a forced event can undo it (throw the phase elsewhere, cost a level).
QUIET = {f"shocks.{name}.hazard": 0.0 for name in ShockSpecs.model_fields}
#: A start from which every forced event is news: not yet in crisis, and neither erosion nor a chance shock
#: that could take a forced contact back to suspension within the month (``relations.Relationship._move_level``).
OPEN = {**QUIET, "initial.phase": "realism", "structure.erosion": 0.0}


def scheduled(spec, item):
    """``spec`` with one more item on its calendar, run through the month it falls in."""
    item = {"month": str(spec.start.plus(AT)), **item}
    spec = override(spec, {"schedule": [*(i.model_dump(mode="json") for i in spec.schedule), item]})
    model = RelationsModel(spec, worlds=WORLDS, seed=5)
    before = None
    for month in range(AT + 1):
        if month == AT:
            before = model.events.first.copy()
        model.step()
    return before, model.events.first


def test_every_event_has_one_kind_and_a_label():
    assert len(EVENTS) == len(set(EVENTS))
    for event in EVENT_TABLE:
        assert event.kind in (FORCED, SHOCK, LEVEL), event
        assert event.label and event.words, event
        assert (event.shock is not None) == (event.kind == SHOCK), event
        assert (event.level is not None) == (event.kind == LEVEL), event


@pytest.mark.parametrize("event", FORCEABLE)
def test_a_forced_event_happens_in_every_world_the_month_it_is_forced(baseline, event):
    before, after = scheduled(override(baseline, OPEN), {"event": event, "force": True})
    row = EVENT_INDEX[event]
    assert (after[row] >= 0).all() and (after[row] <= AT).all(), f"{event} forced but not in every world"
    fresh = before[row] < 0
    assert fresh.any(), f"{event} had already happened everywhere: the test shows nothing"
    assert (after[row][fresh] == AT).all(), f"{event} is recorded in the month it is forced"


@pytest.mark.parametrize("shock", sorted(SHOCK_EVENTS))
def test_a_shock_records_its_event_in_every_world_it_strikes(baseline, shock):
    assert shock in ShockSpecs.model_fields, f"{shock} records an event but is no shock of the scenario"
    before, after = scheduled(override(baseline, QUIET), {"event": "shock", "shock": shock})
    row = EVENT_INDEX[SHOCK_EVENTS[shock]]
    assert (before[row] < 0).all(), "no chance shock struck before the scheduled one"
    assert (after[row] == AT).all()


def test_a_level_event_marks_the_first_month_relations_reach_its_level(baseline):
    model = RelationsModel(baseline, worlds=2000, seed=6)
    highest = model.state.level.copy()
    reached = [event for event in EVENT_TABLE if event.kind == LEVEL]
    assert [event.level for event in reached] == list(range(1, len(LEVELS)))
    for _ in range(24):
        model.step()
        highest = np.maximum(highest, model.state.level)
        for event in reached:
            np.testing.assert_array_equal(model.events.happened(event.name), highest >= event.level, event.name)
    assert (highest >= 2).any(), "some world reaches selective cooperation: the test shows something"
