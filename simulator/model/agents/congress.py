"""Congress: sets military aid, binds the president with sanctions laws, changes at the midterms.

Sources: 001 (Deni): "Congress sets the levels of military aid for foreign
partners, so even if a Trump administration were to request no aid ...
Congress could - and very likely would - reinstate robust military aid
packages"; hawks in both parties. 002 (de Ramon): Congress "overwhelmingly
passed a Russian sanctions bill which severely limited Trump's ability to
reverse sanctions". 004: "Congressional votes on Ukraine aid".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.vocabulary import WAR_ACTIVE

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


class Congress(mesa.Agent):
    """Congress in every world.

    Attributes:
        hawkishness: share of Congress opposed to cooperation with Russia, 0..1.
    """

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        assume = model.assume
        self.hawkishness = np.full(model.worlds, assume("congress.hawkishness"))
        self.midterm_shift = assume("congress.midterm_shift")
        self.aid_floor = assume("congress.aid_floor")
        self.aid_reinstatement = assume("congress.aid_reinstatement")
        self.sanctions_act_rate = assume("congress.sanctions_act_rate")
        self.relief_block = assume("congress.relief_block")

    def step(self) -> None:
        """Review sanctions relief, restore aid the president cut, pass sanctions acts."""
        self._review_relief()
        self._reinstate_aid()
        self._pass_sanctions_act()

    def _review_relief(self) -> None:
        """Under a sanctions-review law, Congress may block the president's relief (002)."""
        model = self.model
        order = model.agenda.relief_order
        blocked = (
            order
            & model.state.review_law
            & model.streams.bernoulli("congress.relief_review", self.relief_block * self.hawkishness)
        )
        model.agenda.setback |= blocked
        model.bureaucracy.take_on(relief=order & ~blocked)

    def _reinstate_aid(self) -> None:
        """While the war goes on, Congress restores aid the president cut (001)."""
        model, state = self.model, self.model.state
        short = (state.war == WAR_ACTIVE) & (state.aid < self.aid_floor)
        restores = short & model.streams.bernoulli("congress.aid", self.aid_reinstatement * self.hawkishness)
        if restores.any():
            state.aid = np.where(restores, self.aid_floor, state.aid)
            model.events.record("aid_increase", restores)

    def _pass_sanctions_act(self) -> None:
        """Hawks and an aroused opposition pass a sanctions law that binds the president (002)."""
        model, state = self.model, self.model.state
        passes = model.streams.bernoulli(
            "congress.sanctions_act", self.sanctions_act_rate * self.hawkishness * state.opposition
        )
        if passes.any():
            state.review_law |= passes
            model.events.record("congress_sanctions_act", passes)
            model.impose_sanctions(passes)

    def midterms(self) -> None:
        """The midterm elections change Congress's composition (001, DOMAIN.md section 2)."""
        self.hawkishness = np.clip(self.hawkishness + self.midterm_shift, 0, 1)
