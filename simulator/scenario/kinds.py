"""The kinds of assumption a scenario states, and how each is described once: meaning, unit, source, quote.

Every actor's parameters (``simulator.scenario.actors``), the structure's and the shocks' are
fields of these kinds: ``Probability``, ``Share``, ``Shift``, ``Months``, ``Factor`` and
``Weight`` each accept a number or a distribution (``simulator.scenario.distributions``) whose
support lies in the kind's domain. ``said`` attaches the description the schema, ``sim describe``
and the docs show; each description names the source document it encodes (the texts in
``simulator/data/seeds/``, keyed in docs/sources.md: 000 Zhao, 001 Deni, 002 de Ramon, 003 GIS,
004 the 2025 news analysis), so the schema is also the model's bibliography.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, PlainValidator

from simulator.scenario.distributions import Assumption, Fixed, Normal, parse_assumption
from simulator.vocabulary import EVENTS, LEVELS, PHASES, QUESTION_EVENTS, WAR_STATES


def _domain(low: float, high: float, what: str) -> Callable[[object], Assumption]:
    def validate(raw: object) -> Assumption:
        value = raw if isinstance(raw, Assumption) else parse_assumption(raw)
        lo, hi = value.support()
        if lo >= low and hi <= high:
            return value
        if isinstance(value, Fixed):
            raise ValueError(f"{what} must lie in [{low:g}, {high:g}], got {value}")
        hint = "; give the normal distribution low= and high= bounds" if isinstance(value, Normal) else ""
        raise ValueError(f"{what} must lie in [{low:g}, {high:g}], but {value} reaches [{lo:g}, {hi:g}]{hint}")

    return validate


def serialize(value: Assumption) -> float | str:
    """An assumption as a scenario writes it: the number of a fixed one, else its distribution's text."""
    return value.value if isinstance(value, Fixed) else str(value)


_AS_WRITTEN = PlainSerializer(serialize)

Probability = Annotated[Assumption, PlainValidator(_domain(0.0, 1.0, "a probability")), _AS_WRITTEN]
Share = Annotated[Assumption, PlainValidator(_domain(0.0, 1.0, "a share")), _AS_WRITTEN]
Shift = Annotated[Assumption, PlainValidator(_domain(-1.0, 1.0, "a shift")), _AS_WRITTEN]
Months = Annotated[Assumption, PlainValidator(_domain(1.0, 600.0, "a duration in months")), _AS_WRITTEN]
Factor = Annotated[Assumption, PlainValidator(_domain(0.0, 20.0, "a multiplier")), _AS_WRITTEN]
Weight = Annotated[Assumption, PlainValidator(_domain(-20.0, 20.0, "a decision weight")), _AS_WRITTEN]

LevelName = Literal[LEVELS]  # type: ignore[valid-type]
PhaseName = Literal[PHASES]  # type: ignore[valid-type]
WarName = Literal[WAR_STATES]  # type: ignore[valid-type]
EventName = Literal[EVENTS]  # type: ignore[valid-type]
QuestionEvent = Literal[QUESTION_EVENTS]  # type: ignore[valid-type]


def said(source: str, meaning: str, unit: str = "", quote: str = "", **constraints: Any) -> Any:
    """Describe an assumption once: what it means, its unit, the seed it encodes and a quote from it.

    The quote is a sentence of the seed that supports the value, or, where none does, ``assumed(why)``.
    """
    return Field(description=meaning, json_schema_extra={"source": source, "unit": unit, "quote": quote}, **constraints)


#: How a quote-less assumption's note begins: no sentence of the seeds gives its value.
ASSUMED = "The analysts' assumption: "


def assumed(why: str) -> str:
    """The note shown in place of a quote where no sentence of the seeds supports the value; seed words in “”."""
    return ASSUMED + why
