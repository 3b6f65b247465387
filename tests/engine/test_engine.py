from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.engine.runner import Pending, RunPlan, _feed, plan_chunks
from simulator.engine.workers import Workers
from simulator.model.randomness import BLOCK


@pytest.fixture(scope="module")
def reference(baseline):
    return simulator.run(baseline, runs=9000, seed=42)


def frames(result):
    return (
        result.levels_by_month,
        result.phases_by_month,
        result.events_by_month,
        result.state_by_month,
        result.worlds,
    )


def test_same_seed_gives_identical_outputs(baseline, reference):
    again = simulator.run(baseline, runs=9000, seed=42)
    for mine, theirs in zip(frames(reference), frames(again), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    assert reference.summary() == again.summary()


def test_different_seed_gives_different_outputs(baseline, reference):
    other = simulator.run(baseline, runs=9000, seed=43)
    assert not reference.levels_by_month.equals(other.levels_by_month)
    assert not np.array_equal(reference.first_event, other.first_event)


@pytest.mark.parametrize("chunk_worlds", [BLOCK, 2 * BLOCK, 100_000])
def test_results_do_not_depend_on_chunking(baseline, reference, chunk_worlds):
    chunked = simulator.run(baseline, runs=9000, seed=42, execution=simulator.Execution(chunk_worlds=chunk_worlds))
    for mine, theirs in zip(frames(reference), frames(chunked), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)


def test_fewer_runs_are_a_prefix_of_more(baseline, reference):
    fewer = simulator.run(baseline, runs=5000, seed=42)
    assert np.array_equal(fewer.first_event, reference.first_event[:, :5000])


def test_chunks_cover_every_world_once():
    chunks = plan_chunks(10_001, 2 * BLOCK)
    assert sum(count for _, count in chunks) == 10_001
    assert all(first % BLOCK == 0 for first, _ in chunks)
    with pytest.raises(ValueError):
        plan_chunks(0)


def test_tables_are_probabilities(reference):
    levels = reference.levels_by_month.drop(columns="month")
    assert np.allclose(levels.sum(axis=1), 1)
    assert np.allclose(reference.phases_by_month.drop(columns="month").sum(axis=1), 1)
    events = reference.events_by_month.drop(columns="month").to_numpy()
    assert np.all(np.diff(events, axis=0) >= 0), "cumulative event probabilities never fall"
    assert list(reference.levels_by_month["month"].iloc[[0, -1]]) == ["2025-01", "2029-01"]


def test_sampled_assumptions_are_kept_per_world(reference):
    worlds = reference.worlds
    assert len(worlds) == 9000
    assert "president.volatility" in worlds and "kremlin.caution" not in worlds
    assert worlds["president.volatility"].between(0.02, 0.1).all()


def test_a_chunk_failing_elsewhere_is_named_and_the_others_are_kept(baseline, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from simulator.engine import runner as engine
    from simulator.engine.store import MemoryStore
    from simulator.engine.workers import Workers

    plan = engine.RunPlan(baseline, 3 * BLOCK, seed=1, chunk_worlds=BLOCK)
    run_chunk = engine.run_chunk

    def fails_on_chunk_2(plan, index, progress=None):
        if index == 2:
            raise ModuleNotFoundError("No module named 'simulator'")
        return run_chunk(plan, index, progress)

    monkeypatch.setattr(engine, "run_chunk", fails_on_chunk_2)
    store = MemoryStore()
    with ThreadPoolExecutor(1) as threads:
        workers = Workers(threads, slots=1, here=False, ready=None, where="a test cluster")
        with pytest.raises(engine.ChunkFailed, match="chunk 2 failed on a test cluster: ModuleNotFoundError"):
            engine.simulate(plan, store, workers)
    assert store.done() == {0, 1}


def test_a_finished_chunk_not_yet_saved_leaves_room_in_the_workers_queue(baseline):
    # This process collects finished chunks only between chunks of its own: until then they must
    # not count as queued, or a worker that has run through its queue waits with nothing to do.
    plan = RunPlan(baseline, runs=8 * BLOCK, seed=1, chunk_worlds=BLOCK)
    with ThreadPoolExecutor(1) as pool:
        workers = Workers(pool, slots=1, here=True, ready=None, where="a thread")
        todo, running = Pending(len(plan.chunks), set()), {}
        _feed(workers, plan, todo, running)
        assert len(running) == 3
        wait(running)  # all three finished; none saved yet
        _feed(workers, plan, todo, running)
        assert len(running) == 6 and len(todo) == 2
