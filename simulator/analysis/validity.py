"""Face validity: does each mechanism move the forecast the way its document argues?

The table of arguments (``simulator/data/validity.yaml``) holds, for every
argument of the five source documents (``simulator/data/seeds/``, 000-004) that
the model encodes, the quoted sentence, a counterfactual pair (two variants of
a scenario: ``set`` overrides, forced events, scheduled shocks, ``change``
entries), the outcome the sentence is about and the direction it argues.

``measure`` runs both sides of every pair with the same seed - common random
numbers: world *i* of one side draws the same random numbers as world *i* of
the other, so their difference is the pair's effect and little else - and
reports the mean of the per-world differences with its standard error (the
standard deviation of the differences over the square root of the worlds).
Each side is run once, however many rows share it.

A row's verdict:

- *agrees*: the effect lies in the argued direction by more than ``SIGMAS``
  standard errors and is at least the row's smallest meaningful size
  (``MIN_EFFECT``, or the ``at_least`` the document gives);
- *backwards*: the same, in the other direction;
- *inert*: neither - the mechanism does not move the outcome as far as a move
  would need to be to count;
- *marked*: the model knowingly disagrees with the document, for the reason the
  row records (``disagrees``); it is measured and shown, and fails nothing.
"""

from __future__ import annotations

import csv
import re
import typing
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.api import run
from simulator.engine.rows import first_month_columns
from simulator.files import atomically, packaged
from simulator.model.recorder import TRACKED
from simulator.months import Month
from simulator.results.result import RunResult
from simulator.scenario import Scenario, ScenarioError, override
from simulator.scenario.provenance import SOURCES
from simulator.scenario.reading import read_yaml
from simulator.scenario.schema import EventName, LevelName, MonthField, PhaseName, Scheduled
from simulator.vocabulary import LEVELS, PHASES

#: The table the package ships.
TABLE = packaged("validity.yaml")

#: Standard errors by which an effect must clear zero to count as a move either way.
SIGMAS = 3.0

#: The smallest effect that counts as a move, in the outcome's units (a share: 1 point), unless a row says more.
MIN_EFFECT = 0.01

#: The parts of docs/model.md a row can check; the table covers every one.
MECHANISMS = ("president", "kremlin", "congress", "bureaucracy", "allies", "china", "publics", "shocks", "relationship")

#: Counts over a world's run: the president's erratic reversals, and setbacks (months the level fell).
COUNTS = ("reversals", "setbacks")

Verdict = Literal["agrees", "inert", "backwards", "marked"]

#: Verdicts that contradict the document (without a recorded reason): the command exits 1 on any.
FAILING = ("backwards", "inert")


class ValidityError(ValueError):
    """A table of arguments, or a row of it, that cannot be used: what is wrong and where."""


# The table ---------------------------------------------------------------------------------


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


# Measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """A row of the table as measured: both sides' means, the paired effect and its standard error.

    Attributes:
        row: the argument.
        base, variant: the outcome's mean over the worlds of each side.
        effect: the mean over worlds of variant minus base (common random numbers).
        se: the standard error of that mean, from the per-world differences.
        worlds: worlds run on each side.
    """

    row: Row
    base: float
    variant: float
    effect: float
    se: float
    worlds: int

    @property
    def verdict(self) -> Verdict:
        """agrees, backwards, inert, or marked where the model knowingly disagrees."""
        if self.row.disagrees:
            return "marked"
        return verdict(self.row, self.effect, self.se)

    @property
    def fails(self) -> bool:
        """The row contradicts its document without a recorded reason."""
        return self.verdict in FAILING


def verdict(row: Row, effect: float, se: float) -> Verdict:
    """What an effect says of the row's argument, disagreement aside (see the module docstring)."""
    argued = row.sign * effect
    if abs(argued) > SIGMAS * se and abs(argued) >= row.smallest:
        return "agrees" if argued > 0 else "backwards"
    return "inert"


def side_scenario(spec: Scenario, side: Side, where: str = "") -> Scenario:
    """The scenario one side of a pair runs: ``spec`` with the side's values set and events scheduled.

    Raises:
        ValidityError: naming ``where`` (the row and side), if the result is not a valid scenario.
    """
    if side.empty:
        return spec
    values: dict[str, Any] = dict(side.set)
    if side.schedule:
        added = side.schedule
        values["schedule"] = [
            *spec.model_dump(mode="json")["schedule"],
            *(item.model_dump(mode="json", exclude_defaults=True) | {"month": str(item.month)} for item in added),
        ]
    try:
        return override(spec, values, source=where or "validity")
    except ScenarioError as error:
        raise ValidityError(f"{where}: {error}") from None


