"""Revisions: how a forecast of the same questions moved from one month it was made to the next, and on what.

An analyst forecasts in January, updates in April with what has happened
since, and again in October. Each forecast is a scenario: the baseline, the
baseline with ``evidence`` through a month, or a start re-set at a later
month (``initial.happened``). The month a forecast was *made* is what it
knows through: its evidence's ``as_of``, else its start.

Questions are matched across the forecasts by what they ask, not by their id
or their place in the file: their resolution rule, every field of the
question but its id and text (``ledger.rule``), so two files that call the
same question by different names still meet, and any kind of question the
schema grows is matched the same way. A question one forecast lacks is shown
as missing there.

Each forecast's probability carries its standard error over its effective
worlds (``RunResult.effective_runs``). A change between two forecasts made
from different starts pairs no worlds: its standard error is that of two
independent estimates. Between forecasts from one start on one seed (the
baseline and the baseline with evidence), the worlds are paired as in
``compare``.

What a later forecast knew that the one before it did not: the observations
of its evidence after the earlier one's month (events, levels, war states,
events seen not to happen), the watched events seen in none of those months,
and, for a re-set start, the events its state records as happened.

The resolution of each question, once known: from the record for a question
closing by 2024-12 (``simulator.record``), or from a ledger's resolution of
a forecast of the same question.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis.ledger import Ledger, rule
from simulator.analysis.ledger.chain import MONTH_PATTERN
from simulator.months import Month
from simulator.record import LAST, packaged_record
from simulator.results.result import RunResult
from simulator.scenario import Scenario
from simulator.vocabulary import LEVELS, level_event

#: The columns of ``revisions.csv``.
COLUMNS = (
    "question",
    "text",
    "forecast",
    "made",
    "probability",
    "standard_error",
    "effective_worlds",
    "change",
    "change_standard_error",
    "between",
    "resolution",
    "resolved_by",
)


#: What a revision of a forecast changes: what it knows (its start and the state there, its evidence), its
#: name, its words and its questions. Two scenarios alike in everything else are one forecast made twice.
KNOWLEDGE = frozenset({"name", "description", "evidence", "questions", "start", "initial"})


class RevisionError(ValueError):
    """Forecasts that cannot be set side by side as revisions (exit code 2 at the command line)."""


def made_month(spec: Scenario) -> Month:
    """The month a forecast knows through: its evidence's ``as_of``, else its start."""
    return spec.evidence.as_of if spec.evidence is not None else spec.start


