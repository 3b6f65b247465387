"""One self-contained HTML report of a finished run, for an analyst to brief from.

Everything is inside the file: styles inline, plots as embedded PNG images,
no script and nothing fetched from the network, so it opens anywhere. It
opens with a bottom line in sentences (the forecast, what drives it, what
would change it, the model's track record), then the scenario's description
and the date the run was made, the headline probabilities with their 95 %
intervals (the same numbers as ``summary.json``), the questions, the plots,
and, when they were computed into the run folder (``sim sensitivity``,
``sim discover``, ``sim signposts`` with their default output folders, or
any folder passed in), the drivers, the discovery boxes and the signposts;
then short narratives of a few sampled worlds (the typical path and the
extremes) and, folded away, every assumption with its value, source, quote
and the line of the analyst's file that set it.

This module makes the page and its opening (the bottom line, the headline tables, the plots, the track
record, the sampled worlds); the sections from analyses are in ``report_analyses``, the appendix of
assumptions in ``report_assumptions``, the HTML pieces they share in ``report_html``.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from simulator.analysis.outcomes import describe_event
from simulator.analysis.report_analyses import ReportError, _read_analyses
from simulator.analysis.report_assumptions import _assumptions
from simulator.analysis.report_html import Z95, _e, _image, _pct, _section, _words
from simulator.engine.rows import first_month_columns
from simulator.results.outputs import overrides_in
from simulator.results.plots import percent
from simulator.scenario.loader import resolve_scenario
from simulator.vocabulary import EVENT_TABLE, KEY_EVENTS, LEVELS

if TYPE_CHECKING:
    from simulator.analysis.ledger import Ledger


#: The run's plots, in the order the report shows them.
PLOTS = (
    "level_at_horizon.png",
    "levels_over_time.png",
    "levels_reached.png",
    "phases_over_time.png",
    "events_over_time.png",
)


#: How events read in a narrative.
EVENT_WORDS = {event.name: event.words for event in EVENT_TABLE}


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;
color:#222;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}.sub{color:#555;margin-top:0}
h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
img{max-width:100%;border:1px solid #eee;margin:.4rem 0}.quote{color:#555;font-style:italic}
.bottom{background:#f6f8fa;border-left:4px solid #4292c6;padding:.6rem 1.2rem}.bottom li{margin:.3rem 0}
details>summary{cursor:pointer;font-weight:600;margin:1.5rem 0 .5rem}
tr.miss td{background:#fde0dd}.note{color:#555;font-size:.9em}
.story{margin:.5rem 0 1rem}.story b{display:block}.small{font-size:.85rem;color:#555}
"""


#: The bottom line's sentence when no out-of-sample test of the model's skill is packaged.
NO_SKILL = (
    "No out-of-sample skill has been measured for this version of sim: these probabilities are the model's "
    "reasoning from its sources, not a forecast with a tested track record."
)


def write_report(
    run: Path, out: Path | None = None, extra: list[Path] | None = None, ledger: "Ledger | None" = None
) -> Path:
    """Write the report of the run in folder ``run`` (to ``run/report.html`` by default); return its path.

    With a ``ledger`` (read and checked by the caller), the report ends its findings with the ledger's track record.
    """
    from simulator.files import atomically

    out = out or run / "report.html"
    text = render(run, extra or [], ledger)
    atomically(out, lambda path: path.write_text(text, encoding="utf-8"))
    return out


