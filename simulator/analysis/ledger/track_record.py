"""The track record: every forecast question with its outcome, scores with intervals, and the self-contained page."""

import html
import math
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis.ledger.chain import TIMINGS, Ledger
from simulator.months import Month
from simulator.record import LAST

TIMING_TITLES = {
    "before": "Made before the fact",
    "during": "Made while the question was open",
    "after": "Made after the fact",
}
TIMING_MEANING = {
    "before": "frozen no later than the first month of the question's window (the scenario's start)",
    "during": "frozen after the scenario's start month: part of the window had passed, and may be known",
    "after": "frozen after the question's last month, or on a month the record (to 2024-12) already resolves",
}
#: The central share of the bootstrap replicates an interval covers, and how many replicates.
COVERAGE = 0.9
REPLICATES = 2000


def resolved_table(ledger: Ledger) -> pd.DataFrame:
    """Every forecast question with its outcome where resolved: one row each, misses and open ones kept."""
    outcomes = ledger.outcomes()
    rows = []
    for entry in ledger.forecasts():
        start = Month.parse(entry["scenario"]["start"])
        for q in entry["questions"]:
            key = f"{entry['n']}:{q['id']}"
            resolution = outcomes.get(key)
            by = q["closes"]
            rows.append(
                {
                    "key": key,
                    "entry": entry["n"],
                    "id": q["id"],
                    "text": q["text"],
                    "scenario": entry["scenario"]["name"],
                    "made": entry["made"],
                    "start": str(start),
                    "by": by,
                    "horizon": Month.parse(by).minus(start) + 1 if by else None,
                    "rule": q["rule"],
                    "probability": q["probability"],
                    "standard_error": q["standard_error"],
                    "timing": q["timing"],
                    "outcome": None if resolution is None else bool(resolution["outcome"]),
                    "source": None if resolution is None else resolution["source"],
                    "resolved_in": None if resolution is None else resolution["n"],
                }
            )
    return pd.DataFrame(rows)


