"""Recording: what the model keeps of each month, in one place.

Month by month it keeps counts over worlds (levels, phases, war states) and
the sum of the continuous state the world and the actors declare tracked
(``WorldState.tracked``, ``Actor.tracked``; ``order.TRACKED``); per world it keeps the highest level
reached and the first month it entered each Giles phase. The event log keeps
first months. Each world's month-by-month path is kept only when asked for
(``paths=True``, for ``--save-trajectories``), so by default memory does not
grow with the horizon times the number of worlds.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from simulator.model.arrays import REAL
from simulator.model.interface import Actor, Model
from simulator.model.order import TRACKED
from simulator.vocabulary import LEVELS, PHASES, WAR_STATES

__all__ = ["PATH_CODES", "TRACKED", "Recorder", "counts", "total"]

#: Discrete state kept in each world's path, with its vocabulary.
PATH_CODES = {"level": LEVELS, "phase": PHASES, "war": WAR_STATES}


class Recorder:
    """Month-by-month aggregates of one model's worlds, and on request their paths.

    Attributes:
        paths: ``None``, or for each of ``PATH_CODES`` and ``TRACKED`` a (months, worlds) array.
    """

    def __init__(self, model: Model, actors: Sequence[Actor], paths: bool = False, history: int = 0) -> None:
        months = model.spec.months
        self.model = model
        #: Where each tracked quantity is read each month: the world's state, then each actor's, in order.
        self._sources: list[tuple[str, Any]] = [(name, model.state) for name in model.state.tracked]
        self._sources += [(name, actor) for actor in actors for name in actor.tracked]
        self.tracked = tuple(name for name, _ in self._sources)
        self.level_counts = np.zeros((months, len(LEVELS)), dtype=np.int64)
        self.phase_counts = np.zeros((months, len(PHASES)), dtype=np.int64)
        self.war_counts = np.zeros((months, len(WAR_STATES)), dtype=np.int64)
        self.state_sums = np.zeros((months, len(self.tracked)))
        self.max_level = model.state.level.copy()
        self.first_entry = np.full((len(PHASES), model.worlds), -1, dtype=np.int16)
        self.paths = _paths(months, model.worlds, self.tracked) if paths else None
        #: Each world's path through the first ``history`` months, for a conditioned run: when worlds
        #: are selected and copied (``select``), the month-by-month counts are counted again from it.
        self.history = _paths(history, model.worlds, self.tracked) if history and not paths else self.paths

    def select(self, index: np.ndarray) -> None:
        """Keep worlds ``index`` (with repeats) in place of the model's worlds, and count the months so far again.

        Only a recorder with a history (or paths) through the months recorded so far can.
        """
        months = self.model.month
        history = self.history
        if history is None or len(history["level"]) < months:
            raise RuntimeError(f"worlds can be selected only within the recorder's history ({months} months)")
        for paths in {id(p): p for p in (history, self.paths) if p is not None}.values():
            for name in paths:
                paths[name] = paths[name][:, index]
        self.max_level = self.max_level[index]
        self.first_entry = self.first_entry[:, index]
        for m in range(months):
            self.level_counts[m] = counts(history["level"][m], len(LEVELS))
            self.phase_counts[m] = counts(history["phase"][m], len(PHASES))
            self.war_counts[m] = counts(history["war"][m], len(WAR_STATES))
            self.state_sums[m] = [total(history[name][m]) for name in self.tracked]

    def record(self, moved: np.ndarray) -> None:
        """Keep this month's aggregates (and paths, if asked for); ``moved``: the worlds whose phase moved."""
        state, m = self.model.state, self.model.month
        self.level_counts[m] = counts(state.level, len(LEVELS))
        self.phase_counts[m] = counts(state.phase, len(PHASES))
        self.war_counts[m] = counts(state.war, len(WAR_STATES))
        tracked = {name: getattr(source, name) for name, source in self._sources}
        self.state_sums[m] = [total(values) for values in tracked.values()]
        np.maximum(self.max_level, state.level, out=self.max_level)
        entered = state.phase[moved]
        fresh = self.first_entry[entered, moved] < 0
        self.first_entry[entered[fresh], moved[fresh]] = m
        if self.history is not None and m < len(self.history["level"]):
            for name, values in ({"level": state.level, "phase": state.phase, "war": state.war} | tracked).items():
                self.history[name][m] = values


def _paths(months: int, worlds: int, tracked: Sequence[str]) -> dict[str, np.ndarray]:
    """Room for ``months`` months of every world's discrete codes and tracked state."""
    shape = (months, worlds)
    return {name: np.zeros(shape, dtype=np.int8) for name in PATH_CODES} | {
        name: np.zeros(shape, dtype=REAL) for name in tracked
    }


def counts(codes: np.ndarray, size: int) -> list[int | np.integer[Any]]:
    """How many worlds hold each code 0 .. size - 1 (``np.bincount``, without widening small codes first)."""
    return [np.count_nonzero(codes == code) for code in range(size)]


def total(values: np.ndarray) -> float | np.number[Any]:
    """The sum over worlds, in double precision; a count where the values are flags."""
    if values.dtype == bool:
        return np.count_nonzero(values)
    return values.sum(dtype=np.float64)
