"""The names the simulator speaks in: levels, Giles phases, war states and events.

Every output column, question and scenario key that names a level, a phase or
an event uses exactly these strings; docs/sources.md says what each means.
"""

from dataclasses import dataclass
from typing import Final

#: Zhao's four levels of the relationship (000), with the suspended state below them.
LEVELS: Final = (
    "suspended",
    "contact",
    "selective_cooperation",
    "normalization",
    "strategic_partnership",
)
SUSPENDED, CONTACT, SELECTIVE_COOPERATION, NORMALIZATION, STRATEGIC_PARTNERSHIP = range(5)

#: The Giles cycle as Deni tells it (001), in the order the cycle runs.
PHASES: Final = ("euphoria", "realism", "disillusionment", "crisis", "reset")
EUPHORIA, REALISM, DISILLUSIONMENT, CRISIS, RESET = range(5)

#: The state of the war in Ukraine: fighting, a ceasefire, a peace that ended it, or no war at all
#: (``none``: before 2022-02, the record's ``war`` column; no ceasefire or peace to reach, no war-ended relief).
#: ``none`` comes last, so every gate that opens once the war is over (``war >= war_over``) is open without one.
WAR_STATES: Final = ("active", "ceasefire", "peace", "none")
WAR_ACTIVE, WAR_CEASEFIRE, WAR_PEACE, WAR_NONE = range(4)

#: How an event comes about: forced by a scenario's schedule (``force: true``, acted out by
#: ``model.shocks.force``), recorded by a chance or scheduled shock that strikes, or a level reached.
FORCED, SHOCK, LEVEL = "forced", "shock", "level"


@dataclass(frozen=True)
class Event:
    """One event every world records the first month of (docs/sources.md, Events).

    Attributes:
        name: the event's name in outputs, questions and schedules.
        kind: ``FORCED`` (a schedule can force it in every world: ``force: true``), ``SHOCK``
            (recorded when the shock ``shock`` strikes; a schedule strikes it with ``event: shock``)
            or ``LEVEL`` (relations first reach level ``level`` or higher).
        label: how plots and tables name it.
        words: how a narrative tells it.
        shock: the shock that records it (``SHOCK`` only).
        level: the level it marks reaching (``LEVEL`` only).
        repeats: whether the model can record it in more than one month of a world, so that a question
            can ask whether it happens again or at least n times (every event asked with ``event:`` can).
    """

    name: str
    kind: str
    label: str
    words: str = ""
    shock: str | None = None
    level: int | None = None
    repeats: bool = True

    @property
    def asked_as(self) -> str:
        """The key of a scenario's question that asks about this event: ``event``, or ``level`` for a level."""
        return "level" if self.kind == LEVEL else "event"


def _event(name: str, kind: str, words: str = "", shock: str | None = None) -> Event:
    return Event(name, kind, name.replace("_", " "), words or name.replace("_", " "), shock)


def _level_event(level: int) -> Event:
    words = f"relations at {LEVELS[level].replace('_', ' ')} or higher"
    return Event(f"level>={level}", LEVEL, words, words, level=level)


#: The events, in the order of every output that lists them (docs/sources.md, Events). A new event
#: is added here, with its kind; a test forces every ``FORCED`` one and strikes every ``SHOCK`` one.
EVENT_TABLE: Final = (
    _event("contact_resumed", FORCED, "contact resumes"),
    _event("summit", FORCED, "the presidents meet"),
    _event("cooperation_deal", FORCED, "a cooperation deal"),
    _event("arms_control_deal", FORCED, "an arms-control deal"),
    _event("ceasefire", FORCED, "a ceasefire"),
    _event("peace_agreement", FORCED, "a peace agreement"),
    _event("sanctions_relief", FORCED, "sanctions relief"),
    _event("new_sanctions", FORCED, "new US sanctions"),
    _event("congress_sanctions_act", FORCED, "Congress passes a sanctions act"),
    _event("aid_cut", FORCED, "US aid to Ukraine is cut"),
    _event("aid_increase", FORCED, "US aid to Ukraine rises"),
    _event("president_turns_tough", FORCED, "the president turns tough"),
    _event("disengage", FORCED, "the president walks away from the talks"),
    _event("scandal", SHOCK, "a scandal", shock="scandal"),
    _event("military_incident", SHOCK, "a military incident", shock="military_incident"),
    _event("russian_escalation", SHOCK, "Russia escalates", shock="ukraine_escalation"),
    _event("crisis", FORCED, "a crisis"),
    _event("reset", FORCED, "a reset"),
    _event("working_level_deal", FORCED),
    _event("black_swan", SHOCK, shock="black_swan"),
    _event("leadership_change", SHOCK, shock="leadership_change"),
    *(_level_event(k) for k in range(1, len(LEVELS))),
)
EVENTS_BY_NAME: Final = {event.name: event for event in EVENT_TABLE}

#: Events whose first month every world records, in the table's order.
EVENTS: Final = tuple(event.name for event in EVENT_TABLE)
EVENT_INDEX: Final = {name: i for i, name in enumerate(EVENTS)}

#: Events a scenario's schedule can force to happen in every world at a month (``force: true``).
FORCEABLE: Final = tuple(event.name for event in EVENT_TABLE if event.kind == FORCED)

#: The event each shock records when it strikes, by the shock's name (shocks not listed record none).
SHOCK_EVENTS: Final = {event.shock: event.name for event in EVENT_TABLE if event.kind == SHOCK}

#: Events a scenario's question names with ``event:`` (a level reached is asked with ``level:``).
QUESTION_EVENTS: Final = tuple(event.name for event in EVENT_TABLE if event.asked_as == "event")

#: Events the terminal summary shows first.
KEY_EVENTS: Final = (
    "summit",
    "cooperation_deal",
    "ceasefire",
    "peace_agreement",
    "sanctions_relief",
    "president_turns_tough",
    "congress_sanctions_act",
    "russian_escalation",
    "crisis",
)


def level_event(level: int) -> str:
    """The event that marks a world first reaching ``level`` or above."""
    return f"level>={level}"


def event_label(event: str) -> str:
    """How plots and tables name an event."""
    return EVENTS_BY_NAME[event].label
