"""``sim ledger``: freeze forecasts into a tamper-evident ledger, verify it, resolve questions, score, rerun.

Bad input (a ledger that does not exist or is damaged, an unknown id, a wrong
answer word, a bad scenario) is one message and exit code 2, before anything
is written; ``verify`` finding damage, and ``rerun`` finding different
probabilities or changed inputs, exit 1. The ledger is only ever appended to
(``analysis.ledger``).
"""

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from simulator.analysis.ledger.chain import DEFAULT_LEDGER, Ledger
from simulator.cli import render
from simulator.cli.options import (
    ConfigOption,
    RunsOption,
    SeedOption,
    SetOption,
    _engine_config,
    _execution,
    _fail,
    _output_file,
    _sized,
    _write_failed,
)
from simulator.cli.render import console, errors
from simulator.results.result import RunResult
from simulator.scenario import Scenario
from simulator.scenario.config import EngineConfig
from simulator.scenario.ensemble import Ensemble

app = typer.Typer(
    help="A tamper-evident ledger of forecasts: freeze, verify, resolve, score, rerun.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

LedgerOption = Annotated[
    Path, typer.Option("--ledger", help="The ledger file (JSON Lines, appended to only).", show_default=True)
]


def _note(message: str | None) -> None:
    if message:
        errors.print(f"[bold yellow]note:[/] {escape(message)}", highlight=False, soft_wrap=True)


def _now() -> datetime:
    return datetime.now(UTC)


def _read(path: Path) -> Ledger:
    """The ledger at ``path``, checked; damage or absence ends the command (exit 2); an unfinished line is noted."""
    from simulator.analysis.ledger import LedgerError, read, torn_note

    try:
        ledger = read(path).usable()
    except LedgerError as error:
        _fail(str(error))
    _note(torn_note(ledger))
    return ledger


def _append(path: Path, make: Callable[[Ledger], dict[str, Any]], create: bool = False) -> dict[str, Any]:
    """Append the entry ``make`` builds; a refusal is exit 2, a failing file system exit 1 (the ledger as it was)."""
    from simulator.analysis.ledger import LedgerError, append

    try:
        entry, note = append(path, make, create=create)
    except LedgerError as error:
        _fail(str(error))
    except OSError as error:
        _write_failed(error, f" ({path} is left as it was)")
    _note(note)
    return entry


@app.command("freeze")
def freeze(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file whose questions to forecast.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    runs: RunsOption = None,
    seed: SeedOption = None,
    set_: SetOption = None,
    evidence: Annotated[
        list[Path] | None, typer.Option("--evidence", help="A file the forecast rests on, to hash (repeatable).")
    ] = None,
    config_dir: ConfigOption = None,
) -> None:
    """Run a scenario (or an ensemble) and append its questions' probabilities to the ledger as one chained entry."""
    from simulator.analysis.ledger import forecast_body

    if ledger.exists() or ledger.is_symlink():
        _read(ledger)
        if not os.access(ledger, os.W_OK):
            _fail(f"--ledger {ledger}: cannot be written (no permission)")
    elif not ledger.parent.is_dir():
        _fail(f"--ledger {ledger}: the folder {ledger.parent} does not exist")
    elif not os.access(ledger.parent, os.W_OK):
        _fail(f"--ledger {ledger}: cannot create it in {ledger.parent} (no permission)")
    config = _engine_config(config_dir)
    if not scenario.is_file():
        _fail(f"{scenario}: no scenario file here")
    for path in evidence or []:
        if not path.is_file():
            _fail(f"--evidence {path}: not a file")
    item, files = _load(scenario, set_ or [], config_dir)
    spec = item.spec if isinstance(item, Ensemble) else item
    if not spec.questions:
        _fail(f"{scenario}: the scenario asks no questions; nothing to freeze")
    runs, seed = _sized(config, runs, seed)
    result = _run(item, runs, seed, config, scenario)
    body = forecast_body(result, item, files, scenario, _now(), evidence or [], config_dir)
    body["sets"] = list(set_ or [])
    entry = _append(ledger, lambda _: body, create=True)
    table = Table(title=f"Entry {entry['n']} of {ledger}: {spec.name}, {runs:,} worlds, seed {seed}")
    table.add_column("question")
    table.add_column("probability", justify="right", no_wrap=True)
    table.add_column("made", no_wrap=True)
    table.add_column("id to resolve", no_wrap=True)
    for q in entry["questions"]:
        made = {"before": "before the fact", "during": "during its window", "after": "AFTER THE FACT"}[q["timing"]]
        table.add_row(
            escape(q["text"] or q["id"]),
            f"{q['probability']:.1%} ± {q['standard_error']:.1%}",
            made,
            escape(f"{entry['n']}:{q['id']}"),
        )
    console.print(table)
    if entry["after_the_fact"]:
        console.print("Marked as made after the fact: a question's month had passed when it was frozen.")
    console.print(f"Entry hash [bold]{entry['hash']}[/]", soft_wrap=True)


@app.command("verify")
def verify(
    ledger: LedgerOption = DEFAULT_LEDGER,
    head: Annotated[
        str | None, typer.Option(help="A head hash published earlier: check the ledger still holds that entry.")
    ] = None,
) -> None:
    """Check every byte of the ledger: each entry's hash, its form and the chain; exit 1 at the first bad entry."""
    from simulator.analysis.ledger import LedgerError, read

    try:
        found = read(ledger)
    except LedgerError as error:
        _fail(str(error))
    kept = f"; the {len(found.entries)} entries before it verify"
    if found.damage is not None:
        _found("damaged", f"{ledger}: {found.damage}{kept}")
    if found.torn:
        line = f"line {len(found.entries) + 1} ({len(found.torn)} bytes)"
        _found("unfinished", f"{ledger}: {line} has no end: a write was cut off, or the file was cut{kept}")
    if head is not None and head.lower() not in {entry["hash"] for entry in found.entries}:
        _found("not found", f"{ledger} holds no entry with hash {head}: the entries published with it were changed")
    console.print(
        f"ok: {escape(str(ledger))}: {len(found.entries)} entries, chained; head {found.head}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("resolve")
def resolve(
    question: Annotated[str, typer.Argument(help="ENTRY:QUESTION (e.g. 1:summit_2025), or a question id.")],
    answer: Annotated[str, typer.Argument(help="yes or no.")],
    source: Annotated[str, typer.Option(help="Where the outcome is found: a link, a report, a date.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Record a question's outcome as a new chained entry (never editing an old one)."""
    from simulator.analysis.ledger import LedgerError, answer_word, resolution_body

    try:
        outcome = answer_word(answer)
    except LedgerError as error:
        _fail(str(error))
    try:
        resolution_body(_read(ledger), question, outcome, source, _now())  # refuse before locking
    except LedgerError as error:
        _fail(str(error))
    made = _now()
    entry = _append(ledger, lambda found: resolution_body(found, question, outcome, source, made))
    console.print(
        f"Entry {entry['n']}: {', '.join(entry['resolves'])} resolved {answer.lower()} ({escape(source)}); "
        f"hash {entry['hash']}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("show")
def show(ledger: LedgerOption = DEFAULT_LEDGER) -> None:
    """List every forecast question: its id to resolve, probability, when it was made and its outcome."""
    from simulator.analysis.ledger import resolved_table

    found = _read(ledger)
    rows = resolved_table(found)
    table = Table(title=f"{ledger}: {len(found.entries)} entries, head {found.head[:16]}...")
    for column in ("id", "question", "scenario", "made", "probability", "timing", "outcome"):
        table.add_column(column, no_wrap=column not in ("question", "scenario"))
    for row in rows.itertuples():
        outcome = "open" if row.outcome is None else f"{'yes' if row.outcome else 'no'} (entry {row.resolved_in:.0f})"
        table.add_row(
            escape(row.key),
            escape(row.text or row.id),
            escape(row.scenario),
            row.made[:10],
            f"{row.probability:.1%} ± {row.standard_error:.1%}",
            row.timing,
            outcome,
        )
    render.wide(table)


@app.command("score")
def score(
    ledger: LedgerOption = DEFAULT_LEDGER,
    out: Annotated[
        Path | None, typer.Option(help="The page to write (default: track_record.html, never replaced).")
    ] = None,
) -> None:
    """Write the track-record page: every resolved forecast, scores with intervals, reliability, skill."""
    from simulator.analysis.ledger import resolved_table, score_page
    from simulator.files import write_bytes

    found = _read(ledger)
    target = _output_file(out or Path("track_record.html"), "--out", force=out is not None)
    if target.is_symlink():
        _fail(f"--out {target}: is a link; name the file itself")
    if target.exists() and target.samefile(ledger):
        _fail(f"--out {target}: is the ledger itself; name another file for the page")
    page = score_page(found, _now())
    try:
        write_bytes(target, page.encode("utf-8"))
    except OSError as error:
        _write_failed(error)
    table = resolved_table(found)
    resolved = int(table["outcome"].notna().sum()) if len(table) else 0
    console.print(f"{resolved} of {len(table)} forecast questions resolved; track record written to {target}")


@app.command("rerun")
def rerun(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="The number of a forecast entry.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Run a forecast entry again from its recorded inputs and check its probabilities are the same, bit for bit."""
    from simulator.analysis.ledger import LedgerError, input_changes, rerun_table

    found = _read(ledger)
    if not entry_id.isdigit():
        _fail(f"{entry_id!r}: give the number of a forecast entry (e.g. 1)")
    try:
        entry = found.entry(int(entry_id))
    except LedgerError as error:
        _fail(str(error))
    if entry["kind"] != "forecast":
        _fail(f"entry {entry_id} is a resolution, not a forecast")
    recorded = entry["scenario"]
    path = Path(recorded["path"])
    config_dir = Path(recorded["config_dir"]) if recorded.get("config_dir") else None
    if not path.is_file():
        _different([f"{path} is gone"])
    item, _ = _load(path, entry.get("sets", []), config_dir, refuse=lambda m: _different([f"it no longer loads: {m}"]))
    changes = input_changes(entry, item)
    if changes:
        _different(changes)
    config = _engine_config(config_dir)
    result = _run(item, entry["runs"], entry["seed"], config, path, refuse=lambda m: _different([m]))
    compared = rerun_table(entry, result)
    table = Table(title=f"Entry {entry_id} ({recorded['name']}, {entry['runs']:,} worlds, seed {entry['seed']})")
    for column in ("question", "frozen", "rerun", "same bits"):
        table.add_column(column, justify="left" if column == "question" else "right")
    for row in compared.itertuples():
        table.add_row(escape(row.id), repr(row.frozen), repr(row.rerun), "yes" if row.same else "NO")
    console.print(table)
    software = entry.get("software", {})
    if software.get("commit"):
        console.print(f"Frozen with sim {software.get('version')} at commit {software.get('commit')}.", highlight=False)
    if not compared["same"].all():
        errors.print("[bold red]differs:[/] the rerun does not give the frozen probabilities", highlight=False)
        raise typer.Exit(code=1)
    console.print("The rerun gives the frozen probabilities, bit for bit.")


def _load(
    path: Path, sets: list[str], config_dir: Path | None, refuse: Callable[[str], NoReturn] = _fail
) -> tuple[Scenario | Ensemble, list[Path]]:
    """A scenario or an ensemble, and the files it is read from: its extends chain; an ensemble's and its members'."""
    from simulator.scenario import ScenarioError
    from simulator.scenario.ensemble import is_ensemble, load_ensemble
    from simulator.scenario.loader import resolve_scenario

    try:
        if not is_ensemble(path):
            resolved = resolve_scenario(path, sets, config_dir)
            return resolved.spec, list(resolved.files)
        ensemble = load_ensemble(path, sets, config_dir)
        chains = [resolve_scenario(m.path, sets, config_dir).files for m in ensemble.members]
        return ensemble, list(dict.fromkeys(p.resolve() for p in [path, *(f for chain in chains for f in chain)]))
    except ScenarioError as error:
        refuse(str(error))


def _run(
    item: Scenario | Ensemble,
    runs: int,
    seed: int,
    config: EngineConfig,
    path: Path,
    refuse: Callable[[str], NoReturn] = _fail,
) -> RunResult:
    """The run of a scenario or an ensemble, kept in memory."""
    from simulator.api import run, run_ensemble
    from simulator.engine.design import DesignError

    try:
        if isinstance(item, Ensemble):
            return run_ensemble(item, runs, seed, execution=_execution(config), config=config)
        return run(item, runs, seed, execution=_execution(config), scenario_path=path, config=config)
    except DesignError as error:
        refuse(str(error))


def _found(label: str, message: str) -> NoReturn:
    """What ``verify`` found wrong: one message, exit 1."""
    errors.print(f"[bold red]{label}:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def _different(changes: list[str]) -> NoReturn:
    errors.print(
        "[bold red]cannot rerun:[/] the recorded inputs are not those of the forecast:\n  "
        + "\n  ".join(escape(c) for c in changes),
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code=1)
