"""The ``sim`` command: a thin layer over the Python API, its commands registered here in the order of ``sim --help``.

The commands live by what they are about: ``run_commands`` (run, resume, compare),
``scenario_commands`` (validate, describe, explore), ``history_commands`` (backtest:
the record out of sample; calibrate, score, ensemble), ``analysis_commands``
(sensitivity, signposts, discover, report) and ``validity_command`` (validity). What they share (options, loading,
output folders, run settings, failures) is in ``options``; what is shown, in ``render``.
"""

import logging
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape

from simulator.cli import (
    analysis_commands,
    history_commands,
    ledger_commands,
    run_commands,
    scenario_commands,
    validity_command,
)
from simulator.cli.render import console, errors
from simulator.version import __version__

app = typer.Typer(
    help="Scenario forecasting of US-Russia relations: an agent-based model run as Monte Carlo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


#: Every command, by the name it is typed with, in the order ``sim --help`` lists them.
COMMANDS: dict[str, typer.Typer | Callable[..., Any]] = {
    "run": run_commands.run,
    "validate": scenario_commands.validate,
    "describe": scenario_commands.describe_command,
    "compare": run_commands.compare,
    "backtest": history_commands.backtest_command,
    "calibrate": history_commands.calibrate_command,
    "score": history_commands.score_command,
    "explore": scenario_commands.explore,
    "sensitivity": analysis_commands.sensitivity_command,
    "signposts": analysis_commands.signposts_command,
    "discover": analysis_commands.discover_command,
    "report": analysis_commands.report_command,
    "validity": validity_command.validity_command,
    "ensemble": history_commands.ensemble_command,
    "ledger": ledger_commands.app,
}
for _name, _command in COMMANDS.items():
    if isinstance(_command, typer.Typer):  # a group of commands: sim ledger freeze, ...
        app.add_typer(_command, name=_name)
    else:
        app.command(name=_name)(_command)
