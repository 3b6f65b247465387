"""The ``sim`` command: a thin layer over the Python API.

Options are read and checked here, and fall back to ``configs/engine.yaml``
in one place (``_sized``); what is shown lives in ``render``.
"""

import json
import logging
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from threading import Event
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID

from simulator.analysis.compare import Comparison, write_comparison
from simulator.api import Execution, posterior_design, run_ensemble
from simulator.api import run as run_scenario
from simulator.cli import render
from simulator.cli.render import console, errors
from simulator.engine.design import DesignError
from simulator.engine.folder import FolderError
from simulator.engine.runner import ChunkFailed, Interrupted, plan_chunks
from simulator.engine.store import CHUNKS, MANIFEST, FolderStore, ResumeError, SaveFailed, read_manifest
from simulator.engine.workers import WorkersError
from simulator.results.outputs import (
    OutputError,
    WriteFailed,
    check_output_dir,
    check_writable,
    check_writable_file,
    new_run_dir,
    replaced,
)
from simulator.scenario import Scenario, ScenarioError
from simulator.scenario.config import ENGINE_FILE, ConfigError, EngineConfig, load_config
from simulator.scenario.ensemble import Ensemble, is_ensemble, load_ensemble
from simulator.scenario.loader import resolve_scenario
from simulator.scenario.provenance import as_dicts, as_markdown, describe
from simulator.version import __version__

app = typer.Typer(
    help="Scenario forecasting of US-Russia relations: an agent-based model run as Monte Carlo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/trump2025.yaml.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override an assumption, e.g. --set president.volatility=0.3 (repeatable)."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(help="Configs folder: engine.yaml and parameter sets (default: $SIM_CONFIG_DIR or configs/)."),
]
RunsOption = Annotated[
    int | None, typer.Option(min=1, help="Number of simulated worlds (default: configs/engine.yaml).")
]
SeedOption = Annotated[
    int | None,
    typer.Option(min=0, help="Root seed; the same seed gives identical outputs (default: configs/engine.yaml)."),
]
OutOption = Annotated[Path | None, typer.Option(help="Output folder (default: a new timestamped folder under runs/).")]
ForceOption = Annotated[bool, typer.Option(help="Write into a non-empty --out folder, replacing its files.")]


class Format(StrEnum):
    """How ``sim describe`` prints."""

    table = "table"
    markdown = "markdown"
    json = "json"


class _Notes(logging.Handler):
    """The package's warnings (normalised weights, a damaged chunk recomputed), printed as notes."""

    def emit(self, record: logging.LogRecord) -> None:
        errors.print(f"[bold yellow]note:[/] {escape(record.getMessage())}", highlight=False, soft_wrap=True)


_notes = _Notes(logging.WARNING)


def _print_version(wanted: bool) -> None:
    if wanted:
        console.print(f"sim {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Scenario forecasting of US-Russia relations: an agent-based model run as Monte Carlo."""
    package = logging.getLogger("simulator")
    if _notes not in package.handlers:
        package.addHandler(_notes)


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
    scenarios: list[Path], sets: list[str] | None, config_dir: Path | None
) -> tuple[EngineConfig, list[Scenario | Ensemble]]:
    """The engine configuration and each file as a scenario or, for an ensemble file, an ensemble."""
    try:
        config = load_config(config_dir)
        loaded = [
            load_ensemble(path, sets or (), config_dir)
            if is_ensemble(path)
            else resolve_scenario(path, sets or (), config_dir).spec
            for path in scenarios
        ]
        for item in loaded:  # a posterior sample that does not fit fails here, once
            for spec in [m.spec for m in item.members] if isinstance(item, Ensemble) else [item]:
                posterior_design(spec, config.seed)
        return config, loaded
    except (ScenarioError, ConfigError, DesignError) as error:
        _fail(str(error))


def _output_dir(out: Path | None, root: Path, name: str, force: bool) -> Path:
    """The command's output folder, refused (exit 2) before any work if it is in use, not empty or not writable."""
    out = out or new_run_dir(root, name)
    try:
        check_output_dir(out, force)
        check_writable(out)
    except (OutputError, FolderError) as error:
        _fail(str(error))
    return out


def _output_file(path: Path, option: str, force: bool = True, make_folder: bool = True) -> Path:
    """A file the command will write, refused (exit 2) before any work if it cannot be written."""
    try:
        check_writable_file(path, force, make_folder)
    except OutputError as error:
        _fail(f"{option}: {error}")
    return path


