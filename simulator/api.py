"""The Python API behind the command line and the notebooks."""

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from threading import Event

from simulator.engine.folder import owned
from simulator.engine.runner import DEFAULT_CHUNK, Progress, RunPlan, simulate
from simulator.engine.store import FolderStore, MemoryStore, check_manifest, read_manifest
from simulator.engine.tally import Tally
from simulator.engine.workers import open_workers
from simulator.results.outputs import prepare_output_dir, write_run
from simulator.results.result import OutputRows, RunResult, Timing
from simulator.scenario import Scenario, load_scenario


def run(
    scenario: Scenario | str | Path,
    runs: int = 10_000,
    seed: int = 0,
    *,
    out: Path | None = None,
    resume: bool = False,
    force: bool = True,
    workers: int | None = 1,
    dask: str | None = None,
    chunk_worlds: int = DEFAULT_CHUNK,
    trajectories: bool = False,
    progress: Progress | None = None,
    stop: Event | None = None,
    command: list[str] | None = None,
    scenario_path: Path | None = None,
) -> RunResult:
    """Run a scenario's Monte Carlo worlds from its start month to its horizon.

    Without ``out``, every world's row is kept in memory (compressed), which
    suits the thousands to a few hundred thousand worlds of a notebook. With
    ``out``, the run writes every output file there as ``sim run`` does:
    finished chunks are saved as they finish, only counts stay in memory, and
    ``result.worlds`` reads ``runs.parquet`` back when asked, so memory stays
    small whatever the number of worlds.

    Args:
        scenario: a validated scenario, or the path of a scenario file.
        runs: number of worlds.
        seed: root seed; the same seed gives identical results.
        out: output folder to write, or ``None`` to keep the results in memory.
        resume: finish the interrupted run in ``out`` (its saved chunks must be of this run).
        force: replace what an earlier run wrote in ``out`` (only files ``sim`` writes: a folder
            holding others is refused); if false, ``out`` must be empty.
        workers: processes that run chunks, this one included (``None``: all cores).
        dask: address of a Dask scheduler to run the chunks on instead.
        chunk_worlds: worlds advanced together per model (memory and speed, not results).
        trajectories: keep every world's month-by-month path (``trajectories.parquet``).
        progress: called with the number of world-months done as the run advances.
        stop: set it (from a signal handler, say) to stop after the running chunks.
        command: the command line to record in ``metadata.json``.
        scenario_path: the file a given ``Scenario`` came from, for ``metadata.json``.

    Returns:
        The run's tables, probabilities and per-world outcomes.

    Raises:
        engine.Interrupted: if ``stop`` was set first; with ``out``, run again with ``resume=True``.
        store.ResumeError: if ``resume`` and ``out`` holds no matching interrupted run.
        folder.FolderError: if another run holds ``out``, or it cannot be created or written.
        results.outputs.OutputError: if ``out`` holds what ``force`` may not replace.
        store.SaveFailed, results.outputs.WriteFailed: if the file system fails during the run
            (a full disk, say); finished chunks are kept, and ``resume=True`` finishes the run.
        workers.WorkersError: for a bad number of workers or an unreachable Dask scheduler.
    """
    if isinstance(scenario, Scenario):
        spec, path = scenario, scenario_path
    else:
        spec, path = load_scenario(scenario), Path(scenario)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    plan = RunPlan(spec, runs, seed, chunk_worlds, trajectories)
    started = time.perf_counter()
    if out is None:
        return _simulate(plan, MemoryStore, set(), workers, dask, progress, stop, started)
    with owned(out):  # no other run writes here until the outputs are written
        if resume:
            check_manifest(read_manifest(out), plan.identity(), out)  # before any worker starts
        else:
            prepare_output_dir(out, force)
        saved = FolderStore.done_in(out) if resume else set()
        store = partial(FolderStore, out, plan, resume)
        result = _simulate(plan, store, saved, workers, dask, progress, stop, started)
        write_run(result, out, scenario_path=path, command=command, elapsed=time.perf_counter() - started)
        result.rows.remove()
    return RunResult(spec, runs, seed, result.tally, OutputRows(out), result.timing)


def _simulate(
    plan: RunPlan,
    open_store: Callable[[], FolderStore | MemoryStore],
    saved: set[int],
    workers: int | None,
    dask: str | None,
    progress: Progress | None,
    stop: Event | None,
    started: float,
) -> RunResult:
    """Run the chunks not ``saved`` yet and put the run's result together.

    The store is opened once the workers are: a run whose workers cannot be had writes nothing.
    """
    with open_workers(workers, dask, chunks=len(plan.chunks) - len(saved)) as pool:
        store = open_store()
        saved = store.done()  # less any damaged chunk the store found, which runs again
        simulate(plan, store, pool, progress, stop)
    timing = Timing(seconds=time.perf_counter() - started, worlds=plan.runs - plan.chunks.worlds(saved))
    tally = sum(store.tallies(), Tally.zero(plan.spec.months))
    return RunResult(plan.spec, plan.runs, plan.seed, tally, store, timing)
