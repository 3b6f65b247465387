"""Actors describe themselves: what each declares is what the model, the schema and the rows use.

The worked example of docs/actors.md is here: a toy actor added to the order shows its
parameters in the schema and in ``describe``, its state in the rows and the snapshot, and
moves nothing else (its draws come from its own stream); removed, the run is the
regression baseline's again, byte for byte.
"""

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from pydantic import create_model

from simulator.api import run
from simulator.engine.settings import Execution
from simulator.model import order
from simulator.model.interface import Actor, Array, Model
from simulator.model.model import RelationsModel
from simulator.scenario import load_scenario
from simulator.scenario.distributions import Uniform
from simulator.scenario.kinds import Share, assumed, said
from simulator.scenario.loader import Resolved
from simulator.scenario.provenance import describe
from simulator.scenario.schema import Scenario, assumptions
from simulator.scenario.sections import Section
from simulator.scenario.shocks import DRIVERS, Effects

ROOT = Path(__file__).resolve().parents[2]
BASELINE = json.loads((ROOT / "tests" / "regression" / "baseline.json").read_text())
SCENARIO = "scenarios/trump2025.yaml"


def _digest(table: pa.Table) -> str:
    from tests.regression.baseline import rows_digest

    return rows_digest(table)


class ToyParameters(Section):
    """The toy's parameters: one, described as every parameter is."""

    appetite: Share = said("000", "how hungry the toy gets each month", "0..1", assumed("a toy for the docs."))


class Toy(Actor):
    """A toy actor: each month its hunger is its appetite times a draw of its own; a black swan feeds it."""

    name = "toy"
    parameters = ToyParameters
    state = ("hunger",)
    rows = ("hunger",)

    def __init__(self, model: Model) -> None:
        self.model = model
        self.p = model.p.toy
        self.hunger = np.zeros(model.worlds, dtype=np.float32)

    def step(self) -> None:
        self.hunger = (self.p.appetite * self.model.streams.uniform("toy.hunger")).astype(np.float32)

    def struck(self, effects: Effects, hit: Array) -> None:
        if effects.trust > 0:
            self.hunger[hit] = 0.0

    def show(self, world: int) -> dict[str, float]:
        return {"hunger": round(float(self.hunger[world]), 3)}


def _with_toy(spec: Scenario) -> Scenario:
    """The scenario with a ``toy:`` block: the schema grows by the toy's section, the rest as it was."""
    schema = create_model("ToyScenario", __base__=Scenario, toy=(ToyParameters, ...))
    toy = ToyParameters(appetite=Uniform(0.2, 0.8))
    grown = schema(**{name: getattr(spec, name) for name in Scenario.model_fields}, toy=toy)
    grown._posterior = spec._posterior  # the loader's posterior sample, as the scenario had it
    return grown


@pytest.fixture
def toy_order(monkeypatch):
    """The order with the toy just before the relationship moves."""
    monkeypatch.setattr(order, "ORDER", (*order.ORDER[:-1], Toy, order.ORDER[-1]))


def test_every_actor_declares_its_parameters_block():
    """Each actor with parameters names the section its scenario block holds, and every actor block is claimed."""
    claimed = {kind.scenario_block(): kind.parameters for kind in order.ORDER if kind.parameters is not None}
    assert set(claimed) == {
        "shocks",
        "china",
        "publics",
        "president",
        "congress",
        "bureaucracy",
        "kremlin",
        "allies",
        "structure",
    }
    for block, section in claimed.items():
        assert Scenario.model_fields[block].annotation is section, block


def test_every_actor_declares_all_its_per_world_arrays(baseline):
    """An actor's declared state is every per-world array it holds: nothing is missed when worlds are copied."""
    model = RelationsModel(baseline, worlds=64, seed=5)
    for _ in range(6):
        model.step()
    for actor in model.actors:
        held = {
            key
            for key, value in vars(actor).items()
            if isinstance(value, np.ndarray) and value.ndim and value.shape[0] == model.worlds
        }
        assert held == set(actor.state), f"{actor.name} declares {sorted(actor.state)} but holds {sorted(held)}"


def test_the_drivers_a_scenario_may_name_are_those_the_actors_declare(baseline):
    """Each driver a scenario may name (``DRIVERS``) is declared by one actor, and no actor declares another."""
    model = RelationsModel(baseline, worlds=8, seed=1)
    declared = [name for actor in model.actors for name in actor.drivers()]
    assert sorted(declared) == sorted(DRIVERS)
    for name in DRIVERS:
        value = model.shocks._driver(name)
        assert value.shape == (8,) and (0 <= value).all() and (value <= 1).all(), name


def test_the_recorder_rows_and_snapshot_follow_the_declarations(baseline):
    model = RelationsModel(baseline, worlds=16, seed=2)
    model.step()
    assert model.recorder.tracked == order.TRACKED
    assert order.TRACKED[:5] == ("sanctions", "aid", "trust", "opposition", "intensity")
    assert {"engaged", "hawkishness", "emboldened"} <= set(order.TRACKED)
    shown = model.snapshot(3)
    assert {"president", "frustration", "hawkishness", "kremlin", "level", "review_law"} <= set(shown)


def test_a_toy_actor_added_shows_everywhere_and_moves_nothing_else(toy_order):
    spec = _with_toy(load_scenario(ROOT / SCENARIO))
    assert dict(assumptions(spec))["toy.appetite"] == Uniform(0.2, 0.8)  # its parameters are the schema's
    described = {row.path for row in describe(Resolved(spec, {}, (ROOT / SCENARIO,)))}
    assert "toy.appetite" in described

    model = RelationsModel(spec, worlds=8, seed=1)
    model.step()
    assert model.toy.hunger.shape == (8,) and 0 < model.toy.hunger.max() <= 0.8
    assert "hunger" in model.snapshot(0)

    worlds = pa.concat_tables(
        run(spec, runs=4_000, seed=20_261_207, execution=Execution(workers=1)).rows.world_tables()
    )
    assert {"hunger", "toy.appetite"} <= set(worlds.column_names)  # its state and its drawn parameter in the rows
    assert pa.compute.max(worlds.column("hunger")).as_py() > 0
    others = worlds.drop_columns(["hunger", "toy.appetite"])
    assert _digest(others) == BASELINE["scenarios"][SCENARIO]["rows_sha256"], "the toy moved another actor's world"


def test_the_toy_removed_gives_the_baseline_byte_for_byte():
    assert order.ORDER[-2] is not Toy
    spec = load_scenario(ROOT / SCENARIO)
    worlds = pa.concat_tables(
        run(spec, runs=4_000, seed=20_261_207, execution=Execution(workers=1)).rows.world_tables()
    )
    assert "hunger" not in worlds.column_names
    assert _digest(worlds) == BASELINE["scenarios"][SCENARIO]["rows_sha256"]
