"""The national-security bureaucracy: each month implements, delays or drops what waits.

Source: 001 (Deni), after Neustadt: presidential power is the "power to
persuade"; "even inside his own administration, the president has to persuade
a large and sometimes recalcitrant community of national security and foreign
policy professionals to implement his vision". Agreed deals and ordered
relief wait here; the longer they wait, the likelier they are carried out,
and the more hawkish Congress is, the likelier they are quietly dropped
(docs/model.md, "The bureaucracy").
"""

from __future__ import annotations

import mesa
import numpy as np

from simulator.model import policy
from simulator.model.choice import among, choose
from simulator.model.interface import Actor, Array, Model
from simulator.model.world import REAL
from simulator.scenario import actors as blocks
from simulator.vocabulary import WAR_ACTIVE

#: The bureaucracy's options, in the order of its values.
OPTIONS = ("implement", "delay", "drop")
IMPLEMENT, DELAY, DROP = range(3)


class Bureaucracy(Actor, mesa.Agent):
    """The executive branch's foreign-policy machinery in every world.

    Attributes:
        pending_working: a working-level deal agreed, not yet carried out.
        pending_deal: a cooperation deal agreed at the top, not yet implemented.
        pending_arms: an arms-control deal agreed, not yet implemented.
        pending_relief: sanctions relief ordered (and past Congress), not yet implemented.
        waited: months the oldest pending initiative has waited.
    """

    name = "bureaucracy"
    parameters = blocks.Bureaucracy
    state = ("pending_working", "pending_deal", "pending_arms", "pending_relief", "waited")

    model: Model

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.p = model.p.bureaucracy
        n = model.worlds
        self.pending_working = np.zeros(n, dtype=bool)
        self.pending_deal = np.zeros(n, dtype=bool)
        self.pending_arms = np.zeros(n, dtype=bool)
        self.pending_relief = np.zeros(n, dtype=bool)
        self.waited = np.zeros(n, dtype=REAL)

    def take_on(
        self,
        working: Array | None = None,
        deal: Array | None = None,
        arms: Array | None = None,
        relief: Array | None = None,
    ) -> None:
        """Queue initiatives agreed or ordered at the top."""
        for pending, new in (
            (self.pending_working, working),
            (self.pending_deal, deal),
            (self.pending_arms, arms),
            (self.pending_relief, relief),
        ):
            if new is not None:
                pending |= new

    def shelve(self, where: Array) -> None:
        """Drop every pending initiative where the president has turned tough."""
        for pending in (self.pending_working, self.pending_deal, self.pending_arms, self.pending_relief):
            pending &= ~where

    def drop_relief(self, where: Array) -> None:
        """Drop the relief waiting where a sanctions law has just bound the president (002)."""
        self.pending_relief &= ~where

    def pending(self) -> Array:
        """Where anything waits to be implemented."""
        return self.pending_working | self.pending_deal | self.pending_arms | self.pending_relief

    def step(self) -> None:
        """Implement, delay or drop what waits (001)."""
        model = self.model
        # Relief ordered in a ceasefire does not survive a return to war.
        self.pending_relief &= model.state.war != WAR_ACTIVE
        waiting = self.pending()
        self.waited = (self.waited + 1) * waiting
        # Some worlds have something waiting: decide on their indices.
        queued = np.flatnonzero(waiting)
        if not queued.size:
            return
        p = self.p
        values = [
            among(p.implement_value, queued) + among(p.wait_weight, queued) * self.waited[queued],
            0.0,
            among(p.drop_value, queued) + among(p.hawk_weight, queued) * model.congress.hawkishness[queued],
        ]
        choice = choose(values, model.streams.uniform("bureaucracy.choice")[queued])
        done, dropped = np.zeros(model.worlds, dtype=bool), np.zeros(model.worlds, dtype=bool)
        done[queued[choice == IMPLEMENT]] = True
        dropped[queued[choice == DROP]] = True
        working, deal, arms, relief = (
            pending & done
            for pending in (self.pending_working, self.pending_deal, self.pending_arms, self.pending_relief)
        )
        self.shelve(done | dropped)
        model.events.record("working_level_deal", working)
        model.events.record("cooperation_deal", deal)
        model.events.record("arms_control_deal", arms)
        model.agenda.deal_done |= deal | arms
        model.agenda.contact |= working  # a working-level deal keeps the channel open
        if relief.any():
            policy.lift_sanctions(model, relief)
