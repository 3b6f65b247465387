"""A scenario's questions: what each asks of a world, and what the scenario must hold for it to make sense.

A question asks one thing of every world and is answered by a month (docs/scenarios.md, Questions):

- ``event``: the event happens in a month from the start to ``by``; with ``again: true``, in a month
  after the first month it happened in (the start month, for an event the as-of state lists in
  ``initial.happened``); with ``times: n``, in at least ``n`` months;
- ``level``: relations reach this level or a higher one in a month by ``by``;
- ``falls_to``: relations stand at this level or a lower one at the end of a month by ``by``;
- ``holds``: relations stand at this level or a higher one at the end of every month from ``from``
  through ``by``;
- ``both`` / ``either``: two other questions of the scenario (by id) both / either come true, worked
  out world by world, so that what ties them in the model is kept. Its ``by`` is the later of theirs.

Each is answered from the worlds themselves (``simulator.model.answers``); none is a product of
separately computed probabilities.
"""

from typing import Any, Literal, Self

from pydantic import Field, model_serializer, model_validator

from simulator.months import Month
from simulator.scenario.sections import MonthField, Section
from simulator.vocabulary import EVENTS_BY_NAME, LEVELS, QUESTION_EVENTS

LevelName = Literal[LEVELS]  # type: ignore[valid-type]
QuestionEvent = Literal[QUESTION_EVENTS]  # type: ignore[valid-type]

#: The keys that say what a question asks about: exactly one of them is given.
TARGETS = ("event", "level", "falls_to", "holds", "both", "either")

#: Kinds answered from each world's first months alone (``events_by_month``), and those that join two questions.
FIRST_MONTH_KINDS = ("event", "level")
COMBINATIONS = ("both", "either")

#: Keys a question leaves out of its dump when they are at their defaults: questions written before these
#: kinds existed dump (and hash, in a ledger's resolved scenario) exactly as they did.
_OPTIONAL = {"again": False, "times": None, "falls_to": None, "holds": None, "from": None, "both": None, "either": None}


def _words(level: str) -> str:
    return level.replace("_", " ")


