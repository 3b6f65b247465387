"""The ``sim`` command: a thin layer over the Python API."""

import json
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
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from simulator.analysis.compare import Comparison
from simulator.api import run as run_scenario
from simulator.engine.runner import ChunkFailed, Interrupted, plan_chunks
from simulator.engine.store import FolderStore, ResumeError, read_manifest
from simulator.engine.workers import WorkersError
from simulator.results.outputs import OutputError, check_output_dir, new_run_dir, write_comparison
from simulator.results.result import RunResult
from simulator.scenario import Scenario, ScenarioError
from simulator.scenario.config import ConfigError, EngineConfig, load_config
from simulator.scenario.loader import resolve_scenario
from simulator.scenario.provenance import as_dicts, as_markdown, describe
from simulator.vocabulary import KEY_EVENTS, LEVELS

app = typer.Typer(
    help="Scenario forecasting of US-Russia relations: an agent-based model run as Monte Carlo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

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


@app.callback()
def main() -> None:
    """Scenario forecasting of US-Russia relations: an agent-based model run as Monte Carlo."""


def _wide(table: Table, width: int = 160) -> None:
    """Print a wide table whole, even when the output is not a terminal."""
    Console(width=max(console.width, width)).print(table)


def _fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _prepare(
    scenarios: list[Path], sets: list[str] | None, config_dir: Path | None
) -> tuple[EngineConfig, list[Scenario]]:
    try:
        config = load_config(config_dir)
        return config, [resolve_scenario(path, sets or (), config_dir).spec for path in scenarios]
    except (ScenarioError, ConfigError) as error:
        _fail(str(error))


def _output_dir(out: Path | None, root: Path, name: str, force: bool) -> Path:
    out = out or new_run_dir(root, name)
    try:
        check_output_dir(out, force)
    except OutputError as error:
        _fail(str(error))
    return out


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[worlds]} worlds"),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )


