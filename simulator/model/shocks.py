"""Shocks: stochastic ones with monthly hazards, scheduled ones on calendar dates.

Sources (DOMAIN.md section 3): black swans (000: "unpredictable 'black swan'
events"); a shared threat that brings a reset (001: "The first reset came in
the aftermath of the 9/11 attacks"); colour revolutions and NATO enlargement
(001: "Disagreement over ... the enlargement of Western institutions and
popular revolution in Russia's neighbors"); economic shocks (001: the 1998
default); a Trump-Russia scandal (002); military incidents and escalation in
Ukraine (004). Each shock's hazard and effects are set in the scenario.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from simulator.scenario.schema import SHOCK_EVENTS, Effects, Scheduled, Shock
from simulator.scenario.schema import Shocks as ShockSpecs
from simulator.vocabulary import PHASES, WAR_CEASEFIRE, WAR_PEACE, WAR_STATES

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


class Shocks:
    """The shocks of a scenario, striking every world each month."""

    def __init__(self, model: RelationsModel) -> None:
        self.model = model
        self.hazards = {name: model.assume(f"shocks.{name}.hazard") for name in ShockSpecs.model_fields}
        self.calendar: dict[int, list[tuple[int, Scheduled]]] = defaultdict(list)
        for index, item in enumerate(model.spec.schedule):
            self.calendar[item.month.minus(model.spec.start)].append((index, item))

    def step(self) -> None:
        """This month's calendar first, then the chance events."""
        for index, item in self.calendar.get(self.model.month, ()):
            self._scheduled(index, item)
        for name, hazard in self.hazards.items():
            strikes = self.model.streams.bernoulli(f"shock.{name}", hazard)
            if strikes.any():
                self.strike(name, strikes)

    def strike(self, name: str, where: np.ndarray) -> None:
        """The shock ``name`` strikes where ``where`` is true (used by the Kremlin too)."""
        if name in SHOCK_EVENTS:
            self.model.events.record(SHOCK_EVENTS[name], where)
        shock: Shock = getattr(self.model.spec.shocks, name)
        apply_effects(self.model, shock.effects, where, stream=f"shock.{name}.phase")

    def _scheduled(self, index: int, item: Scheduled) -> None:
        model = self.model
        everywhere = np.ones(model.worlds, dtype=bool)
        match item.event:
            case "midterms":
                model.congress.midterms()
            case "election":
                model.president.election()
            case "inauguration":
                model.president.inauguration()
            case "treaty_expiry":
                everywhere = ~model.events.happened("arms_control_deal")
            case "planned_summit":
                model.agenda.summit_proposal |= everywhere
            case "shock":
                self.strike(item.shock, everywhere)
        apply_effects(model, item.effects, everywhere, stream=f"schedule.{index}.{item.event}")


def apply_effects(model: RelationsModel, effects: Effects, where: np.ndarray, stream: str) -> None:
    """Change the state of the worlds in ``where`` as ``effects`` says.

    Policy changes record their events: sanctions up is ``new_sanctions``,
    down is ``sanctions_relief``; aid up is ``aid_increase``, down is ``aid_cut``.
    Relief and aid cuts count as concessions the Kremlin reads (004).
    """
    if not where.any():
        return
    state, agenda = model.state, model.agenda
    for name in ("trust", "opposition"):
        change = getattr(effects, name)
        if change:
            values = getattr(state, name)
            values[where] = np.clip(values[where] + change, 0, 1)
    _move_policy(model, "sanctions", effects.sanctions, where, ("new_sanctions", "sanctions_relief"))
    _move_policy(model, "aid", effects.aid, where, ("aid_increase", "aid_cut"))
    if effects.frustration:
        president = model.president
        president.frustration[where] = np.clip(president.frustration[where] + effects.frustration, 0, 1)
    if effects.emboldened:
        kremlin = model.kremlin
        kremlin.emboldened[where] = np.maximum(0, kremlin.emboldened[where] + effects.emboldened)
    if effects.hawkishness:
        congress = model.congress
        congress.hawkishness[where] = np.clip(congress.hawkishness[where] + effects.hawkishness, 0, 1)
    if effects.level:
        agenda.level_shift[where] += effects.level
    if effects.phase is not None:
        agenda.forced_phase[where] = PHASES.index(effects.phase)
    if effects.advance_phase:
        agenda.advance |= where & model.streams.bernoulli(stream, effects.advance_phase)
    if effects.new_president is not None:
        model.president.take_office(where, engaged=effects.new_president == "engaged")
    if effects.war is not None:
        war = WAR_STATES.index(effects.war)
        changed = where & (state.war != war)
        state.war[changed] = war
        if war >= WAR_CEASEFIRE:
            model.events.record("ceasefire", changed)
        if war == WAR_PEACE:
            model.events.record("peace_agreement", changed)


def _move_policy(model: RelationsModel, name: str, change: float, where: np.ndarray, events: tuple[str, str]) -> None:
    if not change:
        return
    values = getattr(model.state, name)
    before = values[where]
    values[where] = np.clip(before + change, 0, 1)
    moved = np.zeros_like(where)
    moved[where] = values[where] != before
    model.events.record(events[0] if change > 0 else events[1], moved)
    if change < 0:
        model.agenda.concession[moved] += before[moved[where]] - values[moved]
