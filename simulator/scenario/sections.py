"""What every block of a scenario is built from: the frozen section, and the month as a scenario writes it."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator

from simulator.months import Month


class Section(BaseModel):
    """A block of a scenario: frozen, and no key it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: The years a scenario's months may lie in: the model's record starts in 1992, and no forecast reaches 2200.
YEARS = (1900, 2199)


def month_value(raw: object) -> Month:
    """The month ``raw`` names (``YYYY-MM``), within ``YEARS``; ``ValueError`` otherwise."""
    if isinstance(raw, Month):
        return raw
    month = Month.parse(str(raw)[:40])
    if not YEARS[0] <= month.year <= YEARS[1]:
        raise ValueError(f"{month}: the year must lie in {YEARS[0]}-{YEARS[1]}")
    return month


def month_or_none(raw: object) -> Month | None:
    """The month ``raw`` names, as a scenario's month field reads it, or ``None`` if it names none."""
    try:
        return month_value(raw)
    except ValueError:
        return None


MonthField = Annotated[Month, PlainValidator(month_value), PlainSerializer(str)]
