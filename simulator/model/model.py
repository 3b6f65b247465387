"""The model: many worlds of US-Russia relations advanced together, one month per step.

Each actor of DOMAIN.md section 2 is one Mesa agent whose state is a numpy
array over worlds, so one ``RelationsModel`` runs a single world for stepping
and inspection or a hundred thousand at numpy speed with the same code.

Every month (``step``), in this order:

1. ``shocks``      - the calendar (midterms, election, treaty expiry, ...), then chance shocks;
2. ``china``       - the China card shapes the US drive and Moscow's wariness;
3. ``president``   - posture (reversals, frustration, backlash), then diplomacy and concessions;
4. ``congress``    - reviews sanctions relief, restores aid, passes sanctions acts;
5. ``bureaucracy`` - implements or drops what was agreed and ordered;
6. ``kremlin``     - reads concessions, answers contact, summits, deals and peace plans;
7. ``allies``      - Ukraine answers a plan Moscow accepted; ceasefires hold or break;
8. ``relationship``- the Giles phase moves, then the level moves through its gates;
9. ``publics``     - trust drifts, opposition reacts to success and to failure;

then the month is recorded.
"""

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from simulator.model.agents import Allies, Bureaucracy, China, Congress, Kremlin, President, Publics
from simulator.model.events import EventLog
from simulator.model.randomness import Streams
from simulator.model.recorder import Recorder
from simulator.model.relations import Relationship, by_phase, by_phase_table
from simulator.model.shocks import Shocks
from simulator.model.world import Agenda, WorldState
from simulator.months import Month
from simulator.scenario import Scenario, assumptions
from simulator.scenario.distributions import Assumption, Fixed
from simulator.vocabulary import LEVELS, PHASES, WAR_STATES, level_event

#: Spawn key of the generator handed to Mesa; the model's own draws use named streams.
_MESA_STREAM = 2**31 - 1


