"""The engine: runs a scenario's Monte Carlo worlds in chunks, wherever the chunks run.

A run of N worlds is cut into chunks of a fixed number of whole random-number
blocks (``randomness.BLOCK``). Each chunk is one ``RelationsModel`` advancing
all its worlds together, and hands back its tally (``tally.Tally``) and its
per-world rows. A chunk draws from generators seeded for its own blocks
alone, so it gives the same result in this process, in a worker process or
on a Dask worker; the run's result depends on the seed alone, not on the
number of workers, the order in which chunks finish, or whether the run was
interrupted and resumed.

Finished chunks go to a store (``store.MemoryStore`` or, for an output
folder, ``store.FolderStore``) as soon as they finish; the engine runs only
the chunks its store does not hold yet.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from threading import Event
from typing import Any, Protocol

from simulator.model import RelationsModel
from simulator.randomness import BLOCK
from simulator.rows import to_parquet, trajectory_table, world_table
from simulator.scenario import Scenario
from simulator.scenario.distributions import Fixed
from simulator.scenario.schema import assumptions
from simulator.tally import Tally

#: Worlds one model advances at once by default: large enough for numpy speed, small in memory.
DEFAULT_CHUNK = 8 * BLOCK

#: Called with a number of world-months each time worlds advance (a run has runs x months).
Progress = Callable[[int], None]

#: How often a waiting engine looks up to see whether it was asked to stop, in seconds.
_POLL = 0.2


class Interrupted(Exception):
    """The run was asked to stop before every chunk finished; finished chunks are in the store."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"stopped with {done} of {total} chunks finished")
        self.done = done
        self.total = total


def chunk_size(chunk_worlds: int) -> int:
    """Worlds in a full chunk: ``chunk_worlds`` rounded down to whole blocks, at least one block."""
    return max(BLOCK, chunk_worlds - chunk_worlds % BLOCK)


def plan_chunks(runs: int, chunk_worlds: int = DEFAULT_CHUNK) -> list[tuple[int, int]]:
    """(first world, count) of each chunk; every chunk but the last is whole blocks."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    size = chunk_size(chunk_worlds)
    return [(first, min(size, runs - first)) for first in range(0, runs, size)]


@dataclass(frozen=True)
class RunPlan:
    """What to run: a scenario's worlds, their seed, and how they are cut into chunks.

    Attributes:
        spec: the scenario.
        runs: number of worlds.
        seed: the root seed.
        chunk_worlds: worlds per chunk (rounded down to whole blocks, at least one).
        trajectories: keep every world's month-by-month path.
    """

    spec: Scenario
    runs: int
    seed: int
    chunk_worlds: int = DEFAULT_CHUNK
    trajectories: bool = False

    @property
    def chunks(self) -> list[tuple[int, int]]:
        """(first world, count) of each chunk, in world order."""
        return plan_chunks(self.runs, self.chunk_worlds)

    def identity(self) -> dict[str, Any]:
        """Everything that fixes the result: a resumed run must match it exactly."""
        from simulator import __version__

        resolved = json.dumps(self.spec.model_dump(mode="json"), sort_keys=True)
        return {
            "scenario": self.spec.name,
            "scenario_sha256": hashlib.sha256(resolved.encode()).hexdigest(),
            "runs": self.runs,
            "seed": self.seed,
            "chunk_worlds": chunk_size(self.chunk_worlds),
            "trajectories": self.trajectories,
            "random_block_worlds": BLOCK,
            "version": __version__,
        }


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk of worlds hands back.

    Attributes:
        index: the chunk's place in the run's plan.
        tally: its worlds' counts and sums.
        worlds: its per-world rows (``rows.world_table``) as Parquet bytes.
        trajectories: its worlds' paths (``rows.trajectory_table``) as Parquet bytes, if asked for.
    """

    index: int
    tally: Tally
    worlds: bytes
    trajectories: bytes | None = None


class Store(Protocol):
    """Where finished chunks go."""

    def done(self) -> set[int]:
        """Indices of the chunks already kept."""
        ...

    def save(self, chunk: ChunkResult) -> None:
        """Keep a finished chunk."""
        ...


def run_chunk(plan: RunPlan, index: int, progress: Progress | None = None) -> ChunkResult:
    """Advance the worlds of chunk ``index`` to the horizon; the unit of work a worker runs."""
    first, count = plan.chunks[index]
    model = RelationsModel(plan.spec, worlds=count, seed=plan.seed, first_world=first, paths=plan.trajectories)
    while model.running:
        model.step()
        if progress is not None:
            progress(count)
    varying = [path for path, value in assumptions(plan.spec) if not isinstance(value, Fixed)]
    return ChunkResult(
        index=index,
        tally=Tally.of(model),
        worlds=to_parquet(world_table(model, varying)),
        trajectories=to_parquet(trajectory_table(model)) if plan.trajectories else None,
    )


def simulate(
    plan: RunPlan,
    store: Store,
    executor: Executor | None = None,
    slots: int = 1,
    progress: Progress | None = None,
    stop: Event | None = None,
    ready: Future[None] | None = None,
) -> None:
    """Run every chunk of ``plan`` that ``store`` does not hold yet, saving each as it finishes.

    Args:
        plan: what to run.
        store: where finished chunks go; chunks it already holds are skipped.
        executor: runs chunks elsewhere (worker processes, a Dask cluster); ``None`` runs them here.
        slots: how many chunks the executor runs at once.
        progress: called with world-months done: every month here, every chunk elsewhere.
        stop: when set, no new chunk starts; chunks already running finish and are saved.
        ready: done once the executor's workers have started; until then chunks run here.

    Raises:
        Interrupted: if ``stop`` was set before every chunk finished.
    """
    todo = iter([index for index in range(len(plan.chunks)) if index not in store.done()])
    # Starting worker processes takes about as long as running a few chunks: run them here meanwhile.
    while executor is None or (ready is not None and not ready.done()):
        if (stop is not None and stop.is_set()) or (index := next(todo, None)) is None:
            break
        store.save(run_chunk(plan, index, progress))
    if executor is not None:
        _run_on(executor, slots, plan, todo, store, progress, stop)
    finished = len(store.done())
    if finished < len(plan.chunks):
        raise Interrupted(finished, len(plan.chunks))


def _run_on(
    executor: Executor,
    slots: int,
    plan: RunPlan,
    todo: Iterator[int],
    store: Store,
    progress: Progress | None,
    stop: Event | None,
) -> None:
    """Keep ``executor`` busy with at most two chunks per slot, saving each as it finishes."""
    running: set[Future[ChunkResult]] = set()

    def stopping() -> bool:
        return stop is not None and stop.is_set()

    try:
        while True:
            while not stopping() and len(running) < 2 * slots and (index := next(todo, None)) is not None:
                running.add(executor.submit(run_chunk, plan, index))
            if stopping():
                for future in running:
                    future.cancel()  # chunks not started yet; running ones finish and are saved
            if not running:
                return
            finished, running = wait(running, timeout=_POLL, return_when=FIRST_COMPLETED)
            for future in finished:
                if not future.cancelled():
                    chunk = _result(future, stopping())
                    if chunk is not None:
                        store.save(chunk)
                        if progress is not None:
                            progress(plan.chunks[chunk.index][1] * plan.spec.months)
    finally:
        for future in running:
            future.cancel()


def _result(future: Future[ChunkResult], stopping: bool) -> ChunkResult | None:
    """A finished chunk; ``None`` for one lost because its worker was stopped with the run."""
    try:
        return future.result()
    except BrokenProcessPool:
        if stopping:
            return None
        raise
