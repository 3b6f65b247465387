"""The shared state of the relationship in every world, and the month's messages between actors.

Each field is a numpy array with one entry per world, so the same code steps
one world or a hundred thousand. State an actor owns (the president's
frustration, Congress's hawkishness) lives on that actor; what several actors
read and change lives here (docs/model.md, "State").
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from simulator.model.arrays import REAL, share
from simulator.scenario.initial import Initial
from simulator.vocabulary import CONTACT, LEVELS, PHASES, WAR_ACTIVE, WAR_STATES

Array = np.ndarray


@dataclass
class WorldState:
    """The relationship, the war and Western policy, per world."""

    #: Continuous state whose mean over worlds the recorder keeps month by month (before the actors' own).
    tracked: ClassVar[tuple[str, ...]] = ("sanctions", "aid", "trust", "opposition", "intensity")

    level: Array  #: Zhao's level, 0 suspended .. 4 strategic partnership (000)
    phase: Array  #: Giles phase, index into PHASES (001)
    phase_age: Array  #: months spent in the current phase
    war: Array  #: index into WAR_STATES
    intensity: Array  #: how hard the fighting is while the war is active, 0..1 (0 otherwise)
    sanctions: Array  #: US sanctions intensity, 0..1
    europe_sanctions: Array  #: Europe's own sanctions, 0..1 (004)
    aid: Array  #: US military aid to Ukraine, 0..1
    trust: Array  #: mutual trust and perceptions, 0..1 (000)
    opposition: Array  #: US domestic opposition to rapprochement, 0..1 (000)
    scandal_heat: Array  #: how alive a Trump-Russia scandal is, 0..1, fading (002)
    review_law: Array  #: a sanctions-review law binds the president (002)
    met: Array  #: contact completed by a presidential meeting (000)
    shared_goals: Array  #: the worldviews have converged on shared strategic goals (001)

    def domestic_attack(self) -> Array:
        """How hard the president is attacked at home: opposition above one half, 0..1 (000)."""
        return share(2 * (self.opposition - 0.5))

    @classmethod
    def initial(cls, worlds: int, spec_initial: Initial, values: dict[str, Any]) -> "WorldState":
        """The start-month state: the scenario's named state in every world, with drawn numbers in ``values``."""

        def filled(value: Any, dtype: type) -> Array:
            return np.full(worlds, value, dtype=dtype)

        level = LEVELS.index(spec_initial.level)
        war = WAR_STATES.index(spec_initial.war)
        return cls(
            level=filled(level, np.int8),
            phase=filled(PHASES.index(spec_initial.phase), np.int8),
            phase_age=filled(0, np.int16),
            war=filled(war, np.int8),
            intensity=filled(values["intensity"] if war == 0 else 0.0, REAL),
            sanctions=filled(values["sanctions"], REAL),
            europe_sanctions=filled(values["europe_sanctions"], REAL),
            aid=filled(values["aid"], REAL),
            trust=filled(values["trust"], REAL),
            opposition=filled(values["opposition"], REAL),
            scandal_heat=filled(0.0, REAL),
            review_law=filled(spec_initial.review_law, bool),
            met=filled(spec_initial.met or level > CONTACT, bool),
            shared_goals=filled(False, bool),
        )

    def show(self, world: int) -> dict[str, Any]:
        """One world's state, readable (``RelationsModel.snapshot``)."""
        return {
            "level": LEVELS[self.level[world]],
            "phase": PHASES[self.phase[world]],
            "months_in_phase": int(self.phase_age[world]),
            "war": WAR_STATES[self.war[world]],
            "intensity": round(float(self.intensity[world]), 3),
            "sanctions": round(float(self.sanctions[world]), 3),
            "aid": round(float(self.aid[world]), 3),
            "trust": round(float(self.trust[world]), 3),
            "opposition": round(float(self.opposition[world]), 3),
            "review_law": bool(self.review_law[world]),
        }


class AidPause:
    """A pause of US aid to Ukraine, per world: a policy, whoever starts it (004).

    The president pauses aid to move stuck talks (``policy.pause_aid``); it runs for some
    months, after which the withheld aid flows again if the war goes on (``resume``). More
    aid (``policy.increase_aid``) or an end of aid (``policy.end_aid``) ends it early.

    Attributes:
        left: months the pause has to run; 0 without one.
        withheld: aid withheld by the running pause, restored when it ends.
    """

    def __init__(self, worlds: int) -> None:
        self.left = np.zeros(worlds, dtype=REAL)
        self.withheld = np.zeros(worlds, dtype=REAL)

    def resume(self, state: WorldState) -> None:
        """A month of the pause passes; where it runs out, the withheld aid flows again while the war goes on (004)."""
        running = np.flatnonzero(self.left)  # few worlds: work on their indices
        if not running.size:
            return
        self.left[running] -= 1
        ends = running[self.left[running] == 0]
        flows = ends[state.war[ends] == WAR_ACTIVE]
        state.aid[flows] = np.minimum(1, state.aid[flows] + self.withheld[flows])
        self.withheld[ends] = 0.0


#: The month's messages: flags (who proposed, accepted, suffered what) and amounts.
_FLAGS = (
    "outreach",  # the president offers to resume contact
    "summit_proposal",  # a presidential meeting is proposed: the pair's first, or a new president's
    "meeting_proposal",  # a later meeting of presidents who have met is proposed
    "peace_plan",  # peace terms are on the table
    "working_offer",  # a working-level deal is offered (prisoners, embassies, narrow talks)
    "deal_offer",  # a deal in a specific area is offered (Arctic, energy)
    "arms_offer",  # an arms-control deal is offered
    "relief_order",  # the president orders sanctions relief
    "contact",  # contact was resumed this month
    "summit",  # a summit was held this month
    "first_meeting",  # ... and it was the presidents' first
    "deal_done",  # a deal was implemented this month
    "settled",  # a ceasefire or peace agreement was reached this month
    "setback",  # a visible failure of the policy this month
    "advance",  # a shock pushes the Giles cycle one phase on
    "sours",  # policy sours the mood: the cycle moves on, short of crisis
)


@dataclass
class Agenda:
    """What happened this month that other actors respond to; cleared every month."""

    worlds: int
    outreach: Array = field(init=False)
    summit_proposal: Array = field(init=False)
    meeting_proposal: Array = field(init=False)
    peace_plan: Array = field(init=False)
    working_offer: Array = field(init=False)
    deal_offer: Array = field(init=False)
    arms_offer: Array = field(init=False)
    relief_order: Array = field(init=False)
    contact: Array = field(init=False)
    summit: Array = field(init=False)
    first_meeting: Array = field(init=False)
    deal_done: Array = field(init=False)
    settled: Array = field(init=False)
    setback: Array = field(init=False)
    advance: Array = field(init=False)
    sours: Array = field(init=False)
    concession: Array = field(init=False)  #: size of US concessions made this month (000, 004)
    pressure: Array = field(init=False)  #: grade of US pressure on Moscow this month, 0..1
    forced_phase: Array = field(init=False)  #: phase a shock throws the world into, or -1
    level_shift: Array = field(init=False)  #: levels gained or lost to shocks

    def __post_init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Start a new month with nothing on the agenda."""
        n = self.worlds
        for name in _FLAGS:
            setattr(self, name, np.zeros(n, dtype=bool))
        self.concession = np.zeros(n, dtype=REAL)
        self.pressure = np.zeros(n, dtype=REAL)
        self.forced_phase = np.full(n, -1, dtype=np.int8)
        self.level_shift = np.zeros(n, dtype=np.int8)
