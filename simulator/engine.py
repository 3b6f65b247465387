"""The engine: runs a scenario's Monte Carlo worlds in chunks and gathers the results.

A run of N worlds is cut into chunks of whole random-number blocks
(``randomness.BLOCK``). Each chunk is one ``RelationsModel`` advancing all its
worlds together; chunks only hand back aggregates and per-world outcomes, so
the result depends on the seed alone, not on the chunk size.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.model import RelationsModel
from simulator.randomness import BLOCK
from simulator.scenario import Scenario
from simulator.scenario.distributions import Fixed
from simulator.scenario.schema import assumptions

#: Worlds one model advances at once by default: large enough for numpy speed, small in memory.
DEFAULT_CHUNK = 8 * BLOCK

#: Called with a number of world-months each time worlds advance (a run has runs x months).
Progress = Callable[[int], None]


@dataclass
class ChunkResult:
    """What one chunk of worlds hands back."""

    first_world: int
    level_counts: np.ndarray  #: (months, levels)
    phase_counts: np.ndarray  #: (months, phases)
    war_counts: np.ndarray  #: (months, war states)
    state_sums: np.ndarray  #: (months, tracked state)
    first_event: np.ndarray  #: (events, worlds) month index or -1
    max_level: np.ndarray
    final_level: np.ndarray
    final_phase: np.ndarray
    reversals: np.ndarray
    first_phase_entry: np.ndarray  #: (phases, worlds) month index each phase was first entered, or -1
    draws: dict[str, np.ndarray]  #: sampled assumptions that vary between worlds


def plan_chunks(runs: int, chunk_worlds: int = DEFAULT_CHUNK) -> list[tuple[int, int]]:
    """(first world, count) of each chunk; every chunk but the last is whole blocks."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    size = max(BLOCK, chunk_worlds - chunk_worlds % BLOCK)
    return [(first, min(size, runs - first)) for first in range(0, runs, size)]


def run_chunk(spec: Scenario, seed: int, first: int, count: int, progress: Progress | None = None) -> ChunkResult:
    """Advance ``count`` worlds from world ``first`` to the horizon."""
    model = RelationsModel(spec, worlds=count, seed=seed, first_world=first)
    while model.running:
        model.step()
        if progress is not None:
            progress(count)
    varying = {path for path, value in assumptions(spec) if not isinstance(value, Fixed)}
    recorder = model.recorder
    return ChunkResult(
        first_world=first,
        level_counts=recorder.level_counts,
        phase_counts=recorder.phase_counts,
        war_counts=recorder.war_counts,
        state_sums=recorder.state_sums,
        first_event=model.events.first,
        max_level=recorder.max_level,
        final_level=model.state.level,
        final_phase=model.state.phase,
        reversals=model.president.reversals,
        first_phase_entry=recorder.first_entry,
        draws={path: values for path, values in model.draws.items() if path in varying},
    )


def simulate(
    spec: Scenario, runs: int, seed: int, chunk_worlds: int = DEFAULT_CHUNK, progress: Progress | None = None
) -> list[ChunkResult]:
    """Run every chunk of a scenario in order, reporting progress as worlds finish."""
    return [run_chunk(spec, seed, first, count, progress) for first, count in plan_chunks(runs, chunk_worlds)]
