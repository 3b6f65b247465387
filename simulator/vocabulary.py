"""The names the simulator speaks in: levels, Giles phases, war states and events.

Every output column, question and scenario key that names a level, a phase or
an event uses exactly these strings; docs/sources.md says what each means.
"""

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

#: The state of the war in Ukraine.
WAR_STATES: Final = ("active", "ceasefire", "peace")
WAR_ACTIVE, WAR_CEASEFIRE, WAR_PEACE = range(3)

#: Events whose first month every world records (docs/sources.md, Events).
EVENTS: Final = (
    "contact_resumed",
    "summit",
    "cooperation_deal",
    "arms_control_deal",
    "ceasefire",
    "peace_agreement",
    "sanctions_relief",
    "new_sanctions",
    "congress_sanctions_act",
    "aid_cut",
    "aid_increase",
    "president_turns_tough",
    "scandal",
    "military_incident",
    "russian_escalation",
    "crisis",
    "reset",
    "working_level_deal",
    "black_swan",
    "leadership_change",
    *(f"level>={k}" for k in range(1, len(LEVELS))),
)
EVENT_INDEX: Final = {name: i for i, name in enumerate(EVENTS)}

#: Events a scenario's schedule can force to happen in every world at a month (``force: true``):
#: all but those a shock records (forced with ``event: shock``) and the levels reached.
FORCEABLE: Final = tuple(
    event
    for event in EVENTS
    if event not in ("scandal", "military_incident", "russian_escalation", "black_swan", "leadership_change")
    and not event.startswith("level>=")
)

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
