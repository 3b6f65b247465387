"""The model: many worlds of US-Russia relations advanced together, one month per step.

Each actor's state is a numpy array over worlds, so one ``RelationsModel``
runs a single world for stepping and inspection or a hundred thousand at
numpy speed with the same code. Every actor that decides
chooses each month among a few options by what each is worth to it in its
world (``simulator.model.choice``); docs/model.md tells each actor's goals,
options and values, with its sources.

Every month (``step``) the model steps its parts in the one order of
``simulator.model.order`` (``ORDER``: the shocks and the calendar, then the publics,
the president, Congress, the bureaucracy, the Kremlin and the allies, then the
relationship), lets each keep what it needs of the month, and records it. Each
part is an ``Actor`` (``simulator.model.interface``) that declares its parameters,
its state, what is recorded and written of it, and what shocks do to it; the
recorder, the rows and ``snapshot`` are built from those declarations
(docs/actors.md). China is an actor that does not step: it shapes the
president's and the Kremlin's values (``agents.china``).

What the model takes from Mesa, and why (docs/model.md, "Mesa"): ``mesa.Model``
for the model's ``running`` flag and step count, and ``mesa.Agent`` for the registry
of the six deciding actors (``model.agents``); with them a one-world model is an
ordinary Mesa model that Mesa's tools (``batch_run``, ``DataCollector``) run as
they are, which is how bench/throughput.py compares the two. The order is the
model's own list (``order.ORDER``), stepped directly: the calendar comes before
anyone acts and the gates after everyone has, and neither is an agent. What it
does not take: Mesa's random generators, which ``mesa.Model`` always makes (given
the root seed here, so that anything of Mesa's drawing on them would stay
seed-only); the model never draws on them. Every draw comes from the named
streams of ``simulator.model.randomness``, addressed by world and month, which a
run split into chunks across processes needs and one sequential generator cannot
give. Nor its data collection: the recorder counts over arrays of worlds, where
Mesa collects a row per agent and step.
"""

from collections.abc import Callable, Mapping
from typing import Any

import mesa
import numpy as np

from simulator.model import order
from simulator.model.answers import Answers, counted_events
from simulator.model.events import EventLog
from simulator.model.interface import (
    Actor,
    BureaucracySide,
    ChinaSide,
    CongressSide,
    KremlinSide,
    PresidentSide,
    ShockSide,
)
from simulator.model.params import Params
from simulator.model.phases import PhaseValues, by_phase_table
from simulator.model.randomness import Streams
from simulator.model.recorder import Recorder
from simulator.model.relations import Relationship
from simulator.model.world import REAL, Agenda, AidPause, WorldState
from simulator.months import Month
from simulator.scenario import Scenario, assumptions
from simulator.scenario.distributions import Assumption, Fixed
from simulator.vocabulary import LEVELS, PHASES, level_event


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

    Attributes:
        actors: every part that acts or shapes the others, built and stepped in ``order.ORDER``;
            each is also an attribute by its name (``model.president``).
    """

    # The actors the others ask things of, as they see them (``interface``); set from ``order.ORDER``.
    shocks: ShockSide
    china: ChinaSide
    president: PresidentSide
    congress: CongressSide
    bureaucracy: BureaucracySide
    kremlin: KremlinSide
    relationship: Relationship

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

        self.aid_pause = AidPause(worlds)
        self.actors: tuple[Actor, ...] = ()
        for kind in order.ORDER:
            actor = kind(self)
            self.actors += (actor,)
            setattr(self, kind.name, actor)
        self._steps: list[Callable[[], None]] = [actor.step for actor in self.actors if actor.steps]
        self._month_over = [actor.month_over for actor in self.actors if type(actor).month_over is not Actor.month_over]
        #: What the actors a shock's effects can reach do with them (``Actor.struck``), in order.
        self.struck_by = [actor.struck for actor in self.actors if type(actor).struck is not Actor.struck]
        self.recorder = Recorder(self, self.actors, paths=paths, history=history)
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
        for actor in self.actors:
            actor.refresh()

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
        """Advance every world by one month, in the order of ``order.ORDER``."""
        self.agenda.clear()
        self.streams.month = self.events.month = self.month
        for step in self._steps:
            step()
        for keep in self._month_over:
            keep()
        self.recorder.record(self.relationship.moved)
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
        """One world's state and this month's choices, readable: for stepping a single world by hand.

        The shared state first, then what each actor shows of itself (``Actor.show``), in order.
        """
        shown: dict[str, Any] = {"month": str(self.spec.start.plus(self.month - 1)) if self.month else None}
        shown |= self.state.show(world)
        for actor in self.actors:
            shown |= actor.show(world)
        return shown


def _per_phase(value: np.ndarray | float) -> np.ndarray | float:
    """A per-world value shaped to multiply a (worlds, phases) table; one shared number as it is."""
    return value[:, None] if isinstance(value, np.ndarray) and value.ndim else value


def _real(value: np.ndarray | np.floating[Any] | float) -> np.ndarray | np.floating[Any]:
    """A parameter as the model computes with it, in ``REAL``: per-world values, or one shared number.

    A shared number is a ``REAL`` scalar too, so that multiplying a mask or a
    level by it stays in single precision (a plain float would give double).
    """
    if np.ndim(value):
        return np.asarray(value, dtype=REAL)
    return REAL(value)
