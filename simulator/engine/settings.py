"""A run's settings, resolved once: how many worlds, from which seed, and how they are run.

``configs/engine.yaml`` gives every default; a value given (an option of
``sim``, an argument of ``simulator.run``, the explorer's) takes its place.
``sim``, the Python API and the explorer all resolve here, so they share one
set of defaults and one check of each number.
"""

from dataclasses import dataclass
from pathlib import Path
from threading import Event

from simulator.engine.runner import DEFAULT_CHUNK, Progress
from simulator.scenario.config import ENGINE_FILE, EngineConfig, load_config


class SettingsError(ValueError):
    """A number of worlds or a seed a run cannot have; the message names the option and the limit."""


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


@dataclass(frozen=True)
class RunSettings:
    """What a run is (its worlds and seed) and how it runs, with ``engine.yaml`` filling what was not given.

    Attributes:
        runs: worlds in the run.
        seed: the root seed.
        workers: processes that run chunks, this one included (``None``: all cores).
        dask: address of a Dask scheduler to run on instead, if any.
        chunk_worlds: worlds one model advances at once.
        output_root: the folder new timestamped output folders go in.
    """

    runs: int
    seed: int
    workers: int | None
    dask: str | None
    chunk_worlds: int
    output_root: Path

    @classmethod
    def resolve(
        cls,
        config: EngineConfig | None = None,
        *,
        runs: int | None = None,
        seed: int | None = None,
        workers: int | None = None,
        dask: str | None = None,
        chunk_worlds: int | None = None,
        runs_option: str = "--runs",
    ) -> "RunSettings":
        """The settings: each value given, else ``config``'s (default: the ``engine.yaml`` in use).

        Args:
            config: the engine configuration; ``None`` reads it (``scenario.config.load_config``).
            runs: worlds in the run, if given.
            seed: the root seed, if given.
            workers: processes that run chunks, if given.
            dask: a Dask scheduler's address, if given.
            chunk_worlds: worlds a model advances at once, if given.
            runs_option: how the user gave ``runs``, for the message of a number out of bounds.

        Raises:
            SettingsError: for fewer than one world, more than ``max_runs`` or a negative seed.
            scenario.config.ConfigError: if ``engine.yaml`` cannot be read.
        """
        config = load_config() if config is None else config
        runs = config.runs if runs is None else runs
        seed = config.seed if seed is None else seed
        if runs < 1:
            raise SettingsError(f"{runs_option} must be at least 1, got {runs}")
        if runs > config.max_runs:
            raise SettingsError(
                f"{runs_option} {runs:,} is more than the {config.max_runs:,} worlds a run may have (max_runs in "
                f"{ENGINE_FILE}); raise max_runs there, or in your own configs folder (--config-dir), "
                "for a run that big"
            )
        if seed < 0:
            raise SettingsError(f"the seed must be 0 or more, got {seed}")
        return cls(
            runs=runs,
            seed=seed,
            workers=workers or config.workers,
            dask=dask or config.dask,
            chunk_worlds=chunk_worlds or config.chunk_worlds,
            output_root=config.output_root,
        )

    def execution(
        self, *, progress: Progress | None = None, stop: Event | None = None, resume: bool = False
    ) -> Execution:
        """How to carry the run out: these settings' workers, Dask scheduler and chunks, with a progress and a stop."""
        return Execution(self.workers, self.dask, self.chunk_worlds, progress, stop, resume)
