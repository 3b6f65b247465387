"""The US instruments several actors use: sanctions, aid, summits (docs/model.md, "Instruments").

The president, Congress, the bureaucracy, shocks and forced schedule events
all move sanctions and aid through these functions, so that each instrument
records its events and its meaning for the Kremlin (a concession, pressure)
in one place. Instruments are graded: a round of pressure or relief has a
size, and only rounds from ``structure.major`` up count as major events.
"""

import numpy as np

from simulator.model.arrays import blend, share
from simulator.model.choice import among
from simulator.model.interface import Array, Model
from simulator.model.world import REAL
from simulator.vocabulary import WAR_ACTIVE


def impose_sanctions(model: Model, where: Array, grade: Array | float = 1.0) -> None:
    """A round of new US sanctions of the given grade: tariffs and designations up to major sanctions (000)."""
    state, structure = model.state, model.p.structure
    applied = where * np.asarray(grade, dtype=REAL)  # the grade where sanctions are imposed, 0 elsewhere
    state.sanctions = share(state.sanctions + structure.sanctions_step * applied)
    model.agenda.pressure = np.maximum(model.agenda.pressure, share(applied))
    model.events.record("new_sanctions", applied >= structure.major)


def lift_sanctions(model: Model, where: Array) -> None:
    """A round of sanctions relief: a concession the Kremlin reads, as weakness or good faith (000, 004)."""
    state = model.state
    before = state.sanctions
    state.sanctions = blend(where, share(before - model.p.structure.relief_step), before)
    model.agenda.concession += concession(model, before - state.sanctions)
    model.events.record("sanctions_relief", where & (state.sanctions < before))


def increase_aid(model: Model, where: Array, to: Array | float | None = None) -> None:
    """More US military aid to Ukraine: a step up, or up to ``to`` (000, 001); ends any pause."""
    state = model.state
    target = state.aid + model.p.structure.aid_step if to is None else np.maximum(state.aid, to)
    raised = where & (state.war == WAR_ACTIVE) & (target > state.aid)
    state.aid = blend(raised, share(target), state.aid)
    model.aid_pause.left *= ~raised
    model.events.record("aid_increase", raised)


def pause_aid(model: Model, where: Array, depth: Array | float, months: Array | float) -> None:
    """Withhold a share of US aid for some months: a suspension, and a concession to Moscow (004).

    The pause (``model.aid_pause``) runs its months and then ends (``AidPause.resume``).
    """
    state, pause = model.state, model.aid_pause
    where = where & (state.aid > 0)
    if not where.any():
        return
    withheld = state.aid * depth * where
    pause.withheld = pause.withheld + withheld
    pause.left = blend(where, np.round(months), pause.left)
    state.aid = state.aid - withheld
    model.agenda.concession += withheld
    model.events.record("aid_cut", where)


def end_aid(model: Model, where: Array, down_to: float = 0.0) -> None:
    """End large-scale aid once fighting stops, or cut it outright (000)."""
    state = model.state
    cut = where & (state.aid > down_to)
    if cut.any():
        model.agenda.concession += concession(model, (state.aid - down_to) * cut)
        state.aid = blend(cut, down_to, state.aid)
        model.aid_pause.left *= ~cut
        model.aid_pause.withheld *= ~cut
        model.events.record("aid_cut", cut)


def concession(model: Model, given: Array) -> Array:
    """What of ``given`` (relief, aid withdrawn) the Kremlin reads as a concession: only what is given while it fights.

    004: "Russia often interprets Western concessions as weakness ... it could encourage further military
    actions": relief or an aid cut that buys terms while the war goes on. Once the fighting has stopped,
    lifting sanctions and ending large-scale aid are the terms of the settlement itself, the steps 000
    names for normalization ("the US to cease large-scale military support to Ukraine, abandon its economic
    blockade against Russia, and gradually lift most sanctions"), and are not read as weakness.
    """
    return given * (model.state.war == WAR_ACTIVE)


def hold_summit(model: Model, where: Array) -> None:
    """The presidents meet, the first time or again: contact is completed (000); a first meeting can open a reset.

    Every meeting records ``summit`` (the log keeps its first month in the run: "the presidents meet").
    """
    state, agenda = model.state, model.agenda
    model.events.record("summit", where)
    agenda.first_meeting |= (where & ~state.met) | model.president.meets(where)
    state.met |= where
    agenda.summit |= where
    agenda.contact |= where


def western_support(model: Model, worlds: Array | None = None) -> Array:
    """Military support Ukraine has, 0..1: US aid, plus the share of any fall in it that Europe replaces (004).

    In every world, or in the worlds ``worlds`` (indices) only.
    """
    aid, reference, replacement = (
        among(values, worlds) for values in (model.state.aid, model.aid_reference, model.p.allies.europe_replacement)
    )
    replaced = replacement * share(reference - aid)
    return share(aid + replaced)