class Question(Section):
    """A resolvable forecast question about the worlds, answered by a month (module docstring)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    text: str = ""
    event: QuestionEvent | None = None
    level: LevelName | None = Field(None, description="reached at or above this level")
    again: bool = Field(False, description="with event: happens in a month after the first month it happened in")
    times: int | None = Field(None, ge=1, description="with event: happens in at least this many months")
    falls_to: LevelName | None = Field(None, description="relations at or below this level at the end of a month")
    holds: LevelName | None = Field(None, description="relations at or above this level every month from 'from'")
    from_: MonthField | None = Field(None, alias="from", description="with holds: the first month that must hold")
    both: tuple[str, str] | None = Field(None, description="ids of two questions that must both come true")
    either: tuple[str, str] | None = Field(None, description="ids of two questions at least one of which comes true")
    by: MonthField | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        given = [key for key in TARGETS if getattr(self, key) is not None]
        if len(given) != 1:
            got = " and ".join(given) or "none"
            raise ValueError(f"a question asks about exactly one of {', '.join(TARGETS)}; got {got}")
        if (self.again or self.times is not None) and self.event is None:
            raise ValueError("'again' and 'times' count an event's months: ask them with 'event'")
        if self.again and self.times is not None:
            raise ValueError("ask either 'again' or 'times: n' ('again' is 'times: 2')")
        if (self.again or self.times not in (None, 1)) and not EVENTS_BY_NAME[self.event].repeats:
            raise ValueError(f"{self.event} happens at most once in a world in the model: it cannot happen again")
        if self.level == "suspended":
            raise ValueError("a level question asks about contact or above ('suspended' is reached by every world)")
        if self.falls_to == LEVELS[-1]:
            raise ValueError(f"every world is at {LEVELS[-1]} or below: 'falls_to' asks about a lower level")
        if self.holds == "suspended":
            raise ValueError("every world is at suspended or above: 'holds' asks about contact or a higher level")
        if (self.from_ is None) != (self.holds is None):
            raise ValueError("'holds' needs 'from', the first month it must hold, and only 'holds' takes 'from'")
        if self.by is None and self.kind not in COMBINATIONS:
            raise ValueError("a question needs 'by', the month it is answered by")
        if self.from_ is not None and self.by is not None and self.by < self.from_:
            raise ValueError(f"'from' ({self.from_}) comes after 'by' ({self.by})")
        parts = self.parts
        if parts and parts[0] == parts[1]:
            raise ValueError(f"{self.kind!r} joins two different questions, not {parts[0]!r} with itself")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if "from_" in data:
            data["from"] = data.pop("from_")
        return {k: v for k, v in data.items() if k not in _OPTIONAL or v != _OPTIONAL[k]}

    @property
    def kind(self) -> str:
        """What it asks: ``event``, ``again``, ``times``, ``level``, ``falls_to``, ``holds``, ``both`` or ``either``."""
        if self.event is not None:
            return "again" if self.again else ("times" if self.times is not None else "event")
        return next(key for key in TARGETS if getattr(self, key) is not None)

    @property
    def parts(self) -> tuple[str, str] | None:
        """The ids of the two questions a combination joins; ``None`` for any other kind."""
        return self.both or self.either

    @property
    def needed_months(self) -> int | None:
        """How many months with the event make a world's answer yes (``again`` and ``times`` only)."""
        return 2 if self.again else self.times

    def sentence(self, start: Month | str | None = None) -> str:
        """What the question asks, in words (``start``: the scenario's first month, for an event's window)."""
        by = str(self.by)
        window = f"a month from {start} to {by}" if start is not None else f"a month by {by}"
        match self.kind:
            case "event":
                return f"{_words(self.event)} happens in {window}"
            case "again":
                return f"{_words(self.event)} happens again by {by}, in a month after the first it happened in"
            case "times":
                return f"{_words(self.event)} happens in at least {self.times} months by {by}"
            case "level":
                return f"relations reach {_words(self.level)} or a higher level in {window}"
            case "falls_to":
                lower = "" if self.falls_to == LEVELS[0] else " or lower"
                return f"relations are at {_words(self.falls_to)}{lower} at the end of {window}"
            case "holds":
                months = f"every month from {self.from_} to {by}"
                return f"relations are at {_words(self.holds)} or higher at the end of {months}"
        a, b = self.parts
        return f"both {a} and {b} come true" if self.kind == "both" else f"{a} or {b} (or both) comes true"


def resolve_combinations(questions: list[Question]) -> list[Question]:
    """The questions with each combination's ``by`` set, where not given, to the later of its two parts'."""
    by_id = {q.id: q for q in questions}
    resolved = []
    for question in questions:
        found = [by_id[p].by for p in question.parts or () if p in by_id and by_id[p].by is not None]
        if question.parts and question.by is None and len(found) == 2:
            question = question.model_copy(update={"by": max(found)})
        resolved.append(question)
    return resolved


def question_problems(questions: list[Question], level: str) -> list[tuple[str, str]]:
    """Key paths of questions that ask what the scenario cannot answer, with why (``level``: the start's level)."""
    by_id = {q.id: q for q in questions}
    problems = []
    for i, question in enumerate(questions):
        if question.falls_to is not None and LEVELS.index(level) <= LEVELS.index(question.falls_to):
            problems.append(
                (
                    f"questions.{i}.falls_to",
                    f"relations start at {level} (initial.level), at or below {question.falls_to} already in every"
                    " world: ask about a level below the start's",
                )
            )
        if not question.parts:
            continue
        where = f"questions.{i}.{question.kind}"
        for part in question.parts:
            if part not in by_id:
                problems.append((where, f"no question {part!r} in this scenario (its questions: {', '.join(by_id)})"))
            elif by_id[part].parts:
                nested = f"{part!r} is a combination itself; combinations do not nest: join two of another kind"
                problems.append((where, nested))
        found = [by_id[p].by for p in question.parts if p in by_id and by_id[p].by is not None]
        if len(found) == 2 and question.by != max(found):
            problems.append((f"questions.{i}.by", f"a combination is answered by its later part's month, {max(found)}"))
    return problems
