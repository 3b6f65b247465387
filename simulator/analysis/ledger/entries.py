"""The content of entries: a forecast from a finished run, a resolution of open forecasts; rerunning a forecast."""

import hashlib
import json
import math
import re
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis.ledger.chain import MONTH_PATTERN, Ledger, LedgerError, canonical
from simulator.files import sha256_of
from simulator.months import Month
from simulator.record import LAST
from simulator.results.result import RunResult
from simulator.scenario import Scenario
from simulator.scenario.ensemble import Ensemble
from simulator.scenario.questions import Question
from simulator.version import __version__


def resolved_hash(item: Scenario | Ensemble) -> str:
    """The SHA-256 of the resolved scenario (every value as run, canonical JSON), or an ensemble's members, weights."""
    if isinstance(item, Ensemble):
        members = [{"weight": m.weight, "scenario": m.spec.model_dump(mode="json")} for m in item.members]
        return hashlib.sha256(canonical({"members": members})).hexdigest()
    return hashlib.sha256(canonical(item.model_dump(mode="json"))).hexdigest()


def posterior_of(item: Scenario | Ensemble) -> dict[str, str] | None:
    """The posterior sample the worlds draw from, its absolute path and SHA-256 (an ensemble's members share one)."""
    specs = [m.spec for m in item.members] if isinstance(item, Ensemble) else [item]
    for spec in specs:
        source = spec.posterior
        if source is not None and source.sample.is_file():
            return {"file": str(source.sample.resolve()), "sha256": sha256_of(source.sample)}
    return None


def software() -> dict[str, Any]:
    """The version of ``sim`` and, when it runs from a git checkout, the commit and whether its code was modified."""
    root = Path(__file__).resolve().parents[3]  # the folder that holds simulator/
    commit = modified = None
    try:
        found = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        top, _, head = found.stdout.strip().partition("\n")
        if found.returncode == 0 and Path(top).resolve() == root:  # the package's own checkout, not one around it
            commit = head.strip()
            status = subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", "simulator"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            modified = bool(status.stdout.strip()) if status.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return {"version": __version__, "commit": commit, "modified": modified}


def rule(question: Any) -> dict[str, Any]:
    """A question's resolution rule: its fields but the id and the text (``event`` or ``level``, ``by``, ...)."""
    return {k: v for k, v in question.model_dump(mode="json", exclude_none=True).items() if k not in ("id", "text")}


def rule_text(spec_start: str, rules: dict[str, Any]) -> str:
    """The rule in words."""
    by = rules.get("by")
    if set(rules) == {"event", "by"}:
        return f"yes if {rules['event']} happens in a month from {spec_start} to {by}, both included"
    if set(rules) == {"level", "by"}:
        return f"yes if relations reach {rules['level']} or a higher level in a month from {spec_start} to {by}"
    try:
        question = Question.model_validate({"id": "rule", **rules})
    except ValueError:
        return "yes as " + ", ".join(f"{k}: {v}" for k, v in sorted(rules.items()))
    return f"yes if {question.sentence(spec_start)}, both months included"


def last_month(rules: dict[str, Any], answer: dict[str, Any], horizon: str) -> str:
    """The last month a question's window holds: its ``by``, else the latest month its rule names, else the horizon."""
    if answer.get("by"):
        return str(answer["by"])
    months = [str(v) for v in rules.values() if isinstance(v, str) and re.match(MONTH_PATTERN, v)]
    return rules.get("by") or (max(months) if months else horizon)


def timing(start: str, by: str, made: datetime) -> str:
    """``before``, ``during`` or ``after`` the fact: the month made against the question's window and the record."""
    month = Month(made.year, made.month)
    if Month.parse(by) < month or Month.parse(by) <= LAST:
        return "after"
    if Month.parse(start) < month:
        return "during"
    return "before"


def forecast_body(
    result: RunResult,
    item: Scenario | Ensemble,
    scenario_files: list[Path],
    scenario_path: Path,
    made: datetime,
    evidence: Sequence[Path] = (),
    config_dir: Path | None = None,
) -> dict[str, Any]:
    """The content of a forecast entry for a finished run (not yet numbered, chained or hashed)."""
    spec = result.spec
    start = str(spec.start)
    answers = result.questions()
    questions = []
    for question in spec.questions:
        rules = rule(question)
        answer = answers[question.id]
        closes = last_month(rules, answer, str(spec.horizon))
        questions.append(
            {
                "id": question.id,
                "text": question.text,
                "rule": rules,
                "resolution": rule_text(start, rules),
                "probability": float(answer["probability"]),
                "standard_error": float(answer["standard_error"]),
                "closes": closes,
                "timing": timing(rules.get("from", start), closes, made),  # a hold is open from its first month
            }
        )
    return {
        "kind": "forecast",
        "made": made.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "scenario": {
            "name": spec.name,
            "file": str(scenario_path),
            "path": str(scenario_path.resolve()),
            "sha256": sha256_of(scenario_path),
            "files": [{"path": str(p.resolve()), "sha256": sha256_of(p)} for p in scenario_files],
            "resolved_sha256": resolved_hash(item),
            "ensemble": isinstance(item, Ensemble),
            "start": start,
            "horizon": str(spec.horizon),
            "config_dir": None if config_dir is None else str(config_dir.resolve()),
        },
        "posterior": posterior_of(item),
        "evidence": [{"path": str(p.resolve()), "sha256": sha256_of(p)} for p in evidence],
        "runs": result.runs,
        "seed": result.seed,
        "software": software(),
        "questions": questions,
        "after_the_fact": any(q["timing"] == "after" for q in questions),
    }


