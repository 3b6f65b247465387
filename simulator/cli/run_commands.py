"""``sim run`` (and ``--resume``, and ensemble files) and ``sim compare``: the commands that run worlds."""

import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from simulator.analysis.compare import Comparison, metadata, write_comparison
from simulator.api import posterior_design, run_ensemble
from simulator.api import run as run_scenario
from simulator.cli import render
from simulator.cli.options import (
    ConfigOption,
    DaskOption,
    ForceOption,
    OutOption,
    RunsOption,
    ScenarioArg,
    SeedOption,
    SetOption,
    WorkersOption,
    _advancer,
    _fail,
    _output_dir,
    _prepare_runnable,
    _resolved,
    _spec_of,
    _stop_on_signals,
    _write_failed,
)
from simulator.cli.render import errors
from simulator.engine.design import DesignError, Sampled
from simulator.engine.folder import FolderError
from simulator.engine.runner import ChunkFailed, Interrupted, plan_chunks
from simulator.engine.settings import RunSettings, SettingsError
from simulator.engine.store import (
    CHUNKS,
    MANIFEST,
    FolderStore,
    ResumeError,
    SaveFailed,
    read_manifest,
)
from simulator.engine.workers import WorkersError
from simulator.results.outputs import (
    OutputError,
    WriteFailed,
    check_output_dir,
    new_run_dir,
)
from simulator.results.result import RunResult
from simulator.scenario import Scenario
from simulator.scenario.config import EngineConfig
from simulator.scenario.ensemble import Ensemble


@dataclass(frozen=True)
class _Settings:
    """What ``sim run`` will do, once options, the engine configuration and any resumed run agree."""

    out: Path
    run: RunSettings
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
    **options: Any,
) -> _Settings:
    """Resolve the options; for ``--resume``, runs, seed and chunking come from the interrupted run."""
    if resume is None:
        out = out or new_run_dir(config.output_root, spec.name)
        check_output_dir(out, force)
        return _Settings(out, RunSettings.resolve(config, runs=runs, seed=seed, **options), trajectories, False, 0)
    if out is not None and out != resume:
        raise OutputError(f"--resume {resume} writes into that folder; leave out --out {out}")
    manifest = read_manifest(resume)
    settings = RunSettings.resolve(
        config,
        runs=runs or manifest["runs"],
        seed=manifest["seed"] if seed is None else seed,
        chunk_worlds=manifest["chunk_worlds"],
        **options,
    )
    trajectories = trajectories or manifest["trajectories"]
    done = plan_chunks(settings.runs, settings.chunk_worlds).worlds(FolderStore.done_in(resume))
    return _Settings(resume, settings, trajectories, True, done)


