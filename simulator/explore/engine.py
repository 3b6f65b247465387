"""The explorer's engine: worker processes kept warm, re-running a scenario's worlds on every change.

A run is cut into chunks of whole random-number blocks (``randomness.BLOCK``
worlds): the first block alone, whose forecast can be shown while the rest
runs, then one chunk per worker process. The draws depend only on the seed
and the world (not on the chunking), so the
explorer's probabilities are exactly those of ``simulator.run`` with the same
scenario, seed and number of worlds. Each chunk hands back its tally and, per
world, the level at the horizon, the first month of every event and its answer to each question: all the
paired comparison with the scenario as loaded needs, without the per-world
tables a full run writes. The worker processes are spawned once, when the
server starts, and import the model once.
"""

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis.compare import Comparison
from simulator.api import posterior_design
from simulator.engine.design import Design
from simulator.engine.runner import advance, plan_chunks
from simulator.engine.tally import Tally
from simulator.engine.workers import helper_pool
from simulator.model.randomness import BLOCK
from simulator.results.result import RunResult, Timing
from simulator.scenario import Scenario


class _NoRows:
    """A forecast keeps its per-world outcomes as arrays, not as the rows of a full run."""

    def world_tables(self) -> Any:
        """None kept."""
        return iter(())

    def trajectory_tables(self) -> Any:
        """None kept."""
        return iter(())


@dataclass
class Forecast(RunResult):
    """A run's tables, read from its tally, and each world's outcomes as arrays.

    Attributes:
        levels: (worlds,) each world's level at the horizon, as codes into ``LEVELS``.
        firsts: (events, worlds) the month index each event first happened in each world, or -1.
    """

    levels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    firsts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int16))
    answered: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def question_worlds(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        """Each question's answer in each world, by question id."""
        return self.answered

    @property
    def final_levels(self) -> np.ndarray:
        """Each world's level at the horizon (codes into ``LEVELS``)."""
        return self.levels

    @property
    def first_event(self) -> np.ndarray:
        """(events, worlds): month index each event first happened, or -1."""
        return self.firsts


def run_block(
    spec: Scenario, seed: int, first: int, count: int, design: Design | None = None
) -> tuple[Tally, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Advance worlds ``first`` .. ``first + count - 1`` to the horizon; the unit a worker runs.

    ``design`` is the run's posterior draws (``api.posterior_design``), as ``simulator.run`` makes them.
    """
    values = None if design is None else design.values(first, count)
    model, conditioned = advance(spec, seed, first, count, values)
    tally = Tally.of(model, None if conditioned is None else conditioned.effective)
    return tally, model.state.level.astype(np.int8), model.events.first.copy(), model.answers.worlds()


class Engine:
    """Worker processes that stay up between runs; they start at once, in the background.

    Args:
        processes: how many (``None``: one per core).
    """

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or multiprocessing.cpu_count()
        self.pool: Executor = helper_pool(self.processes)  # they end with the server, however it ends
        for _ in range(self.processes):
            self.pool.submit(_warm)  # starts the processes now, while the server starts

    def forecast(
        self, spec: Scenario, runs: int, seed: int, preview: Callable[[Forecast], None] | None = None
    ) -> Forecast:
        """Run ``runs`` worlds of ``spec`` with ``seed``; the same numbers as ``simulator.run``.

        Args:
            spec: the scenario.
            runs: number of worlds.
            seed: the root seed.
            preview: called, before the whole run is done, with the forecast of its first
                ``BLOCK`` worlds (exactly ``simulator.run`` with ``runs=BLOCK``), if the run has more.
        """
        started = time.perf_counter()
        design = posterior_design(spec, seed)
        chunks = self.chunks(runs) if spec.evidence is None else list(plan_chunks(runs, spec.evidence.filter_worlds))
        futures = [self.pool.submit(run_block, spec, seed, first, count, design) for first, count in chunks]
        if preview is not None and runs > BLOCK and spec.evidence is None:  # evidence: its filter blocks are the unit
            preview(_forecast(spec, seed, [futures[0].result()], started))
        return _forecast(spec, seed, [future.result() for future in futures], started)

    def chunks(self, runs: int) -> list[tuple[int, int]]:
        """(first world, count) of each chunk of a run of ``runs`` worlds.

        The first random-number block alone (the preview), then the rest in one chunk per
        process, of whole blocks (fewer, larger chunks: numpy speed).
        """
        if runs <= BLOCK:
            return [(0, runs)]
        blocks = -(-(runs - BLOCK) // BLOCK)
        rest = plan_chunks(runs - BLOCK, BLOCK * -(-blocks // self.processes))
        return [(0, BLOCK), *((BLOCK + first, count) for first, count in rest)]

    def close(self) -> None:
        """Stop the worker processes, once the chunks they are running finish (at most a second or so).

        Waiting lets the pool close its queues: without it, the multiprocessing resource tracker
        reports their semaphores as leaked when the server stops.
        """
        self.pool.shutdown(wait=True, cancel_futures=True)


def _forecast(spec: Scenario, seed: int, parts: list[tuple], started: float) -> Forecast:
    """The forecast of the chunks ``parts``, the first worlds of the run, in world order."""
    runs = sum(part[1].size for part in parts)
    return Forecast(
        spec,
        runs,
        seed,
        sum((part[0] for part in parts), Tally.zero(spec.months)),
        _NoRows(),
        Timing(time.perf_counter() - started, runs),
        levels=np.concatenate([part[1] for part in parts]),
        firsts=np.concatenate([part[2] for part in parts], axis=1),
        answered={q.id: np.concatenate([part[3][q.id] for part in parts]) for q in spec.questions},
    )


def differences(loaded: Forecast, edited: Forecast) -> pd.DataFrame:
    """The edited scenario against the loaded one, world by world (common random numbers).

    Returns:
        One row per outcome (level at the horizon, event by the horizon, question): ``kind``,
        ``quantity``, ``probability`` (edited), ``difference`` from the loaded scenario and its
        ``standard_error``.
    """
    table = Comparison(["loaded", "edited"], [loaded, edited]).table()
    return table[table["scenario"] == "edited"].drop(columns="scenario").reset_index(drop=True)


def _warm() -> None:
    """Nothing: the worker has imported this module, and with it the model, by the time it runs."""