def measure(
    spec: Scenario,
    rows: list[Row],
    worlds: int = 20_000,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> list[Measured]:
    """Run both sides of every row's pair on ``spec`` with the same seed, and measure each row.

    Each distinct side runs once (the scenario as it is, say, serves many rows), in this
    process, and is dropped once its rows' outcomes are read.

    Args:
        spec: the scenario the pairs vary (the baseline).
        rows: the rows to measure.
        worlds: worlds on each side.
        seed: the seed both sides of every pair share.
        progress: called with the number of sides done so far.

    Raises:
        ValidityError: naming the row, if a side is no valid scenario or a month of the row lies outside it
            (``applicable`` leaves such rows out first).
    """
    sides: dict[str, tuple[Scenario, bool]] = {}
    wanted: dict[str, list[tuple[Row, str]]] = {}
    for row in rows:
        reason = _outside(row, spec)
        if reason is not None:
            raise ValidityError(f"row {row.id}: {reason}")
        for name, side in (("base", row.base), ("variant", row.variant)):
            key = side.key()
            if key not in sides:
                sides[key] = (side_scenario(spec, side, f"row {row.id}, {name}"), False)
            changed, paths = sides[key]
            sides[key] = (changed, paths or row.outcome.needs_paths(changed))
            wanted.setdefault(key, []).append((row, name))
    values: dict[tuple[str, str], np.ndarray] = {}
    for done, (key, (changed, paths)) in enumerate(sides.items(), start=1):
        result = run(changed, runs=worlds, seed=seed, trajectories=paths)
        reader = _WorldReader(result)
        for row, name in wanted[key]:
            values[row.id, name] = reader.values(row.outcome)
        if progress:
            progress(done)
    return [_measured(row, values[row.id, "base"], values[row.id, "variant"]) for row in rows]


def _measured(row: Row, base: np.ndarray, variant: np.ndarray) -> Measured:
    differences = variant - base
    n = differences.size
    se = float(differences.std(ddof=1) / np.sqrt(n)) if n > 1 else float("inf")
    return Measured(row, float(base.mean()), float(variant.mean()), float(differences.mean()), se, n)


def applicable(spec: Scenario, rows: list[Row]) -> tuple[list[Row], list[tuple[Row, str]]]:
    """The rows whose months fit ``spec``, and the others with why (the table's months fit the baseline).

    A row is left out when a month it forces an event in, or reads its outcome at, lies
    outside the scenario's start to horizon (a scenario starting as of a later month, say).
    """
    fitting, left_out = [], []
    for row in rows:
        reason = _outside(row, spec)
        if reason is None:
            fitting.append(row)
        else:
            left_out.append((row, reason))
    return fitting, left_out


def _outside(row: Row, spec: Scenario) -> str | None:
    """Why a month of ``row`` lies outside ``spec`` (with either side's own start and horizon), or ``None``."""
    for side in (row.base, row.variant):
        start, horizon = (_month_set(side, key) or getattr(spec, key) for key in ("start", "horizon"))
        months = [item.month for item in side.schedule] + [row.outcome.by, row.outcome.at]
        for month in months:
            if month is not None and not start <= month <= horizon:
                return f"month {month} lies outside the scenario's {start} to {horizon}"
    return None


def _month_set(side: Side, key: str) -> Month | None:
    value = side.set.get(key)
    try:
        return None if value is None else Month.parse(str(value))
    except ValueError:
        return None  # the scenario refuses it, naming the row, when the side is made


def sides_of(rows: list[Row]) -> int:
    """How many distinct scenarios the rows' pairs run (each once)."""
    return len({side.key() for row in rows for side in (row.base, row.variant)})


class _WorldReader:
    """Each world's value of an outcome, read from a run's per-world rows and, if kept, its paths."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.spec = result.spec
        table = pa.concat_tables(result.rows.world_tables())
        order = pc.sort_indices(table.column("world"))
        self.worlds = table.take(order)
        self._paths: dict[str, np.ndarray] = {}

    def month(self, month: Month) -> int:
        return month.minus(self.spec.start)

    def values(self, outcome: Outcome) -> np.ndarray:
        """The outcome's value in each world, in world order."""
        horizon = self.spec.horizon
        if outcome.event is not None:
            by = str(outcome.by or horizon)
            hit = self._by(outcome.event, by)
            if outcome.before is not None:
                first, other = (self._month_text(name) for name in (outcome.event, outcome.before))
                earlier = pc.fill_null(pc.less(first, other), True)  # true too where the other never happened
                hit &= earlier.to_numpy(zero_copy_only=False)
            return hit.astype(np.float64)
        if outcome.level is not None:
            k = LEVELS.index(outcome.level)
            at = outcome.at or horizon
            if at == horizon:
                return (self._codes(self.worlds.column("final_level"), LEVELS) >= k).astype(np.float64)
            return (self.path("level")[:, self.month(at)] >= k).astype(np.float64)
        if outcome.phase is not None:
            phases = self.path("phase")
            codes = [PHASES.index(name) for name in outcome.phase]
            if outcome.at is not None:
                return np.isin(phases[:, self.month(outcome.at)], codes).astype(np.float64)
            return np.isin(phases[:, : self.month(outcome.by or horizon) + 1], codes).any(axis=1).astype(np.float64)
        if outcome.state is not None:
            return self.path(outcome.state)[:, self.month(outcome.at or horizon)].astype(np.float64)
        if outcome.count == "reversals":
            return self.worlds.column("reversals").to_numpy().astype(np.float64)
        levels = self.path("level")
        start = np.full((levels.shape[0], 1), LEVELS.index(self.spec.initial.level), dtype=levels.dtype)
        return (np.diff(np.hstack([start, levels]), axis=1) < 0).sum(axis=1).astype(np.float64)

    def _month_text(self, event: str) -> pa.ChunkedArray:
        """Each world's first month of ``event`` as ``YYYY-MM``, missing where it never happened."""
        return self.worlds.column(first_month_columns()[event]).cast(pa.string())

    def _by(self, event: str, month: str) -> np.ndarray:
        """Whether ``event`` happened by the end of ``month``, in each world."""
        hit = pc.fill_null(pc.less_equal(self._month_text(event), month), False)
        return hit.to_numpy(zero_copy_only=False)

    def path(self, name: str) -> np.ndarray:
        """(worlds, months) values of a path column: level and phase as codes, the state as numbers."""
        if name not in self._paths:
            tables = list(self.result.rows.trajectory_tables())
            if not tables:
                raise ValueError("this run kept no paths; run it with trajectories=True")
            table = pa.concat_tables(tables)
            # Each world's months come in order (``engine.rows.trajectory_table``); chunks are put in world order.
            table = table.take(pc.sort_indices(table.column("world")))  # a stable sort
            column = table.column(name)
            names = {"level": LEVELS, "phase": PHASES}.get(name)
            flat = self._codes(column, names) if names else column.to_numpy()
            self._paths[name] = np.asarray(flat).reshape(self.result.runs, self.spec.months)
        return self._paths[name]

    @staticmethod
    def _codes(column: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
        """A categorical column as codes into ``names``."""
        return pc.index_in(column.cast(pa.string()), value_set=pa.array(names)).to_numpy(zero_copy_only=False)


# Showing -----------------------------------------------------------------------------------


def pair_text(row: Row) -> str:
    """The pair in a line, what both sides share said once: ``with X: as is → ceasefire forced 2025-06``."""
    base, variant = row.base.parts(), row.variant.parts()
    shared = [part for part in base if part in variant]
    only = ["; ".join(p for p in side if p not in shared) or "as is" for side in (base, variant)]
    return (f"with {'; '.join(shared)}: " if shared else "") + " → ".join(only)


def effect_text(measured: Measured) -> str:
    """The effect with its standard error: points for a share, the outcome's units otherwise."""
    if measured.row.outcome.share:
        return f"{100 * measured.effect:+.1f} ± {100 * measured.se:.1f} pts"
    return f"{measured.effect:+.4f} ± {measured.se:.4f}"


def means_text(measured: Measured) -> str:
    """Both sides' means: ``53.5% -> 51.5%``."""
    if measured.row.outcome.share:
        return f"{measured.base:.1%} → {measured.variant:.1%}"
    return f"{measured.base:.3f} → {measured.variant:.3f}"


def expected_text(row: Row) -> str:
    """The direction the document argues, and the rough size where it gives one."""
    arrow = "higher" if row.direction == "up" else "lower"
    if row.size is None:
        return arrow
    least = row.size.at_least
    if least is None:
        return f"{arrow} ({row.size.text})"
    amount = f"{100 * least:g} pts" if row.outcome.share else f"{least:g}"
    return f"{arrow}, at least {amount} ({row.size.text})"


#: The columns of the CSV ``sim validity --out`` writes.
CSV_COLUMNS = (
    "id",
    "mechanism",
    "source",
    "quote",
    "argument",
    "base",
    "variant",
    "outcome",
    "direction",
    "at_least",
    "base_mean",
    "variant_mean",
    "effect",
    "se",
    "verdict",
    "disagrees",
    "worlds",
)


def write_csv(measured: list[Measured], path: Path) -> None:
    """The measured table as CSV, one line a row (effects in the outcome's units: a share from 0 to 1)."""

    def write(target: Path) -> None:
        with target.open("w", newline="", encoding="utf-8") as file:
            out = csv.writer(file)
            out.writerow(CSV_COLUMNS)
            for m in measured:
                row = m.row
                out.writerow(
                    [
                        row.id,
                        row.mechanism,
                        row.source,
                        row.quote,
                        row.argument,
                        row.base.words(),
                        row.variant.words(),
                        row.outcome.words(),
                        row.direction,
                        row.smallest,
                        f"{m.base:.6f}",
                        f"{m.variant:.6f}",
                        f"{m.effect:.6f}",
                        f"{m.se:.6f}",
                        m.verdict,
                        row.disagrees or "",
                        m.worlds,
                    ]
                )

    atomically(path, write)


def markdown(measured: list[Measured], scenario: str, seed: int, command: str) -> str:
    """The measured table as the Markdown page ``docs/validity.md``."""
    worlds = measured[0].worlds if measured else 0
    tally = {v: sum(m.verdict == v for m in measured) for v in ("agrees", "inert", "backwards", "marked")}
    lines = [
        "# Face validity: the model against its documents",
        "",
        f"Generated by `{command}`; do not edit by hand. The arguments are in",
        "`simulator/data/validity.yaml`; how the suite works is in `simulator/analysis/validity.py`.",
        "",
        f"Each row is an argument of one of the five source documents (000-004, `simulator/data/seeds/`,"
        f" keyed in [sources.md](sources.md)), tried as a counterfactual pair on `{scenario}`: two variants"
        f" of the scenario, run with the same seed ({seed}) and {worlds:,} worlds each (common random numbers),"
        " so that world *i* of one side differs from world *i* of the other only by the change. The effect"
        " is the mean over worlds of variant minus base, in percentage points for a share of worlds, with"
        " the standard error of that mean from the per-world differences.",
        "",
        f"Verdict: **agrees** when the effect lies in the argued direction by more than {SIGMAS:g} standard"
        f" errors and is at least {100 * MIN_EFFECT:g} point (or the size the document gives); **backwards**"
        " when it lies the other way as clearly; **inert** when it is neither; **marked** where the model"
        " knowingly disagrees with the document, for the reason given. `sim validity` exits with code 1"
        " while any row is backwards or inert without a recorded reason.",
        "",
        f"{len(measured)} rows: {tally['agrees']} agree, {tally['inert']} inert, {tally['backwards']} backwards,"
        f" {tally['marked']} marked.",
        "",
        "| # | argument | source and quote | pair: base → variant | outcome | expected | measured | effect | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for number, m in enumerate(measured, start=1):
        row = m.row
        verdict_cell = f"**{m.verdict}**" + (f": {row.disagrees}" if row.disagrees else "")
        cells = [
            str(number),
            f"`{row.id}` ({row.mechanism}): {row.argument}",
            f"{row.source}: “{row.quote}”",
            pair_text(row),
            row.outcome.words(),
            expected_text(row),
            means_text(m),
            effect_text(m),
            verdict_cell,
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def write_markdown(text: str, path: Path) -> None:
    """Write a Markdown page whole, or leave the file as it was."""
    atomically(path, lambda target: target.write_text(text, encoding="utf-8"))
