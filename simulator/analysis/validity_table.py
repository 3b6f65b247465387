"""Face validity's table of arguments: what each row of ``simulator/data/validity.yaml`` holds, read and checked.

A row is an argument of one of the five source documents (``simulator/data/seeds/``, 000-004): the quoted
sentence (found in its document), a counterfactual pair (two ``Side``s of a scenario: ``set`` overrides,
forced events, scheduled shocks, ``change`` entries), the ``Outcome`` the sentence is about and the direction
it argues. ``load_table`` reads the file and names, for each problem, the row, the key and what is wrong.
How the pairs are measured and judged is in ``simulator.analysis.validity``.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.files import packaged
from simulator.model.recorder import TRACKED
from simulator.scenario import Scenario, ScenarioError
from simulator.scenario.provenance import SOURCES
from simulator.scenario.reading import read_yaml
from simulator.scenario.schema import EventName, LevelName, MonthField, PhaseName, Scheduled
from simulator.vocabulary import LEVELS

#: The table the package ships.
TABLE = packaged("validity.yaml")

#: The smallest effect that counts as a move, in the outcome's units (a share: 1 point), unless a row says more.
MIN_EFFECT = 0.01

#: The parts of docs/model.md a row can check; the table covers every one.
MECHANISMS = ("president", "kremlin", "congress", "bureaucracy", "allies", "china", "publics", "shocks", "relationship")

#: Counts over a world's run: the president's erratic reversals, and setbacks (months the level fell).
COUNTS = ("reversals", "setbacks")


class ValidityError(ValueError):
    """A table of arguments, or a row of it, that cannot be used: what is wrong and where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Side(_Strict):
    """One side of a counterfactual pair: the scenario with some values set and some events scheduled.

    Attributes:
        set: key paths of the scenario and their values, as ``--set`` gives them (``president.volatility: 0.2``).
        schedule: entries added to the scenario's schedule (``{month: 2025-06, event: ceasefire, force: true}``).
    """

    set: dict[str, Any] = {}
    schedule: list[Scheduled] = []

    @field_validator("set")
    @classmethod
    def _known_paths(cls, values: dict[str, Any]) -> dict[str, Any]:
        problems = [problem for path in values if (problem := _path_problem(path))]
        if problems:
            raise ValueError("; ".join(problems))
        return values

    @property
    def empty(self) -> bool:
        """The scenario as it is."""
        return not self.set and not self.schedule

    def parts(self) -> list[str]:
        """What this side changes, each in a few words: ``president.volatility=0.2``, ``ceasefire forced 2025-06``."""
        parts = [f"{path}={_value_text(value)}" for path, value in self.set.items()]
        for item in self.schedule:
            if item.event == "shock":
                parts.append(f"{item.shock} shock {item.month}")
            elif item.event == "change":
                changed = item.model_dump()["set"].items()
                parts.append(f"from {item.month}: " + ", ".join(f"{path}={value}" for path, value in changed))
            elif item.force:
                parts.append(f"{item.event} forced {item.month}")
            else:
                parts.append(f"{item.event} {item.month}")
        return parts

    def words(self) -> str:
        """What this side changes, in a line."""
        return "; ".join(self.parts()) or "as is"

    def key(self) -> str:
        """The same key for the same side, whichever rows use it."""
        return self.model_dump_json()


def _value_text(value: Any) -> str:
    """A value as YAML writes it: ``true``, ``0.2``, ``uniform(0, 1)``."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _path_problem(path: str) -> str | None:
    """Why ``path`` is no key path of a scenario's values, or ``None`` if it is one."""
    section: type[BaseModel] = Scenario
    parts = path.split(".")
    for depth, name in enumerate(parts):
        field = section.model_fields.get(name)
        if field is None:
            at = ".".join(parts[:depth]) or "the top of a scenario"
            return f"{path!r}: no key {name!r} at {at}"
        inner = _model_in(field.annotation)
        if inner is not None and depth < len(parts) - 1:
            section = inner
            continue
        if depth < len(parts) - 1:
            return f"{path!r}: {'.'.join(parts[: depth + 1])} holds a value, not keys"
        if inner is not None:
            return f"{path!r} names a block; set one of its values"
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The section model an annotation holds (``Model``, ``Model | None``), if any."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


