"""Publics and elites: slow perceptions, and opposition that grows with success and with failure.

Source: 000 (Zhao): "deeply negative perceptions ... accumulated over 30 years
... difficult to change quickly"; "The smoother Trump's Russia policy
progresses ... the more intense the criticism may become. Conversely, any
setbacks in the relationship will invite mockery". 002 (de Ramon): scandal
"stripped away any appetite (both in Washington and the nation) for a
rapprochement" (the scandal shock's effects on opposition).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.vocabulary import LEVELS

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


class Publics(mesa.Agent):
    """Public opinion and elites in both countries, in every world."""

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        assume = model.assume
        self.trust_speed = assume("publics.trust_speed")
        self.success_backlash = assume("publics.success_backlash")
        self.failure_backlash = assume("publics.failure_backlash")
        self.opposition_decay = assume("publics.opposition_decay")
        self.resting_opposition = model.state.opposition.copy()
        self._last_level = model.state.level.copy()

    def step(self) -> None:
        """Move perceptions slowly toward what the relationship warrants; let the critics react."""
        state, agenda = self.model.state, self.model.agenda
        warranted = state.level / (len(LEVELS) - 1)
        state.trust = state.trust + self.trust_speed * (warranted - state.trust)
        gained = np.maximum(0, state.level - self._last_level)
        setback = agenda.setback | (state.level < self._last_level)
        criticism = self.success_backlash * gained + self.failure_backlash * setback
        settling = self.opposition_decay * (self.resting_opposition - state.opposition)
        state.opposition = np.clip(state.opposition + criticism + settling, 0, 1)
        self._last_level = state.level.copy()
