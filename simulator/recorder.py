"""Recording: what the model keeps of each month, in one place.

Month by month it keeps counts over worlds (levels, phases, war states) and
the mean of the continuous state; per world it keeps the highest level
reached and the first month it entered each Giles phase. The event log
keeps first months. Nothing per world per month is kept, so memory does not
grow with the horizon times the number of worlds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.vocabulary import LEVELS, PHASES, WAR_STATES

if TYPE_CHECKING:
    from simulator.model import RelationsModel

#: Continuous state whose mean over worlds is kept month by month.
TRACKED = ("sanctions", "aid", "trust", "opposition", "engaged", "hawkishness")


class Recorder:
    """Month-by-month aggregates of one model's worlds."""

    def __init__(self, model: RelationsModel) -> None:
        months = model.spec.months
        self.model = model
        self.level_counts = np.zeros((months, len(LEVELS)), dtype=np.int64)
        self.phase_counts = np.zeros((months, len(PHASES)), dtype=np.int64)
        self.war_counts = np.zeros((months, len(WAR_STATES)), dtype=np.int64)
        self.state_sums = np.zeros((months, len(TRACKED)))
        self.max_level = model.state.level.copy()
        self.first_entry = np.full((len(PHASES), model.worlds), -1, dtype=np.int16)
        self._phase = model.state.phase.copy()

    def record(self) -> None:
        """Keep this month's aggregates."""
        model, state, m = self.model, self.model.state, self.model.month
        self.level_counts[m] = np.bincount(state.level, minlength=len(LEVELS))
        self.phase_counts[m] = np.bincount(state.phase, minlength=len(PHASES))
        self.war_counts[m] = np.bincount(state.war, minlength=len(WAR_STATES))
        tracked = (
            state.sanctions,
            state.aid,
            state.trust,
            state.opposition,
            model.president.engaged,
            model.congress.hawkishness,
        )
        self.state_sums[m] = [values.sum() for values in tracked]
        np.maximum(self.max_level, state.level, out=self.max_level)
        entered = state.phase != self._phase
        for phase in range(len(PHASES)):
            fresh = entered & (state.phase == phase) & (self.first_entry[phase] < 0)
            self.first_entry[phase][fresh] = m
        self._phase = state.phase.copy()
