"""The Kremlin: calm, cautious, bent on its war aims, reading concessions as weakness.

Sources: 000 (Zhao): "Russia's leadership and elites have remained calm, showing
little euphoria and maintaining caution"; "painful historical lessons have made
Russia wary of placing too much confidence or trust in the United States";
"The core problem lies in the mismatch between Trump's goals and Russia's
objectives"; Russia rejects "subordination to any nation". 004: "Russia often
interprets Western concessions as weakness ... it could encourage further
military actions".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.vocabulary import SUSPENDED, WAR_ACTIVE

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel

#: Months after which half of the Kremlin's reading of US weakness has faded.
EMBOLDENMENT_HALF_LIFE = 6.0


class Kremlin(mesa.Agent):
    """The Russian leadership in every world.

    Attributes:
        emboldened: how much US concession the Kremlin currently reads as weakness (004).
    """

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        assume = model.assume
        self.caution = assume("kremlin.caution")
        self.contact_acceptance = assume("kremlin.contact_acceptance")
        self.summit_acceptance = assume("kremlin.summit_acceptance")
        self.deal_interest = assume("kremlin.deal_interest")
        self.war_aims = assume("kremlin.war_aims")
        self.equality_demand = assume("kremlin.equality_demand")
        self.emboldenment = assume("kremlin.emboldenment")
        self.emboldened = np.zeros(model.worlds)

    def step(self) -> None:
        """Read this month's concessions, answer the US proposals, and perhaps escalate."""
        self.emboldened = self.emboldened * 0.5 ** (1 / EMBOLDENMENT_HALF_LIFE) + self.model.agenda.concession
        self._answer_contact()
        self._answer_summit()
        self._answer_deals()
        self._answer_peace_plan()
        self._escalate_if_emboldened()

    def _answer_contact(self) -> None:
        """Resume contact when offered, with caution (000)."""
        model = self.model
        accepted = model.agenda.outreach & model.streams.bernoulli("kremlin.contact", self.contact_acceptance)
        model.agenda.contact |= accepted & (model.state.level == SUSPENDED)

    def _answer_summit(self) -> None:
        """Meet the US president; more readily in a reset or euphoria than in a crisis (000, 001)."""
        model = self.model
        willing = np.minimum(1, self.summit_acceptance * model.up_factor())
        held = model.agenda.summit_proposal & model.streams.bernoulli("kremlin.summit", willing)
        if held.any():
            model.hold_summit(held)

    def _answer_deals(self) -> None:
        """Agree deals in specific areas; not as a tool against China (000, 003)."""
        model, agenda = self.model, self.model.agenda
        willing = np.minimum(1, self.deal_interest * model.up_factor())
        china_caveat = 1 - model.china.tool_aversion
        deal = agenda.deal_offer & model.streams.bernoulli("kremlin.deal", willing * china_caveat)
        arms = agenda.arms_offer & model.streams.bernoulli("kremlin.arms_control", willing)
        model.bureaucracy.take_on(deal=deal, arms=arms)

    def _answer_peace_plan(self) -> None:
        """Accept a peace plan only when its war aims allow; a rejection frustrates Trump (000)."""
        model = self.model
        plan = model.agenda.peace_plan & (model.state.war == WAR_ACTIVE)
        accepts = plan & model.streams.bernoulli("kremlin.peace_plan", 1 - self.war_aims)
        model.agenda.peace_plan = accepts
        rejects = plan & ~accepts
        model.president.rebuffed(rejects)
        model.agenda.setback |= rejects

    def _escalate_if_emboldened(self) -> None:
        """Concessions read as weakness embolden new aggression (004)."""
        model = self.model
        hazard = np.minimum(1, self.emboldenment * self.emboldened)
        escalates = model.streams.bernoulli("kremlin.escalation", hazard)
        if escalates.any():
            model.shocks.strike("ukraine_escalation", escalates)
            model.agenda.peace_plan &= ~escalates
