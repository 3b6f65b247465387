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
"""

import ast
import base64
import json
import re
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from simulator.analysis.outcomes import OutcomeError, describe_event, parse_outcome
from simulator.analysis.sensitivity import direction_words
from simulator.engine.rows import first_month_columns
from simulator.files import sha256_of
from simulator.results.outputs import overrides_in
from simulator.results.plots import percent
from simulator.scenario.loader import Resolved, ScenarioError, resolve_scenario
from simulator.scenario.provenance import describe
from simulator.vocabulary import EVENT_TABLE, KEY_EVENTS, LEVELS

if TYPE_CHECKING:
    from simulator.analysis.ledger import Ledger

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
.bottom{background:#f6f8fa;border-left:4px solid #4292c6;padding:.6rem 1.2rem}.bottom li{margin:.3rem 0}
details>summary{cursor:pointer;font-weight:600;margin:1.5rem 0 .5rem}
tr.miss td{background:#fde0dd}.note{color:#555;font-size:.9em}
.story{margin:.5rem 0 1rem}.story b{display:block}.small{font-size:.85rem;color:#555}
"""


#: What each sensitivity measure is, as a column heading.
MEASURE_NAMES = {
    "S1": "effect alone (first-order Sobol)",
    "ST": "with interactions (total Sobol)",
    "mu_star": "mean effect (Morris \u03bc*)",
    "sigma": "spread of effect (Morris \u03c3)",
    "median": "typical shift (PAWN median)",
    "maximum": "largest shift (PAWN maximum)",
    "direction": "a higher value",
}

#: How each method reads, for a drivers section's heading.
METHOD_NAMES = {
    "sobol": "Sobol indices from a designed experiment",
    "morris": "a Morris screen from a designed experiment",
    "pawn": "PAWN indices from this run's worlds",
}

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


def _e(value: object) -> str:
    """Any value as text safe inside an element or a quoted attribute: nothing in a run folder is markup."""
    return escape(str(value), quote=True)


def _made(metadata: dict) -> str:
    """When the run was made, as a reader writes a date ("Run made 7 December 2026, 12:37 UTC. ")."""
    try:
        made = datetime.fromisoformat(str(metadata["created"]))
    except (KeyError, ValueError):
        return ""
    return f"Run made {made.day} {made:%B %Y, %H:%M} UTC. "


def _words(name: str) -> str:
    return name.replace("_", " ")


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


def _pct(p: float, runs: float | None = None) -> str:
    """A probability cell carrying its exact value, with its 95 % interval when ``runs`` is given."""
    text = f"{p:.1%}"
    if runs:
        half = Z95 * np.sqrt(p * (1 - p) / runs)
        text += f" \u00b1 {half:.1%}"
    return f"<td class=n data-value='{_e(repr(p))}'>{_e(text)}</td>"


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


