"""The national-security bureaucracy: initiatives are carried out late or not at all.

Source: 001 (Deni), after Neustadt: presidential power is the "power to
persuade"; "even inside his own administration, the president has to persuade
a large and sometimes recalcitrant community of national security and foreign
policy professionals to implement his vision". An agreed deal or an ordered
sanctions relief waits here until it is implemented or dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.vocabulary import WAR_ACTIVE

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


class Bureaucracy(mesa.Agent):
    """The executive branch's foreign-policy machinery in every world.

    Attributes:
        pending_deal: a cooperation deal agreed at the top, not yet implemented.
        pending_arms: an arms-control deal agreed, not yet implemented.
        pending_relief: sanctions relief ordered (and past Congress), not yet implemented.
    """

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        self.implementation = model.assume("bureaucracy.implementation")
        self.abandonment = model.assume("bureaucracy.abandonment")
        self.pending_deal = np.zeros(model.worlds, dtype=bool)
        self.pending_arms = np.zeros(model.worlds, dtype=bool)
        self.pending_relief = np.zeros(model.worlds, dtype=bool)

    def take_on(
        self, deal: np.ndarray | None = None, arms: np.ndarray | None = None, relief: np.ndarray | None = None
    ) -> None:
        """Queue initiatives agreed or ordered at the top."""
        if deal is not None:
            self.pending_deal |= deal
        if arms is not None:
            self.pending_arms |= arms
        if relief is not None:
            self.pending_relief |= relief

    def shelve(self, where: np.ndarray) -> None:
        """Drop every pending initiative where the president has turned tough."""
        for pending in (self.pending_deal, self.pending_arms, self.pending_relief):
            pending &= ~where

    def step(self) -> None:
        """Implement some pending initiatives and quietly drop others (001)."""
        model = self.model
        # Relief ordered in a ceasefire does not survive a return to war.
        self.pending_relief &= model.state.war != WAR_ACTIVE
        done = model.streams.bernoulli("bureaucracy.implementation", self.implementation)
        dropped = ~done & model.streams.bernoulli("bureaucracy.abandonment", self.abandonment)
        deal, arms, relief = (p & done for p in (self.pending_deal, self.pending_arms, self.pending_relief))
        self.shelve(done | dropped)
        model.events.record("cooperation_deal", deal)
        model.events.record("arms_control_deal", arms)
        model.agenda.deal_done |= deal | arms
        if relief.any():
            model.lift_sanctions(relief)
