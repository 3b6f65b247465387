"""One self-contained HTML report of a finished run, for an analyst to send.

Everything is inside the file: styles inline, plots as embedded PNG images,
no script and nothing fetched from the network, so it opens anywhere. It
holds the headline probabilities with their 95 % intervals (the same numbers
as ``summary.json``), the plots, the questions, every assumption with its
value, source and quote, short narratives of a few sampled worlds (the
typical path and the extremes), and, when they were computed into the run
folder (``sim sensitivity``, ``sim discover``, ``sim signposts`` with their
default output folders, or any folder passed in), the drivers, the discovery
boxes and the signposts.
"""

import base64
import json
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from simulator.analysis.outcomes import describe_event
from simulator.engine.rows import first_month_columns
from simulator.files import SIMULATION_ERROR, out_of_sample_record
from simulator.results.outputs import overrides_in
from simulator.scenario.loader import resolve_scenario
from simulator.scenario.provenance import describe
from simulator.vocabulary import EVENT_TABLE, KEY_EVENTS, LEVELS

#: z for a two-sided 95 % interval.
Z95 = 1.96

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
.story{margin:.5rem 0 1rem}.story b{display:block}.small{font-size:.85rem;color:#555}
"""


def write_report(run: Path, out: Path | None = None, extra: list[Path] | None = None) -> Path:
    """Write the report of the run in folder ``run`` (to ``run/report.html`` by default); return its path."""
    from simulator.files import atomically

    out = out or run / "report.html"
    text = render(run, extra or [])
    atomically(out, lambda path: path.write_text(text, encoding="utf-8"))
    return out


def render(run: Path, extra: list[Path]) -> str:
    """The report's HTML."""
    summary = json.loads((run / "summary.json").read_text())
    metadata = json.loads((run / "metadata.json").read_text()) if (run / "metadata.json").is_file() else {}
    resolved = resolve_scenario(run / "scenario.resolved.yaml")
    overrides = overrides_in(metadata.get("command", []))
    title = f"{summary['scenario']}" + (f" with {', '.join(overrides)}" if overrides else "")
    folders = sorted(p for p in run.iterdir() if p.is_dir() and not p.name.startswith(".")) + list(extra)
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p class=sub>{summary['runs']:,} simulated worlds, seed {summary['seed']}, "
        f"{summary['start']} to {summary['horizon']}; sim {escape(str(summary['version']))}. "
        "Intervals are 95 % Monte Carlo intervals.</p>",
        _skill_line(summary),
        _headline(summary),
        _questions(summary),
        _events(summary),
        _plots(run),
        _analyses(folders),
        _stories(run, resolved.spec.start),
        _assumptions(resolved, run),
    ]
    body = "\n".join(part for part in parts if part)
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}: sim report</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _skill_line(summary: dict) -> str:
    """The model's out-of-sample record (docs/skill.md), as the run recorded it, and what the ± is."""
    record = summary.get("out_of_sample_record") or out_of_sample_record()
    if not record:
        return ""
    return (
        f"<p class=sub><b>Out-of-sample record</b> (docs/skill.md): {escape(record['line'])}. "
        f"{escape(SIMULATION_ERROR)}.</p>"
    )


def _pct(p: float, runs: int | None = None) -> str:
    """A probability cell carrying its exact value, with its 95 % interval when ``runs`` is given."""
    text = f"{p:.1%}"
    if runs:
        half = Z95 * np.sqrt(p * (1 - p) / runs)
        text += f" \u00b1 {half:.1%}"
    return f"<td class=n data-value='{p!r}'>{text}</td>"


def _headline(summary: dict) -> str:
    runs = summary["runs"]
    rows = "".join(
        f"<tr><td>{escape(level.replace('_', ' '))}</td>{_pct(summary['final_level_probabilities'][level], runs)}"
        f"{_pct(summary['max_level_probabilities'][level], runs)}</tr>"
        for level in LEVELS
    )
    return _section(
        f"Level of relations at {summary['horizon']}", "levels", ("level", "at the horizon", "highest reached"), rows
    )


def _questions(summary: dict) -> str:
    questions = summary.get("questions", {})
    if not questions:
        return ""
    rows = "".join(
        f"<tr data-id='{escape(qid)}'><td>{escape(q['text'] or qid)}<br><span class=small>{escape(qid)}: "
        f"{escape(describe_event(q['event']))} by {q['by']}</span></td>{_pct(q['probability'])}"
        f"<td class=n data-value='{q['standard_error']!r}'>\u00b1 {Z95 * q['standard_error']:.1%}</td></tr>"
        for qid, q in questions.items()
    )
    return _section("Questions", "questions", ("question", "probability", "95 %"), rows)


