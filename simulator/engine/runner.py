"""The engine: runs a scenario's Monte Carlo worlds in chunks, wherever the chunks run.

A run of N worlds is cut into chunks of a fixed number of whole random-number
blocks (``randomness.BLOCK``). Each chunk is one ``RelationsModel`` advancing
all its worlds together, and hands back its tally (``tally.Tally``) and its
per-world rows. A chunk draws from generators seeded for its own blocks
alone, so it gives the same result in this process, in a worker process or
on a Dask worker; the run's result depends on the seed alone, not on the
number of workers, the order in which chunks finish, or whether the run was
interrupted and resumed.

A scenario with evidence is conditioned on it (``condition``) chunk by chunk:
its chunks are then the evidence's fixed blocks of worlds
(``evidence.filter_worlds``), whatever chunking the run asks for, so that
conditioning, which weighs worlds against each other, gives the same worlds
however the run is split.

Finished chunks go to a store (``store.MemoryStore`` or, for an output
folder, ``store.FolderStore``) as soon as they finish; the engine runs only
the chunks its store does not hold yet.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from threading import Event
from typing import Any, Protocol, overload

import numpy as np
import pyarrow as pa

from simulator.engine.condition import Filter
from simulator.engine.design import Design
from simulator.engine.rows import to_arrow, to_parquet, trajectory_table, world_table
from simulator.engine.tally import Tally
from simulator.engine.workers import HERE, Workers
from simulator.model.model import RelationsModel
from simulator.model.randomness import BLOCK
from simulator.scenario import Scenario
from simulator.scenario.distributions import Fixed
from simulator.scenario.schema import assumptions
from simulator.version import __version__

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


class ChunkFailed(RuntimeError):
    """A chunk failed where it ran (a worker without ``sim`` installed, say); finished chunks are kept."""

    def __init__(self, index: int, where: str, error: BaseException) -> None:
        reason = f"{type(error).__name__}: {error}".strip().rstrip(":")
        super().__init__(f"chunk {index} failed on {where}: {reason}")
        self.index = index


#: The most worlds a run can address: world numbers must fit the random streams' 64-bit block keys.
MAX_WORLDS = 2**53


class Chunks(Sequence[tuple[int, int]]):
    """(first world, count) of each chunk, computed when asked: a plan's memory does not grow with its runs.

    Every chunk but the last is ``size`` worlds, whole random-number blocks.
    """

    def __init__(self, runs: int, size: int) -> None:
        self.runs, self.size = runs, size

    def __len__(self) -> int:
        return -(-self.runs // self.size)

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, int]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"chunk {index} of a plan of {len(self)}")
        first = index * self.size
        return first, min(self.size, self.runs - first)

    def worlds(self, indices: Iterable[int]) -> int:
        """Worlds in the chunks ``indices`` (those beyond the plan count none)."""
        return sum(self[i][1] for i in indices if 0 <= i < len(self))


def plan_chunks(runs: int, chunk_worlds: int = DEFAULT_CHUNK) -> Chunks:
    """(first world, count) of each chunk; every chunk but the last is whole blocks."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if runs > MAX_WORLDS:
        raise ValueError(f"runs must be at most {MAX_WORLDS:,}, got {runs:,}")
    return Chunks(runs, chunk_size(chunk_worlds))


