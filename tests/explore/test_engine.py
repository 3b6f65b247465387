"""The warm engine gives exactly simulator.run's numbers, and paired differences that behave."""

import numpy as np
import pytest

import simulator
from simulator.explore.draft import Draft
from simulator.explore.engine import Engine, differences
from simulator.model.randomness import BLOCK
from tests.conftest import BASELINE

pytestmark = pytest.mark.slow  # spawns worker processes

RUNS, SEED = 5000, 3  # more than one random-number block, not a whole number of them


@pytest.fixture(scope="module")
def engine():
    warm = Engine(2)
    yield warm
    warm.close()


def test_a_forecast_is_simulator_run_with_the_same_seed(engine):
    spec = Draft.open(BASELINE).edit("president.volatility", "0.3").spec
    mine = engine.forecast(spec, RUNS, SEED)
    reference = simulator.run(spec, runs=RUNS, seed=SEED)
    assert mine.questions() == reference.questions()
    assert mine.final_level_probabilities() == reference.final_level_probabilities()
    assert np.array_equal(mine.final_levels, reference.final_levels)
    assert np.array_equal(mine.first_event, reference.first_event)


def test_a_scenario_differs_from_itself_by_exactly_nothing(engine):
    spec = Draft.open(BASELINE).spec
    table = differences(engine.forecast(spec, RUNS, SEED), engine.forecast(spec, RUNS, SEED))
    assert (table["difference"] == 0).all() and (table["standard_error"] == 0).all()
    assert {"level at horizon", "event by horizon", "question"} <= set(table["kind"])


def test_a_change_moves_its_outcome_with_a_paired_standard_error(engine):
    draft = Draft.open(BASELINE)
    loaded = engine.forecast(draft.spec, RUNS, SEED)
    never = engine.forecast(draft.edit("shocks.scandal.hazard", "0").spec, RUNS, SEED)
    row = differences(loaded, never).set_index("quantity").loc["scandal"]
    assert row["probability"] == 0
    assert row["difference"] < 0 and 0 < row["standard_error"] < abs(row["difference"]) / 5


def test_the_preview_is_the_first_block_of_the_run(engine):
    spec = Draft.open(BASELINE).edit("president.volatility", "0.3").spec
    seen = []
    whole = engine.forecast(spec, RUNS, SEED, preview=seen.append)
    assert len(seen) == 1 and seen[0].runs == BLOCK < whole.runs
    assert seen[0].questions() == simulator.run(spec, runs=BLOCK, seed=SEED).questions()
    assert np.array_equal(seen[0].final_levels, whole.final_levels[:BLOCK])
    engine.forecast(spec, BLOCK, SEED, preview=seen.append)
    assert len(seen) == 1  # a run of one block has nothing to preview


def test_a_forecast_with_evidence_is_simulator_run_conditioned_alike(engine):
    spec = simulator.load_scenario(BASELINE.parent / "update_2025_04.yaml")
    mine = engine.forecast(spec, RUNS, SEED)
    reference = simulator.run(spec, runs=RUNS, seed=SEED)
    assert mine.questions() == reference.questions()
    assert np.array_equal(mine.final_levels, reference.final_levels)
    assert mine.evidence() == reference.evidence()
