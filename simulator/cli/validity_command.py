"""``sim validity``: does each mechanism move the forecast the way its document argues?

Runs every counterfactual pair of the table of arguments (``simulator/data/validity.yaml``)
on a scenario with common random numbers, prints the verdicts, and exits 1 while a row
contradicts its document (backwards, or inert) without a recorded reason.
``simulator.cli.app`` registers the command.
"""

import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from simulator.analysis import validity, validity_output, validity_table
from simulator.cli import render
from simulator.cli.options import _interruptible
from simulator.cli.render import console, errors
from simulator.scenario import ScenarioError
from simulator.scenario.loader import resolve_scenario

#: Worlds on each side of a pair by default: the whole table runs in about a minute on two cores.
DEFAULT_WORLDS = 20_000

#: The seed both sides of every pair share by default (that of configs/engine.yaml).
DEFAULT_SEED = 20250101

#: Where ``--write-docs`` writes, relative to the folder the command runs in (the repository).
DOCS_PAGE = Path("docs") / "validity.md"

#: How a verdict is shown.
STYLES = {"agrees": "green", "inert": "yellow", "backwards": "bold red", "marked": "cyan"}


def _fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def validity_command(
    scenario: Annotated[Path, typer.Argument(help="The scenario the pairs vary (default: the baseline).")] = Path(
        "scenarios/trump2025.yaml"
    ),
    worlds: Annotated[int, typer.Option(min=2, help="Worlds on each side of every pair.")] = DEFAULT_WORLDS,
    seed: Annotated[int, typer.Option(min=0, help="The seed both sides of every pair share.")] = DEFAULT_SEED,
    row: Annotated[
        list[str] | None, typer.Option("--row", help="Run only this row of the table (its id; repeatable).")
    ] = None,
    table: Annotated[Path | None, typer.Option(help="A table of arguments to use instead of the packaged one.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override an assumption of the scenario first, e.g. --set kremlin.caution=0.5."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write the measured table to this file: .csv, or .md (Markdown).")
    ] = None,
    write_docs: Annotated[
        bool, typer.Option("--write-docs", help=f"Regenerate {DOCS_PAGE} (run it from the repository).")
    ] = False,
) -> None:
    """Run every argument of the source documents as a counterfactual pair, and check each moves as argued.

    Exit code 0 when every row agrees with its document or is marked as a known
    disagreement; 1 when a row is backwards or inert without a recorded reason;
    2 for bad input.
    """
    if out is not None and out.suffix not in (".csv", ".md"):
        _fail(f"--out {out}: write a .csv or a .md file")
    if out is not None and not out.parent.is_dir():
        _fail(f"--out {out}: the folder {out.parent} does not exist")
    if write_docs and not DOCS_PAGE.parent.is_dir():
        _fail(f"--write-docs: no {DOCS_PAGE.parent}/ folder here; run it from the repository")
    try:
        rows = validity_table.load_table(table).chosen(row)
        spec = resolve_scenario(scenario, set_ or ()).spec
    except (validity_table.ValidityError, ScenarioError) as error:
        _fail(str(error))
    rows, left_out = validity.applicable(spec, rows)
    for skipped, reason in left_out:
        note = f"[bold yellow]note:[/] row {skipped.id} left out: {escape(reason)}"
        errors.print(note, highlight=False, soft_wrap=True)
    if not rows:
        _fail(f"{scenario}: no row of the table fits the scenario's {spec.start} to {spec.horizon}")
    sides = validity.sides_of(rows)
    started = time.perf_counter()
    with _interruptible("no table written"), render.progress() as bar:
        task = bar.add_task(f"{len(rows)} arguments, {sides} scenarios", total=sides, unit="scenarios")
        try:
            measured = validity.measure(
                spec, rows, worlds, seed, progress=lambda done: bar.update(task, completed=done)
            )
        except validity_table.ValidityError as error:
            _fail(str(error))
    elapsed = time.perf_counter() - started
    _show(measured)
    command = _command(scenario, worlds, seed, row, set_)
    try:
        if out is not None and out.suffix == ".csv":
            validity_output.write_csv(measured, out)
        elif out is not None:
            validity_output.write_markdown(
                validity_output.markdown(measured, spec.name, seed, f"{command} --out {out}"), out
            )
        if write_docs:
            page = validity_output.markdown(measured, spec.name, seed, f"{command} --write-docs")
            validity_output.write_markdown(page, DOCS_PAGE)
    except OSError as error:
        errors.print(f"[bold red]error:[/] cannot write: {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    failing = [m.row.id for m in measured if m.fails]
    console.print(
        f"\n{len(measured)} arguments, {sides} scenarios x {worlds:,} worlds, seed {seed}: {elapsed:.0f} s.",
        highlight=False,
    )
    for path in [p for p in (out, DOCS_PAGE if write_docs else None) if p is not None]:
        console.print(f"Written to [bold]{escape(str(path))}[/]")
    if failing:
        errors.print(
            f"[bold red]{len(failing)} contradict their documents:[/] {escape(', '.join(failing))}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1)


def _show(measured: list[validity.Measured]) -> None:
    shown = Table(title="Face validity: each argument as a counterfactual pair", title_justify="left", show_lines=True)
    for column, width in (
        ("argument", 34),
        ("source and quote", 44),
        ("pair: base → variant", 30),
        ("outcome", 22),
        ("expected", 12),
        ("measured", 16),
        ("effect ± se", 18),
        ("verdict", 10),
    ):
        shown.add_column(column, max_width=width, overflow="fold")
    for m in measured:
        row = m.row
        verdict = m.verdict + (f": {row.disagrees}" if row.disagrees else "")
        shown.add_row(
            escape(f"{row.id}: {row.argument}"),
            escape(f"{row.source}: “{row.quote}”"),
            escape(validity_output.pair_text(row)),
            escape(row.outcome.words()),
            escape(validity_output.expected_text(row)),
            escape(validity_output.means_text(m)),
            escape(validity_output.effect_text(m)),
            f"[{STYLES[m.verdict]}]{escape(verdict)}[/]",
        )
    render.wide(shown, width=200)


def _command(scenario: Path, worlds: int, seed: int, rows: list[str] | None, sets: list[str] | None) -> str:
    """The command line that makes these numbers, as the generated page quotes it."""
    parts = ["sim validity", str(scenario)]
    if worlds != DEFAULT_WORLDS:
        parts.append(f"--worlds {worlds}")
    if seed != DEFAULT_SEED:
        parts.append(f"--seed {seed}")
    parts += [f"--row {r}" for r in rows or ()] + [f"--set {s}" for s in sets or ()]
    return " ".join(parts)