def _losses(p: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from simulator.analysis.questions import log_score

    return (p - outcome) ** 2, log_score(p, outcome)


def mean_interval(values: np.ndarray, years: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """The mean and its interval from resampling whole years of resolution (questions closing together go together)."""
    from simulator.analysis.evaluation import _year_blocks

    means = np.array([values[rows].mean() for rows in _year_blocks(years, REPLICATES, seed)])
    tail = (1 - COVERAGE) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(values.mean()), float(low), float(high)


def baseline_forecasts(rows: pd.DataFrame) -> pd.DataFrame:
    """The record's baselines for each event question whose origin (the month before its start) the record holds.

    A level question here asks whether a level is reached by a month; the record's
    level questions ask the level at a month, so they have no baseline.
    """
    from simulator.analysis.baselines import BASELINE_FUNCTIONS, BASELINES, Known
    from simulator.record import FIRST, packaged_record

    columns: dict[str, list[float]] = {name: [] for name in BASELINES}
    record, known = packaged_record(), dict[str, Known]()
    for row in rows.itertuples():
        origin = Month.parse(row.start).plus(-1)
        event = row.rule.get("event")
        usable = set(row.rule) == {"event", "by"} and FIRST < origin <= LAST  # a plain event question
        for name in BASELINES:
            value = math.nan
            if usable:
                known.setdefault(str(origin), Known.of(record.as_of(str(origin))))
                with suppress(KeyError, ValueError):
                    value = BASELINE_FUNCTIONS[name](known[str(origin)], "event", event, row.horizon)
            columns[name].append(value)
    return rows.assign(**columns)


def group_scores(rows: pd.DataFrame) -> dict[str, Any]:
    """Brier and log scores with intervals, the Murphy decomposition, reliability, skill against the baselines."""
    from simulator.analysis.baselines import BASELINES
    from simulator.analysis.evaluation import murphy, reliability, skill

    p = rows["probability"].to_numpy(dtype=float)
    outcome = rows["outcome"].to_numpy(dtype=float)
    years = rows["by"].str[:4].to_numpy()
    brier, log = _losses(p, outcome)
    found: dict[str, Any] = {
        "questions": len(rows),
        "brier": mean_interval(brier, years),
        "log": mean_interval(log, years),
        "murphy": murphy(p, outcome),
        "reliability": reliability(p, outcome, replicates=500),
        "skill": [],
    }
    with_baselines = baseline_forecasts(rows)
    for name in BASELINES:
        reference = with_baselines[name].to_numpy(dtype=float)
        both = ~np.isnan(reference)
        if not both.any():
            continue
        reference_brier, _ = _losses(reference[both], outcome[both])
        if reference_brier.mean() == 0:
            continue
        point, low, high = skill(brier[both], reference_brier, years[both], replicates=REPLICATES)
        found["skill"].append({"baseline": name, "questions": int(both.sum()), "skill": (point, low, high)})
    horizons = pd.cut(rows["horizon"], [0, 6, 12, 24, 10_000], labels=["1-6", "7-12", "13-24", "25+"])
    found["by_horizon"] = [
        (str(label), len(group), float(brier[group.index].mean()), float(log[group.index].mean()))
        for label, group in rows.reset_index(drop=True).groupby(horizons.reset_index(drop=True), observed=True)
    ]
    return found


def score_page(ledger: Ledger, made: datetime) -> str:
    """The track-record page: self-contained HTML, no script, no outside assets, every value escaped."""
    title = f"Track record of {ledger.path.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        track_record_html(ledger, made),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def track_record_html(ledger: Ledger, made: datetime, level: int = 2) -> str:
    """The track record's body: counts, each timing group's scores and forecasts, the open questions.

    ``level`` is the heading level of the groups (their parts one below), so a report can hold it as a section.
    """
    table = resolved_table(ledger)
    parts = [
        f"<p>{len(ledger.forecasts())} forecasts, {len(table)} questions forecast, "
        f"{int(table['outcome'].notna().sum()) if len(table) else 0} resolved. Ledger head "
        f"<code>{_e(ledger.head)}</code> (entries {len(ledger.entries)}, checked). Written "
        f"{_e(made.astimezone(UTC).isoformat(timespec='seconds'))}.</p>",
        "<p>Forecasts are kept apart by when they were made, against the day they were frozen; "
        "groups are never pooled. Every resolved forecast is listed, misses included. Intervals are "
        f"{COVERAGE:.0%} bootstrap intervals resampling whole years of resolution.</p>",
    ]
    resolved = table[table["outcome"].notna()] if len(table) else table
    for kind in TIMINGS:
        group = resolved[resolved["timing"] == kind] if len(resolved) else resolved
        parts.append(f"<h{level}>{_e(TIMING_TITLES[kind])}</h{level}><p class=note>{_e(TIMING_MEANING[kind])}.</p>")
        if not len(group):
            parts.append("<p>No resolved forecast.</p>")
            continue
        parts.append(_group_html(group.reset_index(drop=True), kind, level + 1))
    open_ = table[table["outcome"].isna()] if len(table) else table
    parts.append(f"<h{level}>Open questions</h{level}>")
    if len(open_):
        parts.append(_rows_html(open_, resolved=False))
    else:
        parts.append("<p>None.</p>")
    return "\n".join(parts)


def _group_html(group: pd.DataFrame, kind: str, level: int = 3) -> str:
    found = group_scores(group)
    b, lg, m = found["brier"], found["log"], found["murphy"]
    h, end = f"<h{level}>", f"</h{level}>"
    out = [
        "<table><tr><th>questions</th><th>Brier</th><th>log score</th></tr>",
        f"<tr><td>{found['questions']}</td><td>{_interval(b)}</td><td>{_interval(lg)}</td></tr></table>",
        f"{h}Murphy decomposition (CORP){end}<table><tr><th>Brier</th><th>miscalibration</th>"
        "<th>discrimination</th><th>uncertainty</th></tr>",
        f"<tr><td>{m['brier']:.4f}</td><td>{m['miscalibration']:.4f}</td><td>{m['discrimination']:.4f}</td>"
        f"<td>{m['uncertainty']:.4f}</td></tr></table>",
        f"{h}Relative skill against the record's baselines (Brier){end}",
    ]
    if found["skill"]:
        out.append("<table><tr><th>baseline</th><th>questions</th><th>skill</th></tr>")
        for row in found["skill"]:
            out.append(
                f"<tr><td>{_e(row['baseline'])}</td><td>{row['questions']}</td><td>{_interval(row['skill'])}</td></tr>"
            )
        out.append("</table><p class=note>Skill is 1 - Brier / the baseline's Brier on the same questions.</p>")
    else:
        out.append(
            "<p class=note>No question here maps to the record's questions: only event questions whose "
            "scenario starts by 2025-01 (the record ends 2024-12) have baselines.</p>"
        )
    out.append(f"{h}By horizon (months from the scenario's start to the question's month){end}")
    out.append("<table><tr><th>horizon</th><th>questions</th><th>Brier</th><th>log score</th></tr>")
    for label, count, brier, log in found["by_horizon"]:
        out.append(f"<tr><td>{_e(label)}</td><td>{count}</td><td>{brier:.4f}</td><td>{log:.4f}</td></tr>")
    out.append(f"</table>{h}Reliability (CORP, with consistency bands){end}")
    out.append(_reliability_svg(found["reliability"], kind))
    out.append(f"{h}Every resolved forecast{end}")
    out.append(_rows_html(group, resolved=True))
    return "\n".join(out)


def _rows_html(rows: pd.DataFrame, resolved: bool) -> str:
    head = "<tr><th>forecast</th><th>question</th><th>rule</th><th>scenario</th><th>made</th><th>probability</th>"
    head += "<th>outcome</th><th>Brier</th><th>log</th><th>source</th></tr>" if resolved else "<th>timing</th></tr>"
    out = [f"<table>{head}"]
    for row in rows.itertuples():
        rules = ", ".join(f"{k}: {v}" for k, v in sorted(row.rule.items()))
        cells = [row.key, row.text or row.id, rules, row.scenario, row.made]
        prob = f"{row.probability:.1%} ± {row.standard_error:.1%}"
        tail = []
        if resolved:
            o = float(row.outcome)
            brier, log = _losses(np.array([row.probability]), np.array([o]))
            miss = (row.probability >= 0.5) != bool(row.outcome)
            tail = ["yes" if row.outcome else "no", f"{brier[0]:.4f}", f"{log[0]:.4f}", row.source]
            css = ' class="miss"' if miss else ""
        else:
            tail, css = [row.timing], ""
        body = "".join(f"<td>{_e(c)}</td>" for c in cells) + f"<td>{_e(prob)}</td>"
        body += "".join(f"<td>{_e(c)}</td>" for c in tail)
        out.append(f"<tr{css}>{body}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _reliability_svg(curve: pd.DataFrame, kind: str) -> str:
    """The CORP reliability curve and its consistency band as inline SVG."""
    size, pad = 320, 40
    inner = size - 2 * pad

    def xy(x: float, y: float) -> str:
        return f"{pad + x * inner:.1f},{size - pad - y * inner:.1f}"

    band = [xy(r.forecast, r.high) for r in curve.itertuples()]
    band += [xy(r.forecast, r.low) for r in reversed(list(curve.itertuples()))]
    line = " ".join(xy(r.forecast, r.recalibrated) for r in curve.itertuples())
    dots = "".join(
        f'<circle cx="{xy(r.forecast, r.recalibrated).split(",")[0]}" '
        f'cy="{xy(r.forecast, r.recalibrated).split(",")[1]}" r="{2 + min(6, r.questions):.0f}"/>'
        for r in curve.itertuples()
    )
    ticks = "".join(
        f'<text x="{pad + t * inner:.0f}" y="{size - pad + 16}" text-anchor="middle">{t:.1f}</text>'
        f'<text x="{pad - 6}" y="{size - pad - t * inner + 4:.0f}" text-anchor="end">{t:.1f}</text>'
        for t in (0, 0.5, 1)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img" '
        f'aria-label="{_e(TIMING_TITLES[kind])}: reliability">'
        f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" fill="none" stroke="#999"/>'
        f'<line x1="{pad}" y1="{size - pad}" x2="{size - pad}" y2="{pad}" stroke="#bbb" stroke-dasharray="4"/>'
        f'<polygon points="{" ".join(band)}" fill="#9ecae1" fill-opacity="0.5"/>'
        f'<polyline points="{line}" fill="none" stroke="#08519c" stroke-width="2"/>'
        f'<g fill="#08519c">{dots}</g>{ticks}'
        f'<text x="{size / 2}" y="{size - 6}" text-anchor="middle">forecast probability</text>'
        f'<text x="12" y="{size / 2}" text-anchor="middle" transform="rotate(-90 12 {size / 2})">'
        "observed (recalibrated)</text></svg>"
    )


def _interval(value: tuple[float, float, float]) -> str:
    point, low, high = value
    return _e(f"{point:.4f} [{low:.4f}, {high:.4f}]")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


_STYLE = (
    "body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
    "tr.miss td{background:#fde0dd}.note{color:#555;font-size:.9em}svg text{font-size:11px}"
)