class RelationsModel(mesa.Model):
    """US-Russia relations in ``worlds`` simulated worlds, from a scenario.

    Args:
        spec: the validated scenario.
        worlds: how many worlds to advance together.
        seed: the root seed; with ``first_world`` it fixes every random number.
        first_world: index of this model's first world in the whole run (a
            multiple of ``randomness.BLOCK``), so that a run split into chunks
            draws exactly what it would draw whole.
        paths: keep every world's month-by-month path (``recorder.paths``).
        design: per-world values (arrays of length ``worlds``) by key path, used
            in place of drawing those assumptions: a sampling plan run as worlds.
    """

    def __init__(
        self,
        spec: Scenario,
        worlds: int = 1,
        seed: int = 0,
        first_world: int = 0,
        paths: bool = False,
        design: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_MESA_STREAM,))))
        self.spec = spec
        self.worlds = worlds
        self.first_world = first_world
        self.month = 0
        self.streams = Streams(seed, first_world, worlds)
        self.draws = {path: self._draw(path, assumption) for path, assumption in assumptions(spec)}
        self.draws |= {path: np.asarray(values, dtype=np.float64) for path, values in (design or {}).items()}
        self.structure = _StructureDraws(self)

        initial = spec.initial
        self.state = WorldState.initial(
            worlds,
            initial.level,
            initial.phase,
            initial.war,
            initial.review_law,
            sanctions=self.assume("initial.sanctions"),
            aid=self.assume("initial.aid"),
            trust=self.assume("initial.trust"),
            opposition=self.assume("initial.opposition"),
        )
        self.agenda = Agenda(worlds)
        self.events = EventLog(worlds)

        self.shocks = Shocks(self)
        self.china = China(self)
        self.president = President(self)
        self.congress = Congress(self)
        self.bureaucracy = Bureaucracy(self)
        self.kremlin = Kremlin(self)
        self.allies = Allies(self)
        self.relationship = Relationship(self)
        self.publics = Publics(self)
        self.up = by_phase_table([self.assume(f"structure.up.{p}") for p in PHASES])
        self.down = by_phase_table([self.assume(f"structure.down.{p}") for p in PHASES])
        self.recorder = Recorder(self, paths=paths)
        for k in range(1, len(LEVELS)):
            self.events.record(level_event(k), self.state.level >= k)

    def assume(self, path: str) -> np.ndarray | float:
        """Each world's value of the assumption at ``path`` (e.g. ``president.volatility``).

        A fixed assumption is one number every world shares; numpy broadcasts it
        wherever an array of worlds would go, so arithmetic reads the same.
        """
        return self.draws[path]

    def _draw(self, path: str, assumption: Assumption) -> np.ndarray | float:
        if isinstance(assumption, Fixed):
            return np.float64(assumption.value)
        return assumption.ppf(self.streams.uniform(f"assume:{path}"))

    @property
    def calendar_month(self) -> Month:
        """The month being simulated."""
        return self.spec.start.plus(self.month)

    def step(self) -> None:
        """Advance every world by one month, in the order of the module docstring."""
        self.agenda.clear()
        self.streams.month = self.events.month = self.month
        self.shocks.step()
        for actor in (self.china, self.president, self.congress, self.bureaucracy, self.kremlin, self.allies):
            actor.step()
        self.relationship.step()
        self.publics.step()
        self.recorder.record()
        self.month += 1
        self.running = self.month < self.spec.months

    def run_model(self) -> None:
        """Step from the start month through the horizon."""
        while self.running:
            self.step()

    # US policy instruments several actors use -------------------------------------------

    def up_factor(self) -> np.ndarray:
        """How the current Giles phase multiplies upward moves in each world (001)."""
        return by_phase(self.up, self.state.phase)

    def down_factor(self) -> np.ndarray:
        """How the current Giles phase multiplies the loss of a level in each world (001)."""
        return by_phase(self.down, self.state.phase)

    def impose_sanctions(self, where: np.ndarray) -> None:
        """A round of major new US sanctions (000)."""
        state = self.state
        harsher = np.minimum(1, state.sanctions + self.structure.sanctions_step)
        state.sanctions = np.where(where, harsher, state.sanctions)
        self.events.record("new_sanctions", where)

    def lift_sanctions(self, where: np.ndarray) -> None:
        """A round of sanctions relief; a concession the Kremlin reads as weakness (000, 004)."""
        state = self.state
        before = state.sanctions
        state.sanctions = np.where(where, np.maximum(0, before - self.structure.relief_step), before)
        self.agenda.concession += before - state.sanctions
        self.events.record("sanctions_relief", where)

    def increase_aid(self, where: np.ndarray) -> None:
        """More US military aid to Ukraine (000)."""
        state = self.state
        state.aid = np.where(where, np.minimum(1, state.aid + self.structure.aid_step), state.aid)
        self.events.record("aid_increase", where)

    def hold_summit(self, where: np.ndarray) -> None:
        """The presidents meet: contact is completed (000); a new president's first meeting can open a reset."""
        self.events.record("summit", where)
        self.agenda.first_meeting |= where & (~self.state.met | self.president.new_in_office)
        self.president.new_in_office &= ~where
        self.state.met |= where
        self.agenda.summit |= where
        self.agenda.contact |= where

    def snapshot(self, world: int = 0) -> dict[str, Any]:
        """One world's state this month, readable: for stepping a single world by hand."""
        state = self.state
        return {
            "month": str(self.spec.start.plus(self.month - 1)) if self.month else None,
            "level": LEVELS[state.level[world]],
            "phase": PHASES[state.phase[world]],
            "months_in_phase": int(state.phase_age[world]),
            "war": WAR_STATES[state.war[world]],
            "sanctions": round(float(state.sanctions[world]), 3),
            "aid": round(float(state.aid[world]), 3),
            "trust": round(float(state.trust[world]), 3),
            "opposition": round(float(state.opposition[world]), 3),
            "president_engaged": bool(self.president.engaged[world]),
            "frustration": round(float(self.president.frustration[world]), 3),
            "hawkishness": round(float(self.congress.hawkishness[world]), 3),
            "review_law": bool(state.review_law[world]),
        }


class _StructureDraws:
    """The sampled step sizes of US policy instruments, by name."""

    def __init__(self, model: RelationsModel) -> None:
        self.sanctions_step = model.assume("structure.sanctions_step")
        self.relief_step = model.assume("structure.relief_step")
        self.aid_step = model.assume("structure.aid_step")
        self.deal_rate = model.assume("structure.deal_rate")
        self.arms_control_rate = model.assume("structure.arms_control_rate")
