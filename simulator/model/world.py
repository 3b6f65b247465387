"""The shared state of the relationship in every world, and the month's messages between actors.

Each field is a numpy array with one entry per world, so the same code steps
one world or a hundred thousand. State an actor owns (the president's
frustration, Congress's hawkishness) lives on that actor; what several actors
read and change lives here.
"""

from dataclasses import dataclass, field

import numpy as np

from simulator.vocabulary import LEVELS, PHASES, WAR_STATES

Array = np.ndarray


@dataclass
class WorldState:
    """The relationship and US policy, per world (DOMAIN.md section 1)."""

    level: Array  #: Zhao's level, 0 suspended .. 4 strategic partnership (000)
    phase: Array  #: Giles phase, index into PHASES (001)
    phase_age: Array  #: months spent in the current phase
    war: Array  #: index into WAR_STATES
    sanctions: Array  #: US sanctions intensity, 0..1
    aid: Array  #: US military aid to Ukraine, 0..1
    trust: Array  #: mutual trust and perceptions, 0..1 (000)
    opposition: Array  #: US domestic opposition to rapprochement, 0..1 (000)
    review_law: Array  #: a sanctions-review law binds the president (002)
    met: Array  #: contact completed by a presidential meeting (000)
    shared_goals: Array  #: the worldviews have converged on shared strategic goals (001)

    @classmethod
    def initial(
        cls,
        worlds: int,
        level: str,
        phase: str,
        war: str,
        review_law: bool,
        sanctions: Array | float,
        aid: Array | float,
        trust: Array | float,
        opposition: Array | float,
    ) -> "WorldState":
        """The start-month state, the same named state in every world."""

        def filled(value: int | bool | float | Array, dtype: type) -> Array:
            return np.full(worlds, value, dtype=dtype)

        return cls(
            level=filled(LEVELS.index(level), np.int8),
            phase=filled(PHASES.index(phase), np.int8),
            phase_age=filled(0, np.int16),
            war=filled(WAR_STATES.index(war), np.int8),
            sanctions=filled(sanctions, float),
            aid=filled(aid, float),
            trust=filled(trust, float),
            opposition=filled(opposition, float),
            review_law=filled(review_law, bool),
            met=filled(LEVELS.index(level) >= 2, bool),
            shared_goals=filled(False, bool),
        )


@dataclass
class Agenda:
    """What happened this month that other actors respond to; cleared every month."""

    worlds: int
    outreach: Array = field(init=False)  #: the president offers to resume contact
    summit_proposal: Array = field(init=False)  #: a presidential meeting is proposed
    peace_plan: Array = field(init=False)  #: a peace plan is on the table
    deal_offer: Array = field(init=False)  #: a deal in a specific area is offered
    arms_offer: Array = field(init=False)  #: an arms-control deal is offered
    relief_order: Array = field(init=False)  #: the president orders sanctions relief
    concession: Array = field(init=False)  #: size of US concessions made this month (004)
    contact: Array = field(init=False)  #: contact was resumed this month
    summit: Array = field(init=False)  #: a summit was held this month
    first_meeting: Array = field(init=False)  #: ... and it was the presidents' first
    deal_done: Array = field(init=False)  #: a deal was implemented this month
    settled: Array = field(init=False)  #: a ceasefire or peace agreement was reached this month
    setback: Array = field(init=False)  #: a visible failure of the policy this month
    advance: Array = field(init=False)  #: a shock pushes the Giles cycle one phase on
    sours: Array = field(init=False)  #: policy sours the mood: the cycle moves on, short of crisis
    forced_phase: Array = field(init=False)  #: phase a shock throws the world into, or -1
    level_shift: Array = field(init=False)  #: levels gained or lost to shocks

    def __post_init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Start a new month with nothing on the agenda."""
        n = self.worlds
        for name in (
            "outreach",
            "summit_proposal",
            "peace_plan",
            "deal_offer",
            "arms_offer",
            "relief_order",
            "contact",
            "summit",
            "first_meeting",
            "deal_done",
            "settled",
            "setback",
            "advance",
            "sours",
        ):
            setattr(self, name, np.zeros(n, dtype=bool))
        self.concession = np.zeros(n)
        self.forced_phase = np.full(n, -1, dtype=np.int8)
        self.level_shift = np.zeros(n, dtype=np.int8)
