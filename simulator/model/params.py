"""Parameters read by name: every assumption's value in each world, as ``params.president.volatility``.

The schema (``simulator.scenario.schema``) is the one place a parameter is
declared, with its meaning, unit, source and quote; this object mirrors its
blocks and names. A value is one number every world shares (a fixed
assumption) or an array with one entry per world (a distribution, drawn once
per world). A scheduled ``change`` replaces a value from its month on, in
place, so every actor reads the new value the next time it looks.
"""

from types import SimpleNamespace
from typing import Any

import numpy as np

#: One number every world shares, or one per world.
Value = np.ndarray | np.floating[Any] | float


class Group(SimpleNamespace):
    """One block of the schema (``president``, ``structure.phase_months``, ...): values by name."""


class Params(Group):
    """Every assumption of a scenario, by block and name; ``params.set(path, value)`` changes one."""

    def __init__(self, values: dict[str, Value]) -> None:
        super().__init__()
        for path, value in values.items():
            self.set(path, value)

    def set(self, path: str, value: Value) -> None:
        """Give the assumption at the dotted ``path`` a new value in every world."""
        *blocks, name = path.split(".")
        group: Any = self
        for block in blocks:
            if not hasattr(group, block):
                setattr(group, block, Group())
            group = getattr(group, block)
        setattr(group, name, value)