def _write_failed(failure: BaseException, kept: str = "") -> NoReturn:
    """A file-system failure once work was under way: one message, exit 1 (see README, exit codes)."""
    errors.print(f"[bold red]error:[/] {escape(str(failure))}{escape(kept)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def _engine_config(config_dir: Path | None) -> EngineConfig:
    try:
        return load_config(config_dir)
    except ConfigError as error:
        _fail(str(error))


def _sized(config: EngineConfig, runs: int | None, seed: int | None) -> tuple[int, int]:
    """Runs and seed: the options if given, else ``configs/engine.yaml`` (the one place they fall back).

    Runs above the configuration's ``max_runs`` end the command here, with exit code 2.
    """
    try:
        return _within_max(runs or config.runs, config), config.seed if seed is None else seed
    except OutputError as error:
        _fail(str(error))


def _execution(
    config: EngineConfig,
    *,
    workers: int | None = None,
    dask: str | None = None,
    chunk_worlds: int | None = None,
    progress: Callable[[int], None] | None = None,
    stop: Event | None = None,
    resume: bool = False,
) -> Execution:
    """How to run: the options given, else the engine configuration's workers, Dask scheduler and chunk size."""
    return Execution(
        workers=workers or config.workers,
        dask=dask or config.dask,
        chunk_worlds=chunk_worlds or config.chunk_worlds,
        progress=progress,
        stop=stop,
        resume=resume,
    )


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
        runs, seed = _sized(config, runs, seed)
        return _Settings(out, runs, seed, config.chunk_worlds, trajectories, False, 0)
    if out is not None and out != resume:
        raise OutputError(f"--resume {resume} writes into that folder; leave out --out {out}")
    manifest = read_manifest(resume)
    runs = _within_max(runs or manifest["runs"], config)
    seed = manifest["seed"] if seed is None else seed
    trajectories = trajectories or manifest["trajectories"]
    done = plan_chunks(runs, manifest["chunk_worlds"]).worlds(FolderStore.done_in(resume))
    return _Settings(resume, runs, seed, manifest["chunk_worlds"], trajectories, True, done)


def _within_max(runs: int, config: EngineConfig) -> int:
    if runs > config.max_runs:
        raise OutputError(
            f"--runs {runs:,} is more than the {config.max_runs:,} worlds a run may have (max_runs in "
            f"{ENGINE_FILE}); raise max_runs there, or in your own configs folder (--config-dir), for a run that big"
        )
    return runs


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


@app.command()
def run(
    scenario: ScenarioArg,
    runs: RunsOption = None,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    config_dir: ConfigOption = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    resume: Annotated[
        Path | None, typer.Option(help="Finish the interrupted run in this folder; runs and seed come from it.")
    ] = None,
    save_trajectories: Annotated[
        bool, typer.Option(help="Also write every world's month-by-month path to trajectories.parquet.")
    ] = False,
    report: Annotated[bool, typer.Option(help="Also write report.html, one self-contained page to send.")] = False,
) -> None:
    """Run a scenario's worlds to its horizon; print a summary and write tables and plots.

    An ensemble file runs each member for its weight's share of the worlds and pools them.
    """
    config, (loaded,) = _prepare_runnable([scenario], set_, config_dir)
    if isinstance(loaded, Ensemble):
        if resume is not None:
            _fail(f"{scenario} is an ensemble, which keeps its members in memory: it cannot be resumed; run it again")
        _run_ensemble(loaded, config, runs, seed, out, force, workers, dask, save_trajectories, report)
        return
    spec = loaded
    try:
        settings = _settings(config, spec, runs, seed, out, force, resume, save_trajectories)
    except (OutputError, ResumeError, FolderError) as error:
        _fail(str(error))
    started = time.perf_counter()
    with _stop_on_signals() as (stop, received), render.progress() as bar:
        task = bar.add_task(spec.name, total=settings.runs, completed=settings.done_worlds, unit="worlds")
        execution = _execution(
            config,
            workers=workers,
            dask=dask,
            chunk_worlds=settings.chunk_worlds,
            progress=_advancer(bar, task, spec.months),
            stop=stop,
            resume=settings.resume,
        )
        try:
            result = run_scenario(
                spec,
                runs=settings.runs,
                seed=settings.seed,
                out=settings.out,
                force=force,
                trajectories=settings.trajectories,
                execution=execution,
                command=["sim", *sys.argv[1:]],
                scenario_path=scenario,
            )
        except (WorkersError, ResumeError, FolderError, OutputError) as error:
            _fail(str(error))
        except (SaveFailed, WriteFailed, OSError) as failure:
            _write_failed(failure, _resume_hint(scenario, settings.out))
        except (Interrupted, KeyboardInterrupt) as stopped:
            _stopped(scenario, settings.out, stopped, received)
            return
        except ChunkFailed as failure:
            errors.print(
                f"[bold red]error:[/] {escape(str(failure))}\nFinished chunks are saved in {settings.out}; "
                f"once the cause is fixed, resume with: sim run {scenario} --resume {settings.out}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=1) from None
    render.summary(result, time.perf_counter() - started)
    drawn = posterior_design(spec, settings.seed)
    if drawn is not None:
        render.drawn_from_posterior(drawn.paths, spec.posterior.sample.name)
    if report:
        from simulator.analysis.report import write_report

        write_report(settings.out)
    render.written_to(settings.out)


def _run_ensemble(
    ensemble: Ensemble,
    config: EngineConfig,
    runs: int | None,
    seed: int | None,
    out: Path | None,
    force: bool,
    workers: int | None,
    dask: str | None,
    trajectories: bool,
    report: bool,
) -> None:
    """``sim run`` on an ensemble file: its members' worlds pooled into one run's outputs."""
    spec = ensemble.spec
    out = _output_dir(out, config.output_root, spec.name, force)
    runs, seed = _sized(config, runs, seed)
    started = time.perf_counter()
    with _stop_on_signals() as (stop, received), render.progress() as bar:
        task = bar.add_task(spec.name, total=runs, unit="worlds")
        execution = _execution(
            config, workers=workers, dask=dask, progress=_advancer(bar, task, spec.months), stop=stop
        )
        try:
            result = run_ensemble(
                ensemble,
                runs,
                seed,
                out=out,
                force=force,
                trajectories=trajectories,
                execution=execution,
                command=["sim", *sys.argv[1:]],
            )
        except (WorkersError, FolderError, OutputError) as error:
            _fail(str(error))
        except (SaveFailed, WriteFailed, OSError, ChunkFailed) as failure:
            _write_failed(failure)
        except (Interrupted, KeyboardInterrupt):
            errors.print(
                "[bold yellow]interrupted:[/] an ensemble run cannot be resumed; run it again", highlight=False
            )
            raise typer.Exit(code=128 + (received[0] if received else signal.SIGINT)) from None
    render.summary(result, time.perf_counter() - started)
    render.ensemble_members(result)
    if report:
        from simulator.analysis.report import write_report

        write_report(out)
    render.written_to(out)


def _resume_hint(scenario: Path, out: Path) -> str:
    if not (out / CHUNKS / MANIFEST).is_file():
        return ""
    return f"\nFinished chunks are kept in {out}; once the cause is fixed, resume: sim run {scenario} --resume {out}"


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


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
    set_: SetOption = None,
    config_dir: ConfigOption = None,
) -> None:
    """Check scenarios without running them: every problem named with its file, line and key."""
    failed = 0
    for path in scenarios:
        try:
            if is_ensemble(path):
                ensemble = load_ensemble(path, set_ or (), config_dir)
                shares = ", ".join(f"{m.spec.name} {m.weight:.3f}" for m in ensemble.members)
                console.print(f"[green]ok[/] {escape(str(path))} (ensemble: {escape(shares)})", highlight=False)
                continue
            resolved = resolve_scenario(path, set_ or (), config_dir)
        except ScenarioError as error:
            failed += 1
            errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
            continue
        chain = " <- ".join(str(p) for p in reversed(resolved.files))
        console.print(f"[green]ok[/] {escape(chain)}", highlight=False)
    if failed:
        raise typer.Exit(code=2)


@app.command(name="describe")
def describe_command(
    scenario: ScenarioArg,
    format: Annotated[Format, typer.Option("--format", help="table, markdown or json.")] = Format.table,
    set_: SetOption = None,
    config_dir: ConfigOption = None,
) -> None:
    """Print every assumption: value, unit, meaning, source document and quote, and where it was set."""
    if is_ensemble(scenario):
        _fail(f"{scenario} is an ensemble: describe its members, each a scenario (sim validate {scenario} lists them)")
    try:
        rows = describe(resolve_scenario(scenario, set_ or (), config_dir))
    except ScenarioError as error:
        _fail(str(error))
    if format is Format.json:
        print(json.dumps(as_dicts(rows), indent=2, ensure_ascii=False))
    elif format is Format.markdown:
        print(as_markdown(rows), end="")
    else:
        render.assumptions(rows, f"Assumptions of {scenario}")


@app.command()
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first is the reference.")],
    runs: RunsOption = None,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    config_dir: ConfigOption = None,
) -> None:
    """Run scenarios with common random numbers and report their differences with standard errors."""
    if len(scenarios) < 2:
        _fail("compare needs at least two scenarios")
    config, loaded = _prepare_runnable(scenarios, None, config_dir)
    specs = [_spec_of(item) for item in loaded]
    spans = {(str(spec.start), str(spec.horizon)) for spec in specs}
    if len(spans) != 1:
        _fail(
            "compare needs scenarios over the same months; got "
            + ", ".join(f"{path} {spec.start} to {spec.horizon}" for path, spec in zip(scenarios, specs, strict=True))
        )
    names = _unique_names(specs)
    out = _output_dir(out, config.output_root, "compare-" + "-".join(names), force)
    runs, seed = _sized(config, runs, seed)
    results = []
    with render.progress() as bar:
        for item, spec in zip(loaded, specs, strict=True):
            task = bar.add_task(spec.name, total=runs, unit="worlds")
            execution = _execution(config, progress=_advancer(bar, task, spec.months))
            if isinstance(item, Ensemble):
                results.append(run_ensemble(item, runs, seed, execution=execution))
            else:
                results.append(run_scenario(spec, runs=runs, seed=seed, execution=execution))
    comparison = Comparison(names, results)
    try:
        write_comparison(comparison, out, command=["sim", *sys.argv[1:]])
    except WriteFailed as failure:
        _write_failed(failure)
    render.comparison(comparison)
    render.written_to(out)


