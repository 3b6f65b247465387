"""The Python API behind the command line and the notebooks."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.engine.design import Design, DesignError, Sampled, read_sample
from simulator.engine.folder import owned
from simulator.engine.runner import RunPlan, simulate
from simulator.engine.settings import Execution, RunSettings
from simulator.engine.store import FolderStore, MemoryStore, check_manifest, read_manifest
from simulator.engine.tally import Tally
from simulator.engine.workers import open_workers
from simulator.results.outputs import prepare_output_dir, write_run
from simulator.results.result import OutputRows, Rows, RunResult, Timing
from simulator.scenario import Scenario, assumptions, load_scenario
from simulator.scenario.config import EngineConfig
from simulator.scenario.distributions import Fixed
from simulator.scenario.ensemble import Ensemble


def run(
    scenario: Scenario | str | Path,
    runs: int | None = None,
    seed: int | None = None,
    *,
    out: str | Path | None = None,
    force: bool = False,
    trajectories: bool = False,
    execution: Execution | None = None,
    command: list[str] | None = None,
    scenario_path: Path | None = None,
    design: Design | None = None,
    config: EngineConfig | None = None,
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
        runs: number of worlds (default: ``engine.yaml``'s, as for ``sim run``).
        seed: root seed; the same seed gives identical results (default: ``engine.yaml``'s).
        out: output folder to write, or ``None`` to keep the results in memory.
        force: replace what an earlier run wrote in ``out`` (only files ``sim`` writes: a folder
            holding others is refused); if false, as by default, ``out`` must be empty.
        trajectories: keep every world's month-by-month path (``trajectories.parquet``).
        execution: workers, Dask, chunking, progress, stopping and resuming (default: ``engine.yaml``'s
            workers, Dask scheduler and chunks, as for ``sim run``).
        command: the command line to record in ``metadata.json``.
        scenario_path: the file a given ``Scenario`` came from, for ``metadata.json``.
        design: per-world values of some assumptions instead of drawing them; the run
            is then ``design.worlds`` worlds, whatever ``runs`` says. Without one, a scenario
            whose ``calibration`` is posterior draws each world's calibrated parameters from
            the posterior sample (``posterior_design``); give that design to have it drawn once.
        config: the engine configuration whose values fill those not given and whose ``max_runs``
            bounds ``runs`` (default: the ``engine.yaml`` in use; ``RunSettings.resolve``).

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
        settings.SettingsError: for fewer than one world, more than ``max_runs`` or a negative seed.
    """
    if isinstance(scenario, Scenario):
        spec, path = scenario, scenario_path
    else:
        spec, path = load_scenario(scenario), Path(scenario)
    if design is not None:
        design.check(spec)
        if not isinstance(design, Sampled):  # a sample is drawn from by any number of worlds
            runs = design.worlds
    settings = RunSettings.resolve(config, runs=runs, seed=seed)
    runs, seed, how = settings.runs, settings.seed, execution or settings.execution()
    if design is None:
        design = posterior_design(spec, seed)
    plan = RunPlan(spec, runs, seed, how.chunk_worlds, trajectories, design)
    started = time.perf_counter()
    if out is None:
        return _simulate(plan, MemoryStore, set(), how, started)
    out = Path(out)
    with owned(out):  # no other run writes here until the outputs are written
        if how.resume:
            check_manifest(read_manifest(out), plan.identity(), out)  # before any worker starts
        else:
            prepare_output_dir(out, force)
        saved = FolderStore.done_in(out) if how.resume else set()
        result = _simulate(plan, partial(FolderStore, out, plan, how.resume), saved, how, started)
        write_run(result, out, scenario_path=path, command=command, elapsed=time.perf_counter() - started)
        if isinstance(result.rows, FolderStore):  # the chunks' files, now in the run's own
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
        try:
            simulate(plan, store, pool, how.progress, how.stop)
        finally:
            if isinstance(store, FolderStore):
                store.stop_streaming()  # a run that stops early leaves no half-written stream
    timing = Timing(seconds=time.perf_counter() - started, worlds=plan.runs - plan.chunks.worlds(saved))
    tally = sum(store.tallies(), Tally.zero(plan.spec.months))
    return RunResult(plan.spec, plan.runs, plan.seed, tally, store, timing)


# Ensembles ---------------------------------------------------------------------------------


def allocate(weights: list[float], runs: int) -> list[int]:
    """Worlds for each member: ``runs`` split by weight, remainders to the largest fractions (earlier on ties).

    The counts sum to ``runs`` and each is within one world of ``weight x runs``, so the pooled
    worlds are a stratified sample of the blend: no draw decides which member a world belongs to.
    """
    exact = [w * runs for w in weights]
    counts = [int(x) for x in exact]
    by_fraction = sorted(range(len(weights)), key=lambda k: (-(exact[k] - counts[k]), k))
    for k in by_fraction[: runs - sum(counts)]:
        counts[k] += 1
    return counts


def member_seed(seed: int, position: int) -> int:
    """The seed of an ensemble's member: the ensemble's own for the first, one derived from it for the others.

    The first member's worlds are then exactly those of its own run on ``seed``; the others
    draw independent random numbers, so no two members repeat each other's worlds and the
    pooled standard errors, which count every world as independent, hold.
    """
    if position == 0:
        return seed
    return int(np.random.SeedSequence([seed, position]).generate_state(1, dtype=np.uint32)[0])


@dataclass(frozen=True)
class MemberRun:
    """What one member of an ensemble contributed: its worlds, seed and weight."""

    name: str
    file: str
    weight: float
    worlds: int
    seed: int


