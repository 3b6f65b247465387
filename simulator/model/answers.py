"""Each scenario question answered in each world, month by month (``scenario.questions``).

A question on an event's first month or a level first reached is read at the horizon from the
event log. The others keep one flag per world, set as the months pass: a fall to a level (at the
end of some month through ``by``), a level that holds (at the end of every month from ``from``
through ``by``), and an event's months counted by ``by`` (``again``, ``times``: the event log
counts the months of the events these ask about). Combinations join two questions' answers world
by world, so that whatever ties them in the model (one summit opening both a deal and a level)
is kept rather than multiplied away.

When worlds are selected and copied (conditioning on evidence), each flag travels with its world.
"""

from __future__ import annotations

import numpy as np

from simulator.model.events import NEVER
from simulator.model.interface import Model
from simulator.scenario.questions import COMBINATIONS, Question
from simulator.vocabulary import EVENT_INDEX, LEVELS, level_event


def counted_events(questions: list[Question]) -> tuple[str, ...]:
    """The events whose months the questions count (``again``, ``times``), each once."""
    return tuple(dict.fromkeys(q.event for q in questions if q.needed_months is not None and q.event is not None))


class Answers:
    """Each question's answer in each world of a model.

    Attributes:
        flags: by question id, for the kinds followed month by month, each world's answer so far.
    """

    def __init__(self, model: Model) -> None:
        spec = model.spec
        self.model = model
        self.questions = spec.questions
        self.by = {q.id: q.by.minus(spec.start) for q in spec.questions if q.by is not None}
        self.first = {q.id: q.from_.minus(spec.start) for q in spec.questions if q.from_ is not None}
        self.flags = {
            q.id: np.full(model.worlds, q.kind == "holds")
            for q in spec.questions
            if q.kind in ("again", "times", "falls_to", "holds")
        }

    def record(self) -> None:
        """Follow this month's levels and counted events into the flags (after the month is recorded)."""
        model, m = self.model, self.model.month
        level = model.state.level
        for question in self.questions:
            flag = self.flags.get(question.id)
            if flag is None or m > self.by[question.id]:
                continue
            if question.kind == "falls_to":
                flag |= level <= LEVELS.index(question.falls_to)
            elif question.kind == "holds" and m >= self.first[question.id]:
                flag &= level >= LEVELS.index(question.holds)
            elif question.needed_months is not None and question.event is not None and m == self.by[question.id]:
                flag[:] = model.events.counts[question.event] >= question.needed_months

    def select(self, index: np.ndarray) -> None:
        """Keep worlds ``index`` (with repeats): each flag travels with its world."""
        self.flags = {qid: flag[index] for qid, flag in self.flags.items()}

    def worlds(self) -> dict[str, np.ndarray]:
        """Each question's answer in each world, by question id: read once the worlds reach the horizon."""
        first = self.model.events.first
        found: dict[str, np.ndarray] = {}
        for question in self.questions:
            if question.kind in ("event", "level"):
                event = question.event or level_event(LEVELS.index(question.level))
                month = first[EVENT_INDEX[event]]
                found[question.id] = (month != NEVER) & (month <= self.by[question.id])
            elif question.kind not in COMBINATIONS:
                found[question.id] = self.flags[question.id].copy()
        for question in self.questions:
            if question.parts is not None:
                a, b = (found[part] for part in question.parts)
                found[question.id] = a & b if question.kind == "both" else a | b
        return found

    def counts(self) -> np.ndarray:
        """(questions,) how many worlds answer each question yes, in the scenario's order."""
        found = self.worlds()
        return np.array([np.count_nonzero(found[q.id]) for q in self.questions], dtype=np.int64)
