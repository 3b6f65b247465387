"""The Python API behind the command line and the notebooks."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from threading import Event

from simulator.engine.design import Design, DesignError, Sampled, read_sample
from simulator.engine.folder import owned
from simulator.engine.runner import DEFAULT_CHUNK, Progress, RunPlan, simulate
from simulator.engine.store import FolderStore, MemoryStore, check_manifest, read_manifest
from simulator.engine.tally import Tally
from simulator.engine.workers import open_workers
from simulator.results.outputs import prepare_output_dir, write_run
from simulator.results.result import OutputRows, RunResult, Timing
from simulator.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class Execution:
    """How a run is carried out: never what it gives, which depends only on the scenario, the runs and the seed.

    Attributes:
        workers: processes that run chunks, this one included (``None``: all cores).
        dask: address of a Dask scheduler to run the chunks on instead.
        chunk_worlds: worlds advanced together per model (memory and speed, not results).
        progress: called with the number of world-months done as the run advances.
        stop: set it (from a signal handler, say) to stop after the running chunks.
        resume: finish the interrupted run in the output folder (its saved chunks must be of this run).
    """

    workers: int | None = 1
    dask: str | None = None
    chunk_worlds: int = DEFAULT_CHUNK
    progress: Progress | None = None
    stop: Event | None = None
    resume: bool = False


def run(
    scenario: Scenario | str | Path,
    runs: int = 10_000,
    seed: int = 0,
    *,
    out: Path | None = None,
    force: bool = True,
    trajectories: bool = False,
    execution: Execution | None = None,
    command: list[str] | None = None,
    scenario_path: Path | None = None,
    design: Design | None = None,
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
        force: replace what an earlier run wrote in ``out`` (only files ``sim`` writes: a folder
            holding others is refused); if false, ``out`` must be empty.
        trajectories: keep every world's month-by-month path (``trajectories.parquet``).
        execution: workers, Dask, chunking, progress, stopping and resuming (default: one process).
        command: the command line to record in ``metadata.json``.
        scenario_path: the file a given ``Scenario`` came from, for ``metadata.json``.
        design: per-world values of some assumptions instead of drawing them; the run
            is then ``design.worlds`` worlds, whatever ``runs`` says. Without one, a scenario
            whose ``calibration`` is posterior draws each world's calibrated parameters from
            the posterior sample (``posterior_design``).

    Returns:
        The run's tables, probabilities and per-world outcomes.

    Raises:
        engine.Interrupted: if ``execution.stop`` was set first; with ``out``, run again resuming.
        store.ResumeError: if resuming and ``out`` holds no matching interrupted run.
        folder.FolderError: if another run holds ``out``, or it cannot be created or written.
        results.outputs.OutputError: if ``out`` holds what ``force`` may not replace.
        store.SaveFailed, results.outputs.WriteFailed: if the file system fails during the run
            (a full disk, say); finished chunks are kept, and resuming finishes the run.
        workers.WorkersError: for a bad number of workers or an unreachable Dask scheduler.
        design.DesignError: for a design that names an unknown assumption or a value outside its domain.
    """
    how = execution or Execution()
    if isinstance(scenario, Scenario):
        spec, path = scenario, scenario_path
    else:
        spec, path = load_scenario(scenario), Path(scenario)
    if design is not None:
        design.check(spec)
        runs = design.worlds
    else:
        design = posterior_design(spec, seed)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    plan = RunPlan(spec, runs, seed, how.chunk_worlds, trajectories, design)
    started = time.perf_counter()
    if out is None:
        return _simulate(plan, MemoryStore, set(), how, started)
    with owned(out):  # no other run writes here until the outputs are written
        if how.resume:
            check_manifest(read_manifest(out), plan.identity(), out)  # before any worker starts
        else:
            prepare_output_dir(out, force)
        saved = FolderStore.done_in(out) if how.resume else set()
        result = _simulate(plan, partial(FolderStore, out, plan, how.resume), saved, how, started)
        write_run(result, out, scenario_path=path, command=command, elapsed=time.perf_counter() - started)
        result.rows.remove()
    return RunResult(spec, runs, seed, result.tally, OutputRows(out), result.timing)


def posterior_design(spec: Scenario, seed: int) -> Sampled | None:
    """Each world's calibrated parameters drawn from the posterior sample, less those the scenario sets itself.

    None when the scenario asks for the point values (``calibration: point``), when
    no sample was found beside its configs, or when the scenario sets every sampled parameter.

    Raises:
        design.DesignError: naming the sample file, if it cannot be read or does not fit the scenario.
    """
    source = spec.posterior
    if source is None:
        return None
    columns = read_sample(source.sample, source.supplies)
    if not columns:
        return None
    design = Sampled(columns, seed=seed)
    try:
        design.check(spec)
    except DesignError as error:
        raise DesignError(f"{source.sample}: {error}") from None
    return design


def _simulate(
    plan: RunPlan,
    open_store: Callable[[], FolderStore | MemoryStore],
    saved: set[int],
    how: Execution,
    started: float,
) -> RunResult:
    """Run the chunks not ``saved`` yet and put the run's result together.

    The store is opened once the workers are: a run whose workers cannot be had writes nothing.
    """
    with open_workers(how.workers, how.dask, chunks=len(plan.chunks) - len(saved)) as pool:
        store = open_store()
        saved = store.done()  # less any damaged chunk the store found, which runs again
        simulate(plan, store, pool, how.progress, how.stop)
    timing = Timing(seconds=time.perf_counter() - started, worlds=plan.runs - plan.chunks.worlds(saved))
    tally = sum(store.tallies(), Tally.zero(plan.spec.months))
    return RunResult(plan.spec, plan.runs, plan.seed, tally, store, timing)
