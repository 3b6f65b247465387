"""What an actor declares, and what it sees of the model and of the other actors: a small typed interface.

An actor (``simulator.model.agents``) is a class that declares, beside its behaviour:

- ``name``: its attribute on the model, and, for an actor with parameters, its scenario block;
- ``block``: the scenario block its parameters come from, when it is not ``name``
  (the relationship reads ``structure``); ``parameters``: that block's section
  (``simulator.scenario.actors``), whose fields say each parameter's meaning, unit,
  source and quote;
- ``state``: its per-world arrays (copied with their world when worlds are selected);
- ``tracked``: the state whose mean over worlds the recorder keeps month by month, and
  each world's path keeps; ``rows``: the state each world's row of ``runs.parquet`` keeps
  at the horizon;
- ``drivers``: the state a chance shock's hazard can respond to (``shocks.drivers``);
  ``struck``: what a shock's or a scheduled event's ``Effects`` do to it;
- ``show``: one world's state, readable (``RelationsModel.snapshot``).

The model (``simulator.model.model``) steps the actors in the one order of
``simulator.model.order`` and builds the recorder, the rows and the snapshot from these
declarations (docs/actors.md). Actors see the model through ``Model`` below and each
other through the ``...Side`` protocols: what one actor may read of another or ask of
it. Nothing here imports the model or an actor, so no module of ``simulator.model``
imports another in a circle, type imports included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from simulator.model.events import EventLog
from simulator.model.params import Params
from simulator.model.phases import PhaseValues
from simulator.model.randomness import Streams
from simulator.model.world import Agenda, AidPause, WorldState
from simulator.scenario.distributions import Assumption
from simulator.scenario.schema import Scenario
from simulator.scenario.sections import Section
from simulator.scenario.shocks import Effects

Array = np.ndarray


class Actor:
    """The declarations every actor makes, with what an actor that declares nothing does (nothing)."""

    #: Its attribute on the model (``model.president``), and the scenario block of its parameters.
    name: ClassVar[str]
    #: The scenario block its parameters come from, if not ``name``; ``None``: it has none.
    block: ClassVar[str | None] = None
    #: The section that declares its parameters (``simulator.scenario.actors``), or ``None``.
    parameters: ClassVar[type[Section] | None] = None
    #: Its own per-world arrays, by attribute name.
    state: ClassVar[tuple[str, ...]] = ()
    #: State whose mean over worlds is kept month by month (and, on request, each world's path).
    tracked: ClassVar[tuple[str, ...]] = ()
    #: State each world's row keeps at the horizon.
    rows: ClassVar[tuple[str, ...]] = ()
    #: Whether it acts each month (``step``); China only shapes the others' values.
    steps: ClassVar[bool] = True

    if TYPE_CHECKING:  # every actor is built from the model alone; Mesa's agents pass it on to ``mesa.Agent``

        def __init__(self, model: Model) -> None: ...

    @classmethod
    def scenario_block(cls) -> str | None:
        """The scenario block of its parameters, or ``None`` if it has none."""
        if cls.parameters is None:
            return None
        return cls.block or cls.name

    def step(self) -> None:
        """Act once this month."""

    def month_over(self) -> None:
        """Keep what it needs of this month once every actor has acted and the relationship has moved."""

    def refresh(self) -> None:
        """Work out again what it derives from the parameters, after they changed or worlds were copied."""

    def drivers(self) -> dict[str, Callable[[], Array]]:
        """The state a chance shock's hazard may respond to, each 0..1, by driver name (``schema.DRIVERS``)."""
        return {}

    def struck(self, effects: Effects, hit: Array) -> None:
        """What ``effects`` do to it in the worlds ``hit`` (indices), from a shock or a scheduled event."""

    def show(self, world: int) -> dict[str, Any]:
        """One world's state of it, readable."""
        return {}


