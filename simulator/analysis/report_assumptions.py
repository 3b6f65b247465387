"""The report's appendix: every assumption of the run with its value, meaning, source and quote, and where it was set.

Where it was set is the line of the analyst's own file, read again as ``sim describe`` reads it, while that
file is unchanged since the run (its SHA-256 as recorded); otherwise the line of the run's own copy,
``scenario.resolved.yaml``.
"""

import re
from pathlib import Path

from simulator.analysis.report_html import _e, _reader_value
from simulator.files import sha256_of
from simulator.results.outputs import overrides_in
from simulator.scenario.loader import Resolved, ScenarioError, resolve_scenario
from simulator.scenario.provenance import describe


def _assumptions(resolved: Resolved, run: Path, metadata: dict) -> str:
    """Every assumption, folded away: its value, meaning, quote, source and the line of the user's file that set it."""
    rows = describe(resolved)
    origins = _user_origins(metadata)
    body = "".join(
        f"<tr><td>{_e(r.path)}</td><td>{_e(_reader_value(r.value))}</td><td>{_e(r.meaning)}"
        + (f"<br><span class=quote>{_e(r.shown_quote())}</span>" if r.quote else "")
        + f"</td><td>{_e(r.source)}</td><td class=small>{_e(_set_in(r, origins, run))}</td></tr>"
        for r in rows
    )
    head = "".join(f"<th>{h}</th>" for h in ("key", "value", "meaning and quote", "source", "set in"))
    file = metadata.get("scenario_file")
    where = f"{file} and the files it extends" if origins else "the run's own copy, scenario.resolved.yaml"
    changed = (
        f"<p class=small>{_e(file)} has changed since the run, or cannot be found from here: each value is placed "
        "in the run's own copy of the scenario instead.</p>"
        if file and not origins
        else ""
    )
    return (
        f"<details id=appendix><summary>Appendix: every assumption ({len(rows)}), with its value, meaning, "
        f"source and quote, and where it was set ({_e(where)})</summary>{changed}"
        f"<table id=assumptions><tr>{head}</tr>{body}</table></details>"
    )


def _user_origins(metadata: dict) -> dict[str, str]:
    """Where each value was set, from the analyst's own file read again as ``sim describe`` reads it.

    Nothing when the file is gone or has changed since the run (its SHA-256 differs from the one recorded).
    """
    command = [str(token) for token in metadata.get("command") or []]
    file = metadata.get("scenario_file")
    if not file or not Path(file).is_file():
        return {}
    try:
        if sha256_of(Path(file)) != metadata.get("scenario_sha256"):
            return {}
        config = next((command[i + 1] for i, t in enumerate(command[:-1]) if t == "--config-dir"), None)
        again = resolve_scenario(file, overrides_in(command), Path(config) if config else None)
    except (OSError, ScenarioError, ValueError):
        return {}
    return {row.path: row.set_in for row in describe(again)}


def _set_in(row, origins: dict[str, str], run: Path) -> str:
    """Where a value was set: the user's file and line as ``sim describe`` says, else the run's own copy."""
    if row.path in origins:
        return origins[row.path]
    line = re.search(r":(\d+)$", row.set_in)
    return f"the run's scenario.resolved.yaml, line {line.group(1)}" if line else row.set_in.replace(f"{run}/", "")
