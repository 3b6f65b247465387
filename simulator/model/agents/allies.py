"""Ukraine and Europe: Ukraine accepts or refuses terms; Europe keeps its sanctions and replaces US aid.

Sources: 004: in Riyadh, talk of "Ukraine potentially ceding occupied
territories in exchange for a ceasefire, a move that alarmed Kyiv and European
leaders"; "Will European allies seek greater defense independence if U.S.
support weakens?"; allies "have cautioned against reducing U.S. support for
Ukraine". 000: the proxy war must end before relations can normalize.

Ukraine answers terms the Kremlin accepted by comparing accepting (worth
``accept_value`` plus war-weariness) with refusing (worth 0 plus Western
military support, which lets it hold out). Europe replaces a share of any fall
in US aid (``policy.western_support``), keeps its own sanctions until there is
peace, and its pushback raises opposition in Washington (docs/model.md,
"Ukraine and Europe").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.model import policy
from simulator.model.arrays import blend
from simulator.model.choice import sigmoid
from simulator.vocabulary import WAR_ACTIVE, WAR_CEASEFIRE, WAR_PEACE

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel

#: The highest monthly chance a ceasefire breaks down, however emboldened the Kremlin.
MAX_BREAKDOWN = 0.5


class Allies(mesa.Agent):
    """Ukraine and the European allies in every world."""

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        self.p = model.p.allies

    def step(self) -> None:
        """Push back on concessions, move a ceasefire on, and answer terms Moscow accepted."""
        model, state = self.model, self.model.state
        state.opposition = np.clip(state.opposition + self.p.pushback * model.agenda.concession, 0, 1)
        state.europe_sanctions = blend(
            state.war == WAR_PEACE, state.europe_sanctions * (1 - self.p.europe_easing), state.europe_sanctions
        )
        self._fight()
        self._consolidate_or_collapse()
        self._answer_terms()

    def _fight(self) -> None:
        """While the war is active, its intensity returns toward its usual level after a surge or a lull."""
        model, state = self.model, self.model.state
        at_war = state.war == WAR_ACTIVE
        usual = model.initial_intensity
        relaxed = state.intensity + model.p.structure.intensity_relax * (usual - state.intensity)
        state.intensity = relaxed * at_war

    def acceptance(self) -> np.ndarray:
        """Chance Ukraine accepts terms this month: lower the more Western support it has (004)."""
        p, state = self.p, self.model.state
        support = policy.western_support(self.model)
        return sigmoid(p.accept_value + p.weariness_weight * state.intensity - p.support_weight * support)

    def _answer_terms(self) -> None:
        model, state = self.model, self.model.state
        terms = model.agenda.peace_plan & (state.war == WAR_ACTIVE)
        if not terms.any():
            return
        accepts = terms & (model.streams.uniform("allies.ukraine_answer") < self.acceptance())
        state.war[accepts] = WAR_CEASEFIRE
        state.intensity[accepts] = 0.0
        model.events.record("ceasefire", accepts)
        model.agenda.settled |= accepts
        model.president.stalled(terms & ~accepts)

    def _consolidate_or_collapse(self) -> None:
        """A ceasefire becomes a peace agreement, or breaks down; an emboldened Kremlin breaks more (004)."""
        model, state = self.model, self.model.state
        holding = state.war == WAR_CEASEFIRE
        if not holding.any():
            return
        u = model.streams.uniform("allies.ceasefire")
        peace_chance = self.p.ceasefire_to_peace
        breakdown = np.clip(self.p.ceasefire_breakdown * np.exp(model.kremlin.reading()), 0, MAX_BREAKDOWN)
        peace = holding & (u < peace_chance)
        collapse = holding & ~peace & (u < peace_chance + breakdown)
        state.war[peace] = WAR_PEACE
        model.events.record("peace_agreement", peace)
        model.agenda.settled |= peace
        if collapse.any():
            model.shocks.strike("ukraine_escalation", collapse)
