"""The model: many worlds of US-Russia relations advanced together, one month per step.

Each actor's state is a numpy array over worlds, so one ``RelationsModel``
runs a single world for stepping and inspection or a hundred thousand at
numpy speed with the same code. Every actor that decides
chooses each month among a few options by what each is worth to it in its
world (``simulator.model.choice``); docs/model.md tells each actor's goals,
options and values, with its sources.

Every month (``step``), in this order:

1. ``shocks``      - the calendar (elections, forced events, changes of assumptions), then chance shocks;
2. the agents, through Mesa in the order they were registered:
   ``publics``     - trust drifts, opposition reacts to last month's success and failure;
   ``president``   - engages, concedes, pressures Moscow or walks away;
   ``congress``    - reviews relief; holds, passes a sanctions act or an aid package;
   ``bureaucracy`` - implements, delays or drops what was agreed and ordered;
   ``kremlin``     - settles, talks, stalls, rejects or escalates;
   ``allies``      - Europe pushes back and eases; a ceasefire holds or breaks; Ukraine answers terms;
3. ``relationship``- the Giles phase moves, then the level moves through its gates;

then the month is recorded (``publics.remember`` keeps this month's level for
the next). China is no agent: it shapes the president's and the Kremlin's
values (``agents.china``).

What the model takes from Mesa, and why (docs/model.md, "Mesa"): ``mesa.Model``
and ``mesa.Agent`` for the registry of the six deciding actors, which
``agents.do("step")`` steps in the order they were registered, and the
model's ``running`` flag and step count; with them a one-world model is an
ordinary Mesa model that Mesa's tools (``batch_run``, ``DataCollector``) run
as they are, which is how bench/throughput.py compares the two. The shocks and
the relationship are stepped by hand around the agents, because they are no
actors: the calendar comes before anyone acts and the gates after everyone
has. What it does not take: Mesa's random generators, which ``mesa.Model``
always makes (given the root seed here, so that anything of Mesa's drawing on
them would stay seed-only); the model never draws on them. Every draw comes
from the named streams of ``simulator.model.randomness``, addressed by world
and month, which a run split into chunks across processes needs and one
sequential generator cannot give. Nor its data collection: the recorder
counts over arrays of worlds, where Mesa collects a row per agent and step.
"""

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from simulator.model.agents import Allies, Bureaucracy, China, Congress, Kremlin, President, Publics
from simulator.model.agents.kremlin import OPTIONS as KREMLIN_OPTIONS
from simulator.model.agents.president import COURSES
from simulator.model.answers import Answers, counted_events
from simulator.model.events import EventLog
from simulator.model.params import Params
from simulator.model.randomness import Streams
from simulator.model.recorder import Recorder
from simulator.model.relations import PhaseValues, Relationship, by_phase_table
from simulator.model.shocks import Shocks
from simulator.model.world import REAL, Agenda, WorldState
from simulator.months import Month
from simulator.scenario import Scenario, assumptions
from simulator.scenario.distributions import Assumption, Fixed
from simulator.vocabulary import LEVELS, PHASES, WAR_STATES, level_event


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
        design: per-world values (arrays of length ``worlds``) that replace the
            draws of the assumptions they name, for designed experiments.
        history: keep every world's path through this many months, so that worlds can be
            selected and copied within them (``selection.select``): for conditioning on evidence.
    """

    def __init__(
        self,
        spec: Scenario,
        worlds: int = 1,
        seed: int = 0,
        first_world: int = 0,
        paths: bool = False,
        design: Mapping[str, np.ndarray] | None = None,
        history: int = 0,
    ) -> None:
        super().__init__(rng=seed)  # Mesa's generators: seeded, and never drawn on (module docstring)
        self.spec = spec
        self.worlds = worlds
        self.first_world = first_world
        self.month = 0
        self.streams = Streams(seed, first_world, worlds, months=spec.months)
        self.draws = {path: self._draw(f"assume:{path}", assumption) for path, assumption in assumptions(spec)}
        self.draws.update(design or {})
        self.p = Params({path: _real(value) for path, value in self.draws.items()})

        initial = self.draws
        # The initial numbers a scenario may give as distributions: the assumptions of its initial block.
        drawn_initial = {path.removeprefix("initial."): v for path, v in initial.items() if path.startswith("initial.")}
        self.state = WorldState.initial(worlds, spec.initial, drawn_initial)
        self._phase_tables()
        self.aid_reference = self.state.aid.copy()
        self.initial_intensity = np.broadcast_to(initial["initial.intensity"], (worlds,)).astype(REAL)
        self.agenda = Agenda(worlds)
        self.events = EventLog(worlds, counted_events(spec.questions))
        for event in spec.initial.happened:
            self.events.record(event, np.ones(worlds, dtype=bool))

        self.shocks = Shocks(self)
        self.china = China(self)
        # Registered in the order they step (Mesa keeps it).
        self.publics = Publics(self)
        self.president = President(self)
        self.congress = Congress(self)
        self.bureaucracy = Bureaucracy(self)
        self.kremlin = Kremlin(self)
        self.allies = Allies(self)
        self.relationship = Relationship(self)
        self.recorder = Recorder(self, paths=paths, history=history)
        self.answers = Answers(self)
        for k in range(1, len(LEVELS)):
            self.events.record(level_event(k), self.state.level >= k)

    def _draw(self, stream: str, assumption: Assumption) -> np.ndarray | np.float64:
        if isinstance(assumption, Fixed):
            return np.float64(assumption.value)
        return assumption.ppf(self.streams.uniform(stream))

    def _phase_tables(self) -> None:
        """The structural values that depend on the Giles phase, and each world's for its phase now (001).

        The phase's factors are raised to the power ``structure_weight`` (``structure.agency``): at
        1 they are as given; a structural reading (001) sharpens them, a reading of agency (000)
        flattens them toward 1, where the phase no longer helps or hinders.
        """
        structure = self.p.structure
        power = _per_phase(self.structure_weight())
        up = by_phase_table([getattr(structure.up, p) for p in PHASES])
        with np.errstate(divide="ignore"):  # an up factor of 0 shuts talking: log 0 = -inf
            log_up = np.log(up)
            log_up = np.where(power == 0, 0.0, power * log_up)
        tables = {
            "clock": 1 / by_phase_table([getattr(structure.phase_months, p) for p in PHASES]),
            "up": up**power,
            "log_up": log_up,
            "down": by_phase_table([getattr(structure.down, p) for p in PHASES]) ** power,
        }
        self.phase_values = PhaseValues(tables, self.state.phase)

    def change(self, values: Mapping[str, Assumption]) -> None:
        """Assumptions take new values from this month on (a scheduled ``change``), drawn per world."""
        for path, assumption in values.items():
            self.p.set(path, _real(self._draw(f"change:{path}@{self.month}", assumption)))
        self.refresh()

    def refresh(self) -> None:
        """Work out again what is derived from the parameters, after they changed (or worlds were copied)."""
        self._phase_tables()
        self.china.refresh()

    def leader_weight(self) -> np.ndarray | float:
        """How much the leaders' own drives count in each world: 2 x ``structure.agency`` (1 at the midpoint)."""
        return 2 * self.p.structure.agency

    def structure_weight(self) -> np.ndarray | float:
        """How much the Giles phase counts in each world: 2 x (1 - ``structure.agency``) (1 at the midpoint)."""
        return 2 * (1 - self.p.structure.agency)

    @property
    def calendar_month(self) -> Month:
        """The month being simulated."""
        return self.spec.start.plus(self.month)

    def step(self) -> None:
        """Advance every world by one month, in the order of the module docstring."""
        self.agenda.clear()
        self.streams.month = self.events.month = self.month
        self.shocks.step()
        self.agents.do("step")
        self.relationship.step()
        self.publics.remember()
        self.recorder.record()
        self.answers.record()
        self.month += 1
        self.running = self.month < self.spec.months

    def run_model(self) -> None:
        """Step from the start month through the horizon."""
        while self.running:
            self.step()

    def up_factor(self) -> np.ndarray:
        """How the current Giles phase multiplies upward moves in each world (001); read, not written."""
        return self.phase_values.now["up"]

    def log_up_factor(self) -> np.ndarray:
        """The log of ``up_factor``: how the phase moves the value of talking (001); read, not written."""
        return self.phase_values.now["log_up"]

    def down_factor(self) -> np.ndarray:
        """How the current Giles phase multiplies the loss of a level in each world (001); read, not written."""
        return self.phase_values.now["down"]

    def snapshot(self, world: int = 0) -> dict[str, Any]:
        """One world's state and this month's choices, readable: for stepping a single world by hand."""
        state = self.state
        return {
            "month": str(self.spec.start.plus(self.month - 1)) if self.month else None,
            "level": LEVELS[state.level[world]],
            "phase": PHASES[state.phase[world]],
            "months_in_phase": int(state.phase_age[world]),
            "war": WAR_STATES[state.war[world]],
            "intensity": round(float(state.intensity[world]), 3),
            "sanctions": round(float(state.sanctions[world]), 3),
            "aid": round(float(state.aid[world]), 3),
            "trust": round(float(state.trust[world]), 3),
            "opposition": round(float(state.opposition[world]), 3),
            "president": COURSES[self.president.course[world]],
            "president_engaged": bool(self.president.engaged[world]),
            "frustration": round(float(self.president.frustration[world]), 3),
            "kremlin": KREMLIN_OPTIONS[self.kremlin.choice[world]],
            "hawkishness": round(float(self.congress.hawkishness[world]), 3),
            "review_law": bool(state.review_law[world]),
        }


def _per_phase(value: np.ndarray | float) -> np.ndarray | float:
    """A per-world value shaped to multiply a (worlds, phases) table; one shared number as it is."""
    return value[:, None] if np.ndim(value) else value


def _real(value: np.ndarray | np.floating | float) -> np.ndarray | float:
    """A parameter as the model computes with it, in ``REAL``: per-world values, or one shared number.

    A shared number is a ``REAL`` scalar too, so that multiplying a mask or a
    level by it stays in single precision (a plain float would give double).
    """
    if np.ndim(value):
        return np.asarray(value, dtype=REAL)
    return REAL(value)
