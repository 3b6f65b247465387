"""Congress: each month holds, passes a sanctions act or an aid package; it reviews relief.

Sources: 001 (Deni): "Congress sets the levels of military aid for foreign
partners, so even if a Trump administration were to request no aid ...
Congress could - and very likely would - reinstate robust military aid
packages"; hawks in both parties. 002 (de Ramon): Congress "overwhelmingly
passed a Russian sanctions bill which severely limited Trump's ability to
reverse sanctions", a law aimed at an engaged president. 004: "Congressional
votes on Ukraine aid".

Support for binding the president grows with Congress's hawkishness, with his
outreach to Moscow (002: the reason for the 2017 law) and with domestic
opposition. A bill needs a simple majority when the president would sign it
(he is pressing Moscow) and two thirds when he would veto it (he is engaging):
its value is ``sharpness`` times the support above the majority it needs
(docs/model.md, "Congress").
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from simulator.model import policy
from simulator.model.arrays import blend, share
from simulator.model.choice import CLOSED, among, choose, sigmoid
from simulator.model.interface import Actor, Array, Model
from simulator.model.world import REAL
from simulator.scenario import actors as blocks
from simulator.scenario.shocks import Effects
from simulator.vocabulary import WAR_ACTIVE

#: Congress's options, in the order of its values.
OPTIONS = ("hold", "sanctions_act", "aid_package")
HOLD, SANCTIONS_ACT, AID_PACKAGE = range(3)

#: Share of seats a bill needs: a simple majority, or two thirds to override a veto.
MAJORITY, VETO_PROOF = 0.5, 2 / 3


class Congress(Actor, mesa.Agent):
    """Congress in every world.

    Attributes:
        hawkishness: share of Congress opposed to cooperation with Russia, 0..1.
        choice: the option chosen this month (index into ``OPTIONS``).
    """

    name = "congress"
    parameters = blocks.Congress
    state = ("hawkishness", "choice")
    tracked = ("hawkishness",)

    model: Model

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.p = model.p.congress
        self.hawkishness = np.full(model.worlds, self.p.hawkishness, dtype=REAL)
        self.choice = np.zeros(model.worlds, dtype=np.int8)

    def support(self) -> Array:
        """Share of Congress ready to vote to bind the president's Russia policy (002)."""
        p, state = self.p, self.model.state
        aroused = state.domestic_attack()
        outreach = self.model.president.outreach
        return share(self.hawkishness + p.outreach_weight * outreach + p.opposition_weight * aroused)

    def step(self) -> None:
        """Review relief the president ordered, then vote, or not."""
        support = self.support()
        self._review_relief(support)
        needed = blend(self.model.president.engaged, REAL(VETO_PROOF), np.full(support.shape, REAL(MAJORITY)))
        self.choice = choose(self.values(support, needed), self.model.streams.uniform("congress.choice"))
        acts = self.choice == SANCTIONS_ACT
        if acts.any():
            self.pass_sanctions_act(acts)
        packages = self.choice == AID_PACKAGE
        if packages.any():
            policy.increase_aid(self.model, packages, to=self.p.aid_floor)

    def values(self, support: Array, needed: Array) -> list[Array | float]:
        """What each option is worth to Congress this month, in the order of ``OPTIONS``."""
        p, state = self.p, self.model.state
        margin = p.sharpness * (support - needed)
        short = (state.war == WAR_ACTIVE) & (state.aid < p.aid_floor)
        return [0.0, p.act_value + margin, np.where(short, p.aid_value + margin, CLOSED)]

    def _review_relief(self, support: Array) -> None:
        """Under a sanctions-review law, Congress may block the president's relief (002)."""
        model = self.model
        order = model.agenda.relief_order
        if not order.any():
            return
        # Only relief ordered under a review law is reviewed: work on those worlds' indices.
        reviewed = np.flatnonzero(order & model.state.review_law)
        blocked = np.zeros_like(order)
        if reviewed.size:
            p = self.p
            block = among(p.relief_block, reviewed) * sigmoid(
                among(p.sharpness, reviewed) * (support[reviewed] - MAJORITY)
            )
            blocked[reviewed] = model.streams.uniform("congress.review")[reviewed] < block
        model.agenda.setback |= blocked
        model.bureaucracy.take_on(relief=order & ~blocked)

    def pass_sanctions_act(self, where: Array) -> None:
        """A sanctions law: major new sanctions, and a review that binds the president's relief (002)."""
        model = self.model
        model.state.review_law |= where
        model.events.record("congress_sanctions_act", where)
        policy.impose_sanctions(model, where, 1.0)
        model.bureaucracy.drop_relief(where)

    def midterms(self) -> None:
        """The midterm elections change Congress's composition (001)."""
        self.hawkishness = np.clip(self.hawkishness + self.p.midterm_shift, 0, 1)

    def struck(self, effects: Effects, hit: Array) -> None:
        """A shock moves its hawkishness."""
        if effects.hawkishness:
            self.hawkishness[hit] = share(self.hawkishness[hit] + effects.hawkishness)

    def show(self, world: int) -> dict[str, Any]:
        """Its hawkishness in one world."""
        return {"hawkishness": round(float(self.hawkishness[world]), 3)}