def _drawn(spec: Scenario, seed: int) -> Sampled | None:
    """The run's draws from the posterior sample (``api.posterior_design``); one that does not fit ends the command."""
    try:
        return posterior_design(spec, seed)
    except DesignError as error:
        _fail(str(error))


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
        bool,
        typer.Option(
            "--save-trajectories", help="Also write every world's month-by-month path to trajectories.parquet."
        ),
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html, one self-contained page to send.")
    ] = False,
) -> None:
    """Run a scenario's worlds to its horizon; print a summary and write tables and plots.

    An ensemble file runs each member for its weight's share of the worlds and pools them.
    """
    config, (loaded,) = _prepare_runnable([scenario], set_, config_dir, check_samples=False)
    if isinstance(loaded, Ensemble):
        if resume is not None:
            _fail(f"{scenario} is an ensemble, which keeps its members in memory: it cannot be resumed; run it again")
        _run_ensemble(loaded, config, runs, seed, out, force, workers, dask, save_trajectories, report)
        return
    spec = loaded
    try:
        settings = _settings(
            config, spec, runs, seed, out, force, resume, save_trajectories, workers=workers, dask=dask
        )
    except (OutputError, ResumeError, FolderError, SettingsError) as error:
        _fail(str(error))
    drawn = _drawn(spec, settings.run.seed)
    started = time.perf_counter()
    with _stop_on_signals() as (stop, received), render.progress() as bar:
        task = bar.add_task(spec.name, total=settings.run.runs, completed=settings.done_worlds, unit="worlds")
        execution = settings.run.execution(
            progress=_advancer(bar, task, spec.months), stop=stop, resume=settings.resume
        )
        try:
            result = run_scenario(
                spec,
                runs=settings.run.runs,
                seed=settings.run.seed,
                out=settings.out,
                force=force,
                trajectories=settings.trajectories,
                execution=execution,
                command=["sim", *sys.argv[1:]],
                scenario_path=scenario,
                design=drawn,
                config=config,
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
    if drawn is not None and spec.posterior is not None:  # drawn only from a posterior sample
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
    settings = _resolved(config, runs, seed, workers=workers, dask=dask)
    started = time.perf_counter()
    with _stop_on_signals() as (stop, received), render.progress() as bar:
        task = bar.add_task(spec.name, total=settings.runs, unit="worlds")
        execution = settings.execution(progress=_advancer(bar, task, spec.months), stop=stop)
        try:
            result = run_ensemble(
                ensemble,
                settings.runs,
                settings.seed,
                out=out,
                force=force,
                trajectories=trajectories,
                execution=execution,
                command=["sim", *sys.argv[1:]],
                config=config,
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


def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first is the reference.")],
    runs: RunsOption = None,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    config_dir: ConfigOption = None,
    ledger: Annotated[
        Path | None,
        typer.Option(help="A ledger (`sim ledger`) whose resolutions mark the questions' outcomes on the charts."),
    ] = None,
) -> None:
    """Run scenarios with common random numbers and report their differences with standard errors.

    Forecasts made at different months (a later start, or evidence through a later month) are
    set side by side as revisions: per question, how the probability moved and on what.
    """
    from simulator.analysis.revisions import RevisionError, Revisions, check_shared, made_month, write_revisions

    if len(scenarios) < 2:
        _fail("compare needs at least two scenarios")
    config, loaded = _prepare_runnable(scenarios, None, config_dir)
    specs = [_spec_of(item) for item in loaded]
    same_months = len({(str(spec.start), str(spec.horizon)) for spec in specs}) == 1
    revising = not same_months or len({made_month(spec) for spec in specs}) > 1
    if revising:
        try:
            check_shared([str(path) for path in scenarios], specs)
        except RevisionError as error:
            _fail(str(error))
    resolutions = _ledger_resolutions(ledger)
    names = _unique_names(specs)
    out = _output_dir(out, config.output_root, compare_folder_name(names), force)
    settings = _resolved(config, runs, seed)
    results: list[RunResult] = []
    with render.progress() as bar:
        for item, spec in zip(loaded, specs, strict=True):
            task = bar.add_task(spec.name, total=settings.runs, unit="worlds")
            execution = settings.execution(progress=_advancer(bar, task, spec.months))
            if isinstance(item, Ensemble):
                results.append(run_ensemble(item, settings.runs, settings.seed, execution=execution, config=config))
            else:
                results.append(
                    run_scenario(spec, runs=settings.runs, seed=settings.seed, execution=execution, config=config)
                )
    command = ["sim", *sys.argv[1:]]
    comparison = Comparison(names, results) if same_months else None
    revisions = Revisions.of(names, results, resolutions) if revising else None
    try:
        if comparison is not None:
            write_comparison(comparison, out, command=command)
        if revisions is not None:
            write_revisions(revisions, out, None if comparison is not None else metadata(names, results[0], command))
    except WriteFailed as failure:
        _write_failed(failure)
    if comparison is not None:
        render.comparison(comparison)
    if revisions is not None:
        render.revisions(revisions)
    render.written_to(out)


def _ledger_resolutions(path: Path | None) -> dict[str, tuple[bool, str]]:
    """The outcomes a ledger records, by question; none without a ledger. A damaged ledger ends the command."""
    if path is None:
        return {}
    from simulator.analysis.ledger import LedgerError, read
    from simulator.analysis.revisions import ledger_outcomes

    try:
        return ledger_outcomes(read(path).usable())
    except LedgerError as error:
        _fail(f"--ledger {error}")


def compare_folder_name(names: list[str]) -> str:
    """The start of a comparison's default folder name: the first scenario and the second, or how many more.

    Each name is cut short, so the folder's name, with the timestamp ``new_run_dir`` adds, stays under 60 characters.
    """
    rest = names[1][:14] if len(names) == 2 else f"{len(names) - 1}-more"
    return f"compare-{names[0][:18]}-{rest}"


def _unique_names(specs: list[Scenario]) -> list[str]:
    names: list[str] = []
    for spec in specs:
        name, n = spec.name, 1
        while name in names:
            n += 1
            name = f"{spec.name}#{n}"
        names.append(name)
    return names