@dataclass
class EnsembleResult(RunResult):
    """A pooled ensemble run: the members' worlds one after another, in the members' order.

    Every table and probability is the pooled worlds'; ``summary()`` adds the members.
    """

    members: tuple[MemberRun, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The headline numbers, with the ensemble's members, weights and worlds."""
        members = [
            {"scenario": m.name, "file": m.file, "weight": m.weight, "worlds": m.worlds, "seed": m.seed}
            for m in self.members
        ]
        return super().summary() | {"ensemble": members}


@dataclass(frozen=True)
class PooledRows:
    """The members' per-world rows, one after another, with worlds numbered through and a ``member`` column.

    Members draw different assumptions, so each member's rows carry every column any member
    draws: one the member holds fixed is filled with its fixed value.
    """

    parts: tuple[tuple[str, Rows, dict[str, float]], ...]  #: (member name, its rows, its fixed values)
    offsets: tuple[int, ...]
    columns: tuple[str, ...]  #: the assumption columns of the pooled rows

    def world_tables(self) -> Iterator[pa.Table]:
        """Per-world rows of every member in turn, on one schema."""
        for (name, rows, fixed), offset in zip(self.parts, self.offsets, strict=True):
            for table in rows.world_tables():
                yield self._aligned(table, name, fixed, offset)

    def trajectory_tables(self) -> Iterator[pa.Table]:
        """Month-by-month paths of every member in turn (none unless they were kept)."""
        for (_, rows, _), offset in zip(self.parts, self.offsets, strict=True):
            for table in rows.trajectory_tables():
                yield _renumbered(table, offset)

    def _aligned(self, table: pa.Table, name: str, fixed: dict[str, float], offset: int) -> pa.Table:
        # The posterior row a member's world took means nothing across members: its values are kept instead.
        outcomes = [
            c
            for c in table.column_names
            if c not in ("world", "design_row") and c not in fixed and c not in self.columns
        ]
        n = table.num_rows
        columns: dict[str, pa.Array] = {
            "world": pc.add(table.column("world"), pa.scalar(offset, pa.int64())),
            "member": pa.array([name] * n, pa.string()),
        }
        for column in self.columns:
            if column in table.column_names:
                columns[column] = table.column(column)
            else:
                columns[column] = pa.array(np.full(n, fixed.get(column, np.nan)), pa.float64())
        columns |= {c: table.column(c) for c in outcomes}
        return pa.table(columns)


def _renumbered(table: pa.Table, offset: int) -> pa.Table:
    return table.set_column(0, "world", pc.add(table.column("world"), pa.scalar(offset, pa.int64())))


def run_ensemble(
    ensemble: Ensemble,
    runs: int | None = None,
    seed: int | None = None,
    *,
    out: str | Path | None = None,
    force: bool = False,
    trajectories: bool = False,
    execution: Execution | None = None,
    command: list[str] | None = None,
    config: EngineConfig | None = None,
) -> EnsembleResult:
    """Run an ensemble: each member for its weight's share of ``runs`` worlds, the worlds pooled.

    Member ``k`` runs ``allocate(weights, runs)[k]`` worlds on ``member_seed(seed, k)``; the
    pooled run's counts are the sum of the members' and its worlds are theirs one after
    another, so every output of a run (summary, tables, plots, questions) is the blend's.
    The result depends on the seed and ``runs`` alone, as each member's run does. With
    ``out`` it writes every file ``sim run`` writes; an ensemble run keeps its members in
    memory until then, so it cannot be resumed. ``runs``, ``seed``, ``execution`` and ``config``
    default as for ``run``.

    Raises:
        engine.Interrupted: if ``execution.stop`` was set first.
        folder.FolderError, results.outputs.OutputError, workers.WorkersError: as ``run``.
    """
    settings = RunSettings.resolve(config, runs=runs, seed=seed)
    runs, seed = settings.runs, settings.seed
    how = replace(execution or settings.execution(), resume=False)
    started = time.perf_counter()
    counts = allocate([m.weight for m in ensemble.members], runs)
    parts, offsets, members, tallies = [], [], [], []
    columns: list[str] = []
    spec = ensemble.spec
    for k, (member, count) in enumerate(zip(ensemble.members, counts, strict=True)):
        members.append(MemberRun(member.spec.name, str(member.path), member.weight, count, member_seed(seed, k)))
        if count == 0:
            continue
        asking = member.spec.model_copy(update={"questions": spec.questions})  # the blend's questions, counted alike
        result = run(asking, runs=count, seed=members[-1].seed, trajectories=trajectories, execution=how, config=config)
        drawn = dict(assumptions(member.spec))
        sampled = posterior_design(member.spec, members[-1].seed)
        from_posterior = set() if sampled is None else set(sampled.paths)  # a column of its rows, world by world
        fixed = {
            path: value.value
            for path, value in drawn.items()
            if isinstance(value, Fixed) and path not in from_posterior
        }
        columns += [path for path in drawn if path not in fixed and path not in columns]
        offsets.append(sum(counts[:k]))
        parts.append((member.spec.name, result.rows, fixed))
        tallies.append(result.tally)
    rows = PooledRows(tuple(parts), tuple(offsets), tuple(columns))
    timing = Timing(seconds=time.perf_counter() - started, worlds=runs)
    pooled = EnsembleResult(spec, runs, seed, sum(tallies, Tally.zero(spec.months)), rows, timing, tuple(members))
    if out is not None:
        out = Path(out)
        with owned(out):
            prepare_output_dir(out, force)
            write_run(
                pooled, out, scenario_path=ensemble.source, command=command, elapsed=time.perf_counter() - started
            )
    return pooled
