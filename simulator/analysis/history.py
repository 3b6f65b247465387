"""The historical record, 1991-2016: coded periods, the timeline, and opinion polls.

One small loader over the data shipped in ``simulator/data/history/`` (public
reference data, every row with its source). The period table codes each span of 1992-2016 to a
Giles phase and a Zhao level; where its ``coder_disagreement`` column says other
coders would differ, the alternative levels count as uncertainty: the observed
level is a distribution, two thirds on the coded level and one third spread
over the alternatives. A span coded with several phases ("reset -> euphoria")
spreads evenly over them.
"""

import json
import re
from collections import Counter
from functools import cache

import numpy as np
import pandas as pd

from simulator.files import packaged
from simulator.months import Month
from simulator.scenario.schema import ShockSpecs
from simulator.vocabulary import LEVELS, PHASES

DATA = packaged("history")

#: Alternative levels from each period's ``coder_disagreement`` column: period start ->
#: (alternative levels, first month, last month) for the months the text says they apply to.
LEVEL_ALTERNATIVES: dict[str, list[tuple[tuple[int, ...], str, str]]] = {
    "1992-01": [((3,), "1992-01", "1993-12")],  # "Many coders would put 3 (normalization)"
    "1994-01": [((4,), "1994-01", "1996-12"), ((2,), "1995-01", "1996-12")],  # "4 through 1996 ... 2 from 1995"
    "1997-01": [((2,), "1998-08", "1999-02")],  # "Could be 2 ... from the Aug 1998 default onward"
    "1999-03": [((1,), "1999-03", "1999-05")],  # "Some code 1 ... for Mar-May 1999"
    "2001-09": [((4,), "2002-05", "2002-12")],  # "Coders could assign 4 ... for May 2002 declaration"
    "2003-01": [((3,), "2003-01", "2006-12")],  # "some keep 3 (normalization) to 2006"
    "2008-08": [((2,), "2008-08", "2009-02")],  # "some keep 2 (selective cooperation)"
    "2009-03": [((2,), "2009-03", "2011-12")],  # "Some code only 2 (selective cooperation)"
    "2012-01": [((3, 1), "2012-01", "2014-01")],  # "PNTR ... argue for 3; Magnitsky ... argue for 1-2"
    "2014-02": [((2,), "2014-02", "2016-12")],  # "islands of selective cooperation -> some code 2"
}
#: Alternative phases from the same column: period start -> (phase, first month, last month).
PHASE_ALTERNATIVES: dict[str, list[tuple[str, str, str]]] = {
    "2000-01": [("reset", "2001-06", "2001-08")],  # "some would call Jun 2001 Ljubljana the start of reset 1"
    "2007-01": [("crisis", "2007-02", "2008-07")],  # "Some date the crisis phase from Munich (Feb 2007)"
    "1994-01": [("realism", "1994-01", "1994-11")],  # "Start of 'realism' could be dated Dec 1994": euphoria before
}
#: Share of an observed month's probability on the coded value when coders disagree.
CODED_WEIGHT = 2 / 3

#: Reset-to-crisis cycles of the record (001), in months: start of the cycle, crisis entered.
RECORD_CYCLES: dict[str, tuple[str, str]] = {
    "cycle 1 (euphoria 1992 to Kosovo 1999)": ("1992-01", "1999-03"),
    "cycle 2 (9/11 reset to Georgia 2008)": ("2001-09", "2008-08"),
    "cycle 3 (Obama reset to Ukraine 2014)": ("2009-03", "2014-02"),
}
#: "within three years, the reset had largely run its course" (001): reset 2009-03 to disillusionment 2012-01.
RECORD_RESET_RUN = ("2009-03", "2012-01")


def months_between(start: str, end: str) -> int:
    """Months from ``start`` to ``end`` (both ``YYYY-MM``)."""
    return Month.parse(end).minus(Month.parse(start))


@cache
def periods() -> pd.DataFrame:
    """The coded period table, one row per span."""
    return pd.read_csv(DATA / "periods_1992_2016.csv", dtype=str)


@cache
def timeline() -> pd.DataFrame:
    """The dated timeline of key events, 1991-2016."""
    return pd.read_csv(DATA / "timeline_1991_2016.csv", dtype=str)


def _phase_sequence(label: str) -> list[int]:
    """The phases a span passes through, in order: "reset -> euphoria" is a reset, then euphoria.

    Words such as "post-crisis" or "pre-reset" describe the span's neighbours, not the span.
    """
    phases = []
    for part in label.split("->"):
        words = re.sub(r"\b(post|pre)-\w+", "", part)
        found = re.findall("|".join(PHASES), words)
        phases.append(PHASES.index(found[0]) if found else PHASES.index("realism"))
    return phases


