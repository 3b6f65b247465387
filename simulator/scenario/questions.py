"""The forecast questions a scenario asks (``questions:``): each on an event or a level, by a month."""

from typing import Self

from pydantic import Field, model_validator

from simulator.scenario.kinds import LevelName, QuestionEvent
from simulator.scenario.sections import MonthField, Section


class Question(Section):
    """A resolvable forecast question on an event or a level, answered by a month."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    text: str = ""
    event: QuestionEvent | None = None
    level: LevelName | None = Field(default=None, description="reached at or above this level")
    by: MonthField

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.event is None) == (self.level is None):
            raise ValueError("a question asks about exactly one of 'event' or 'level'")
        if self.level == "suspended":
            raise ValueError("a level question asks about contact or above ('suspended' is reached by every world)")
        return self
