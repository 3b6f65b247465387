"""A scenario being edited in the explorer: the file as loaded, the changes, and why any change was refused.

Every change is an assignment ``key.path=value`` read exactly as ``sim run
--set`` reads it (the value is YAML: a number, a distribution such as
``beta(2, 40)``, a word, a mapping), and the scenario is validated whole after
each one, by the scenario language itself. A change that does not validate is
not kept; its message is kept beside its key instead. Dated events added to
the schedule are validated the same way, through the loader's ``override``.
"""

import dataclasses
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from simulator.scenario import ScenarioError, override
from simulator.scenario.loader import Resolved, resolve_scenario
from simulator.scenario.provenance import DESCRIBED, Row, describe
from simulator.scenario.schema import Scenario

#: Key under which a refused schedule addition's message is kept.
SCHEDULE = "schedule"

#: Candidate ends of a slider, tried against each number's own validation (probabilities,
#: shifts, multipliers, decision weights, durations in months); the widest range the schema accepts is used.
_LOWS = (-20.0, -1.0, 0.0, 1.0)
_HIGHS = (600.0, 20.0, 1.0)


@dataclass(frozen=True)
class Draft:
    """A scenario file with changes, each validated; immutable, every change gives a new draft.

    Attributes:
        source: the scenario file.
        loaded: the scenario as loaded, with where each value was set.
        current: the scenario with every accepted change.
        sets: accepted changes, ``(key path, value as YAML)``, in the order made.
        added: dated events added to the schedule, as the YAML would write them.
        errors: for each key whose last change was refused, why.
        refused: for each such key, the text that was refused (shown again beside its message).
        config_dir: the configs folder ``extends`` may look in.
    """

    source: Path
    loaded: Resolved
    current: Resolved
    sets: tuple[tuple[str, str], ...] = ()
    added: tuple[dict[str, Any], ...] = ()
    errors: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    config_dir: Path | None = None

    @classmethod
    def open(cls, source: str | Path, config_dir: Path | None = None) -> "Draft":
        """The scenario at ``source``, unchanged.

        Raises:
            ScenarioError: if the file does not validate.
        """
        loaded = resolve_scenario(source, (), config_dir)
        return cls(Path(source), loaded, loaded, config_dir=config_dir)

    @property
    def spec(self) -> Scenario:
        """The scenario with every accepted change."""
        return self.current.spec

    @property
    def changed(self) -> bool:
        """Whether any change was accepted."""
        return bool(self.sets or self.added)

    def edit(self, path: str, text: str) -> "Draft":
        """Set the value at ``path`` to ``text`` (YAML, as after ``--set path=``), if the scenario accepts it."""
        sets = tuple((p, t) for p, t in self.sets if p != path)
        if text.strip() != self.text(path, loaded=True):
            sets += ((path, text.strip()),)
        return self._rebuilt(sets, self.added, path, text)

    def reset(self, path: str) -> "Draft":
        """Undo the change at ``path``."""
        return self._rebuilt(tuple((p, t) for p, t in self.sets if p != path), self.added, path)

    def schedule(self, event: dict[str, Any]) -> "Draft":
        """Add a dated event (``{month, event, effects, note}``, as in the YAML) to the schedule, if valid."""
        return self._rebuilt(self.sets, (*self.added, event), SCHEDULE)

    def unschedule(self, index: int) -> "Draft":
        """Remove the ``index``-th added event."""
        return self._rebuilt(self.sets, self.added[:index] + self.added[index + 1 :], SCHEDULE)

    def _rebuilt(self, sets: tuple[tuple[str, str], ...], added: tuple[dict, ...], key: str, text: str = "") -> "Draft":
        errors = {k: v for k, v in self.errors.items() if k != key}
        refused = {k: v for k, v in self.refused.items() if k != key}
        try:
            current = _resolve(self.source, sets, added, self.loaded, self.config_dir)
        except ScenarioError as error:
            errors[key], refused[key] = _plain(str(error)), text
            return dataclasses.replace(self, errors=errors, refused=refused)
        return dataclasses.replace(self, current=current, sets=sets, added=added, errors=errors, refused=refused)

    # Reading values back ---------------------------------------------------------------------

    def rows(self) -> list[Row]:
        """Every assumption of the current scenario, described as ``sim describe`` describes it."""
        return describe(self.current)

    @cached_property
    def _dumped(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The scenario as loaded and as edited, as the YAML would read (read once per draft)."""
        return self.loaded.spec.model_dump(mode="json"), self.spec.model_dump(mode="json")

    def text(self, path: str, loaded: bool = False) -> str:
        """The value at ``path`` written as YAML, as a change to it would be typed."""
        return as_text(_value_at(self._dumped[0 if loaded else 1], path))

    def number(self, path: str) -> float | None:
        """The value at ``path`` if it is a plain number (a slider can move it), else ``None``."""
        value = _value_at(self._dumped[1], path)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def changes(self) -> list[tuple[str, str, str]]:
        """``(key path, value as loaded, value now)`` for each accepted change."""
        return [(path, self.text(path, loaded=True), self.text(path)) for path, _ in self.sets]


def actors(rows: list[Row]) -> dict[str, list[Row]]:
    """Rows grouped by the block they belong to (initial, each actor, structure, shocks), in schema order."""
    groups: dict[str, list[Row]] = {name: [] for name in DESCRIBED}
    for row in rows:
        groups[row.path.split(".")[0]].append(row)
    return {name: group for name, group in groups.items() if group}


@cache
def bounds(path: str) -> tuple[float, float] | None:
    """The widest slider range the schema accepts for the number at ``path``, or ``None`` if unknown."""
    adapter = _adapter(path)
    if adapter is None:
        return None
    low = next((x for x in _LOWS if _accepts(adapter, x)), None)
    high = next((x for x in _HIGHS if _accepts(adapter, x)), None)
    return (low, high) if low is not None and high is not None and low < high else None


def as_text(value: Any) -> str:
    """A value as it is written in YAML on one line; a mapping of effects without its zeros."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if not _nothing(v)}
    dumped = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _nothing(value: Any) -> bool:
    """Whether a value in a mapping of effects is its default: nothing happens."""
    return value is None or value == "" or (type(value) in (int, float) and value == 0)


def _resolve(
    source: Path, sets: tuple[tuple[str, str], ...], added: tuple[dict, ...], loaded: Resolved, config_dir: Path | None
) -> Resolved:
    resolved = resolve_scenario(source, [f"{path}={text}" for path, text in sets], config_dir)
    if not added:
        return resolved
    schedule = [*loaded.spec.model_dump(mode="json")["schedule"], *added]
    return dataclasses.replace(resolved, spec=override(resolved.spec, {"schedule": schedule}, source="added event"))


def _plain(message: str) -> str:
    """The loader's message without the ``--set key=value`` it repeats: the field it sits beside says that."""
    lines = []
    for line in message.splitlines():
        head, colon, rest = line.partition(": ")
        lines.append(rest if colon and head.startswith("--set ") else line)
    return "\n".join(lines)


def _value_at(data: Any, path: str) -> Any:
    """The value at a dotted key path, or ``None`` where there is none (the loader names such a path)."""
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def _adapter(path: str) -> TypeAdapter | None:
    """The validator of the schema field at ``path``, with its constraints."""
    model: Any = Scenario
    info = None
    for part in path.split("."):
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = info.annotation
    if info is None:
        return None
    field: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation  # built at run time
    return TypeAdapter(field)


def _accepts(adapter: TypeAdapter, value: float) -> bool:
    try:
        adapter.validate_python(value)
    except (ValidationError, ValueError):
        return False
    return True