def _mixed(coded: int, alternatives: list[int], size: int) -> np.ndarray:
    dist = np.zeros(size)
    dist[coded] = CODED_WEIGHT if alternatives else 1.0
    for alt in alternatives:
        dist[alt] += (1 - CODED_WEIGHT) / len(alternatives)
    return dist


def observed(months: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The record as distributions, for the given months.

    A span coded as a sequence of phases ("reset -> euphoria -> realism") is split
    into equal consecutive parts, one per phase; where coders disagree for some of
    its months, those months put a third of their weight on the alternatives.

    Returns:
        levels (months x 5), phases (months x 5) as probabilities, and whether each
        month is covered by the period table.
    """
    levels = np.zeros((len(months), len(LEVELS)))
    phases = np.zeros((len(months), len(PHASES)))
    covered = np.zeros(len(months), dtype=bool)
    index = {m: i for i, m in enumerate(months)}
    for row in periods().itertuples():
        start, end = Month.parse(row.start), Month.parse(row.end)
        length = end.minus(start) + 1
        sequence = _phase_sequence(row.giles_phase)
        for offset in range(length):
            month = str(start.plus(offset))
            i = index.get(month)
            if i is None:
                continue
            level_alts = [
                a for alts, lo, hi in LEVEL_ALTERNATIVES.get(row.start, []) if lo <= month <= hi for a in alts
            ]
            phase_alts = [PHASES.index(p) for p, lo, hi in PHASE_ALTERNATIVES.get(row.start, []) if lo <= month <= hi]
            coded_phase = sequence[offset * len(sequence) // length]
            levels[i] = _mixed(int(row.zhao_ordinal_0to4), level_alts, len(LEVELS))
            phases[i] = _mixed(coded_phase, phase_alts, len(PHASES))
            covered[i] = True
    return levels, phases, covered


def _percent(value: str) -> float:
    match = re.search(r"\d+(\.\d+)?", str(value))
    return float(match.group()) if match else np.nan


def _poll_month(text: str, default_month: int) -> str:
    """``YYYY-MM`` of a poll's fieldwork, with ``default_month`` where only the year is known."""
    text = str(text)
    match = re.match(r"(\d{4})-(\d{2})", text)
    if match:
        return f"{match[1]}-{match[2]}"
    month = 4 if "spring" in text else 10 if "fall" in text else default_month
    return f"{text[:4]}-{month:02d}"


@cache
def gallup() -> pd.Series:
    """Gallup: % of Americans favourable to Russia, by fieldwork month (February when not stated)."""
    frame = pd.read_csv(DATA / "gallup_us_favorable_russia_1987_2016.csv", dtype=str)
    frame = frame[frame["year"].str.fullmatch(r"\d{4}")]
    frame = frame[~frame["fieldwork"].str.contains("avg", na=False)]  # an average of readings listed too
    values = frame.assign(
        value=frame["favorable_pct"].map(_percent), month=frame["fieldwork"].map(lambda f: _poll_month(f, 2))
    )
    return values.dropna(subset=["value"]).groupby("month")["value"].mean()


@cache
def levada() -> pd.Series:
    """Levada: % of Russians with a good attitude to the USA, by fieldwork month (VTsIOM's series left out)."""
    frame = pd.read_csv(DATA / "levada_russian_attitude_usa_1990_2016.csv", dtype=str)
    frame = frame[~frame["period"].str.contains("VTsIOM")]
    values = frame.assign(value=frame["good_pct"].map(_percent), month=frame["period"].map(lambda p: _poll_month(p, 6)))
    return values.dropna(subset=["value"]).groupby("month")["value"].mean()


#: How timeline categories become the model's scheduled shocks. Summits, deals, arms control,
#: acts and expulsions are outcomes the model must produce, not shocks it is given.
CATEGORY_SHOCKS = {
    "military_crisis": "military_incident",
    "regime_change_neighbor": "colour_revolution",
    "nato_enlargement": "nato_enlargement",
    "terror_shock": "shared_threat",
}
#: Rows whose category does not say what the model needs, by (date, category).
SHOCK_EXCEPTIONS = {
    ("1998-08", "military_crisis"): "economic_shock",  # the Russian default (category flagged approximate)
    ("2003-03", "military_crisis"): None,  # a diplomatic quarrel over Iraq, not a US-Russia military event
    ("2007-02", "military_crisis"): None,  # a speech (Munich), not a military event
    ("2004-09", "terror_shock"): None,  # Beslan: a domestic Russian tragedy, not a shared threat
    ("1991-12", "regime_change_neighbor"): None,  # the USSR's end precedes the simulations
    ("2014-03", "sanctions_imposed"): "ukraine_escalation",  # Crimea seized and annexed
}


#: New US presidents, who each sought a reset with Moscow (001: "an Obama reset and a Bush reset").
NEW_PRESIDENTS = {"1993-01": "Clinton", "2001-01": "George W. Bush", "2009-01": "Obama"}


def leadership_schedule(start: str, end: str) -> list[dict]:
    """Inaugurations of new US presidents between ``start`` and ``end``, as scenario entries."""
    return [
        {
            "month": month,
            "event": "inauguration",
            "effects": {"new_president": "engaged"},
            "note": f"{name} takes office",
        }
        for month, name in NEW_PRESIDENTS.items()
        if start <= month <= end
    ]


def timeline_shocks(start: str, end: str, rows: pd.DataFrame | None = None) -> list[dict[str, str]]:
    """Scheduled shocks from the timeline (or ``rows`` in its form) between ``start`` and ``end``, as entries."""
    entries: list[dict[str, str]] = []
    for row in (timeline() if rows is None else rows).itertuples():
        if not start <= row.date <= end:
            continue
        key = (row.date, row.category)
        shock = SHOCK_EXCEPTIONS[key] if key in SHOCK_EXCEPTIONS else CATEGORY_SHOCKS.get(row.category)
        if shock is not None and (row.date, shock) not in {(e["month"], e["shock"]) for e in entries}:
            entries.append({"month": row.date, "event": "shock", "shock": shock, "note": row.event[:80]})
    return entries


def history_schedule(
    start: str, with_timeline: bool, end: str = "2016-12", rows: pd.DataFrame | None = None
) -> list[dict]:
    """The schedule of a historical scenario: new presidents, and the timeline's shocks if asked."""
    entries = leadership_schedule(start, end) + (timeline_shocks(start, end, rows) if with_timeline else [])
    return sorted(entries, key=lambda e: e["month"])


#: The span over which the record's shocks are counted into base rates.
RECORD_SPAN = ("1992-01", "2016-12")


def shock_base_rates(rows: pd.DataFrame | None = None) -> dict[str, float]:
    """Monthly hazard of each chance shock: the timeline's count of it over 1992-2016 over the span's months.

    Only how often each shock struck enters, never when: a forecast that draws
    its shocks at these rates cannot see the dates of the record's shocks.
    """
    months = months_between(*RECORD_SPAN) + 1
    counts = Counter(entry["shock"] for entry in timeline_shocks(*RECORD_SPAN, rows))
    return {shock: counts[shock] / months for shock in ShockSpecs.model_fields}


#: The historical scenarios: start month, Giles phase and level then, trust then (Gallup), and what each is.
HISTORY_STARTS = {
    "1992": ("1992-01", "euphoria", "normalization", 0.6, "The whole record: from the early-1990s euphoria on."),
    "2001": ("2001-09", "reset", "selective_cooperation", 0.5, "From the reset after 9/11 (001: the first reset)."),
    "2009": ("2009-03", "reset", "contact", 0.4, "From the Obama reset of March 2009 (001: the second reset)."),
}


def scenario_text(key: str, with_timeline: bool) -> str:
    """The YAML of one historical scenario (how ``scenarios/history/`` was written)."""
    start, phase, level, trust, what = HISTORY_STARTS[key]
    name = f"history_{key}" + ("" if with_timeline else "_leaders")
    driven = (
        "the calendar of new US presidents and the shocks of the timeline\n"
        "# (simulator/data/history/timeline_1991_2016.csv, mapped by simulator/analysis/history.py)."
        if with_timeline
        else "the calendar of new US presidents: what the structure alone produces."
    )
    schedule = history_schedule(start, with_timeline)
    lines = [
        f"# {what}",
        f"# Driven only by {driven}",
        "# No phase is placed by hand; the cycle must emerge. Written by",
        "# simulator.analysis.history.scenario_text(); a test keeps the two in step.",
        "extends: base.yaml",
        f"name: {name}",
        f"description: Backtest from {start}, {'leaders and timeline shocks' if with_timeline else 'leaders only'}.",
        f"start: {start}",
        "initial:",
        f"  level: {level}",
        f"  phase: {phase}",
        f"  trust: {trust}",
        "schedule:" + ("" if schedule else " []"),
    ]
    for entry in schedule:
        what_happens = (
            f"event: shock, shock: {entry['shock']}"
            if entry["event"] == "shock"
            else "event: inauguration, effects: {new_president: engaged}"
        )
        lines.append(f"  - {{month: {entry['month']}, {what_happens}, note: {json.dumps(entry['note'])}}}")
    return "\n".join(lines) + "\n"