def _section(title: str, table_id: str, headers: tuple[str, ...], rows: str) -> str:
    """A headed section holding one table with these column headers and rows."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<h2>{_e(title)}</h2><table id={table_id}><tr>{head}</tr>{rows}</table>"


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img alt='{_e(alt)}' src='data:image/png;base64,{data}'>"


def _plots(run: Path) -> str:
    images = [_image(run / name, _words(name.removesuffix(".png"))) for name in PLOTS if (run / name).exists()]
    return "<h2>Plots</h2>" + "".join(images) if images else ""


class ReportError(ValueError):
    """An analysis folder the report shows whose files cannot be read."""


def _read_analyses(folders: list[Path], resolved: Resolved) -> list[tuple[dict, str]]:
    """(what the bottom line says of it, its section) for each sensitivity, discovery and signposts folder.

    Raises:
        ReportError: naming the folder, if one of its tables or settings is damaged.
    """
    meanings = {row.path: row.meaning for row in describe(resolved)}
    found = []
    for folder in folders:
        try:
            if (folder / "indices.csv").is_file():
                found.append(_drivers(folder, resolved, meanings))
            elif (folder / "discovery.json").is_file():
                found.append(({"kind": "discovery"}, _discovery(folder)))
            elif (folder / "signposts.csv").is_file():
                found.append(_signposts(folder, resolved))
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
            raise ReportError(
                f"{folder}: its tables cannot be read ({type(error).__name__}: {error}); run the analysis again"
            ) from None
    return found


def _table(
    frame: pd.DataFrame,
    in_percent: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
    ratio: tuple[str, ...] = (),
) -> str:
    """A table of ``frame`` under human ``headers``: ``in_percent`` columns in %, ``ratio`` ones as "2.5x"."""
    names = headers or {}
    head = "".join(f"<th>{_e(names.get(str(c), str(c)))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, values, strict=True):
            if isinstance(value, float | np.floating):
                text = (
                    "\u2013"
                    if value != value
                    else f"{value:.1%}"
                    if column in in_percent
                    else f"{value:.1f}\u00d7"
                    if column in ratio
                    else f"{value:.3f}"
                )
                cells.append(f"<td class=n>{_e(text)}</td>")
            elif isinstance(value, int | np.integer) and not isinstance(value, bool):
                cells.append(f"<td class=n>{value:,}</td>")
            else:
                cells.append(f"<td>{_e(_reader_value(str(value)))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _outcome_text(name: str, resolved: Resolved) -> str:
    """An outcome's sentence (its question's text, or the event and month in words), else its name."""
    try:
        return parse_outcome(resolved.spec, name).text
    except (OutcomeError, ValueError):
        return name


def _assumption(path: str, meanings: dict[str, str]) -> str:
    """An assumption in a sentence: the first clause of its meaning, then its key."""
    meaning = re.split(r"[:;]", meanings.get(path, ""))[0].strip()
    return f"{meaning} ({path})" if meaning else path


def _drivers(folder: Path, resolved: Resolved, meanings: dict[str, str]) -> tuple[dict, str]:
    settings = json.loads((folder / "sensitivity.json").read_text()) if (folder / "sensitivity.json").is_file() else {}
    method = str(settings.get("method", ""))
    indices = pd.read_csv(folder / "indices.csv")
    parts = [f"<h2>What drives the outcomes: {_e(METHOD_NAMES.get(method, 'sensitivity indices'))}</h2>"]
    if method == "pawn":
        parts.append(
            "<p class=small>PAWN sorts the worlds into ten slices by an assumption's value and measures how far the "
            "outcome's chance in each slice lies from its chance over all worlds (the Kolmogorov\u2013Smirnov "
            "distance; for a yes-or-no outcome, the difference in chance). The <i>typical shift</i> is the median "
            "over the slices, the <i>largest shift</i> the maximum. The <i>noise floor</i> is what an assumption "
            "that moves nothing scores with this many worlds: values near it are noise.</p>"
        )
    sentences = []
    floors = settings.get("noise_floor") or {}
    for outcome, table in indices.groupby("outcome", sort=False):
        text = _outcome_text(str(outcome), resolved)
        wide = table.pivot(index="assumption", columns="measure", values="value")
        main = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}.get(method, wide.columns[-1])
        main = main if main in wide.columns else wide.columns[-1]
        wide = wide.sort_values(main, ascending=False).head(10)
        shown = wide.map(_index_value).reset_index()
        shown.insert(1, "what it is", [meanings.get(path, "") for path in wide.index])
        if "direction" in table.columns:
            direction = table.groupby("assumption")["direction"].first()
            shown["direction"] = [direction_words(float(direction.get(path, float("nan")))) for path in wide.index]
        heading = f"<h3>{_e(text)}</h3>"
        floor = floors.get(str(outcome))
        if isinstance(floor, dict) and floor:
            heading += (
                "<p class=small>Noise floor (a random assumption that moves nothing): "
                + ", ".join(f"{_e(MEASURE_NAMES.get(k, k))} {float(v):.3f}" for k, v in floor.items())
                + ".</p>"
            )
        parts.append(heading + _table(shown, headers=MEASURE_NAMES))
        top = [path for path, value in wide[main].items() if value > float((floor or {}).get(main, 0.0))][:3]
        if top:
            ways = shown.set_index("assumption")["direction"] if "direction" in shown else {}
            named = [
                _assumption(path, meanings)
                + (f" \u2013 more of it {ways[path]}" if path in ways and ways[path] != "no clear direction" else "")
                for path in top
            ]
            then = f"; then {_e('; '.join(named[1:]))}" if named[1:] else ""
            sentences.append(f"\u201c{_e(text)}\u201d turns most on {_e(named[0])}{then}.")
    parts += [_image(png, _words(png.stem)) for png in sorted(folder.glob("tornado_*.png"))]
    warnings = settings.get("warnings", [])
    if warnings:
        parts.append("<ul class=small>" + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul>")
    return {"kind": "drivers", "sentence": " ".join(sentences)}, "\n".join(parts)


def _index_value(value: float) -> str:
    """A sensitivity index as a reader writes it: below zero is estimation noise around 0, not a negative effect."""
    if value != value:
        return "\u2013"
    return f"{value:.3f}" if value >= 0.0005 else "0 (noise)" if value < 0 else "0"


def _discovery(folder: Path) -> str:
    found = json.loads((folder / "discovery.json").read_text())
    box = found.get("box") or {}
    where = str(found["box_in_words"]).split(":")[0]
    parts = [f"<h2>What must be true: {_e(found.get('text') or found['outcome'])}</h2>"]
    if "coverage" in box and "density" in box:
        parts.append(
            f"<p>Where it is likeliest (PRIM's chosen box): {_e(where)}. That box holds {box['coverage']:.0%} of "
            f"the worlds where it comes true, and in it the chance is {box['density']:.0%}, against "
            f"{found['base_rate']:.1%} over all worlds.</p>"
        )
    else:
        parts.append(f"<p>PRIM box: {_e(found['box_in_words'])} (in {found['base_rate']:.1%} of all worlds).</p>")
    if (folder / "cart_rules.csv").is_file():
        rules = pd.read_csv(folder / "cart_rules.csv")
        headers = {
            "rule": "where",
            "worlds": "worlds",
            "density": "share of them with the outcome",
            "coverage": "share of the outcome's worlds",
        }
        parts.append("<p>A shallow tree's leaves:</p>" + _table(rules, ("density", "coverage"), headers))
    if (folder / "prim_trajectory.png").is_file():
        parts.append(_image(folder / "prim_trajectory.png", "PRIM peeling trajectory"))
    return "\n".join(parts)


#: Columns of ``signposts.csv`` the report shows, with their headings.
SIGNPOST_COLUMNS = {
    "signpost": "signpost",
    "share_seen": "seen in (share of worlds)",
    "p_if_seen": "chance if seen",
    "p_if_not_seen": "chance if not seen",
    "lift": "lift (chance if seen \u00f7 overall chance)",
    "hit_rate": "hit rate (seen in the outcome's worlds)",
    "false_alarm_rate": "false alarms (seen in the other worlds)",
}


def _signposts(folder: Path, resolved: Resolved) -> tuple[dict, str]:
    table = pd.read_csv(folder / "signposts.csv").head(10)
    if table.empty:
        return {"kind": "signposts", "sentence": ""}, ""
    about = json.loads((folder / "signposts.json").read_text()) if (folder / "signposts.json").is_file() else {}
    named = re.fullmatch(r"signposts-(.+)-(\d{4}-\d{2})", folder.name)
    outcome = str(about.get("outcome") or (named.group(1) if named else ""))
    by = str(about.get("by") or (named.group(2) if named else ""))
    text = _outcome_text(outcome, resolved) if outcome else "the outcome"
    shown = table[[column for column in SIGNPOST_COLUMNS if column in table.columns]]
    shares = ("share_seen", "p_if_seen", "p_if_not_seen", "hit_rate", "false_alarm_rate")
    heading = f"What to watch by {by}: {text}" if by else f"What to watch: {text}"
    base = float(table["p_outcome"].iloc[0])
    section = (
        f"<h2>{_e(heading)}</h2><p>Over all worlds the chance is {base:.1%}. The signposts that move it most, "
        "strongest first:</p>" + _table(shown, shares, SIGNPOST_COLUMNS, ratio=("lift",))
    )
    best = table.iloc[0]
    direction = "rises" if best["p_if_seen"] > base else "falls"
    sentence = (
        f"Watch for {_e(best['signpost'])}: if it is seen, the chance that {_e(_lower_first(text))} {direction} "
        f"from {percent(base)} to {percent(best['p_if_seen'])} (it is seen in {percent(best['hit_rate'])} "
        f"of the worlds where it comes true, and in {percent(best['false_alarm_rate'])} of the others)."
    )
    return {"kind": "signposts", "sentence": sentence}, section


def _lower_first(text: str) -> str:
    """A question as the object of a sentence: "Will a ceasefire be agreed ...?" reads "a ceasefire be agreed ..."."""
    text = text.rstrip("?").strip()
    asked = re.match(r"(?i)will (.+)", text)
    return asked.group(1) if asked else text


def _reader_value(value: str) -> str:
    """A value as a reader writes it: yes and no, "none" for an empty or missing one, mappings as "key: value"."""
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        parsed = value
    if parsed is None or parsed == {} or parsed == [] or parsed == ():
        return "none"
    if isinstance(parsed, bool):
        return "yes" if parsed else "no"
    if isinstance(parsed, dict):
        return "; ".join(f"{_words(str(k))}: {_reader_value(repr(v))}" for k, v in parsed.items())
    if isinstance(parsed, list | tuple):
        return ", ".join(_reader_value(repr(v)) for v in parsed)
    text = str(parsed)
    return re.sub(r"\b(True|False|None)\b", lambda m: {"True": "yes", "False": "no", "None": "none"}[m[0]], text)


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