def _advancer(bar: Progress, task: TaskID, months: int) -> Callable[[int], None]:
    """The engine's progress callback (world-months done) moving a bar counted in worlds."""
    return lambda world_months: bar.advance(task, world_months / months)


def _unique_names(specs: list[Scenario]) -> list[str]:
    names: list[str] = []
    for spec in specs:
        name, n = spec.name, 1
        while name in names:
            n += 1
            name = f"{spec.name}#{n}"
        names.append(name)
    return names


@app.command(name="backtest")
def backtest_command(
    runs: Annotated[int, typer.Option(min=1, help="Worlds per historical scenario.")] = 2000,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    config_dir: ConfigOption = None,
) -> None:
    """Score the model on 1992-2016: hindcast given the shocks, and forecast from each origin; the question set."""
    from simulator.analysis import backtest
    from simulator.analysis.calibrate import FOLDS_FILE, fit_note, read_folds
    from simulator.analysis.skill import skill_table as tabulate_skills
    from simulator.scenario.config import config_dir as find_config_dir

    config = _engine_config(config_dir)
    out = _output_dir(out, config.output_root, "backtest", force)
    runs, seed = _sized(config, runs, seed)
    try:
        specs = backtest.load_history(config_dir)
        folds = read_folds(find_config_dir(config_dir) / FOLDS_FILE)
        rolling = read_folds(find_config_dir(config_dir) / FOLDS_FILE, section="rolling")
    except (ScenarioError, OSError, ValueError) as error:
        _fail(f"cannot start the backtest: {error}")
    with render.progress() as bar:
        bar.add_task("backtest", total=None, unit=f"{runs:,} worlds x {3 * len(backtest.SCENARIOS)} runs")
        skills, results = backtest.skill_backtest(specs, runs, seed, folds, rolling=rolling)
        scored = backtest.score_questions(results)
    table = backtest.scores_table([backtest.score(name, results[name]) for name in backtest.SCENARIOS])
    skill_table = tabulate_skills(skills)
    try:
        backtest.write_backtest(table, skill_table, scored, results, out)
    except WriteFailed as failure:
        _write_failed(failure)
    render.skill(skill_table, scored)
    console.print(fit_note(find_config_dir(config_dir)))
    render.backtest(table)
    if folds is None:
        console.print("\nNo out-of-sample rows: run `sim calibrate` to write the leave-one-cycle-out fits.")
    render.written_to(out)


