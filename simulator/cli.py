"""The ``sim`` command: a thin layer over the Python API."""

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from threading import Event
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from simulator.api import run as run_scenario
from simulator.config import EngineConfig, load_config
from simulator.engine import ChunkFailed, Interrupted, plan_chunks
from simulator.outputs import OutputError, check_output_dir, new_run_dir
from simulator.results import RunResult
from simulator.scenario import Scenario, ScenarioError, load_scenario
from simulator.store import FolderStore, ResumeError, read_manifest
from simulator.vocabulary import KEY_EVENTS, LEVELS
from simulator.workers import WorkersError

app = typer.Typer(
    help="Scenario forecasting of US-Russia relations: an agent-based model run as Monte Carlo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


@app.callback()
def main() -> None:
    """Scenario forecasting of US-Russia relations: an agent-based model run as Monte Carlo."""


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@dataclass(frozen=True)
class _Settings:
    """What ``sim run`` will do, once options, the engine configuration and any resumed run agree."""

    out: Path
    runs: int
    seed: int
    chunk_worlds: int
    trajectories: bool
    resume: bool
    done_worlds: int


def _settings(
    config: EngineConfig,
    spec: Scenario,
    runs: int | None,
    seed: int | None,
    out: Path | None,
    force: bool,
    resume: Path | None,
    trajectories: bool,
) -> _Settings:
    """Resolve the options; for ``--resume``, runs, seed and chunking come from the interrupted run."""
    if resume is None:
        out = out or new_run_dir(config.output_root, spec.name)
        check_output_dir(out, force)
        runs = runs or config.runs
        seed = config.seed if seed is None else seed
        return _Settings(out, runs, seed, config.chunk_worlds, trajectories, False, 0)
    if out is not None and out != resume:
        raise OutputError(f"--resume {resume} writes into that folder; leave out --out {out}")
    manifest = read_manifest(resume)
    runs = runs or manifest["runs"]
    seed = manifest["seed"] if seed is None else seed
    trajectories = trajectories or manifest["trajectories"]
    chunks = plan_chunks(runs, manifest["chunk_worlds"])
    done = sum(chunks[i][1] for i in FolderStore.done_in(resume) if i < len(chunks))
    return _Settings(resume, runs, seed, manifest["chunk_worlds"], trajectories, True, done)


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


class _WorldsColumn(ProgressColumn):
    """Worlds done of the total, and worlds per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        rate = f"{speed:,.0f} worlds/s" if speed else "- worlds/s"
        return Text(f"{int(task.completed):,}/{int(task.total or 0):,} worlds  {rate}")


@contextmanager
def _progress_bar(name: str, settings: _Settings, months: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (when it is a terminal); yields the engine's progress callback."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        _WorldsColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as bar:
        task = bar.add_task(name, total=settings.runs, completed=settings.done_worlds)
        yield lambda world_months: bar.advance(task, world_months / months)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/trump2025.yaml.")],
    runs: Annotated[
        int | None, typer.Option(min=1, help="Number of simulated worlds (default: configs/engine.yaml).")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="Root seed; the same seed gives identical outputs (default: configs/engine.yaml)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: a new timestamped folder under runs/).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Write into a non-empty --out folder, replacing its files.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes that run chunks, this one included; results never depend on it (default: all cores).",
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            help="Run on the Dask cluster whose scheduler is at this address, e.g. tcp://10.0.0.5:8786 "
            "(default: $SIM_DASK_ADDRESS, else configs/engine.yaml)."
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(help="Finish the interrupted run in this folder; runs and seed come from it."),
    ] = None,
    save_trajectories: Annotated[
        bool, typer.Option(help="Also write every world's month-by-month path to trajectories.parquet.")
    ] = False,
) -> None:
    """Run a scenario's worlds to its horizon; print a summary and write tables and plots."""
    try:
        config = load_config()
        spec = load_scenario(scenario)
        settings = _settings(config, spec, runs, seed, out, force, resume, save_trajectories)
    except (ScenarioError, OutputError, ResumeError) as error:
        _fail(str(error))
        return

    started = time.perf_counter()
    with _stop_on_signals() as (stop, received), _progress_bar(spec.name, settings, spec.months) as progress:
        try:
            result = run_scenario(
                scenario,
                runs=settings.runs,
                seed=settings.seed,
                out=settings.out,
                resume=settings.resume,
                workers=workers or config.workers,
                dask=dask or config.dask,
                chunk_worlds=settings.chunk_worlds,
                trajectories=settings.trajectories,
                progress=progress,
                stop=stop,
                command=["sim", *sys.argv[1:]],
            )
        except (WorkersError, ResumeError) as error:
            _fail(str(error))
            return
        except (Interrupted, KeyboardInterrupt) as stopped:
            _stopped(scenario, settings.out, stopped, received)
            return
        except ChunkFailed as failure:
            errors.print(
                f"[bold red]error:[/] {failure}\nFinished chunks are saved in {settings.out}; "
                f"once the cause is fixed, resume with: sim run {scenario} --resume {settings.out}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=1) from None
    print_summary(result, time.perf_counter() - started)
    console.print(f"\nOutputs written to [bold]{settings.out}[/]")


def _stopped(scenario: Path, out: Path, stopped: BaseException, received: list[int]) -> None:
    """Say what was kept and how to finish; exit 128 + the signal's number (130 for Ctrl-C)."""
    progress = f"{stopped.done} of {stopped.total} chunks finished" if isinstance(stopped, Interrupted) else "stopped"
    errors.print(
        f"[bold yellow]interrupted:[/] {progress}; they are saved in {out}.\n"
        f"Resume with: sim run {scenario} --resume {out}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code=128 + (received[0] if received else signal.SIGINT))


def print_summary(result: RunResult, elapsed: float) -> None:
    """The terminal summary: levels at the horizon, by year, key events and questions."""
    spec = result.spec
    speed = f", {result.timing.worlds_per_second:,.0f} worlds/s" if result.timing and result.timing.worlds else ""
    console.print(
        f"\n[bold]{spec.name}[/]: {result.runs:,} worlds, seed {result.seed}, "
        f"{spec.start} to {spec.horizon}, {elapsed:.1f} s{speed}"
    )

    final, reached = result.final_level_probabilities(), result.max_level_probabilities()
    levels = Table(title=f"Level of relations in {spec.horizon}", title_justify="left")
    levels.add_column("level")
    levels.add_column(f"at {spec.horizon}", justify="right")
    levels.add_column("highest reached", justify="right")
    for level in LEVELS:
        levels.add_row(level, f"{final[level]:.1%}", f"{reached[level]:.1%}")
    console.print(levels)

    by_year = Table(title="Most likely level, end of each year", title_justify="left")
    by_year.add_column("month")
    by_year.add_column("most likely level")
    by_year.add_column("probability", justify="right")
    for month, (level, p) in result.most_likely_level_by_year().items():
        by_year.add_row(month, level, f"{p:.1%}")
    console.print(by_year)

    events = Table(title=f"Key events by {spec.horizon}", title_justify="left")
    events.add_column("event")
    events.add_column("probability", justify="right")
    events.add_column("median month", justify="right")
    summary = result.event_summary()
    for event in KEY_EVENTS:
        events.add_row(event, f"{summary[event]['probability']:.1%}", summary[event]["median_month"] or "-")
    console.print(events)

    if spec.questions:
        questions = Table(title="Questions", title_justify="left")
        questions.add_column("id")
        questions.add_column("question")
        questions.add_column("probability", justify="right")
        for qid, answer in result.questions().items():
            questions.add_row(
                qid,
                answer["text"] or f"{answer['event']} by {answer['by']}",
                f"{answer['probability']:.1%} ± {answer['standard_error']:.1%}",
            )
        console.print(questions)
