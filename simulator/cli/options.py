"""What the commands share: options, loading, output folders, run settings, failure messages and signals.

A problem found here ends the command with one message and exit code 2 (``_fail``); the number of
worlds, the seed and how a run is carried out fall back to ``configs/engine.yaml`` in one place,
shared with the Python API and the explorer (``engine.settings.RunSettings``).
"""

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Event
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID

from simulator.api import Execution, posterior_design
from simulator.cli.render import errors
from simulator.engine.design import DesignError
from simulator.engine.folder import FolderError
from simulator.engine.settings import RunSettings, SettingsError
from simulator.files import packaged
from simulator.results.outputs import (
    OutputError,
    check_output_dir,
    check_writable,
    check_writable_file,
    new_run_dir,
)
from simulator.scenario import Scenario, ScenarioError
from simulator.scenario.config import ConfigError, EngineConfig, load_config
from simulator.scenario.ensemble import Ensemble, is_ensemble, load_ensemble
from simulator.scenario.loader import resolve_scenario

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/trump2025.yaml.")]


SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override an assumption, e.g. --set president.volatility=0.3 (repeatable)."),
]


ConfigOption = Annotated[
    Path | None,
    typer.Option(help="Configs folder: engine.yaml and parameter sets (default: $SIM_CONFIG_DIR or configs/)."),
]


def _engine_default(key: str) -> str:
    """An engine default as ``--help`` shows it: from the configs folder in use, else the packaged one."""
    try:
        return str(getattr(load_config(), key))
    except ConfigError:
        return str(getattr(load_config(packaged("configs")), key))


RunsOption = Annotated[
    int | None,
    typer.Option(min=1, help=f"Number of simulated worlds (default {_engine_default('runs')}, from engine.yaml)."),
]


SeedOption = Annotated[
    int | None,
    typer.Option(
        min=0,
        help=f"Root seed; the same seed gives identical outputs (default {_engine_default('seed')}, from engine.yaml).",
    ),
]


OutOption = Annotated[Path | None, typer.Option(help="Output folder (default: a new timestamped folder under runs/).")]


ForceOption = Annotated[bool, typer.Option("--force", help="Write into a non-empty --out folder, replacing its files.")]


WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=1, help="Processes that run chunks, this one included; results never depend on it (default: all cores)."
    ),
]


DaskOption = Annotated[
    str | None,
    typer.Option(
        help="Run on the Dask cluster whose scheduler is at this address, e.g. tcp://10.0.0.5:8786 "
        "(default: $SIM_DASK_ADDRESS, else configs/engine.yaml)."
    ),
]


def _fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _prepare(
    scenarios: list[Path], sets: list[str] | None, config_dir: Path | None
) -> tuple[EngineConfig, list[Scenario]]:
    config, loaded = _prepare_runnable(scenarios, sets, config_dir)
    return config, [_spec_of(item) for item in loaded]


def _spec_of(item: Scenario | Ensemble) -> Scenario:
    """The scenario a run of ``item`` reports under (an ensemble's pooled one)."""
    return item.spec if isinstance(item, Ensemble) else item


def _prepare_runnable(
    scenarios: list[Path], sets: list[str] | None, config_dir: Path | None, check_samples: bool = True
) -> tuple[EngineConfig, list[Scenario | Ensemble]]:
    """The engine configuration and each file as a scenario or, for an ensemble file, an ensemble.

    A posterior sample that does not fit a scenario ends the command here, unless ``check_samples``
    is false and the file is a scenario: ``sim run`` draws its sample once, with the run's seed (``_drawn``).
    """
    try:
        config = load_config(config_dir)
        loaded = [
            load_ensemble(path, sets or (), config_dir)
            if is_ensemble(path)
            else resolve_scenario(path, sets or (), config_dir).spec
            for path in scenarios
        ]
        for item in loaded:
            for spec in [m.spec for m in item.members] if isinstance(item, Ensemble) else [item] * check_samples:
                posterior_design(spec, config.seed)
        return config, loaded
    except (ScenarioError, ConfigError, DesignError) as error:
        _fail(str(error))


