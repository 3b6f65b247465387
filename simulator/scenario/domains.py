"""The domain of each assumption: the smallest and largest value the schema accepts.

Sensitivity analysis varies assumptions the scenario fixes, and must keep
them where the model is defined: a probability in [0, 1], a duration of at
least a month. The bounds are read from the schema itself, so that they
follow it whatever assumptions it holds: from ``ge``/``le`` (or ``gt``/``lt``)
constraints on a field, or from the domain an assumption type's validator
enforces.
"""

import math
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simulator.scenario.schema import assumptions

#: No bound known.
UNBOUNDED = (-math.inf, math.inf)


def domains(spec: BaseModel) -> dict[str, tuple[float, float]]:
    """(low, high) of every assumption in a scenario, by its dotted key path."""
    return {path: field_bounds(_field(spec, path)) for path, _ in assumptions(spec)}


def _field(spec: BaseModel, path: str) -> FieldInfo:
    """The schema field an assumption's key path ends at (through blocks and mappings of blocks)."""
    *within, name = path.split(".")
    section: Any = spec  # a block, or a mapping of blocks
    for key in within:
        section = section[key] if isinstance(section, dict) else getattr(section, key)
    return type(section).model_fields[name]


def field_bounds(info: FieldInfo) -> tuple[float, float]:
    """The bounds a field's constraints or its validator's domain put on its value."""
    low, high = UNBOUNDED
    for item in info.metadata:
        low = max(low, _number(item, "ge", "gt", default=-math.inf))
        high = min(high, _number(item, "le", "lt", default=math.inf))
        domain = _validator_domain(item)
        if domain is not None:
            low, high = max(low, domain[0]), min(high, domain[1])
    return low, high


def _number(item: object, *names: str, default: float) -> float:
    for name in names:
        value = getattr(item, name, None)
        if isinstance(value, int | float):
            return float(value)
    return default


def _validator_domain(item: object) -> tuple[float, float] | None:
    """The (low, high) a schema validator closes over, if it is a domain check."""
    func = getattr(item, "func", None)
    code = getattr(func, "__code__", None)
    if func is None or code is None or func.__closure__ is None:
        return None
    cells = dict(zip(code.co_freevars, func.__closure__, strict=True))
    if "low" not in cells or "high" not in cells:
        return None
    low, high = cells["low"].cell_contents, cells["high"].cell_contents
    if isinstance(low, int | float) and isinstance(high, int | float):
        return float(low), float(high)
    return None
