"""The Python API behind the command line and the notebooks."""

from pathlib import Path

from simulator.engine import DEFAULT_CHUNK, Progress, simulate
from simulator.results import RunResult
from simulator.scenario import Scenario, load_scenario


def run(
    scenario: Scenario | str | Path,
    runs: int = 10_000,
    seed: int = 0,
    chunk_worlds: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> RunResult:
    """Run a scenario's Monte Carlo worlds from its start month to its horizon.

    Args:
        scenario: a validated scenario, or the path of a scenario file.
        runs: number of worlds.
        seed: root seed; the same seed gives identical results.
        chunk_worlds: worlds advanced together per model (memory, not results).
        progress: called with the number of world-months done as the run advances.

    Returns:
        The run's tables, probabilities and per-world outcomes.
    """
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    return RunResult(spec, runs, seed, simulate(spec, runs, seed, chunk_worlds, progress))