def render(run: Path, extra: list[Path], ledger: "Ledger | None" = None) -> str:
    """The report's HTML."""
    summary = json.loads((run / "summary.json").read_text())
    metadata = json.loads((run / "metadata.json").read_text()) if (run / "metadata.json").is_file() else {}
    resolved = resolve_scenario(run / "scenario.resolved.yaml")
    for name, document in (("summary.json", summary), ("metadata.json", metadata)):
        if not isinstance(document, dict):
            raise ReportError(
                f"{run / name}: not the file `sim run` writes (not a JSON object); run the scenario again"
            )
    overrides = overrides_in(metadata.get("command", []))
    title = f"{summary.get('scenario', run.name)}" + (f" with {', '.join(overrides)}" if overrides else "")
    folders = sorted(p for p in run.iterdir() if p.is_dir() and not p.name.startswith(".")) + list(extra)
    analyses = _read_analyses(folders, resolved)
    description = str(resolved.spec.description or "").strip()
    try:  # summary.json as `sim run` writes it; an edited or older one is named, not a traceback
        summarised = [
            f"<p class=sub>{_e(_made(metadata))}{summary['runs']:,} simulated worlds, seed {_e(summary['seed'])}, "
            f"{_e(summary['start'])} to {_e(summary['horizon'])}; sim {_e(summary['version'])}. "
            "Intervals are 95 % Monte Carlo intervals.</p>",
            f"<p>{_e(description)}</p>" if description else "",
            _bottom_line(summary, analyses, ledger),
            _headline(summary),
            _questions(summary),
            _events(summary),
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ReportError(
            f"{run / 'summary.json'}: not the summary `sim run` writes ({type(error).__name__}: {error}); "
            "run the scenario again"
        ) from None
    parts = [
        f"<h1>{_e(title)}</h1>",
        *summarised,
        _plots(run),
        "\n".join(section for _, section in analyses),
        _track_record(ledger),
        _stories(run, resolved.spec.start),
        _assumptions(resolved, run, metadata),
    ]
    body = "\n".join(part for part in parts if part)
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{_e(title)}: sim report</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _ledger_line(ledger: "Ledger | None") -> str:
    """The ledger's record in a sentence, or nothing without a ledger.

    How many forecasts resolved, by when they were made, and the Brier score of those made before the fact.
    """
    if ledger is None:
        return ""
    from simulator.analysis.ledger import resolved_table

    table = resolved_table(ledger)
    resolved = table[table["outcome"].notna()] if len(table) else table
    if not len(resolved):
        return f" The ledger {ledger.path.name}: {len(table)} questions forecast, none resolved yet."
    counts = resolved["timing"].value_counts()
    made = ", ".join(f"{counts[kind]} {kind} the fact" for kind in ("before", "during", "after") if kind in counts)
    before = resolved[resolved["timing"] == "before"]
    brier = ""
    if len(before):
        p, outcome = before["probability"].to_numpy(float), before["outcome"].to_numpy(float)
        brier = f"; Brier score of those made before the fact {np.mean((p - outcome) ** 2):.3f}"
    return f" The ledger {ledger.path.name}: {len(resolved)} resolved forecasts ({made}){brier} (below)."


def _track_record(ledger: "Ledger | None") -> str:
    """The ledger's track record (``sim ledger score``'s page, as a section), or nothing without a ledger."""
    if ledger is None:
        return ""
    from datetime import UTC

    from simulator.analysis.ledger import track_record_html

    body = track_record_html(ledger, datetime.now(UTC), level=3)
    return f"<h2 id=track-record>Track record: {_e(ledger.path)}</h2>\n{body}"


def _made(metadata: dict) -> str:
    """When the run was made, as a reader writes a date ("Run made 7 December 2026, 12:37 UTC. ")."""
    try:
        made = datetime.fromisoformat(str(metadata["created"]))
    except (KeyError, ValueError):
        return ""
    return f"Run made {made.day} {made:%B %Y, %H:%M} UTC. "


def _worlds(summary: dict) -> float:
    """The worlds an interval counts: the runs, or a conditioned run's fewest effective worlds (docs/evidence.md)."""
    fewest = (summary.get("evidence") or {}).get("fewest_effective_worlds")
    return summary["runs"] if fewest is None else min(summary["runs"], fewest)


def _interval(p: float, runs: float) -> tuple[float, float]:
    half = Z95 * np.sqrt(p * (1 - p) / runs)
    return max(0.0, p - half), min(1.0, p + half)


def _bottom_line(summary: dict, analyses: list[tuple[dict, str]], ledger: "Ledger | None" = None) -> str:
    """The report's first words: the forecast, what drives it, what would change it, the track record."""
    runs = _worlds(summary)
    final = summary["final_level_probabilities"]
    ranked = sorted(LEVELS, key=lambda level: -final[level])
    first, second = ranked[0], ranked[1]
    low, high = _interval(final[first], runs)
    items = [
        f"<b>The forecast.</b> Most likely at {_e(summary['horizon'])}: relations at {_e(_words(first))} "
        f"({percent(final[first])}, 95 % interval {percent(low)} to {percent(high)}), then "
        f"{_e(_words(second))} ({percent(final[second])})."
    ]
    questions = summary.get("questions", {})
    if questions:
        asked = "".join(
            f"<li>{_e(q.get('text') or q.get('asks') or qid)} <b>{percent(q['probability'])}</b> "
            f"(\u00b1 {Z95 * q['standard_error']:.0%})</li>"
            for qid, q in questions.items()
        )
        items.append(f"<b>The questions.</b><ul>{asked}</ul>")
    drivers = [found["sentence"] for found, _ in analyses if found.get("kind") == "drivers" and found["sentence"]]
    if drivers:
        items.append("<b>What drives it.</b> " + " ".join(drivers))
    signs = [found["sentence"] for found, _ in analyses if found.get("kind") == "signposts" and found["sentence"]]
    if signs:
        items.append("<b>What would change it.</b> " + " ".join(signs))
    items.append(f"<b>Track record.</b> {_e(_skill_line(summary))}{_e(_ledger_line(ledger))}")
    return "<h2>Bottom line</h2><ul class=bottom id=bottom-line>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _skill_line(summary: dict) -> str:
    """The model's out-of-sample record in one line: the run's own, else the packaged ``skill.json``'s, else none."""
    from simulator.files import packaged

    found = summary.get("skill")
    if not _line_of(found):
        try:
            found = json.loads(packaged("skill.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
    return _line_of(found) or NO_SKILL


def _line_of(found: object) -> str:
    """The one-line summary a skill record carries (a string, or a mapping's ``line`` or ``summary``), or ""."""
    if isinstance(found, dict):
        found = found.get("line") or found.get("summary")
    return found.strip() if isinstance(found, str) else ""


def _headline(summary: dict) -> str:
    runs = _worlds(summary)
    rows = "".join(
        f"<tr><td>{_e(_words(level))}</td>{_pct(summary['final_level_probabilities'][level], runs)}"
        f"{_pct(summary['max_level_probabilities'][level], runs)}</tr>"
        for level in LEVELS
    )
    headers = ("level", f"chance of being there in {summary['horizon']}", "chance it is the highest reached")
    return _section(f"Level of relations at {summary['horizon']}", "levels", headers, rows)


def _asks(question: dict) -> str:
    """What a question of ``summary.json`` asks, in words (a summary written before ``asks`` was kept: its event)."""
    return question.get("asks") or f"{describe_event(question['event'])} by {question['by']}"


def _questions(summary: dict) -> str:
    questions = summary.get("questions", {})
    if not questions:
        return ""
    rows = "".join(
        f"<tr data-id='{_e(qid)}'><td>{_e(q['text'] or q.get('asks') or qid)}<br><span class=small>{_e(qid)}: "
        f"{_e(_asks(q))}</span></td>{_pct(q['probability'])}"
        f"<td class=n data-value='{_e(repr(q['standard_error']))}'>\u00b1 {Z95 * q['standard_error']:.1%}</td></tr>"
        for qid, q in questions.items()
    )
    return _section("Questions", "questions", ("question", "chance", "95 % interval"), rows)


def _events(summary: dict) -> str:
    runs = _worlds(summary)
    rows = "".join(
        f"<tr><td>{_e(EVENT_WORDS[e])}</td>{_pct(summary['events'][e]['probability'], runs)}"
        f"<td>{_e(summary['events'][e]['median_month'] or 'not within the span')}</td></tr>"
        for e in KEY_EVENTS
    )
    headers = ("event", "chance it happens", "median month, in the worlds where it happens")
    return _section(f"Key events by {summary['horizon']}", "events", headers, rows)


def _plots(run: Path) -> str:
    images = [_image(run / name, _words(name.removesuffix(".png"))) for name in PLOTS if (run / name).exists()]
    return "<h2>Plots</h2>" + "".join(images) if images else ""


def _stories(run: Path, start) -> str:
    """Narratives of a typical world and the extremes, from their rows in ``runs.parquet``."""
    columns = first_month_columns()
    worlds = pq.read_table(
        run / "runs.parquet", columns=["world", "final_level", "max_level", "reversals", *columns.values()]
    )
    frame = worlds.to_pandas()
    chosen = _chosen_worlds(frame, list(columns.values()))
    stories = []
    for label, index in chosen.items():
        row = frame.loc[index]
        happened = sorted(
            (row[column], EVENT_WORDS[event])
            for event, column in columns.items()
            if isinstance(row[column], str) and not event.startswith("level>=")
        )
        path = "; ".join(f"{month} {what}" for month, what in happened) or "nothing of note happens"
        ending = (
            f"ends at {str(row['final_level']).replace('_', ' ')} (highest: {str(row['max_level']).replace('_', ' ')})"
        )
        stories.append(
            f"<div class=story><b>{_e(label)} (world {int(row['world'])})</b>{_e(path)}; {_e(ending)}.</div>"
        )
    return "<h2>Sampled worlds</h2>" + "".join(stories)


def _chosen_worlds(frame: pd.DataFrame, event_columns: list[str]) -> dict[str, int]:
    """A typical world, the most and least successful, and the most erratic; the lowest-numbered where tied."""
    events = frame[event_columns].notna().sum(axis=1)
    final = frame["final_level"].astype(str)
    modal = final.value_counts().idxmax()
    typical = frame[final == modal]
    typical_events = events[typical.index]
    closest = (typical_events - typical_events.median()).abs()
    levels = frame["max_level"].cat.codes if hasattr(frame["max_level"], "cat") else frame["max_level"]
    return {
        f"A typical world (ends at {modal.replace('_', ' ')}, as most do)": int(closest.idxmin()),
        "The most successful world": int(levels.idxmax()),
        "The most erratic president": int(frame["reversals"].idxmax()),
        "A world where the most happens": int(events.idxmax()),
    }