@app.command(name="calibrate")
def calibrate_command(
    draws: Annotated[
        int, typer.Option(min=100, help="Parameter vectors drawn from the prior, one world each per origin.")
    ] = 300_000,
    accept: Annotated[float, typer.Option(min=0.0001, max=0.5, help="Share of the draws kept.")] = 0.005,
    seed: SeedOption = None,
    write: Annotated[
        Path | None,
        typer.Option(
            help="Replace this posterior.csv, and calibrated.yaml and calibrated_folds.yaml beside it, e.g. a "
            "configs folder's (default: write the three into the output folder)."
        ),
    ] = None,
    out: OutOption = None,
    force: ForceOption = False,
    config_dir: ConfigOption = None,
) -> None:
    """Fit the structural parameters to 1992-2016 by ABC; write posterior.csv and calibrated*.yaml."""
    from simulator.analysis import posterior
    from simulator.analysis.backtest import load_history
    from simulator.analysis.calibrate import FOLDS_FILE

    config = _engine_config(config_dir)
    out = _output_dir(out, config.output_root, "calibrate", force)
    target = write or out / posterior.SAMPLE_FILE
    for path in posterior.fitted_paths(write) if write else []:  # the three together, before any work
        _output_file(path, "--write", make_folder=False)
    draws, seed = _sized(config, draws, seed)
    kept, fewest = math.ceil(accept * draws), posterior.fewest_kept()
    if kept < fewest:
        _fail(
            f"--accept {accept:g} of --draws {draws:,} keeps only {kept:,} of them; the regression adjustment needs "
            f"at least {fewest} (two more than the {fewest - 2} summaries): raise --accept or --draws"
        )
    try:
        specs = load_history(config_dir)
    except (ScenarioError, OSError, ValueError) as error:
        _fail(f"cannot start the calibration: {error}")
    with render.progress() as bar:
        task = bar.add_task("calibrating", total=draws, unit="draws")
        fitted = posterior.calibrate(specs, draws, accept, seed, progress=lambda n: bar.advance(task, n))
    widths = posterior.widths(fitted)
    replacing = replaced(posterior.fitted_paths(target))
    try:  # the output folder first: the fitted parameter sets replace the configs' only once it is written
        posterior.write_outputs(fitted, widths, out)
        posterior.write_fitted(fitted, target)
    except (WriteFailed, OSError) as failure:
        _write_failed(failure, "; the three fitted files are unchanged")
    render.posterior(widths, fitted)
    console.print(
        f"\nWritten to [bold]{escape(str(target))}[/], its medians to calibrated.yaml and the fits without each "
        f"cycle to {escape(FOLDS_FILE)} beside it. "
        + (
            escape(replacing)
            if write
            else "Forecasts draw from them once they are in a configs folder (--config-dir), e.g. with "
            "--write CONFIGS/posterior.csv; `sim backtest --config-dir` shows the fit in and out of sample."
        ),
        highlight=False,
        soft_wrap=True,
    )
    render.written_to(out)


