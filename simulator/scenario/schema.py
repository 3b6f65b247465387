"""The scenario schema: ``Scenario``, a complete scenario, assembled from its blocks.

A scenario is parsed once, at the YAML boundary, into frozen objects. Each block lives in the
module of what it is about; this module assembles them and keeps their old import paths:

- ``kinds``: the kinds of assumption (``Probability``, ``Share``, ``Weight``, ...) and ``said``,
  which describes each once (meaning, unit, source document, quote);
- ``initial``: the state in the start month;
- ``actors``: each actor's parameters, one module per actor (docs/actors.md);
- ``structure``: the Giles cycle and the gates between levels;
- ``shocks``: the chance shocks and ``Effects``;
- ``scheduled``: the calendar, forced events and changes of assumptions;
- ``questions``: the forecast questions.

docs/model.md tells how the model uses each assumption.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, field_validator

from simulator.months import Month
from simulator.scenario.actors import Allies, Bureaucracy, China, Congress, Kremlin, President, Publics
from simulator.scenario.distributions import Assumption
from simulator.scenario.evidence import Evidence
from simulator.scenario.initial import Initial
from simulator.scenario.kinds import (  # noqa: F401  (read from here too)
    ASSUMED,
    EventName,
    Factor,
    LevelName,
    Months,
    PhaseName,
    Probability,
    QuestionEvent,
    Share,
    Shift,
    WarName,
    Weight,
    assumed,
    said,
)
from simulator.scenario.questions import Question, question_problems, resolve_combinations
from simulator.scenario.scheduled import ForcedEvent, Scheduled, ScheduledKind  # noqa: F401  (read from here too)
from simulator.scenario.sections import YEARS, MonthField, Section, month_or_none  # noqa: F401  (read from here too)
from simulator.scenario.shocks import DRIVERS, Effects, Shock, ShockName, ShockSpecs, Upside  # noqa: F401
from simulator.scenario.structure import Gates, PhaseDurations, PhaseFactors, Structure  # noqa: F401

#: The longest scenario, start to horizon, in months.
MAX_MONTHS = 1200


class Sensitivity(Section):
    """How sensitivity analysis varies the assumptions this scenario fixes (``sim sensitivity``).

    An assumption given as a distribution is varied over that distribution; a
    fixed one over its range here, else over its value plus or minus ``spread``
    of itself, always within the schema's domain.
    """

    spread: float = Field(0.5, gt=0, le=1, description="relative half-width of a fixed assumption's range")
    ranges: dict[str, tuple[float, float]] = Field(
        {}, description="range (low, high) of a fixed assumption, by its key path, e.g. kremlin.talk_value"
    )

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for path, (low, high) in ranges.items():
            if not low < high:
                raise ValueError(f"range of {path} needs low < high, got [{low:g}, {high:g}]")
        return ranges


@dataclass(frozen=True)
class PosteriorSource:
    """A posterior sample of calibrated parameters and what a scenario keeps of its own.

    Attributes:
        sample: the sample's file (``posterior.csv`` in the configs folder).
        own: key paths the scenario's files or ``--set`` gave a value, which the sample does not replace.
    """

    sample: Path
    own: frozenset[str]

    def supplies(self, path: str) -> bool:
        """Whether the sample gives ``path`` its value: the scenario does not set it itself."""
        return path not in self.own


class Scenario(Section):
    """A complete scenario: the world at the start and every assumption about how it moves."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$", description="letters, digits, _ . -")
    description: str = ""
    start: MonthField
    horizon: MonthField
    initial: Initial
    president: President
    kremlin: Kremlin
    congress: Congress
    bureaucracy: Bureaucracy
    allies: Allies
    publics: Publics
    china: China
    structure: Structure
    shocks: ShockSpecs
    schedule: list[Scheduled] = []
    calendar: Literal["us", "listed"] = Field(
        default="us",
        description="the dates the schedule should hold: the US calendar within the span (midterms, elections,"
        " inaugurations, New START's expiry), each one missing noted (us); or only those it lists (listed)",
    )
    questions: list[Question] = []
    sensitivity: Sensitivity | None = None
    calibration: Literal["posterior", "point"] = Field(
        default="posterior",
        description="where worlds take the calibrated structural parameters from: each world a row of the "
        "configs folder's posterior sample (posterior), or every world the point values (point)",
    )
    evidence: Evidence | None = Field(
        default=None,
        description="what has been observed since the start, through evidence.as_of: the worlds are conditioned"
        " on it before the forecast goes on (docs/evidence.md)",
    )
    #: Set by the loader: the posterior sample to draw from, and the key paths the scenario sets itself.
    _posterior: "PosteriorSource | None" = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Scenarios are equal when their values are: where a posterior sample was found plays no part."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = Section.__hash__

    @property
    def posterior(self) -> "PosteriorSource | None":
        """The posterior sample its worlds draw from, if ``calibration`` is posterior and a sample was found."""
        return self._posterior if self.calibration == "posterior" else None

    def calendar_problems(self) -> list[tuple[str, str]]:
        """Key paths whose months fall outside the scenario's start and horizon (or its evidence's), with why."""
        problems = span_problems(self.start, self.horizon, self._dated())
        if self.evidence is not None and not problems:
            problems += list(self.evidence.problems(self.start, self.horizon))
        return problems

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: list[Question]) -> list[Question]:
        seen: set[str] = set()
        for question in questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} is used twice")
            seen.add(question.id)
        return resolve_combinations(questions)

    def question_problems(self) -> list[tuple[str, str]]:
        """Key paths of questions the scenario cannot answer: a fall from the start's level, a combination's parts."""
        return question_problems(self.questions, self.initial.level)

    def _dated(self) -> Iterator[tuple[str, Month]]:
        for i, item in enumerate(self.schedule):
            yield f"schedule.{i}.month", item.month
        for i, question in enumerate(self.questions):
            if question.by is not None:
                yield f"questions.{i}.by", question.by
            if question.from_ is not None:
                yield f"questions.{i}.from", question.from_

    @property
    def months(self) -> int:
        """Number of monthly steps, start and horizon included."""
        return self.horizon.minus(self.start) + 1


def span_problems(start: Month, horizon: Month, dated: Iterable[tuple[str, Month]]) -> list[tuple[str, str]]:
    """Key paths whose months fall outside ``start`` to ``horizon``, with why; or what is wrong with the span."""
    if horizon <= start:
        return [("horizon", f"horizon {horizon} must come after start {start}")]
    months = horizon.minus(start) + 1
    if months > MAX_MONTHS:
        return [("horizon", f"{months} months from start {start} to horizon; at most {MAX_MONTHS} (100 years)")]
    return [
        (where, f"month {month} lies outside the scenario's {start} to {horizon}")
        for where, month in dated
        if not start <= month <= horizon
    ]


def assumptions(section: BaseModel, prefix: str = "") -> Iterator[tuple[str, Assumption]]:
    """Every assumption in a scenario, by its dotted key path, in schema order."""
    for name in type(section).model_fields:
        value = getattr(section, name)
        path = f"{prefix}{name}"
        if isinstance(value, Assumption):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from assumptions(value, path + ".")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from assumptions(item, f"{path}.{key}.")