class Outcome(_Strict):
    """What an argument is about, as a number for each world (a yes/no is 1 or 0).

    Exactly one of:

    - ``event``: it has happened by ``by`` (default the horizon), and with ``before``, in an earlier
      month than that other event (or the other has not happened by then);
    - ``level``: relations are at this level or above at ``at`` (default the horizon);
    - ``phase``: the Giles cycle is in one of these phases at ``at``, or was at any month by ``by``;
    - ``state``: the value of this state (sanctions, aid, trust, opposition, ...) at ``at``;
    - ``count``: the president's erratic ``reversals``, or ``setbacks`` (months the level fell), over the run.
    """

    event: EventName | None = None
    level: LevelName | None = None
    phase: list[PhaseName] | None = Field(None, min_length=1)
    state: Literal[TRACKED] | None = None  # type: ignore[valid-type]
    count: Literal[COUNTS] | None = None  # type: ignore[valid-type]
    before: EventName | None = None
    by: MonthField | None = None
    at: MonthField | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        named = [k for k in ("event", "level", "phase", "state", "count") if getattr(self, k) is not None]
        if len(named) != 1:
            raise ValueError("an outcome names exactly one of event, level, phase, state or count")
        kind = named[0]
        if self.by is not None and kind not in ("event", "phase"):
            raise ValueError(f"'by' goes with an event or a phase; a {kind} is read 'at' a month")
        if self.at is not None and kind not in ("level", "phase", "state"):
            raise ValueError(f"'at' goes with a level, a phase or a state, not a {kind}")
        if kind == "phase" and (self.by is None) == (self.at is None):
            raise ValueError("a phase outcome says 'at' a month (in the phase then) or 'by' one (at any month until)")
        if kind == "state" and self.at is None:
            raise ValueError("a state outcome says the month it is read 'at'")
        if self.before is not None and kind != "event":
            raise ValueError("'before' orders two events: it goes with an event")
        if self.level == "suspended":
            raise ValueError("a level outcome asks about contact or above ('suspended' or above holds everywhere)")
        return self

    @property
    def share(self) -> bool:
        """A yes or no for each world, whose mean is a share of worlds (shown in points)."""
        return self.state is None and self.count is None

    def words(self) -> str:
        """The outcome in a few words."""
        when = f" by {self.by}" if self.by else f" at {self.at}" if self.at else ""
        if self.event is not None:
            first = _event_text(self.event) + (f" before {_event_text(self.before)}" if self.before else "")
            return f"{first}{when or ' by the horizon'}"
        if self.level is not None:
            return f"{self.level} or above{when or ' at the horizon'}"
        if self.phase is not None:
            return f"{' or '.join(self.phase)}{when}"
        if self.state is not None:
            return f"mean {self.state}{when}"
        return f"{self.count} per world"

    def needs_paths(self, spec: Scenario) -> bool:
        """Whether each world's month-by-month path must be kept to read it."""
        if self.level is not None:
            return self.at is not None and self.at != spec.horizon
        return self.phase is not None or self.state is not None or self.count == "setbacks"


def _event_text(event: str) -> str:
    """An event's name, a level reached in words: ``normalization or above reached``."""
    if event.startswith("level>="):
        return f"{LEVELS[int(event.removeprefix('level>='))]} or above reached"
    return event


class Size(_Strict):
    """The rough size of the effect the document gives."""

    text: str = Field(min_length=1)
    at_least: float | None = Field(None, gt=0)


