"""Consistent starts: ``initial`` and ``initial.happened`` must not contradict each other.

A scenario's start (or a forecast's as-of state) says the level, the war, whether
the presidents have met, and which events have happened. Each event implies
something of the state, as the model's own rules read it:

- a summit completes contact: the presidents have met (``policy.hold_summit``),
  and the model holds a meeting only while ties are above suspension
  (``Relationship._move_level`` clears it at suspension);
- ``contact_resumed`` and ``level>=k`` say relations reached that level;
- a ceasefire stops the fighting, a peace agreement ends the war;
- the president orders sanctions relief only once the fighting stops, and relief
  still waiting is dropped if the war resumes (``President._wind_down_the_proxy_war``,
  ``Bureaucracy.step``: 000, "end the war ... gradually lift most sanctions").

A start that denies what its events imply would give questions on those events
a "yes" the worlds' states then contradict, so it is refused.
"""

from simulator.scenario.schema import Initial
from simulator.vocabulary import LEVELS, WAR_STATES

#: The level an event says relations have reached.
_REACHES = {"contact_resumed": 1, **{f"level>={k}": k for k in range(1, len(LEVELS))}}


#: A problem: the key path at fault, what contradicts what, and the key path of the other half.
Problem = tuple[str, str, str]


def start_problems(initial: Initial) -> list[Problem]:
    """Each contradiction between ``initial``'s values and its ``happened`` events."""
    return [*_meeting(initial), *_levels(initial), *_war(initial)]


def _meeting(initial: Initial) -> list[Problem]:
    """A summit means the presidents have met; a meeting is held only above suspension."""
    suspended = initial.level == "suspended"
    if "summit" in initial.happened and (not initial.met or suspended):
        denied = ([] if initial.met else ["met: false"]) + (["level: suspended"] if suspended else [])
        fix = "write met: true" + (" and level: contact or above" if suspended else "")
        return [
            (
                "initial.happened",
                f"summit has happened, so the presidents have met and contact is complete, but {' and '.join(denied)}"
                f" {'say' if len(denied) > 1 else 'says'} otherwise; {fix}, or take summit out of happened",
                "initial.level" if initial.met else "initial.met",
            )
        ]
    if initial.met and suspended:
        return [
            (
                "initial.met",
                "met: true says the presidents' meeting completed contact, but level: suspended says ties are"
                " suspended, and the model holds a meeting only above suspension; raise the level to contact or"
                " write met: false",
                "initial.level",
            )
        ]
    return []


def _levels(initial: Initial) -> list[Problem]:
    """An event that says relations reached a level above the starting one (the highest, if several)."""
    level = LEVELS.index(initial.level)
    reached = [(k, event) for event, k in _REACHES.items() if event in initial.happened and k > level]
    if not reached:
        return []
    k, event = max(reached)
    return [
        (
            "initial.happened",
            f"{event} has happened, so relations reached {LEVELS[k]}, but level: {initial.level} starts them"
            f" below it; start at level: {LEVELS[k]}, or take {event} out of happened",
            "initial.level",
        )
    ]


def _war(initial: Initial) -> list[Problem]:
    """A ceasefire, a peace agreement or sanctions relief with the war still on, or a war's end with no war."""
    war, found = WAR_STATES.index(initial.war), []
    for event, needed, ended in (("ceasefire", 1, "the fighting stopped"), ("peace_agreement", 2, "the war ended")):
        if event in initial.happened and (war < needed or initial.war == "none"):
            found.append(
                (
                    "initial.happened",
                    f"{event} has happened, so {ended}, but war: {initial.war} says otherwise;"
                    f" write war: {' or '.join(WAR_STATES[needed:-1])}, or take {event} out of happened",
                    "initial.war",
                )
            )
    if "sanctions_relief" in initial.happened and initial.war == "active":
        found.append(
            (
                "initial.happened",
                "sanctions_relief has happened, but war: active: the president orders relief only once the fighting"
                " stops, and relief still waiting is dropped if it resumes (000); write war: ceasefire or peace,"
                " or take sanctions_relief out of happened",
                "initial.war",
            )
        )
    return found
