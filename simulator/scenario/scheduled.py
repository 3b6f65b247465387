"""The schedule: dated events, forced events and changes of assumptions (``schedule:``)."""

import difflib
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_serializer, field_validator, model_validator

from simulator.scenario.distributions import Assumption
from simulator.scenario.kinds import serialize
from simulator.scenario.sections import MonthField, Section
from simulator.scenario.shocks import Effects, ShockName
from simulator.vocabulary import FORCEABLE

ScheduledKind = Literal[
    "midterms", "election", "inauguration", "treaty_expiry", "planned_summit", "intervention", "shock", "change"
]
ForcedEvent = Literal[FORCEABLE]  # type: ignore[valid-type]


class Scheduled(Section):
    """An event on the calendar: elections, treaty expiries, summits, interventions, forced events, changes.

    ``event`` is one of the calendar kinds, or an event name with ``force: true``
    (it happens in every world that month, through the same actions the actors
    use, so its consequences follow), or ``change`` with ``set:`` (assumptions
    that take new values from this month on).
    """

    month: MonthField
    event: ScheduledKind | ForcedEvent
    force: bool = Field(default=False, description="make the named event happen in every world this month")
    shock: ShockName | None = Field(default=None, description="with event: shock, the shock that strikes on this date")
    set: dict[str, Any] = Field(default={}, description="with event: change, assumption paths and their new values")
    effects: Effects = Effects()
    note: str = ""

    @field_serializer("set")
    def _set_as_text(self, values: dict[str, Any]) -> dict[str, Any]:
        return {path: serialize(value) if isinstance(value, Assumption) else value for path, value in values.items()}

    @field_validator("set")
    @classmethod
    def _changed_values(cls, values: dict[str, Any]) -> dict[str, Any]:
        changed, problems = {}, []
        for path, raw in values.items():
            try:
                changed[path] = _changed_value(path, raw)
            except ValidationError as error:  # the value, refused by the assumption's own field
                problems += [f"{path!r}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
            except ValueError as error:
                problems.append(str(error))
        if problems:
            raise ValueError("; ".join(problems))
        return changed

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.event == "shock") != (self.shock is not None):
            raise ValueError("a scheduled shock names its shock (event: shock, shock: NAME), and only it does")
        if (self.event in FORCEABLE) != self.force:
            if self.force:
                raise ValueError(f"force: true needs an event to force, one of {', '.join(FORCEABLE)}")
            raise ValueError(f"to make {self.event!r} happen in every world this month, write force: true")
        if (self.event == "change") != bool(self.set):
            raise ValueError("a change lists its new values (event: change, set: {path: value}), and only it does")
        return self


def _changed_value(path: str, raw: object) -> Assumption:
    """Validate a value a ``change`` gives the assumption at ``path``, as the scenario's own field would."""
    from simulator.scenario.schema import Scenario  # the whole scenario's fields: it holds the schedule

    section: type[BaseModel] = Scenario
    names = path.split(".")
    if names[0] in _FIXED_OVER_TIME:
        raise ValueError(f"{path!r}: only actor, structure and shock assumptions can change over time")
    for i, name in enumerate(names):
        field = section.model_fields.get(name)
        if field is None:
            known = [n for n in section.model_fields if section is not Scenario or n not in _FIXED_OVER_TIME]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {'.'.join([*names[:i], close[0], *names[i + 1 :]])!r}?" if close else ""
            raise ValueError(f"{path!r} is not an assumption path ({'.'.join(names[: i + 1])} is unknown){hint}")
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            section = annotation
            continue
        if i != len(names) - 1 or not _is_assumption(field):
            raise ValueError(f"{path!r} is not an assumption that can change over time")
        return TypeAdapter(field.rebuild_annotation()).validate_python(raw)
    raise ValueError(f"{path!r} names a block, not an assumption")


#: Top-level keys that hold no assumption a ``change`` may set.
_FIXED_OVER_TIME = (
    "initial",
    "name",
    "description",
    "start",
    "horizon",
    "schedule",
    "calendar",
    "questions",
    "evidence",
)


def _is_assumption(field: Any) -> bool:
    return field.annotation is Assumption
