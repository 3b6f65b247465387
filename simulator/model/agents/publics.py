"""Publics and elites: slow-moving perceptions in both countries, and a backlash either way.

Sources: 000 (Zhao): "deeply negative perceptions ... formed over decades, are
difficult to change quickly"; "The smoother Trump's Russia policy progresses
... the more intense the criticism may become. Conversely, any setbacks in the
relationship will invite mockery". 002: scandal "stripped away any appetite in
Washington for a rapprochement": its heat fades month by month.
"""

from __future__ import annotations

import mesa
import numpy as np

from simulator.model.arrays import share
from simulator.model.interface import Actor, Model
from simulator.model.world import REAL
from simulator.scenario import actors as blocks
from simulator.vocabulary import LEVELS

#: Share of a scandal's heat that fades each month: slowly, half in about a year, "as more details on the
#: Trump-Russia scandal continue to emerge" (002); the 2017 scandal ran for two years.
SCANDAL_COOLING = 0.05


class Publics(Actor, mesa.Agent):
    """Public opinion and elites in both countries, in every world.

    They react to last month's relationship first thing each month, before the
    actors weigh their options.
    """

    name = "publics"
    parameters = blocks.Publics
    state = ("resting_opposition", "_last_level", "_setback")

    model: Model

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.p = model.p.publics
        self.resting_opposition = model.state.opposition.copy()
        self._last_level = model.state.level.copy()
        self._setback = np.zeros(model.worlds, dtype=bool)

    def step(self) -> None:
        """Move perceptions slowly toward what the relationship warrants; let the critics react."""
        p, state = self.p, self.model.state
        warranted = state.level * REAL(1 / (len(LEVELS) - 1))
        state.trust = state.trust + p.trust_speed * (warranted - state.trust)
        gained = np.clip(state.level - self._last_level, 0, len(LEVELS))
        setback = self._setback | (state.level < self._last_level)
        criticism = p.success_backlash * gained + p.failure_backlash * setback
        settling = p.opposition_decay * (self.resting_opposition - state.opposition)
        state.opposition = share(state.opposition + criticism + settling)
        state.scandal_heat *= 1 - SCANDAL_COOLING
        self._last_level = state.level.copy()

    def month_over(self) -> None:
        """Keep this month's setbacks for next month's reaction."""
        self._setback = self.model.agenda.setback.copy()
