"""Evidence: what has been observed since the start, month by month, for the worlds to be conditioned on.

A scenario's ``evidence`` block lists observations: an event in a month
(``{month: 2025-08, event: summit}``), an event known not to have happened
(``{month: 2025-09, event: ceasefire, happened: false}``), the level of the
relationship (``{month: 2025-10, level: contact}``) or the state of the war
(``{month: 2025-10, war: active}``). ``as_of`` is the month through which the
record is complete: for every event the evidence *watches* (``watch``; by
default every event it observes happening), a month up to ``as_of`` in which
the event is not listed says it did not happen that month. Levels and war
states are evidence only in the months they are given. ``error`` is the
chance the record is wrong about one month's event, level or war state, so
that no world is ruled out by one observation (docs/evidence.md).

The block may be written in a file of its own (``evidence: {file: evidence_2025.yaml}``,
relative to the scenario that names it); keys written beside ``file`` take
precedence over the file's.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Literal, Self

from pydantic import Field, model_validator

from simulator.months import Month
from simulator.scenario.sections import MonthField, Section
from simulator.vocabulary import EVENTS, EVENTS_BY_NAME, LEVEL, LEVELS, WAR_STATES

#: Events an observation may name: every event but a level reached (a level is observed with ``level:``).
OBSERVABLE = tuple(name for name in EVENTS if EVENTS_BY_NAME[name].kind != LEVEL)

#: Events that end the fighting: observed in a month, the war is not active at its end.
_ENDS_WAR = {"ceasefire": "ceasefire", "peace_agreement": "peace"}

#: The most worlds one filter conditions together, and the fewest it may be set to.
FILTER_WORLDS = (4096, 1_048_576)


class Observation(Section):
    """One thing observed in one month: an event (or its absence), the level, or the state of the war."""

    month: MonthField
    event: Literal[OBSERVABLE] | None = Field(None, description="an event observed this month")  # type: ignore[valid-type]
    happened: bool = Field(True, description="with event: false records that it did not happen this month")
    level: Literal[LEVELS] | None = Field(None, description="the level of relations at the month's end")  # type: ignore[valid-type]
    war: Literal[WAR_STATES] | None = Field(None, description="the state of the war at the month's end")  # type: ignore[valid-type]
    note: str = ""

    @model_validator(mode="after")
    def _one_thing(self) -> Self:
        given = [key for key in ("event", "level", "war") if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError("an observation names exactly one of 'event', 'level' or 'war'")
        if not self.happened and self.event is None:
            raise ValueError("'happened: false' goes with an event")
        return self


class Evidence(Section):
    """What has been observed from the start through ``as_of``, and how far the record can be trusted."""

    as_of: MonthField = Field(description="the month through which the evidence is complete")
    error: float = Field(
        0.02, gt=0, lt=0.5, description="chance the record is wrong about one month's event, level or war state"
    )
    watch: list[Literal[OBSERVABLE]] | None = Field(  # type: ignore[valid-type]
        None,
        description="events the record watches every month: a month without one observed is a month it did not"
        " happen (default: every event observed happening)",
    )
    observed: list[Observation] = Field(default=[], description="what was observed, by month")
    resample_below: float = Field(
        0.5, gt=0, le=1, description="resample the worlds when the effective sample falls below this share"
    )
    shrinkage: float = Field(
        0.95,
        ge=0.5,
        le=1,
        description="Liu-West shrinkage of the worlds' drawn parameters at each resampling (1: none)",
    )
    filter_worlds: int = Field(
        32768,
        ge=FILTER_WORLDS[0],
        le=FILTER_WORLDS[1],
        multiple_of=4096,
        description="worlds conditioned together, in whole random-number blocks: a run's worlds are filtered in"
        " blocks of this size, whatever the chunking",
    )

    def watched(self) -> tuple[str, ...]:
        """The events a month without an observation says did not happen."""
        if self.watch is not None:
            return tuple(dict.fromkeys(self.watch))
        return tuple(dict.fromkeys(o.event for o in self.observed if o.event is not None and o.happened))

    def problems(self, start: Month, horizon: Month) -> Iterator[tuple[str, str]]:
        """Key paths of the evidence that lie outside start..as_of or contradict each other, with why."""
        if not start <= self.as_of <= horizon:
            yield "evidence.as_of", f"as_of {self.as_of} lies outside the scenario's {start} to {horizon}"
            return
        by_month: dict[Month, list[tuple[int, Observation]]] = defaultdict(list)
        for i, seen in enumerate(self.observed):
            if not start <= seen.month <= self.as_of:
                yield (
                    f"evidence.observed.{i}.month",
                    f"month {seen.month} lies outside the evidence's {start} to as_of {self.as_of}",
                )
            by_month[seen.month].append((i, seen))
        for month, found in by_month.items():
            yield from _contradictions(month, found)


def _contradictions(month: Month, seen: list[tuple[int, Observation]]) -> Iterator[tuple[str, str]]:
    """The observations of one month that cannot all be true."""
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for i, o in seen:
        for kind, value in (("level", o.level), ("war", o.war)):
            if value is None:
                continue
            earlier = first.setdefault((kind, ""), (i, value))
            if earlier[1] != value:
                yield (
                    f"evidence.observed.{i}.{kind}",
                    f"{month}: {kind} {value!r} contradicts {kind} {earlier[1]!r} (evidence.observed.{earlier[0]})",
                )
        if o.event is not None:
            earlier = first.setdefault(("event", o.event), (i, str(o.happened)))
            if earlier[1] != str(o.happened):
                yield (
                    f"evidence.observed.{i}.happened",
                    f"{month}: {o.event} is observed both to happen and not to (evidence.observed.{earlier[0]})",
                )
    war = first.get(("war", ""))
    for i, o in seen:
        if o.event in _ENDS_WAR and o.happened and war is not None and war[1] == "active":
            yield (
                f"evidence.observed.{i}.event",
                f"{month}: a {o.event.replace('_', ' ')} contradicts the war observed active that month"
                f" (evidence.observed.{war[0]})",
            )