def same_forecast(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios are one forecast made with different knowledge: alike but for ``KNOWLEDGE``."""
    return a.model_dump(mode="json", exclude=set(KNOWLEDGE)) == b.model_dump(mode="json", exclude=set(KNOWLEDGE))


def revisions_of(current: Scenario, others: list[tuple[str, Scenario]]) -> list[tuple[str, Scenario]]:
    """The scenarios among ``others`` that revise ``current``: the same forecast, made at another month.

    Only those that share a question with ``current``, one per month made (the first given).
    """
    asked = {question_key(q) for q in current.questions}
    months = {made_month(current)}
    found = []
    for name, spec in others:
        month = made_month(spec)
        if month in months or not same_forecast(current, spec):
            continue
        if asked & {question_key(q) for q in spec.questions}:
            found.append((name, spec))
            months.add(month)
    return found


def question_key(question: Any) -> str:
    """A question's identity: its resolution rule (every field but the id and the text), as canonical JSON."""
    return json.dumps(rule(question), sort_keys=True, separators=(",", ":"))


def describe(key: str) -> str:
    """A question's rule in a few words, for a question without text ("summit by 2025-12")."""
    rules = json.loads(key)
    if set(rules) == {"event", "by"}:
        return f"{rules['event']} by {rules['by']}"
    if set(rules) == {"level", "by"}:
        return f"{rules['level']} or above by {rules['by']}"
    return ", ".join(f"{k}: {v}" for k, v in sorted(rules.items()))


def _observation(o: Any) -> str:
    if o.event is not None:
        return f"{o.month} {o.event}" if o.happened else f"{o.month} no {o.event}"
    return f"{o.month} level {o.level}" if o.level is not None else f"{o.month} war {o.war}"


def events_between(earlier: Scenario | None, later: Scenario) -> list[str]:
    """What ``later`` knew that ``earlier`` did not, as short lines; all that ``later`` knows if ``earlier`` is None.

    Observations of the later forecast's evidence in the months after the earlier one's,
    the events it watches and saw in none of those months, and the events a later start
    records as having happened before it.
    """
    since = made_month(earlier) if earlier is not None else later.start.plus(-1)
    found = []
    if later.initial.happened and (earlier is None or later.start > earlier.start):
        found.append(f"by {later.start} (its start): {', '.join(later.initial.happened)}")
    evidence = later.evidence
    if evidence is not None and evidence.as_of > since:
        window = [o for o in evidence.observed if o.month > since]
        found += [_observation(o) for o in sorted(window, key=lambda o: (str(o.month), _observation(o)))]
        seen = {o.event for o in window if o.event is not None and o.happened}
        quiet = [event for event in evidence.watched() if event not in seen]
        if quiet:
            first = max(since.plus(1), later.start)
            found.append(f"no {', '.join(quiet)} {first} to {evidence.as_of} (watched)")
    return found


def ledger_outcomes(ledger: Ledger) -> dict[str, tuple[bool, str]]:
    """Each question a ledger resolves, by its identity: the outcome and the resolution's source.

    A question resolved in more than one entry keeps its last resolution.
    """
    outcomes = ledger.outcomes()
    found = {}
    for entry in ledger.forecasts():
        for q in entry["questions"]:
            resolution = outcomes.get(f"{entry['n']}:{q['id']}")
            if resolution is not None:
                key = json.dumps(q["rule"], sort_keys=True, separators=(",", ":"))
                found[key] = (bool(resolution["outcome"]), f"ledger entry {resolution['n']}: {resolution['source']}")
    return found


def record_outcome(key: str, start: Month) -> tuple[bool, str] | None:
    """A plain event or level question closing by the record's last month, resolved from the record.

    Yes if the event happened (or the level was reached, or already held) in a month from ``start``
    to the question's month, both included; ``None`` for a question the record cannot answer.
    """
    rules = json.loads(key)
    if set(rules) not in ({"event", "by"}, {"level", "by"}):
        return None
    by = Month.parse(rules["by"])
    if by > LAST:
        return None
    record = packaged_record()
    if "level" in rules:
        wanted = LEVELS.index(rules["level"])
        months = record.months[(record.months["month"] >= str(start)) & (record.months["month"] <= str(by))]
        held = bool((months["level"].map(LEVELS.index) >= wanted).any())
        return held, f"the record, {start} to {by}: level {'reached' if held else 'not reached'}"
    try:
        months = record.happened(rules["event"])
    except KeyError:
        return None
    hits = [m for m in months if str(start) <= m <= str(by)]
    return bool(hits), f"the record: {', '.join(hits) if hits else 'no such month'} ({start} to {by})"


def check_shared(names: list[str], specs: list[Scenario]) -> None:
    """Refuse forecasts of which no two ask the same question.

    Raises:
        RevisionError: naming the forecasts.
    """
    counts: dict[str, int] = {}
    for spec in specs:
        for key in {question_key(q) for q in spec.questions}:
            counts[key] = counts.get(key, 0) + 1
    if not any(count >= 2 for count in counts.values()):
        raise RevisionError(
            f"{', '.join(names)} are forecasts from different months and share no question, so there is no "
            "forecast to follow from one to the next (a question is the same when it asks the same thing by the "
            "same month: event or level, and by)"
        )


@dataclass
class Revisions:
    """Forecasts of the same questions made at different months, in the order they were made.

    Attributes:
        names: each forecast's name.
        results: each forecast's run.
        resolutions: known outcomes by question identity (``ledger_outcomes``); the record adds its own.
    """

    names: list[str]
    results: list[RunResult]
    resolutions: dict[str, tuple[bool, str]]

    @classmethod
    def of(
        cls, names: list[str], results: list[RunResult], resolutions: dict[str, tuple[bool, str]] | None = None
    ) -> "Revisions":
        """The forecasts ordered by the month they were made (ties keep the order given).

        Raises:
            RevisionError: if no question is asked by two or more of them.
        """
        check_shared(names, [result.spec for result in results])
        order = sorted(range(len(results)), key=lambda i: made_month(results[i].spec))
        return cls([names[i] for i in order], [results[i] for i in order], dict(resolutions or {}))

    def asked(self) -> dict[str, list[Any]]:
        """Each question's identity and, per forecast, its question there (``None`` where it is not asked)."""
        found: dict[str, list[Any]] = {}
        for i, result in enumerate(self.results):
            for question in result.spec.questions:
                found.setdefault(question_key(question), [None] * len(self.results))[i] = question
        return found

    def resolution(self, key: str) -> tuple[bool, str] | None:
        """A question's known outcome and its source: a ledger's resolution, else the record's."""
        if key in self.resolutions:
            return self.resolutions[key]
        return record_outcome(key, min(r.spec.start for r in self.results))

    def table(self) -> pd.DataFrame:
        """One row per question and forecast: the probability, its error, the change from the forecast before."""
        rows = []
        answers = [result.questions() for result in self.results]
        for key, asked in self.asked().items():
            text = next(q.text for q in asked if q is not None) or describe(key)
            resolved = self.resolution(key)
            before: int | None = None
            for i, (name, result, question) in enumerate(zip(self.names, self.results, asked, strict=True)):
                row = {
                    "question": key,
                    "text": text,
                    "forecast": name,
                    "made": str(made_month(result.spec)),
                    "between": "; ".join(events_between(self.results[i - 1].spec if i else None, result.spec)),
                    "resolution": None if resolved is None else ("yes" if resolved[0] else "no"),
                    "resolved_by": None if resolved is None else resolved[1],
                }
                if question is None:
                    rows.append(row | {"probability": np.nan, "standard_error": np.nan, "effective_worlds": np.nan})
                    continue
                answer = answers[i][question.id]
                row |= {
                    "probability": float(answer["probability"]),
                    "standard_error": float(answer["standard_error"]),
                    "effective_worlds": result.effective_runs,
                }
                if before is not None:
                    row |= self._change(before, i, asked)
                rows.append(row)
                before = i
        return pd.DataFrame(rows, columns=list(COLUMNS))

    def _change(self, a: int, b: int, asked: list[Any]) -> dict[str, float]:
        """The change from forecast ``a`` to ``b`` and its standard error: paired worlds on one start, else not."""
        first, second = self.results[a], self.results[b]
        pa = first.questions()[asked[a].id]
        pb = second.questions()[asked[b].id]
        change = pb["probability"] - pa["probability"]
        error = float(np.hypot(pa["standard_error"], pb["standard_error"]))
        paired = first.spec.start == second.spec.start and first.runs == second.runs and first.seed == second.seed
        if paired and set(rule(asked[a])) in ({"event", "by"}, {"level", "by"}):
            worlds_a, worlds_b = (_answered(r, asked[i]) for r, i in ((first, a), (second, b)))
            differences = worlds_b.astype(float) - worlds_a.astype(float)
            worlds = min(first.effective_runs, second.effective_runs)
            error = float(differences.std(ddof=1) / np.sqrt(min(differences.size, worlds)))
        return {"change": float(change), "change_standard_error": error}


def _answered(result: RunResult, question: Any) -> np.ndarray:
    """Per world, whether a plain event or level question came true (for paired differences)."""
    from simulator.analysis.compare import _by

    event = question.event or level_event(LEVELS.index(question.level))
    return _by(result, event, result.months.index(str(question.by)))


def chart_names(asked: dict[str, list[Any]]) -> dict[str, str]:
    """Each question's chart file, ``revision_<id>.png`` by the id it has first (``_2`` ... where two share one)."""
    names: dict[str, str] = {}
    for key, questions in asked.items():
        stem = f"revision_{next(q.id for q in questions if q is not None)}"
        name, n = f"{stem}.png", 1
        while name in names.values():
            n += 1
            name = f"{stem}_{n}.png"
        names[key] = name
    return names


def chart(table: pd.DataFrame, key: str, worlds: str = "") -> Any:
    """A question's revision chart: each forecast's probability (95 % interval) by the month it was made.

    The resolution, once known, is marked at 0 or 1 at the question's month; ``worlds`` says how many were run.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    rows = table[table["question"] == key]
    asked = rows[rows["probability"].notna()]
    x = [_ordinal(m) for m in asked["made"]]
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.errorbar(
        x, asked["probability"], yerr=1.96 * asked["standard_error"], fmt="o-", color="#2171b5", capsize=4, zorder=3
    )
    for xi, (_, row) in zip(x, asked.iterrows(), strict=True):
        ax.annotate(
            f"{row['probability']:.0%}\n{row['forecast']}",
            (xi, row["probability"]),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=8,
        )
    rules = json.loads(key)
    closes = _closes(rules)
    ticks = sorted(set(x))
    if closes:
        end = _ordinal(closes)
        ax.axvline(end, color="#888", linestyle=":", linewidth=1)
        ax.annotate(
            f"closes {closes}", (end, -0.03), textcoords="offset points", xytext=(4, 0), fontsize=8, color="#666"
        )
        ticks.append(end)
        resolution = rows["resolution"].iloc[0]
        if isinstance(resolution, str):
            value = 1.0 if resolution == "yes" else 0.0
            ax.plot([end], [value], marker="*", markersize=16, color="#d62728", zorder=4, linestyle="none")
            ax.annotate(
                f"resolved {resolution}",
                (end, value),
                textcoords="offset points",
                xytext=(12, -4),
                ha="left",
                fontsize=9,
                color="#d62728",
            )
        else:
            ax.annotate(
                "not yet resolved",
                (end, 0.5),
                textcoords="offset points",
                xytext=(-4, 0),
                ha="right",
                fontsize=8,
                color="#666",
                rotation=90,
                va="center",
            )
    ax.set_xticks(ticks, [_label(t) for t in ticks], rotation=30, ha="right")
    ax.set_xlim(min(ticks) - 1, max(ticks) + max(3, (max(ticks) - min(ticks)) // 4))
    ax.set_ylim(-0.05, 1.08)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("month the forecast was made (its evidence's as_of, else its start)")
    ax.set_ylabel("probability (95% interval)")
    ax.grid(alpha=0.3)
    first = rows.iloc[0]
    fig.suptitle(f"{first['text']}\nhow the forecast moved as it was revised{worlds}", x=0.01, ha="left")
    return fig


def _closes(rules: dict[str, Any]) -> str | None:
    """The last month a question's window holds: its ``by``, else the latest month its rule names, else None."""
    months = [str(v) for v in rules.values() if isinstance(v, str) and re.fullmatch(MONTH_PATTERN, v)]
    return rules.get("by") or (max(months) if months else None)


def _ordinal(month: str) -> int:
    found = Month.parse(month)
    return found.year * 12 + found.month - 1


def _label(ordinal: int) -> str:
    return f"{ordinal // 12}-{ordinal % 12 + 1:02d}"


def write_revisions(revisions: Revisions, out: Path, metadata: dict[str, Any] | None = None) -> list[Path]:
    """Write ``revisions.csv`` and each question's revision chart into ``out`` (and ``metadata.json`` if given)."""
    from simulator.results.outputs import write_files, write_json

    table = revisions.table()
    writers: dict[str, Callable[[Path], None]] = {"revisions.csv": lambda p: table.to_csv(p, index=False)}
    writers |= charts(revisions, table)
    if metadata is not None:
        writers["metadata.json"] = lambda p: write_json(p, metadata)
    return write_files(out, writers)


def charts(revisions: Revisions, table: pd.DataFrame) -> dict[str, Callable[[Path], None]]:
    """Writers of each question's revision chart, by file name."""
    from simulator.results import plots

    first = revisions.results[0]
    worlds = f"; {first.runs:,} worlds each, seed {first.seed}"

    def writer(key: str) -> Callable[[Path], None]:
        return lambda path: plots.save(chart(table, key, worlds), path)

    return {name: writer(key) for key, name in chart_names(revisions.asked()).items()}
