"""The ``sim`` command: a thin layer over the Python API."""

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from simulator.api import run as run_scenario
from simulator.config import load_config
from simulator.outputs import OutputError, check_output_dir, new_run_dir, write_run
from simulator.results import RunResult
from simulator.scenario import ScenarioError, load_scenario
from simulator.vocabulary import KEY_EVENTS, LEVELS

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
) -> None:
    """Run a scenario's worlds to its horizon; print a summary and write tables and plots."""
    try:
        config = load_config()
        spec = load_scenario(scenario)
        out = out or new_run_dir(config.output_root, spec.name)
        check_output_dir(out, force)
    except (ScenarioError, OutputError) as error:
        _fail(str(error))
        return
    runs = runs or config.runs
    seed = config.seed if seed is None else seed

    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[worlds]} worlds"),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as bar:
        task = bar.add_task(f"{spec.name}", total=runs * spec.months, worlds=f"{runs:,}")
        result = run_scenario(
            spec, runs=runs, seed=seed, chunk_worlds=config.chunk_worlds, progress=lambda done: bar.advance(task, done)
        )
    elapsed = time.perf_counter() - started
    write_run(result, out, scenario_path=scenario, command=["sim", *sys.argv[1:]], elapsed=elapsed)
    print_summary(result, elapsed)
    console.print(f"\nOutputs written to [bold]{out}[/]")


def print_summary(result: RunResult, elapsed: float) -> None:
    """The terminal summary: levels at the horizon, by year, key events and questions."""
    spec = result.spec
    console.print(
        f"\n[bold]{spec.name}[/]: {result.runs:,} worlds, seed {result.seed}, "
        f"{spec.start} to {spec.horizon}, {elapsed:.1f} s"
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