@dataclass(frozen=True)
class RunPlan:
    """What to run: a scenario's worlds, their seed, and how they are cut into chunks.

    Attributes:
        spec: the scenario.
        runs: number of worlds.
        seed: the root seed.
        chunk_worlds: worlds per chunk (rounded down to whole blocks, at least one).
        trajectories: keep every world's month-by-month path.
        design: per-world values of some assumptions, in place of drawing them; ``runs``
            must then be its number of worlds.
        summary: if given, each chunk hands back ``summary(its per-world rows)`` in place of
            the rows as Parquet: for work that keeps a few numbers of each chunk (a design's
            counts per point), so that rows are neither encoded nor sent between processes.
            It must pickle, to run in a worker.
    """

    spec: Scenario
    runs: int
    seed: int
    chunk_worlds: int = DEFAULT_CHUNK
    trajectories: bool = False
    design: Design | None = None
    summary: Callable[[pa.Table], Any] | None = None

    def for_chunk(self, index: int) -> "RunPlan":
        """This plan with only the design rows chunk ``index`` needs: what is sent to a worker."""
        if self.design is None:
            return self
        first, count = self.chunks[index]
        return replace(self, design=self.design.for_worlds(first, count))

    @property
    def chunks(self) -> Chunks:
        """(first world, count) of each chunk, in world order: the evidence's filter blocks, if it has evidence."""
        evidence = self.spec.evidence
        return plan_chunks(self.runs, self.chunk_worlds if evidence is None else evidence.filter_worlds)

    def identity(self) -> dict[str, Any]:
        """Everything that fixes the result: a resumed run must match it exactly."""
        resolved = json.dumps(self.spec.model_dump(mode="json"), sort_keys=True)
        return {
            "scenario": self.spec.name,
            "scenario_sha256": hashlib.sha256(resolved.encode()).hexdigest(),
            "runs": self.runs,
            "seed": self.seed,
            "chunk_worlds": self.chunks.size,
            "trajectories": self.trajectories,
            "random_block_worlds": BLOCK,
            "version": __version__,
        } | ({} if self.design is None else {"design_sha256": self.design.digest()})


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk of worlds hands back.

    Attributes:
        index: the chunk's place in the run's plan.
        tally: its worlds' counts and sums.
        worlds: its per-world rows (``rows.world_table``) as Arrow IPC bytes (``rows.to_arrow``).
        trajectories: its worlds' paths (``rows.trajectory_table``) as Parquet bytes, if asked for.
        summary: the plan's ``summary`` of its per-world rows, when the plan has one (``worlds`` is then empty).
    """

    index: int
    tally: Tally
    worlds: bytes
    trajectories: bytes | None = None
    summary: Any = None


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
    design = plan.design
    values = None if design is None else design.values(first, count)
    model, conditioned = advance(plan.spec, plan.seed, first, count, values, plan.trajectories, progress)
    effective = None if conditioned is None else conditioned.effective
    ancestors = None if conditioned is None else conditioned.ancestors
    varying = [path for path, value in assumptions(plan.spec) if not isinstance(value, Fixed)]
    worlds = world_table(model, varying)
    if ancestors is not None:
        worlds = worlds.add_column(1, "descends_from", pa.array(ancestors))
    if design is not None:
        worlds = _with_design(worlds, model, design, varying, ancestors)
    tally = Tally.of(model, effective)
    if plan.summary is not None:
        return ChunkResult(index=index, tally=tally, worlds=b"", summary=plan.summary(worlds))
    return ChunkResult(
        index=index,
        tally=tally,
        worlds=to_arrow(worlds),
        trajectories=to_parquet(trajectory_table(model)) if plan.trajectories else None,
    )


def advance(
    spec: Scenario,
    seed: int,
    first: int,
    count: int,
    design: dict[str, np.ndarray] | None = None,
    paths: bool = False,
    progress: Progress | None = None,
) -> tuple[RelationsModel, Filter | None]:
    """Worlds ``first`` .. ``first + count - 1`` advanced to the horizon, conditioned on the evidence if any.

    Returns:
        The model at the horizon, and the filter that conditioned it (``None`` without evidence).
    """
    evidence = spec.evidence
    model = RelationsModel(
        spec,
        worlds=count,
        seed=seed,
        first_world=first,
        paths=paths,
        design=design,
        history=0 if evidence is None else evidence.as_of.minus(spec.start) + 1,
    )
    conditioned = None
    if evidence is not None:
        conditioned = Filter(model)
        conditioned.run(progress)
    while model.running:
        model.step()
        if progress is not None:
            progress(count)
    return model, conditioned


def _with_design(
    worlds: pa.Table, model: RelationsModel, design: Design, varying: list[str], ancestors: np.ndarray | None = None
) -> pa.Table:
    """A chunk's rows with each world's design row and, if recorded, the design's values.

    A world conditioned on evidence has the design row of the world it descends from (``ancestors``).
    """
    rows = design.row_of(model.first_world, model.worlds)
    if ancestors is not None:
        rows = rows[ancestors - model.first_world]
    worlds = worlds.add_column(1, "design_row", pa.array(rows))
    if design.record:
        for offset, path in enumerate(p for p in design.paths if p not in varying):
            values = np.asarray(model.draws[path], dtype=np.float64)
            worlds = worlds.add_column(2 + len(varying) + offset, path, pa.array(values))
    return worlds


def queue_length(left: int, slots: int, here: bool) -> int:
    """How many chunks to keep queued with an executor of ``slots`` slots, with ``left`` chunks to go.

    Three per slot, so that no slot waits while this process is busy with a chunk
    of its own and with saving what finished meanwhile; but near the end no more
    than the executor's share of what is left, so that this process is not idle
    while chunks wait in the queue.
    """
    share = -(-left * slots // (slots + here))
    return min(3 * slots, share)


def simulate(
    plan: RunPlan,
    store: Store,
    workers: Workers = HERE,
    progress: Progress | None = None,
    stop: Event | None = None,
) -> None:
    """Run every chunk of ``plan`` that ``store`` does not hold yet, saving each as it finishes.

    This process runs chunks itself (unless ``workers`` says otherwise) and
    keeps the workers' executor fed with up to three chunks per slot, so that
    a worker never waits while this process is busy with a chunk of its own.

    Args:
        plan: what to run.
        store: where finished chunks go; chunks it already holds are skipped.
        workers: who runs chunks besides (or instead of) this process.
        progress: called with world-months done: every month here, every chunk elsewhere.
        stop: when set, no new chunk starts; chunks already running finish and are saved.

    Raises:
        Interrupted: if ``stop`` was set before every chunk finished.
        ChunkFailed: if a chunk failed where it ran; every chunk finished before is saved.
    """
    todo = Pending(len(plan.chunks), store.done())
    running: dict[Future[ChunkResult], int] = {}
    try:
        while True:
            stopping = stop is not None and stop.is_set()
            if stopping:
                for future in running:
                    future.cancel()  # chunks not started yet; running ones finish and are saved
            else:
                _feed(workers, plan, todo, running)
            works_here = workers.here and bool(todo) and not stopping
            if works_here:
                own = run_chunk(plan, todo.take(), progress)
                if stop is None or not stop.is_set():
                    _feed(workers, plan, todo, running)  # before saving: the workers may have run short
                store.save(own)
            elif not running:
                break
            finished, _ = wait(running, timeout=0 if works_here else _POLL, return_when=FIRST_COMPLETED)
            # Save every chunk that finished before reporting one that failed.
            for future in sorted(finished, key=_failed):
                chunk = _result(future, running.pop(future), workers, stop)
                if chunk is not None:
                    store.save(chunk)
                    if progress is not None:
                        progress(plan.chunks[chunk.index][1] * plan.spec.months)
    finally:
        for future in running:
            future.cancel()
    finished_chunks = len(store.done())
    if finished_chunks < len(plan.chunks):
        raise Interrupted(finished_chunks, len(plan.chunks))


def _feed(workers: Workers, plan: RunPlan, todo: "Pending", running: dict[Future[ChunkResult], int]) -> None:
    """Queue chunks with the workers' executor, once it has started, up to its ``queue_length``.

    A chunk that has finished but is not saved yet holds no place in the queue: this
    process collects finished chunks only between chunks of its own, and a worker
    whose queue held only such chunks would wait for it.
    """
    executor = workers.executor
    if executor is None or not workers.accepting():
        return
    queued = sum(not future.done() for future in running)
    queue = queue_length(len(todo) + queued, workers.slots, workers.here)
    while queued < queue and todo:
        index = todo.take()
        running[executor.submit(run_chunk, plan.for_chunk(index), index)] = index
        queued += 1


class Pending:
    """The chunks still to run, in order: a cursor over the plan, not a list of them."""

    def __init__(self, total: int, done: set[int]) -> None:
        self._next, self._total, self._done = 0, total, done
        self._left = total - sum(1 for index in done if 0 <= index < total)

    def __len__(self) -> int:
        return self._left

    def take(self) -> int:
        """The next chunk to run."""
        while self._next in self._done:
            self._next += 1
        if self._left == 0 or self._next >= self._total:
            raise IndexError("no chunk left to run")
        self._left -= 1
        self._next += 1
        return self._next - 1


def _failed(future: Future[ChunkResult]) -> bool:
    """Whether a finished future raised (a cancelled one did not)."""
    return not future.cancelled() and future.exception() is not None


def _result(future: Future[ChunkResult], index: int, workers: Workers, stop: Event | None) -> ChunkResult | None:
    """A chunk finished elsewhere; ``None`` if it was cancelled or lost to a stopped worker.

    Raises:
        ChunkFailed: if the chunk raised, naming where it ran.
    """
    if future.cancelled():
        return None
    try:
        return future.result()
    except BrokenProcessPool as error:
        if stop is not None and stop.is_set():
            return None
        raise ChunkFailed(index, workers.where, error) from error
    except Exception as error:
        raise ChunkFailed(index, workers.where, error) from error
