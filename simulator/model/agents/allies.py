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

import mesa
import numpy as np

from simulator.model import policy
from simulator.model.arrays import blend, share
from simulator.model.choice import among, sigmoid
from simulator.model.interface import Actor, Array, Model
from simulator.scenario import actors as blocks
from simulator.vocabulary import WAR_ACTIVE, WAR_CEASEFIRE, WAR_PEACE

#: The highest monthly chance a ceasefire breaks down, however emboldened the Kremlin.
MAX_BREAKDOWN = 0.5


class Allies(Actor, mesa.Agent):
    """Ukraine and the European allies in every world."""

    name = "allies"
    parameters = blocks.Allies

    model: Model

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.p = model.p.allies

    def step(self) -> None:
        """Push back on concessions, move a ceasefire on, and answer terms Moscow accepted."""
        model, state = self.model, self.model.state
        state.opposition = share(state.opposition + self.p.pushback * model.agenda.concession)
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

    def acceptance(self, worlds: Array | None = None) -> Array:
        """Chance Ukraine accepts terms this month: lower the more Western support it has (004).

        In every world, or in the worlds ``worlds`` (indices) only.
        """
        p = self.p
        accept, weariness, weight, intensity = (
            among(value, worlds)
            for value in (p.accept_value, p.weariness_weight, p.support_weight, self.model.state.intensity)
        )
        return sigmoid(accept + weariness * intensity - weight * policy.western_support(self.model, worlds))

    def _answer_terms(self) -> None:
        model, state = self.model, self.model.state
        # Few worlds have terms on the table: work on their indices.
        terms = np.flatnonzero(model.agenda.peace_plan & (state.war == WAR_ACTIVE))
        if not terms.size:
            return
        accepted = model.streams.uniform("allies.ukraine_answer")[terms] < self.acceptance(terms)
        accepts = terms[accepted]
        state.war[accepts] = WAR_CEASEFIRE
        state.intensity[accepts] = 0.0
        model.events.record_at("ceasefire", accepts)
        model.agenda.settled[accepts] = True
        refused = np.zeros(model.worlds, dtype=bool)
        refused[terms[~accepted]] = True
        model.president.stalled(refused)

    def _consolidate_or_collapse(self) -> None:
        """A ceasefire becomes peace, or breaks down: more often if the Kremlin is emboldened, less if deterred (004).

        ``ceasefire_breakdown`` is the monthly chance with no concessions remembered and no Western support.
        """
        model, state = self.model, self.model.state
        # Few worlds hold a ceasefire: work on their indices.
        holding = np.flatnonzero(state.war == WAR_CEASEFIRE)
        if not holding.size:
            return
        u = model.streams.uniform("allies.ceasefire")[holding]
        peace_chance = among(self.p.ceasefire_to_peace, holding)
        # The Kremlin weighs breaking a truce as it weighs new aggression: concessions read as weakness
        # make it likelier (004: "it could encourage further military actions"), Western arms deter it
        # (004: NATO "deterring Russian expansion").
        deterred = among(model.p.kremlin.deterrence, holding) * policy.western_support(model, holding)
        breakdown = np.clip(
            among(self.p.ceasefire_breakdown, holding) * np.exp(model.kremlin.reading(holding) - deterred),
            0,
            MAX_BREAKDOWN,
        )
        settles = u < peace_chance
        peace, collapse = holding[settles], holding[~settles & (u < peace_chance + breakdown)]
        state.war[peace] = WAR_PEACE
        model.events.record_at("peace_agreement", peace)
        model.agenda.settled[peace] = True
        # The truce breaking down is the old war resuming, not new aggression against a neighbour (004's
        # "further military actions against Eastern Europe, the Baltics, or other neighboring nations"): the
        # fighting resumes as after an escalation, but ``russian_escalation`` is not recorded.
        model.shocks.strike_at("ukraine_escalation", collapse, record=False)