class PresidentSide(Protocol):
    """The president as the other actors, the policy and the calendar see him."""

    outreach: Array  #: memory of his engagement over recent months, 0..1

    @property
    def engaged(self) -> Array:
        """Where he is pursuing rapprochement this month."""

    def rebuffed(self, where: Array) -> None:
        """The Kremlin rejected his proposals where ``where``."""

    def stalled(self, where: Array) -> None:
        """Talks went on without a settlement, or Kyiv refused the terms, where ``where``."""

    def prepare_summit(self, worked_on: Array) -> Array:
        """Another month of preparing the summit where ``worked_on``; where it is held."""

    def meets(self, where: Array) -> Array:
        """The presidents meet where ``where``; where it is a new president's first meeting."""

    def summit_planned(self, where: Array) -> None:
        """A summit on the calendar, held where Moscow talks."""

    def turn_tough(self, where: Array) -> None:
        """A forced turn to pressure at full strength."""

    def disengage(self, where: Array) -> None:
        """A forced walk-away this month."""

    def election(self) -> None:
        """Decide whether the successor will continue the policy."""

    def inauguration(self) -> None:
        """The successor takes office."""


class CongressSide(Protocol):
    """Congress as the other actors and the calendar see it."""

    hawkishness: Array  #: share of Congress opposed to cooperation with Russia, 0..1

    def pass_sanctions_act(self, where: Array) -> None:
        """A sanctions law where ``where``."""

    def midterms(self) -> None:
        """The midterms change its composition."""


class BureaucracySide(Protocol):
    """The bureaucracy as the other actors see it: where agreed and ordered initiatives wait."""

    def take_on(
        self,
        working: Array | None = None,
        deal: Array | None = None,
        arms: Array | None = None,
        relief: Array | None = None,
    ) -> None:
        """Queue initiatives agreed or ordered at the top."""

    def shelve(self, where: Array) -> None:
        """Drop every pending initiative where ``where``."""

    def drop_relief(self, where: Array) -> None:
        """Drop the pending relief where ``where``."""


class KremlinSide(Protocol):
    """The Kremlin as the other actors and the shocks see it."""

    def reading(self, worlds: Array | None = None) -> Array:
        """Concessions remembered, signed by how they are read: + weakness, - good faith."""

    def aggression_factor(self) -> Array:
        """How its appetite for aggression multiplies the hazard of aggression outside its choice."""


class ChinaSide(Protocol):
    """What the China motive adds to the president's and the Kremlin's values (``agents.china``)."""

    engage_value: Array  #: added to the president's engaging
    pressure_value: Array  #: added to his pressure
    pressure_grade: Array  #: added to the grade of his pressure
    tool_cost: Array  #: taken from the Kremlin's talks


class ShockSide(Protocol):
    """The shocks and the calendar as the actors see them."""

    campaigning: bool  #: this month lies in the run-up to an election or midterms

    def strike(self, name: str, where: Array) -> None:
        """The shock ``name`` strikes where ``where``."""

    def strike_at(self, name: str, hit: Array, record: bool = True) -> None:
        """The shock ``name`` strikes the worlds ``hit`` (indices)."""


class Model(Protocol):
    """What an actor sees of the model: the worlds, their state and messages, the parameters, the others."""

    spec: Scenario
    worlds: int
    month: int
    p: Params
    streams: Streams
    state: WorldState
    agenda: Agenda
    events: EventLog
    aid_pause: AidPause
    aid_reference: Array
    initial_intensity: Array
    phase_values: PhaseValues
    actors: tuple[Actor, ...]
    struck_by: list[Callable[[Effects, Array], None]]

    @property
    def president(self) -> PresidentSide:
        """The president, as the others see him."""

    @property
    def congress(self) -> CongressSide:
        """Congress, as the others see it."""

    @property
    def bureaucracy(self) -> BureaucracySide:
        """The bureaucracy, as the others see it."""

    @property
    def kremlin(self) -> KremlinSide:
        """The Kremlin, as the others see it."""

    @property
    def china(self) -> ChinaSide:
        """The China motive."""

    @property
    def shocks(self) -> ShockSide:
        """The shocks and the calendar."""

    def leader_weight(self) -> Array | float:
        """How much the leaders' own drives count in each world."""

    def structure_weight(self) -> Array | float:
        """How much the Giles phase counts in each world."""

    def up_factor(self) -> Array:
        """How the current phase multiplies upward moves in each world."""

    def log_up_factor(self) -> Array:
        """The log of ``up_factor``."""

    def down_factor(self) -> Array:
        """How the current phase multiplies the loss of a level in each world."""

    def change(self, values: Mapping[str, Assumption]) -> None:
        """Assumptions take new values from this month on."""
