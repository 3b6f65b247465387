"""Values that depend on the Giles phase: a table of one value per phase, and each world's for its phase now (001).

The structure gives some values per phase (how fast the clock runs, how each phase
multiplies upward moves and losses: ``structure.phase_months``, ``up``, ``down``).
``by_phase_table`` lays them out; ``PhaseValues`` keeps each world's entry for the
phase it is in, looked up again only where the phase moved.
"""

from functools import lru_cache

import numpy as np

Array = np.ndarray


def by_phase_table(values: list[Array | float]) -> Array:
    """A table of one value per phase: (phases,) when every world shares them, else (worlds, phases).

    A world's values lie side by side, so looking up each world's phase reads one
    short row per world (``by_phase``).
    """
    return np.stack(np.broadcast_arrays(*values), axis=-1)


def by_phase(table: Array, phase: Array) -> Array:
    """Each world's entry of a ``by_phase_table`` for the phase it is in."""
    if table.ndim == 1:
        return table[phase]
    return table.reshape(-1).take(_row_starts(phase.size, table.shape[1]) + phase)


class PhaseValues:
    """Each world's entries of some ``by_phase_table``s for the phase it is in, kept current as phases move.

    A phase moves in few worlds a month, so only those worlds look their entries up
    again (``moved``): the same numbers as ``by_phase`` every month, for a fraction
    of the work.

    Attributes:
        now: by table name, each world's entry for its current phase.
    """

    def __init__(self, tables: dict[str, Array], phase: Array) -> None:
        self.tables = tables
        self.now = {name: by_phase(table, phase) for name, table in tables.items()}

    def moved(self, worlds: Array, phase: Array) -> None:
        """The worlds ``worlds`` (indices) have moved to the phases ``phase[worlds]``."""
        if not worlds.size:
            return
        entered = phase[worlds]
        for name, table in self.tables.items():
            self.now[name][worlds] = table[entered] if table.ndim == 1 else table[worlds, entered]


@lru_cache(maxsize=4)
def _row_starts(worlds: int, phases: int) -> Array:
    """Where each world's row starts in a flattened (worlds, phases) table."""
    return np.arange(worlds, dtype=np.intp) * phases