def _events(summary: dict) -> str:
    runs = summary["runs"]
    rows = "".join(
        f"<tr><td>{escape(EVENT_WORDS[e])}</td>{_pct(summary['events'][e]['probability'], runs)}"
        f"<td>{summary['events'][e]['median_month'] or '-'}</td></tr>"
        for e in KEY_EVENTS
    )
    headers = ("event", "probability", "median month, where it happens")
    return _section(f"Key events by {summary['horizon']}", "events", headers, rows)


def _section(title: str, table_id: str, headers: tuple[str, ...], rows: str) -> str:
    """A headed section holding one table with these column headers and rows."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<h2>{escape(title)}</h2><table id={table_id}><tr>{head}</tr>{rows}</table>"


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img alt='{escape(alt)}' src='data:image/png;base64,{data}'>"


def _plots(run: Path) -> str:
    images = [
        _image(run / name, name.removesuffix(".png").replace("_", " ")) for name in PLOTS if (run / name).exists()
    ]
    return "<h2>Plots</h2>" + "".join(images) if images else ""


def _analyses(folders: list[Path]) -> str:
    """Sections for the sensitivity, discovery and signpost outputs found in ``folders``."""
    parts = []
    for folder in folders:
        if (folder / "indices.csv").is_file():
            parts.append(_drivers(folder))
        elif (folder / "discovery.json").is_file():
            parts.append(_discovery(folder))
        elif (folder / "signposts.csv").is_file():
            parts.append(_signposts(folder))
    return "\n".join(parts)


def _table(frame: pd.DataFrame, percent: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, values, strict=True):
            if isinstance(value, float):
                text = f"{value:.1%}" if column in percent else f"{value:.3f}"
                cells.append(f"<td class=n>{text}</td>")
            else:
                cells.append(f"<td>{escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _drivers(folder: Path) -> str:
    settings = json.loads((folder / "sensitivity.json").read_text()) if (folder / "sensitivity.json").is_file() else {}
    indices = pd.read_csv(folder / "indices.csv")
    parts = [f"<h2>Drivers ({escape(str(settings.get('method', '')))}, {escape(folder.name)})</h2>"]
    for outcome, table in indices.groupby("outcome", sort=False):
        wide = table.pivot(index="assumption", columns="measure", values="value")
        wide = wide.sort_values(wide.columns[-1], ascending=False).head(10).reset_index()
        parts.append(f"<h3>{escape(str(outcome))}</h3>" + _table(wide))
    parts += [_image(png, png.stem) for png in sorted(folder.glob("tornado_*.png"))]
    warnings = settings.get("warnings", [])
    if warnings:
        parts.append("<ul class=small>" + "".join(f"<li>{escape(w)}</li>" for w in warnings) + "</ul>")
    return "\n".join(parts)


def _discovery(folder: Path) -> str:
    found = json.loads((folder / "discovery.json").read_text())
    parts = [
        f"<h2>What must be true for {escape(found['outcome'])}</h2>",
        f"<p>PRIM box: {escape(found['box_in_words'])} (in {found['base_rate']:.1%} of all worlds).</p>",
    ]
    if (folder / "cart_rules.csv").is_file():
        rules = pd.read_csv(folder / "cart_rules.csv")
        parts.append("<p>A shallow tree's leaves:</p>" + _table(rules, percent=("density", "coverage")))
    if (folder / "prim_trajectory.png").is_file():
        parts.append(_image(folder / "prim_trajectory.png", "PRIM peeling trajectory"))
    return "\n".join(parts)


def _signposts(folder: Path) -> str:
    table = pd.read_csv(folder / "signposts.csv").head(10)
    if table.empty:
        return ""
    shown = table[["signpost", "share_seen", "p_if_seen", "p_if_not_seen", "lift", "false_alarm_rate"]]
    percent = ("share_seen", "p_if_seen", "p_if_not_seen", "false_alarm_rate")
    return f"<h2>Signposts ({escape(folder.name)})</h2>" + _table(shown, percent=percent)


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
            f"<div class=story><b>{escape(label)} (world {int(row['world'])})</b>{escape(path)}; {ending}.</div>"
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


def _assumptions(resolved, run: Path) -> str:
    rows = "".join(
        f"<tr><td>{escape(r.path)}</td><td>{escape(r.value)}</td><td>{escape(r.meaning)}"
        + (f"<br><span class=quote>\u201c{escape(r.quote)}\u201d</span>" if r.quote else "")
        + f"</td><td>{escape(r.source)}</td><td class=small>{escape(r.set_in.replace(f'{run}/', ''))}</td></tr>"
        for r in describe(resolved)
    )
    return _section("Every assumption", "assumptions", ("key", "value", "meaning and quote", "source", "set in"), rows)
