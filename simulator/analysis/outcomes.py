"""Outcomes an analyst asks about, as a yes or no for each world.

An outcome is written on the command line as

* a question id of the scenario (``normalization_2028``);
* an event or a level, by a month: ``summit@2025-12``, ``normalization@2028-12``
  (a level means that level or higher has been reached);
* an event or a level alone, meaning by the horizon.

Each world's answer is read from its row of ``runs.parquet``: the first month
of the event, if any, is at or before the month asked about.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.engine.rows import first_month_columns
from simulator.months import Month
from simulator.scenario import Scenario
from simulator.scenario.questions import FIRST_MONTH_KINDS
from simulator.vocabulary import EVENTS, LEVELS, event_label, level_event


class OutcomeError(ValueError):
    """An outcome the scenario cannot answer, with the reason."""


@dataclass(frozen=True)
class Outcome:
    """Whether ``event`` has happened by the end of ``by``.

    Attributes:
        name: how the analyst named it (a question id or ``event@month``).
        event: the event (a level is the event ``level>=K``).
        by: the month, ``YYYY-MM``.
        text: a sentence saying what it is.
    """

    name: str
    event: str
    by: str
    text: str

    @property
    def column(self) -> str:
        """The column of ``runs.parquet`` holding the event's first month."""
        return first_month_columns()[self.event]

    def hits(self, worlds: pa.Table) -> np.ndarray:
        """Whether the outcome holds in each world of a table of per-world rows."""
        first = worlds.column(self.column).cast(pa.string())
        return pc.fill_null(pc.less_equal(first, self.by), False).to_numpy(zero_copy_only=False)


def parse_outcome(spec: Scenario, text: str) -> Outcome:
    """The outcome ``text`` names, in scenario ``spec``.

    Raises:
        OutcomeError: naming what is unknown and what would be accepted.
    """
    for question in spec.questions:
        if question.id == text:
            if question.kind not in FIRST_MONTH_KINDS:
                raise OutcomeError(
                    f"outcome {text!r}: the question asks whether {question.sentence(spec.start)} ({question.kind});"
                    " an outcome here is an event or a level reached by a month: name one, e.g. summit@2025-12"
                )
            event = question.event or level_event(LEVELS.index(question.level))
            return Outcome(text, event, str(question.by), question.text or _sentence(event, str(question.by)))
    what, _, month = text.partition("@")
    event = _event(what)
    if event is None:
        ids = ", ".join(q.id for q in spec.questions) or "none"
        raise OutcomeError(
            f"outcome {text!r}: {what!r} is neither a question id ({ids}), an event nor a level; "
            "write e.g. summit@2025-12 or normalization@2028-12"
        )
    by = _month(spec, month, text) if month else str(spec.horizon)
    return Outcome(text, event, by, _sentence(event, by))


def parse_outcomes(spec: Scenario, texts: list[str] | None) -> list[Outcome]:
    """The outcomes named, or every question of the scenario on an event or a level reached when none is named."""
    if texts:
        return [parse_outcome(spec, text) for text in texts]
    asked = [question for question in spec.questions if question.kind in FIRST_MONTH_KINDS]
    if not asked:
        raise OutcomeError(
            f"scenario {spec.name!r} has no questions on an event or a level reached; name an outcome,"
            " e.g. summit@2025-12"
        )
    return [parse_outcome(spec, question.id) for question in asked]


def describe_event(event: str) -> str:
    """An event or level, in words."""
    return event_label(event)


def _sentence(event: str, by: str) -> str:
    return f"{describe_event(event)} by {by}"


def _event(what: str) -> str | None:
    if what in EVENTS:
        return what
    if what in LEVELS[1:]:
        return level_event(LEVELS.index(what))
    return None


def _month(spec: Scenario, month: str, text: str) -> str:
    try:
        parsed = Month.parse(month)
    except ValueError as error:
        raise OutcomeError(f"outcome {text!r}: {error}") from None
    if not spec.start <= parsed <= spec.horizon:
        raise OutcomeError(f"outcome {text!r}: {parsed} lies outside the scenario's {spec.start} to {spec.horizon}")
    return str(parsed)
