"""Allies and Ukraine: Ukraine decides on the terms, Europe pushes back and may replace US aid.

Source: 004: in Riyadh, talk of "Ukraine potentially ceding occupied
territories in exchange for a ceasefire, a move that alarmed Kyiv and European
leaders"; "Will European allies seek greater defense independence if U.S.
support weakens?". 000: the proxy war must end before relations can normalize.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from simulator.vocabulary import WAR_ACTIVE, WAR_CEASEFIRE, WAR_PEACE

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


class Allies(mesa.Agent):
    """Ukraine and the European allies in every world."""

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        assume = model.assume
        self.ukraine_acceptance = assume("allies.ukraine_acceptance")
        self.europe_replacement = assume("allies.europe_replacement")
        self.pushback = assume("allies.pushback")
        self.ceasefire_to_peace = assume("allies.ceasefire_to_peace")
        self.ceasefire_breakdown = assume("allies.ceasefire_breakdown")

    def step(self) -> None:
        """Push back on concessions, answer a peace plan Moscow accepted, and move the war on."""
        model = self.model
        model.state.opposition = (model.state.opposition + self.pushback * model.agenda.concession).clip(0, 1)
        self._consolidate_or_collapse()
        self._answer_peace_plan()

    def _answer_peace_plan(self) -> None:
        """Ukraine accepts terms more readily the less aid it has that Europe does not replace (004)."""
        model, state = self.model, self.model.state
        plan = model.agenda.peace_plan & (state.war == WAR_ACTIVE)
        without_support = (1 - state.aid) * (1 - self.europe_replacement)
        willing = self.ukraine_acceptance + (1 - self.ukraine_acceptance) * without_support
        accepts = plan & model.streams.bernoulli("allies.ukraine_answer", willing)
        state.war[accepts] = WAR_CEASEFIRE
        model.events.record("ceasefire", accepts)
        model.agenda.settled |= accepts
        refuses = plan & ~accepts
        model.agenda.setback |= refuses
        model.president.obstructed_by_ukraine(refuses)

    def _consolidate_or_collapse(self) -> None:
        """A ceasefire becomes a peace agreement, or breaks down into fighting."""
        model, state = self.model, self.model.state
        holding = state.war == WAR_CEASEFIRE
        peace = holding & model.streams.bernoulli("allies.peace", self.ceasefire_to_peace)
        collapse = holding & ~peace & model.streams.bernoulli("allies.breakdown", self.ceasefire_breakdown)
        state.war[peace] = WAR_PEACE
        state.war[collapse] = WAR_ACTIVE
        model.events.record("peace_agreement", peace)
        model.agenda.settled |= peace
        model.agenda.setback |= collapse
