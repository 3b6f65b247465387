"""The Kremlin: each month settles, talks, stalls, rejects or escalates, weighing the war and the offer.

Sources: 000 (Zhao): "Russia's leadership and elites have remained calm, showing
little euphoria and maintaining caution"; "The core problem lies in the
mismatch between Trump's goals and Russia's objectives"; Russia's foreign
policy is "rooted in maintaining independence, sovereignty, and equal status
among great powers"; the US aims "to cripple its financial and economic
resources". 004: "Russia often interprets Western concessions as weakness ...
it could encourage further military actions"; NATO has been "deterring Russian
expansion". Whether concessions embolden (004) or placate (000's reading of
good faith) is ``concession_reading``, an assumption spanning both signs.

Its five options and what each is worth (docs/model.md, "The Kremlin"):

- settle (only with terms on the table): accept the terms and talk. Worth the
  war's cost (the US part of it) and the sanctions it would shed, less its war aims, plus status
  if the presidents have met; concessions add or subtract by its reading;
- talk: accept contact, a summit, deals; stall on the terms. Worth
  ``talk_value``, ``peace_value`` once the fighting has stopped, status when a
  summit is offered, relief it hopes for, the phase's mood and trust, less the
  China caveat when courted against Beijing;
- stall: keep the line open, commit to nothing (``stall_value``);
- reject: refuse everything; worth the US pressure of this month;
- escalate: new aggression; worth ``escalation_value``, plus concessions by its
  reading, less deterrence by Western military support.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from simulator.model import policy
from simulator.model.arrays import share
from simulator.model.choice import CLOSED, among, choose
from simulator.model.interface import Actor, Array, Model
from simulator.model.world import REAL
from simulator.scenario import actors as blocks
from simulator.scenario.shocks import Effects
from simulator.vocabulary import SUSPENDED, WAR_ACTIVE

#: The Kremlin's options, in the order of its values.
OPTIONS = ("settle", "talk", "stall", "reject", "escalate")
SETTLE, TALK, STALL, REJECT, ESCALATE = range(5)

#: Months after which half of the Kremlin's memory of US concessions has faded.
CONCESSION_HALF_LIFE = 6.0


class Kremlin(Actor, mesa.Agent):
    """The Russian leadership in every world.

    Attributes:
        choice: the option chosen this month (index into ``OPTIONS``).
        emboldened: recent US concessions it remembers, fading (004; read by ``concession_reading``).
    """

    name = "kremlin"
    parameters = blocks.Kremlin
    state = ("choice", "emboldened", "aggression")
    tracked = ("emboldened",)

    model: Model

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.p = model.p.kremlin
        self.choice = np.full(model.worlds, STALL, dtype=np.int8)
        self.emboldened = np.zeros(model.worlds, dtype=REAL)
        self.aggression = self._aggression(np.zeros(model.worlds, dtype=REAL), policy.western_support(model))

    def step(self) -> None:
        """Remember this month's concessions, weigh the options, and answer."""
        self.emboldened = self.emboldened * 0.5 ** (1 / CONCESSION_HALF_LIFE) + self.model.agenda.concession
        self.choice = choose(self.values(), self.model.streams.uniform("kremlin.choice"))
        self._answer()

    def reading(self, worlds: Array | None = None) -> Array:
        """Concessions remembered, signed by how they are read: + weakness, - good faith.

        In every world, or in the worlds ``worlds`` (indices) only.
        """
        p = self.p
        weight = among(p.concession_reading, worlds) * among(p.concession_weight, worlds)
        return weight * share(among(self.emboldened, worlds))

    def values(self) -> list[Array | float]:
        """What each option is worth to the Kremlin this month, in the order of ``OPTIONS``."""
        model, p, state, agenda = self.model, self.p, self.model.state, self.model.agenda
        at_war = state.war == WAR_ACTIVE
        support = policy.western_support(model)
        squeeze = p.relief_weight * (state.sanctions + state.europe_sanctions) / 2
        reading = self.reading()
        # The war's cost that pushes Moscow to settle is the American part of it (000: "The US has
        # effectively become an integral part of Ukraine's military operations", with "satellite
        # reconnaissance intelligence crucial to modern warfare"); what Europe replaces lets Kyiv refuse
        # (allies.acceptance, 004) and deters new aggression, but does not make Moscow settle.
        settle = np.where(
            agenda.peace_plan & at_war,
            squeeze
            + p.cost_weight * state.intensity * state.aid
            - p.aims_weight * p.war_aims
            - reading
            + p.status_weight * state.met,
            CLOSED,
        )
        # The Kremlin answers to its own public and elite (001: "any Russian president - has to consider
        # both the preferences of the Russian people and those of the Russian elite"): talks are worth
        # more the better Russians think of the US (trust, both publics' perceptions), by ``public_weight``.
        # Once the fighting stops, the proxy war no longer stands between the capitals (000: "Until this
        # 'proxy war' ends, US-Russia relations cannot normalize"): talking is worth ``peace_value`` more.
        talk = (
            p.talk_value
            + p.peace_value * ~at_war
            + p.status_weight * agenda.summit_proposal
            + squeeze
            + model.log_up_factor()
            + p.public_weight * state.trust
            - model.china.tool_cost
        )
        reject = p.hostility_weight * agenda.pressure
        self.aggression = self._aggression(reading, support)
        escalate = p.escalation_value + self.aggression
        return [settle, talk, p.stall_value, reject, escalate]

    def _aggression(self, reading: Array, support: Array) -> Array:
        """What moves the Kremlin's appetite for new aggression against a neighbour, on the scale of its values.

        Concessions read as weakness raise it (004: "it could encourage further military actions against
        Eastern Europe, the Baltics, or other neighboring nations"); Western arms deter it whether the front is
        hot or a truce holds (004: NATO has been "deterring Russian expansion"); once the fighting has stopped
        it falls by the log of ``peace_restraint`` (000: the end of the proxy war should "reduce points of
        friction between Russia and the United States, lower the risk of conflict"). Both the Kremlin's own
        choice to escalate and the chance of aggression outside that choice (``shocks``) move with it.
        """
        p, state = self.p, self.model.state
        with np.errstate(divide="ignore"):  # a restraint of 0 rules new aggression out in peace: log 0 = -inf
            calm = np.log(p.peace_restraint)
        at_peace = state.war != WAR_ACTIVE
        return (reading - p.deterrence * support + np.where(at_peace, calm, 0)).astype(REAL, copy=False)

    def aggression_factor(self) -> Array:
        """How this month's appetite for aggression multiplies the hazard of aggression outside its choice (``shocks``).

        1 with no Western military support, the war going on and no concession remembered: the record's
        escalations (Georgia 2008, Ukraine 2014) met victims without Western arms, as the truce's breakdown
        chance is stated without them (``allies``).
        """
        return np.exp(self.aggression)

    def _answer(self) -> None:
        """Act on the choice: accept what it accepts, rebuff or escalate (000, 004)."""
        model, agenda, state = self.model, self.model.agenda, self.model.state
        choice = self.choice
        talks = choice <= TALK
        agenda.contact |= agenda.outreach & (choice <= STALL) & (state.level == SUSPENDED)
        held = model.president.prepare_summit((agenda.summit_proposal | agenda.meeting_proposal) & talks)
        if held.any():
            policy.hold_summit(model, held)
        model.bureaucracy.take_on(
            working=agenda.working_offer & talks, deal=agenda.deal_offer & talks, arms=agenda.arms_offer & talks
        )
        plan = agenda.peace_plan & (state.war == WAR_ACTIVE)
        agenda.peace_plan = plan & (choice == SETTLE)
        model.president.stalled(plan & ((choice == TALK) | (choice == STALL)))
        offered = agenda.outreach | agenda.summit_proposal | plan | agenda.deal_offer | agenda.working_offer
        rebuffs = offered & (choice == REJECT)
        model.president.rebuffed(rebuffs)
        agenda.setback |= rebuffs
        escalates = choice == ESCALATE
        if escalates.any():
            agenda.peace_plan &= ~escalates
            model.shocks.strike("ukraine_escalation", escalates)

    def new_leader(self, worlds: Array) -> None:
        """Russia's leadership changes in the worlds ``worlds`` (indices) (000).

        The successor's war aims differ by an assumption of either sign, and it remembers no concessions.
        """
        aims = np.array(np.broadcast_to(self.p.war_aims, (self.model.worlds,)), dtype=REAL)
        aims[worlds] = share(aims[worlds] + among(self.p.successor_aims_shift, worlds))
        self.p.war_aims = aims
        self.emboldened[worlds] = 0.0

    def drivers(self) -> dict[str, Callable[[], Array]]:
        """A shock's hazard may respond to how emboldened it is (004), held to 1."""
        return {"emboldened": lambda: np.minimum(1, self.emboldened)}

    def struck(self, effects: Effects, hit: Array) -> None:
        """A shock adds to the concessions it remembers, or changes Russia's leadership (000)."""
        if effects.emboldened:
            self.emboldened[hit] = np.maximum(0, self.emboldened[hit] + effects.emboldened)
        if effects.new_kremlin_leader:
            self.new_leader(hit)

    def show(self, world: int) -> dict[str, Any]:
        """Its choice this month in one world."""
        return {"kremlin": OPTIONS[self.choice[world]]}
