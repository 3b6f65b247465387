"""Commands that read a scenario without running it through: ``sim validate``, ``sim describe``, ``sim explore``."""

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from simulator.cli import render
from simulator.cli.options import (
    ConfigOption,
    ScenarioArg,
    SeedOption,
    SetOption,
    _engine_config,
    _engine_default,
    _fail,
    _prepare,
    _resolved,
)
from simulator.cli.render import console, errors
from simulator.scenario import ScenarioError
from simulator.scenario.ensemble import is_ensemble, load_ensemble
from simulator.scenario.loader import resolve_scenario
from simulator.scenario.provenance import as_dicts, as_markdown, describe
from simulator.version import missing_extra


class Format(StrEnum):
    """How ``sim describe`` prints."""

    table = "table"
    markdown = "markdown"
    json = "json"


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


def explore(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario to open first (default: scenarios/trump2025.yaml).")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; anything but 127.0.0.1 lets other machines in.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8521,
    runs: Annotated[
        int | None,
        typer.Option(min=1, help=f"Worlds per forecast (default {_engine_default('runs')}, from engine.yaml)."),
    ] = None,
    seed: SeedOption = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: configs/engine.yaml: one per core).")
    ] = None,
    config_dir: ConfigOption = None,
) -> None:
    """Explore a scenario in the browser: change assumptions and the schedule, watch the forecast move."""
    if problem := missing_extra("explore"):
        _fail(f"sim explore: {problem}")
    from simulator.explore import (
        server,  # the web stack is slow to import; only this command needs it
    )

    config = _engine_config(config_dir)
    settings = _resolved(config, runs, seed, workers=workers)
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
    options = server.Settings(scenario, settings.runs, settings.seed, config_dir, server.scenarios_dir())
    console.print(f"sim explore: starting; then open http://{host}:{port}/ (Ctrl-C to stop)", highlight=False)
    server.serve(options, host, port, settings.workers)
    console.print("sim explore: stopped", highlight=False)
    sys.stdout.flush()
    os._exit(0)  # the server has stopped and its workers are closed; threads the web stack leaves must not hold on