@app.command(name="score")
def score_command(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by `sim run`.")],
    answers: Annotated[Path, typer.Argument(help="Resolved questions: YAML with id, event or level, by, outcome.")],
) -> None:
    """Score a run's forecasts against resolved questions: Brier and log scores beside two baselines."""
    from simulator.analysis.scoring import load_answers
    from simulator.analysis.scoring import score as score_answers

    try:
        table = score_answers(run_dir, load_answers(answers), source=str(answers))
    except ScenarioError as error:
        _fail(str(error))
    render.scores(table, f"Forecasts of {run_dir} against {answers}")


@app.command()
def explore(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario to open first (default: scenarios/trump2025.yaml).")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; anything but 127.0.0.1 lets other machines in.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8521,
    runs: Annotated[int, typer.Option(min=1, help="Worlds per forecast.")] = 20_000,
    seed: SeedOption = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: one per core).")] = None,
    config_dir: ConfigOption = None,
) -> None:
    """Explore a scenario in the browser: change assumptions and the schedule, watch the forecast move."""
    from simulator.explore import server  # the web stack is slow to import; only this command needs it

    config = _engine_config(config_dir)
    if scenario is not None:
        _prepare([scenario], None, config_dir)
    try:
        server.check_port(host, port)
    except OSError as error:
        _fail(f"cannot listen on {host}:{port} ({error.strerror}); choose another --port")
    if host not in server.LOCAL_HOSTS:
        errors.print(
            f"[bold yellow]warning:[/] listening on {escape(host)}: anyone who can reach this machine "
            "can open the explorer and run simulations on it",
            highlight=False,
        )
    options = server.Settings(scenario, runs, config.seed if seed is None else seed, config_dir, server.scenarios_dir())
    console.print(f"sim explore: starting; then open http://{host}:{port}/ (Ctrl-C to stop)", highlight=False)
    server.serve(options, host, port, workers)
    console.print("sim explore: stopped", highlight=False)
    sys.stdout.flush()
    os._exit(0)  # the server has stopped and its workers are closed; threads the web stack leaves must not hold on