def _output_dir(out: Path | None, root: Path, name: str, force: bool) -> Path:
    """The command's output folder, refused (exit 2) before any work if it is in use, not empty or not writable."""
    out = out or new_run_dir(root, name)
    _usable_path(out, "--out")
    try:
        check_output_dir(out, force)
        check_writable(out)
    except (OutputError, FolderError) as error:
        _fail(str(error))
    except OSError as error:  # a name or path too long, a loop of links: before any work
        _fail(f"--out {out}: cannot be used ({error.strerror or error})")
    return out


def _usable_path(path: Path, option: str) -> None:
    """Refuse (exit 2) a path the outputs cannot record: one whose bytes are not UTF-8 (Parquet, JSON, HTML)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = str(path).encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        _fail(f"{option} {shown}: the path holds bytes that are not UTF-8; choose a name in UTF-8")


def _output_file(path: Path, option: str, force: bool = True, make_folder: bool = True) -> Path:
    """A file the command will write, refused (exit 2) before any work if it cannot be written."""
    _usable_path(path, option)
    try:
        check_writable_file(path, force, make_folder)
    except OutputError as error:
        _fail(f"{option}: {error}")
    except OSError as error:  # a name or path too long, a loop of links: before any work
        _fail(f"{option} {path}: cannot be used ({error.strerror or error})")
    return path


def _write_failed(failure: BaseException, kept: str = "") -> NoReturn:
    """A file-system failure once work was under way: one message, exit 1 (docs/reliability.md, exit codes)."""
    errors.print(f"[bold red]error:[/] {escape(str(failure))}{escape(kept)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def _engine_config(config_dir: Path | None) -> EngineConfig:
    try:
        return load_config(config_dir)
    except ConfigError as error:
        _fail(str(error))


def _resolved(config: EngineConfig, runs: int | None = None, seed: int | None = None, **options: Any) -> RunSettings:
    """The command's run settings: the options given, else ``configs/engine.yaml``'s (``RunSettings.resolve``).

    A number of worlds out of bounds ends the command here, with exit code 2, naming its option.
    """
    try:
        return RunSettings.resolve(config, runs=runs, seed=seed, **options)
    except SettingsError as error:
        _fail(str(error))


def _sized(config: EngineConfig, runs: int | None, seed: int | None, option: str = "--runs") -> tuple[int, int]:
    """Runs and seed: the options if given, else ``configs/engine.yaml``'s (``_resolved``)."""
    settings = _resolved(config, runs, seed, runs_option=option)
    return settings.runs, settings.seed


def _execution(
    config: EngineConfig,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int], None] | None = None,
    stop: Event | None = None,
) -> Execution:
    """How to run: the options given, else the engine configuration's workers, Dask scheduler and chunk size."""
    return _resolved(config, workers=workers, dask=dask).execution(progress=progress, stop=stop)


@contextmanager
def _stop_on_signals() -> Iterator[tuple[Event, list[int]]]:
    """Ctrl-C or SIGTERM asks the run to stop after its running chunks; a second one stops at once."""
    stop, received = Event(), []

    def ask_to_stop(signum: int, frame: object) -> None:
        received.append(signum)
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {signum: signal.signal(signum, ask_to_stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop, received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Signalled(KeyboardInterrupt):
    """A stop that a ``_stop_on_signals`` block received, passed on to ``_interruptible`` with its signal."""

    def __init__(self, received: list[int]) -> None:
        super().__init__()
        self.signum = received[0] if received else signal.SIGINT


@contextmanager
def _interruptible(kept: str) -> Iterator[Callable[[str], None]]:
    """Ctrl-C or SIGTERM ends a long command at once with one line saying what was kept; exit 128 + the signal.

    ``kept`` says what is left if the command stops now; the function yielded changes it as the command
    goes on (say, once its first file is written). A ``_stop_on_signals`` block inside takes the signals
    over for its run and gives them back when it ends.
    """
    said, received = [kept], []

    def stop_now(signum: int, frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, stop_now) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda text: said.__setitem__(0, text)
    except KeyboardInterrupt as stopped:
        signum = stopped.signum if isinstance(stopped, Signalled) else received[-1] if received else signal.SIGINT
        errors.print(f"[bold yellow]interrupted:[/] {escape(said[0])}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=128 + signum) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _advancer(bar: Progress, task: TaskID, months: int) -> Callable[[int], None]:
    """The engine's progress callback (world-months done) moving a bar counted in worlds."""
    return lambda world_months: bar.advance(task, world_months / months)
