"""One world, month by month: what happened in it and how its state moved, to see the mechanism.

The story is read from what the model shows of any world: ``snapshot`` (its
state, readable) and the event log. Each month's chapter lists the events that
happened for the first time and every part of the state that changed, so new
parts of the snapshot appear in the story without changes here.
"""

from dataclasses import dataclass
from typing import Any

from simulator.model.model import RelationsModel
from simulator.scenario import Scenario
from simulator.vocabulary import EVENTS

#: Smallest change in a share (sanctions, trust, ...) worth a line in the story.
_NOTICEABLE = 0.01


@dataclass(frozen=True)
class Chapter:
    """One month of one world.

    Attributes:
        month: ``YYYY-MM``.
        events: events that happened for the first time this month.
        changes: ``(what, before, after)`` for each part of the state that moved.
        state: the world's state at the end of the month (``RelationsModel.snapshot``).
    """

    month: str
    events: tuple[str, ...]
    changes: tuple[tuple[str, Any, Any], ...]
    state: dict[str, Any]

    def sentences(self) -> list[str]:
        """The chapter in words, one line each."""
        lines = [f"{_words(event)} (first time)" for event in self.events]
        lines += [f"{_words(what)}: {_shown(before)} \u2192 {_shown(after)}" for what, before, after in self.changes]
        return lines or ["nothing changed"]


class OneWorld:
    """A single world of a scenario, stepped by hand.

    Args:
        spec: the scenario.
        seed: the root seed; each seed is a different world.
    """

    def __init__(self, spec: Scenario, seed: int) -> None:
        self.model = RelationsModel(spec, worlds=1, seed=seed)
        self.seed = seed
        self.chapters: list[Chapter] = []
        self.start = self.model.snapshot(0)

    @property
    def done(self) -> bool:
        """Whether the world has reached the horizon."""
        return not self.model.running

    @property
    def state(self) -> dict[str, Any]:
        """The world's state now."""
        return self.chapters[-1].state if self.chapters else self.start

    def step(self) -> Chapter | None:
        """Advance one month and tell what happened; ``None`` once at the horizon."""
        if self.done:
            return None
        before_state = self.state
        before = _happened(self.model)
        self.model.step()
        after = self.model.snapshot(0)
        events = tuple(event for event in EVENTS if event not in before and event in _happened(self.model))
        chapter = Chapter(str(after.get("month")), events, _changes(before_state, after), after)
        self.chapters.append(chapter)
        return chapter


def _happened(model: RelationsModel) -> set[str]:
    return {event for event in EVENTS if bool(model.events.happened(event)[0])}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[tuple[str, Any, Any], ...]:
    moved = []
    for key, now in after.items():
        was = before.get(key)
        if key == "month" or now == was:
            continue
        if isinstance(now, float) and isinstance(was, float) and abs(now - was) < _NOTICEABLE:
            continue
        if key == "months_in_phase":
            continue  # time passing is not news, and a new phase is told by the phase
        moved.append((key, was, now))
    return tuple(moved)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return _words(str(value)) if isinstance(value, str) else str(value)