def _simulate(spec: Scenario, runs: int, seed: int, config: EngineConfig, bar: Progress) -> RunResult:
    task = bar.add_task(spec.name, total=runs * spec.months, worlds=f"{runs:,}")
    return run_scenario(
        spec,
        runs=runs,
        seed=seed,
        chunk_worlds=config.chunk_worlds,
        workers=config.workers,
        dask=config.dask,
        progress=lambda done: bar.advance(task, done),
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
def _progress_bar(name: str, worlds: int, months: int, done: int = 0) -> Iterator[Callable[[int], None]]:
    """A progress bar of ``worlds`` on stderr (when it is a terminal); yields the engine's progress callback."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        _WorldsColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as bar:
        task = bar.add_task(name, total=worlds, completed=done)
        yield lambda world_months: bar.advance(task, world_months / months)


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
    """Run a scenario's worlds to its horizon; print a summary and write tables and plots."""
    config, (spec,) = _prepare([scenario], set_, config_dir)
    try:
        settings = _settings(config, spec, runs, seed, out, force, resume, save_trajectories)
    except (OutputError, ResumeError) as error:
        _fail(str(error))
    started = time.perf_counter()
    with (
        _stop_on_signals() as (stop, received),
        _progress_bar(spec.name, settings.runs, spec.months, settings.done_worlds) as progress,
    ):
        try:
            result = run_scenario(
                spec,
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
                scenario_path=scenario,
            )
        except (WorkersError, ResumeError) as error:
            _fail(str(error))
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
    print_summary(result, time.perf_counter() - started)
    if report:
        from simulator.analysis.report import write_report

        write_report(settings.out)
    console.print(f"\nOutputs written to [bold]{escape(str(settings.out))}[/]")


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
    try:
        rows = describe(resolve_scenario(scenario, set_ or (), config_dir))
    except ScenarioError as error:
        _fail(str(error))
    if format is Format.json:
        print(json.dumps(as_dicts(rows), indent=2, ensure_ascii=False))
    elif format is Format.markdown:
        print(as_markdown(rows), end="")
    else:
        table = Table(title=f"Assumptions of {scenario}", title_justify="left", show_lines=False)
        table.add_column("key", no_wrap=True)
        table.add_column("value", max_width=28, overflow="fold")
        table.add_column("unit", max_width=16)
        table.add_column("meaning and quote", ratio=1, min_width=50)
        table.add_column("source", max_width=22)
        table.add_column("set in", no_wrap=True)
        for row in rows:
            meaning = f"{row.meaning} \u2014 \u201c{row.quote}\u201d" if row.quote else row.meaning
            table.add_row(*(escape(cell) for cell in (row.path, row.value, row.unit, meaning, row.source, row.set_in)))
        _wide(table, 240)


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
    config, specs = _prepare(scenarios, None, config_dir)
    spans = {(str(spec.start), str(spec.horizon)) for spec in specs}
    if len(spans) != 1:
        _fail(
            "compare needs scenarios over the same months; got "
            + ", ".join(f"{path} {spec.start} to {spec.horizon}" for path, spec in zip(scenarios, specs, strict=True))
        )
    names = _unique_names(specs)
    out = _output_dir(out, config.output_root, "compare-" + "-".join(names), force)
    runs = runs or config.runs
    seed = config.seed if seed is None else seed
    with _progress() as bar:
        results = [_simulate(spec, runs, seed, config, bar) for spec in specs]
    comparison = Comparison(names, results)
    write_comparison(comparison, out, command=["sim", *sys.argv[1:]])
    print_comparison(comparison)
    console.print(f"\nOutputs written to [bold]{escape(str(out))}[/]")


def _unique_names(specs: list[Scenario]) -> list[str]:
    names: list[str] = []
    for spec in specs:
        name, n = spec.name, 1
        while name in names:
            n += 1
            name = f"{spec.name}#{n}"
        names.append(name)
    return names


def print_comparison(comparison: Comparison) -> None:
    """Terminal table: each scenario's probability and its difference from the first, with standard errors."""
    table = comparison.table()
    reference = comparison.names[0]
    first = comparison.results[0]
    out = Table(
        title=f"{first.runs:,} worlds each, seed {first.seed}; differences from {reference} "
        f"(\u00b1 one standard error, paired worlds)",
        title_justify="left",
    )
    out.add_column("")
    for name in comparison.names:
        out.add_column(name, justify="right")
    wanted = (
        [("level at horizon", level) for level in LEVELS]
        + [("event by horizon", event) for event in KEY_EVENTS]
        + [("question", q.id) for q in first.spec.questions]
    )
    indexed = table.set_index(["kind", "quantity", "scenario"])
    for kind, quantity in wanted:
        label = (
            f"{quantity} in {first.spec.horizon}"
            if kind == "level at horizon"
            else (f"{quantity} by {first.spec.horizon}" if kind == "event by horizon" else f"question {quantity}")
        )
        cells = []
        for name in comparison.names:
            if (kind, quantity, name) not in indexed.index:
                cells.append("-")
                continue
            row = indexed.loc[(kind, quantity, name)]
            cell = f"{row['probability']:.1%}"
            if name != reference:
                cell += f" ({row['difference']:+.1%} \u00b1 {row['standard_error']:.1%})"
            cells.append(cell)
        out.add_row(label, *cells)
    _wide(out)


def print_summary(result: RunResult, elapsed: float) -> None:
    """The terminal summary: levels at the horizon, by year, key events and questions."""
    spec = result.spec
    speed = f", {result.timing.worlds_per_second:,.0f} worlds/s" if result.timing and result.timing.worlds else ""
    console.print(
        f"\n[bold]{escape(spec.name)}[/]: {result.runs:,} worlds, seed {result.seed}, "
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
                escape(answer["text"] or f"{answer['event']} by {answer['by']}"),
                f"{answer['probability']:.1%} ± {answer['standard_error']:.1%}",
            )
        console.print(questions)


@app.command(name="backtest")
def backtest_command(
    runs: Annotated[int, typer.Option(min=1, help="Worlds per historical scenario.")] = 2000,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    config_dir: ConfigOption = None,
) -> None:
    """Run the 1992-2016 scenarios and score them against the coded record, cycles and polls."""
    from simulator.analysis import backtest
    from simulator.results.outputs import write_backtest

    config = _engine_config(config_dir)
    out = _output_dir(out, config.output_root, "backtest", force)
    seed = config.seed if seed is None else seed
    try:
        specs = backtest.load_history(config_dir)
    except ScenarioError as error:
        _fail(str(error))
    with _progress() as bar:
        bar.add_task("backtest", total=None, worlds=f"{runs:,} x {len(specs)}")
        scores, results = backtest.backtest(specs, runs, seed)
    table = backtest.scores_table(scores)
    write_backtest(table, results, out)
    print_backtest(table)
    console.print(f"\nOutputs written to [bold]{escape(str(out))}[/]")


@app.command(name="calibrate")
def calibrate_command(
    runs: Annotated[int, typer.Option(min=50, help="Worlds per historical scenario per evaluation.")] = 600,
    seed: SeedOption = None,
    budget: Annotated[int, typer.Option(min=10, help="Most loss evaluations the optimiser may use.")] = 200,
    write: Annotated[
        Path | None, typer.Option(help="Where to write (default: calibrated.yaml in the configs folder).")
    ] = None,
    config_dir: ConfigOption = None,
) -> None:
    """Fit the structural parameters to 1992-2016 and write configs/calibrated.yaml."""
    from simulator.analysis import calibrate
    from simulator.analysis.backtest import load_history
    from simulator.scenario.config import config_dir as find_config_dir

    config = _engine_config(config_dir)
    folder = find_config_dir(config_dir)
    seed = config.seed if seed is None else seed
    try:
        specs = load_history(config_dir)
        start = calibrate.start_values(folder / "structure.yaml")
    except (ScenarioError, OSError, KeyError, TypeError, ValueError) as error:
        _fail(f"cannot start the calibration: {error}")
    with _progress() as bar:
        task = bar.add_task("calibrating", total=budget + 2 + 2 * len(calibrate.PARAMETERS), worlds=f"{runs:,}")
        result = calibrate.calibrate(
            specs, start, runs, seed, budget, progress=lambda n, value: bar.update(task, completed=n)
        )
    target = write or folder / "calibrated.yaml"
    calibrate.write_calibrated(result, target, runs, seed)
    table = Table(
        title=f"Calibration: loss {result.loss_start:.4f} -> {result.loss_fitted:.4f} "
        f"({result.evaluations} evaluations, seed {seed})",
        title_justify="left",
    )
    for column in ("parameter", "hand-set", "fitted", "cost of moving it by a third, share of the gain"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for name, value in result.fitted.items():
        rise = result.sensitivity[name]
        flag = "  not pinned down" if name in result.not_pinned else ""
        table.add_row(name, f"{result.start[name]:g}", f"{value:g}", f"{rise:+.1%}{flag}")
    _wide(table)
    console.print(f"\nWritten to [bold]{escape(str(target))}[/]; `sim backtest` shows the fit.")


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
    out = Table(title=f"Forecasts of {run_dir} against {answers}", title_justify="left")
    for column in ("id", "question", "by", "probability", "outcome", "Brier", "log", "Brier 50%", "Brier base rate"):
        out.add_column(column, justify="left" if column in ("id", "question", "by") else "right")
    for row in table.itertuples():
        out.add_row(
            row.id,
            row.question,
            row.by,
            f"{row.probability:.1%}",
            "yes" if row.outcome else "no",
            f"{row.brier_model:.3f}",
            f"{row.log_model:.3f}",
            f"{row.brier_half:.3f}",
            f"{row.brier_base_rate:.3f}",
        )
    mean = table.mean(numeric_only=True)
    out.add_row(
        "overall",
        "",
        "",
        "",
        f"{int(table['outcome'].sum())}/{len(table)}",
        f"{mean.brier_model:.3f}",
        f"{mean.log_model:.3f}",
        f"{mean.brier_half:.3f}",
        f"{mean.brier_base_rate:.3f}",
        style="bold",
    )
    _wide(out)
    console.print(
        f"log score: model {mean.log_model:.3f}, always 50% {mean.log_half:.3f}, "
        f"base rate {mean.log_base_rate:.3f} (lower is better)"
    )


def _engine_config(config_dir: Path | None) -> EngineConfig:
    try:
        return load_config(config_dir)
    except ConfigError as error:
        _fail(str(error))


def print_backtest(table) -> None:
    """The backtest table: proper scores against climatology, cycle lengths, trust against polls."""
    out = Table(
        title="Backtest against 1992-2016 (skill > 0 beats the record's time-ignoring average)", title_justify="left"
    )
    for column in (
        "scenario",
        "level RPS",
        "skill",
        "phase Brier",
        "skill",
        "months to crisis: record",
        "model median (10-90%)",
        "trust ~ Gallup",
        "trust ~ Levada",
    ):
        out.add_column(column, justify="left" if column == "scenario" else "right")
    for row in table.itertuples():
        out.add_row(
            row.scenario,
            f"{row.level_rps:.3f}",
            f"{row.level_skill:+.2f}",
            f"{row.phase_brier:.3f}",
            f"{row.phase_skill:+.2f}",
            f"{row.record_months_to_crisis}",
            f"{row.median_months_to_crisis:.0f} ({row.p10_months_to_crisis:.0f}-{row.p90_months_to_crisis:.0f})",
            f"{row.trust_gallup_rho:+.2f} (n={row.trust_gallup_polls})",
            f"{row.trust_levada_rho:+.2f} (n={row.trust_levada_polls})",
        )
    _wide(out)


# The analyst's commands register themselves on ``app``; imported last, once ``app`` is complete.
from simulator.cli import analysis_commands  # noqa: E402, F401