# --- resolutions -----------------------------------------------------------------------------------------------

ANSWERS = {"yes": True, "no": False}


def answer_word(word: str) -> bool:
    """``yes`` or ``no`` as the outcome.

    Raises:
        LedgerError: for any other word.
    """
    if word.lower() not in ANSWERS:
        raise LedgerError(f"answer {word!r}: write yes or no")
    return ANSWERS[word.lower()]


def targets(ledger: Ledger, key: str) -> list[str]:
    """The open forecasts ``key`` names: ``N:question`` (one) or ``question`` (every open forecast of it).

    Raises:
        LedgerError: for an unknown entry or question, one already resolved, or forecasts that ask different things.
    """
    outcomes = ledger.outcomes()
    if ":" in key:
        number, _, qid = key.partition(":")
        if not number.isdigit():
            raise LedgerError(f"{key!r}: write ENTRY:QUESTION (e.g. 1:summit_2025) or a question id")
        entry = ledger.entry(int(number))
        if entry["kind"] != "forecast":
            raise LedgerError(f"{key!r}: entry {number} is a resolution, not a forecast")
        if qid not in {q["id"] for q in entry["questions"]}:
            known = ", ".join(q["id"] for q in entry["questions"]) or "none"
            raise LedgerError(f"{key!r}: entry {number} has no question {qid!r} (its questions: {known})")
        if key in outcomes:
            raise LedgerError(f"{key!r}: already resolved by entry {outcomes[key]['n']}")
        return [key]
    found = [(entry, q) for entry in ledger.forecasts() for q in entry["questions"] if q["id"] == key]
    if not found:
        raise LedgerError(f"{key!r}: no forecast in {ledger.path} asks a question with that id")
    open_ = [(entry, q) for entry, q in found if f"{entry['n']}:{key}" not in outcomes]
    if not open_:
        raise LedgerError(f"{key!r}: every forecast of it is resolved already")
    rules = {json.dumps(q["rule"], sort_keys=True) for _, q in open_}
    if len(rules) > 1:
        names = ", ".join(f"{e['n']}:{key}" for e, _ in open_)
        raise LedgerError(f"{key!r}: its open forecasts ask different things ({names}); resolve each as ENTRY:{key}")
    return [f"{entry['n']}:{key}" for entry, _ in open_]


def resolution_body(ledger: Ledger, key: str, outcome: bool, source: str, made: datetime) -> dict[str, Any]:
    """The content of a resolution entry.

    Raises:
        LedgerError: as ``targets``, for an empty source, or for a 'no' before the question's last month has ended.
    """
    if not source.strip():
        raise LedgerError("--source: say where the outcome is found (a link, a report, a date)")
    keys = targets(ledger, key)
    if not outcome:
        asked = {f"{e['n']}:{q['id']}": q["closes"] for e in ledger.forecasts() for q in e["questions"]}
        month = Month(made.year, made.month)
        open_until = [asked[k] for k in keys if asked[k] and Month.parse(asked[k]) >= month]
        if open_until:
            raise LedgerError(
                f"{key!r}: 'no' cannot be known before the question's last month, {open_until[0]}, has ended"
            )
    return {
        "kind": "resolution",
        "made": made.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "question": key.partition(":")[2] or key,
        "resolves": keys,
        "outcome": outcome,
        "source": source,
    }


# --- reruns ----------------------------------------------------------------------------------------------------


def input_changes(entry: dict[str, Any], item: Scenario | Ensemble) -> list[str]:
    """What differs between an entry's recorded inputs and the files and scenario as they are now."""
    changes = []
    scenario = entry["scenario"]
    for recorded in scenario["files"]:
        path = Path(recorded["path"])
        if not path.is_file():
            changes.append(f"{path} is gone")
        elif sha256_of(path) != recorded["sha256"]:
            changes.append(f"{path} changed since the forecast (its SHA-256 differs)")
    if resolved_hash(item) != scenario["resolved_sha256"]:
        changes.append("the resolved scenario differs from the one frozen (its SHA-256 differs)")
    if (entry.get("posterior") or {}).get("sha256") != (posterior_of(item) or {}).get("sha256"):
        changes.append("the posterior sample differs from the one frozen")
    for recorded in entry.get("evidence", []):
        path = Path(recorded["path"])
        if not path.is_file() or sha256_of(path) != recorded["sha256"]:
            changes.append(f"evidence {path} is gone or changed")
    return changes


def rerun_table(entry: dict[str, Any], result: RunResult) -> pd.DataFrame:
    """Each question's frozen and rerun probability and standard error, and whether they are the same bits."""
    answers = result.questions()
    rows = []
    for question in entry["questions"]:
        now = answers.get(question["id"])
        p, se = (now["probability"], now["standard_error"]) if now else (math.nan, math.nan)
        same = now is not None and _bits(p) == _bits(question["probability"])
        same = same and _bits(se) == _bits(question["standard_error"])
        rows.append({"id": question["id"], "frozen": question["probability"], "rerun": p, "same": same})
    return pd.DataFrame(rows, columns=["id", "frozen", "rerun", "same"])


def _bits(x: float) -> bytes:
    return np.float64(x).tobytes()