class Row(_Strict):
    """One argument of a document, as a counterfactual pair, the outcome it is about and the direction it argues."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    mechanism: Literal[MECHANISMS]  # type: ignore[valid-type]
    source: Literal[tuple(SOURCES)]  # type: ignore[valid-type]
    quote: str = Field(min_length=10)
    argument: str = Field(min_length=10)
    base: Side = Side()
    variant: Side
    outcome: Outcome
    direction: Literal["up", "down"]
    size: Size | None = None
    disagrees: str | None = Field(None, min_length=20)

    @model_validator(mode="after")
    def _quoted_and_paired(self) -> Self:
        if _normalized(self.quote) not in _seed_text(self.source):
            raise ValueError(f"quote: not found in {self.source} ({SOURCES[self.source][1]}): {self.quote[:80]!r}")
        if self.base == self.variant:
            raise ValueError("base and variant are the same scenario: a pair differs in something")
        return self

    @property
    def sign(self) -> int:
        """+1 if the document argues the variant has more of the outcome, -1 if less."""
        return 1 if self.direction == "up" else -1

    @property
    def smallest(self) -> float:
        """The smallest effect that counts as a move, in the outcome's units."""
        return self.size.at_least if self.size and self.size.at_least else MIN_EFFECT


class ValidityTable(_Strict):
    """The table of arguments: rows with unique ids."""

    rows: list[Row] = Field(min_length=1)

    @field_validator("rows")
    @classmethod
    def _unique_ids(cls, rows: list[Row]) -> list[Row]:
        twice = sorted(name for name, count in Counter(row.id for row in rows).items() if count > 1)
        if twice:
            raise ValueError(f"row ids used more than once: {', '.join(twice)}")
        return rows

    def chosen(self, ids: Iterable[str] | None) -> list[Row]:
        """The rows named, in the table's order, or all of them.

        Raises:
            ValidityError: naming an id the table does not have.
        """
        if not ids:
            return list(self.rows)
        wanted = set(ids)
        unknown = sorted(wanted - {row.id for row in self.rows})
        if unknown:
            raise ValidityError(f"--row {', '.join(unknown)}: no such row in the table")
        return [row for row in self.rows if row.id in wanted]


#: Typographic quotes and dashes, and the plain characters a quote may give instead.
_PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}


def _normalized(text: str) -> str:
    """Text compared as a reader would: typographic quotes and dashes plain, spaces single, case ignored."""
    text = unicodedata.normalize("NFKC", text)
    for fancy, plain in _PLAIN.items():
        text = text.replace(fancy, plain)
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def _seed_text(source: str) -> str:
    return _normalized(packaged("seeds", SOURCES[source][0]).read_text(encoding="utf-8"))


def load_table(path: Path | None = None) -> ValidityTable:
    """Read and validate a table of arguments (by default the packaged one).

    Raises:
        ValidityError: naming the file, and for each problem its row (index and id), key and what is wrong.
    """
    path = path or TABLE
    try:
        data, _ = read_yaml(path, what="validity table")
    except ScenarioError as error:
        raise ValidityError(str(error)) from None
    if not isinstance(data, dict):
        raise ValidityError(f"{path}: a validity table is a mapping with a list of rows under 'rows'")
    try:
        return ValidityTable.model_validate(data)
    except ValidationError as error:
        raise ValidityError("\n".join(_problems(error, data, path))) from None


def _problems(error: ValidationError, data: dict, path: Path) -> list[str]:
    rows = data.get("rows")
    if not isinstance(rows, list):
        rows = []
    problems = []
    for item in error.errors():
        loc = [part for part in item["loc"] if not (isinstance(part, str) and ("[" in part or part == "[key]"))]
        where = ".".join(str(part) for part in loc) or "(top level)"
        if len(loc) >= 2 and loc[0] == "rows" and isinstance(loc[1], int) and loc[1] < len(rows):
            row = rows[loc[1]]
            name = row.get("id") if isinstance(row, dict) else None
            where = f"rows.{loc[1]}" + (f" ({name})" if name else "") + "".join(f".{part}" for part in loc[2:])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "missing key"
        elif item["type"] == "literal_error":
            message = f"{item['input']!r:.60} is not allowed: {message.removeprefix('Input should be ')}"
        problems.append(f"{path}: {where}: {message}")
    return problems
