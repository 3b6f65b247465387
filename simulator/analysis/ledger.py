"""A tamper-evident ledger of forecasts: what was forecast, when, with what, and how it resolved.

The ledger is a file of JSON Lines, one entry a line, appended to and never
rewritten. Each entry is written in one canonical form (keys sorted, no
spaces, ASCII) and carries ``prev``, the SHA-256 of the entry before it (64
zeros for the first), and ``hash``, the SHA-256 of its own canonical form
without ``hash``. So every byte counts: a changed byte changes the entry's
content (its hash no longer matches), its form (it is not canonical), or a
line break (a line is no entry). ``verify`` checks all three for every entry
and the chain between them. Deleting the last entries leaves a shorter chain
that verifies: publish the head hash ``verify`` prints to make that evident.

An entry is committed by its final newline. Each append is one ``write`` of
one whole line, then ``fsync``, under an exclusive lock; a write cut off (a
kill, a crash, a full disk) leaves at most an unfinished last line without its
newline, which readers ignore with a note and the next append removes.

Two kinds of entry (``docs/ledger.md`` gives every field):

- ``forecast``: one run of a scenario: its questions (text, resolution rule,
  probability and standard error), the date and time it was made (UTC), the
  version and git commit of ``sim``, hashes of the scenario's files, of the
  resolved scenario, of the posterior sample and of any evidence file, the seed
  and the number of worlds; each question is timed against the day it was
  frozen (``before``, ``during`` or ``after`` the fact).
- ``resolution``: a question's outcome with its source, for one or more
  forecasts of it.
"""

import fcntl
import hashlib
import html
import json
import math
import os
import re
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.months import Month
from simulator.record import LAST
from simulator.results.result import RunResult
from simulator.scenario import Scenario
from simulator.version import __version__

FORMAT = 1
GENESIS = "0" * 64
DEFAULT_LEDGER = Path("ledger.jsonl")
#: When a question was forecast, against the day the forecast was frozen.
TIMINGS = ("before", "during", "after")
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


_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class _Shape(BaseModel):
    """What readers of an entry rely on; other fields are kept as written."""

    model_config = ConfigDict(extra="allow")


class _Question(_Shape):
    id: str
    text: str
    rule: dict[str, Any]
    probability: float = Field(ge=0, le=1)
    standard_error: float = Field(ge=0)
    timing: Literal["before", "during", "after"]
    closes: str = Field(pattern=_MONTH)


class _ScenarioShape(_Shape):
    name: str
    start: str = Field(pattern=_MONTH)


class _Forecast(_Shape):
    made: str
    scenario: _ScenarioShape
    questions: list[_Question]
    runs: int = Field(ge=1)
    seed: int = Field(ge=0)


class _Resolution(_Shape):
    made: str
    resolves: list[str] = Field(min_length=1)
    outcome: bool
    source: str = Field(min_length=1)


SHAPES: dict[str, type[_Shape]] = {"forecast": _Forecast, "resolution": _Resolution}


class LedgerError(ValueError):
    """A ledger, an entry or a request that cannot be used as given (exit code 2 at the command line)."""


@dataclass(frozen=True)
class Damage:
    """The first place a ledger fails its check: the line (1-based), the entry number there, and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Ledger:
    """A ledger as read: its entries in order, the first damage found (if any), and an unfinished tail.

    Attributes:
        path: the file.
        entries: the entries before any damage, each checked.
        damage: the first damaged line, or None.
        torn: the bytes of an unfinished last line (no newline), or empty.
        size: the length of the committed part (every byte up to the last newline).
    """

    path: Path
    entries: list[dict[str, Any]] = field(default_factory=list)
    damage: Damage | None = None
    torn: bytes = b""
    size: int = 0

    @property
    def head(self) -> str:
        """The hash of the last entry (64 zeros for an empty ledger)."""
        return self.entries[-1]["hash"] if self.entries else GENESIS

    def forecasts(self) -> list[dict[str, Any]]:
        """The forecast entries."""
        return [entry for entry in self.entries if entry["kind"] == "forecast"]

    def outcomes(self) -> dict[str, dict[str, Any]]:
        """Each resolved forecast question, ``N:question``, and the resolution entry that resolves it."""
        found = {}
        for entry in self.entries:
            if entry["kind"] == "resolution":
                for key in entry["resolves"]:
                    found[key] = entry
        return found

    def entry(self, n: int) -> dict[str, Any]:
        """Entry number ``n``.

        Raises:
            LedgerError: if there is none.
        """
        if not 1 <= n <= len(self.entries):
            raise LedgerError(f"{self.path}: no entry {n} (the ledger holds {len(self.entries)})")
        return self.entries[n - 1]

    def usable(self) -> "Ledger":
        """This ledger, if it has no damage; the unfinished last line (if any) is left aside by the caller.

        Raises:
            LedgerError: naming the first damaged line.
        """
        if self.damage is not None:
            raise LedgerError(f"{self.path}: {self.damage}; the ledger is damaged (`sim ledger verify` checks it)")
        return self


def canonical(data: dict[str, Any]) -> bytes:
    """The one byte form of an entry: keys sorted, no spaces, ASCII, no NaN."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def entry_hash(entry: dict[str, Any]) -> str:
    """The SHA-256 of an entry's canonical form without its ``hash`` (``prev`` included)."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def sealed(body: dict[str, Any], n: int, prev: str) -> dict[str, Any]:
    """``body`` numbered ``n``, chained to ``prev`` and carrying its own hash."""
    entry = {**body, "format": FORMAT, "n": n, "prev": prev}
    return {**entry, "hash": entry_hash(entry)}


def _check_entry(line: bytes, n: int, prev: str) -> tuple[dict[str, Any] | None, str | None]:
    """The entry on ``line`` (its newline removed) if it is entry ``n`` after ``prev``; else what is wrong."""
    try:
        entry = json.loads(line.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None, "not an entry (not a line of JSON)"
    if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
        return None, "not an entry (no hash)"
    try:
        form = canonical(entry)
    except ValueError:
        return None, "not an entry (a number that is not finite)"
    if entry.get("format") != FORMAT:
        return None, f"entry format {entry.get('format')!r}, not {FORMAT}"
    if entry.get("n") != n:
        return None, f"numbered {entry.get('n')!r}, not {n}: an entry was removed, added or moved"
    if entry.get("prev") != prev:
        return None, f"entry {n} does not follow entry {n - 1}: its prev hash is not that entry's hash"
    if entry_hash(entry) != entry["hash"]:
        return None, f"entry {n} was changed: its content does not match its hash"
    if form != line:
        return None, f"entry {n} was changed: it is not written in the one form the ledger writes"
    if entry.get("kind") not in SHAPES:
        return None, f"entry {n}: unknown kind {entry.get('kind')!r}"
    try:
        SHAPES[entry["kind"]].model_validate(entry)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, f"entry {n}: {where}: {first['msg']}"
    return entry, None


def _check_resolves(entry: dict[str, Any], open_: set[str]) -> str | None:
    """What is wrong with a resolution given the forecasts still open before it, or None; closes those it resolves."""
    for key in entry["resolves"]:
        if key not in open_:
            return f"entry {entry['n']} resolves {key!r}, which is no open forecast before it"
        open_.discard(key)
    return None


def parse(data: bytes, path: Path) -> Ledger:
    """Check the ledger's bytes entry by entry, stopping at the first damage."""
    ledger = Ledger(path)
    committed, _, torn = data.rpartition(b"\n")
    if not committed and not data.endswith(b"\n"):
        committed, torn = b"", data
    ledger.torn, ledger.size = torn, len(data) - len(torn)
    if not ledger.size:
        return ledger
    prev, open_ = GENESIS, set()
    for number, line in enumerate(committed.split(b"\n"), start=1):
        entry, problem = _check_entry(line, number, prev)
        if entry is not None and entry["kind"] == "resolution":
            problem = _check_resolves(entry, open_)
            entry = None if problem else entry
        elif entry is not None:
            open_.update(f"{number}:{q['id']}" for q in entry["questions"])
        if entry is None:
            ledger.damage = Damage(number, problem or "damaged")
            return ledger
        ledger.entries.append(entry)
        prev = entry["hash"]
    return ledger


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise LedgerError(f"{path}: is a link; name the ledger file itself")


def read(path: Path) -> Ledger:
    """Read and check a ledger that exists.

    Raises:
        LedgerError: if there is no ledger at ``path``, or it is not a regular file.
    """
    _refuse_link(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        raise LedgerError(f"{path}: no ledger here (`sim ledger freeze` starts one)") from None
    except OSError as error:
        raise LedgerError(f"{path}: cannot read the ledger: {error.strerror or error}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LedgerError(f"{path}: not a ledger file (a folder, FIFO or device)")
        return parse(_read_fd(fd), path)
    finally:
        os.close(fd)


def torn_note(ledger: Ledger, fate: str = "is ignored (the next freeze or resolve removes it)") -> str | None:
    """What readers say of an unfinished last line, or None."""
    if not ledger.torn:
        return None
    return (
        f"{ledger.path}: the last line ({len(ledger.torn)} bytes, after entry {len(ledger.entries)}) is unfinished: "
        f"a write was cut off; it is no entry and {fate}"
    )


@contextmanager
def _locked(path: Path, create: bool) -> Iterator[int]:
    """The ledger opened for appending, under an exclusive lock; created (exclusively) if ``create`` and absent."""
    _refuse_link(path)
    flags = os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    made = False
    try:
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            if not create:
                raise LedgerError(f"{path}: no ledger here (`sim ledger freeze` starts one)") from None
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644)
            made = True
    except LedgerError:
        raise
    except OSError as error:
        raise LedgerError(f"{path}: cannot open the ledger to append: {error.strerror or error}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LedgerError(f"{path}: not a ledger file (a folder, FIFO or device)")
        fcntl.flock(fd, fcntl.LOCK_EX)
        if made:
            _sync_folder(path)
        yield fd
    finally:
        os.close(fd)


def _sync_folder(path: Path) -> None:
    with suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _read_fd(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks, offset = [], 0
    while offset < size:
        chunk = os.pread(fd, size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def append(
    path: Path, make: Callable[[Ledger], dict[str, Any]], create: bool = False
) -> tuple[dict[str, Any], str | None]:
    """Append the entry ``make`` builds from the ledger as one line, synced to the disk.

    Under the lock the ledger is read and checked again, and ``make`` builds the
    entry's content from it (and may refuse: a question resolved meanwhile); an
    unfinished last line a cut-off write left is removed first.

    Returns:
        The entry as written, and a note if an unfinished line was removed.

    Raises:
        LedgerError: the ledger is missing (and not ``create``), not a file or damaged.
        OSError: the file system failed; the ledger is left as it was.
    """
    with _locked(path, create) as fd:
        ledger = parse(_read_fd(fd), path).usable()
        body = make(ledger)
        note = None
        if ledger.torn:
            note = torn_note(ledger, fate="was removed")
            os.ftruncate(fd, ledger.size)
            os.fsync(fd)
        entry = sealed(body, len(ledger.entries) + 1, ledger.head)
        line = canonical(entry) + b"\n"
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(28, f"only {written} of {len(line)} bytes were written")
            os.fsync(fd)
        except OSError:
            with suppress(OSError):
                os.ftruncate(fd, ledger.size)
                os.fsync(fd)
            raise
        return entry, note


# --- forecasts -------------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolved_hash(spec: Scenario) -> str:
    """The SHA-256 of the resolved scenario: every value as run, in canonical JSON."""
    return hashlib.sha256(canonical(spec.model_dump(mode="json"))).hexdigest()


def software() -> dict[str, Any]:
    """The version of ``sim`` and, when it runs from a git checkout, the commit and whether its code was modified."""
    root = Path(__file__).resolve().parents[2]
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
    return "yes as " + ", ".join(f"{k}: {v}" for k, v in sorted(rules.items()))


def last_month(rules: dict[str, Any], answer: dict[str, Any], horizon: str) -> str:
    """The last month a question's window holds: its ``by``, else the latest month its rule names, else the horizon."""
    if answer.get("by"):
        return str(answer["by"])
    months = [str(v) for v in rules.values() if isinstance(v, str) and re.match(_MONTH, v)]
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
    scenario_files: list[Path],
    scenario_path: Path,
    made: datetime,
    evidence: list[Path] = (),
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
                "timing": timing(start, closes, made),
            }
        )
    source = spec.posterior
    posterior = None
    if source is not None and source.sample.is_file():
        posterior = {"file": str(source.sample.resolve()), "sha256": sha256_file(source.sample)}
    return {
        "kind": "forecast",
        "made": made.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "scenario": {
            "name": spec.name,
            "file": str(scenario_path),
            "path": str(scenario_path.resolve()),
            "sha256": sha256_file(scenario_path),
            "files": [{"path": str(p.resolve()), "sha256": sha256_file(p)} for p in scenario_files],
            "resolved_sha256": resolved_hash(spec),
            "start": start,
            "horizon": str(spec.horizon),
            "config_dir": None if config_dir is None else str(config_dir.resolve()),
        },
        "posterior": posterior,
        "evidence": [{"path": str(p.resolve()), "sha256": sha256_file(p)} for p in evidence],
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


def input_changes(entry: dict[str, Any], spec: Scenario) -> list[str]:
    """What differs between an entry's recorded inputs and the files and scenario as they are now."""
    changes = []
    scenario = entry["scenario"]
    for recorded in scenario["files"]:
        path = Path(recorded["path"])
        if not path.is_file():
            changes.append(f"{path} is gone")
        elif sha256_file(path) != recorded["sha256"]:
            changes.append(f"{path} changed since the forecast (its SHA-256 differs)")
    if resolved_hash(spec) != scenario["resolved_sha256"]:
        changes.append("the resolved scenario differs from the one frozen (its SHA-256 differs)")
    posterior = entry.get("posterior")
    source = spec.posterior
    now = sha256_file(source.sample) if source is not None and source.sample.is_file() else None
    if (posterior or {}).get("sha256") != now:
        changes.append("the posterior sample differs from the one frozen")
    for recorded in entry.get("evidence", []):
        path = Path(recorded["path"])
        if not path.is_file() or sha256_file(path) != recorded["sha256"]:
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


# --- scoring ---------------------------------------------------------------------------------------------------


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
    record, known = packaged_record(), {}
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
    table = resolved_table(ledger)
    title = f"Track record of {ledger.path.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
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
        parts.append(f"<h2>{_e(TIMING_TITLES[kind])}</h2><p class=note>{_e(TIMING_MEANING[kind])}.</p>")
        if not len(group):
            parts.append("<p>No resolved forecast.</p>")
            continue
        parts.append(_group_html(group.reset_index(drop=True), kind))
    open_ = table[table["outcome"].isna()] if len(table) else table
    parts.append("<h2>Open questions</h2>")
    if len(open_):
        parts.append(_rows_html(open_, resolved=False))
    else:
        parts.append("<p>None.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _group_html(group: pd.DataFrame, kind: str) -> str:
    found = group_scores(group)
    b, lg, m = found["brier"], found["log"], found["murphy"]
    out = [
        "<table><tr><th>questions</th><th>Brier</th><th>log score</th></tr>",
        f"<tr><td>{found['questions']}</td><td>{_interval(b)}</td><td>{_interval(lg)}</td></tr></table>",
        "<h3>Murphy decomposition (CORP)</h3><table><tr><th>Brier</th><th>miscalibration</th>"
        "<th>discrimination</th><th>uncertainty</th></tr>",
        f"<tr><td>{m['brier']:.4f}</td><td>{m['miscalibration']:.4f}</td><td>{m['discrimination']:.4f}</td>"
        f"<td>{m['uncertainty']:.4f}</td></tr></table>",
        "<h3>Relative skill against the record's baselines (Brier)</h3>",
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
    out.append("<h3>By horizon (months from the scenario's start to the question's month)</h3>")
    out.append("<table><tr><th>horizon</th><th>questions</th><th>Brier</th><th>log score</th></tr>")
    for label, count, brier, log in found["by_horizon"]:
        out.append(f"<tr><td>{_e(label)}</td><td>{count}</td><td>{brier:.4f}</td><td>{log:.4f}</td></tr>")
    out.append("</table><h3>Reliability (CORP, with consistency bands)</h3>")
    out.append(_reliability_svg(found["reliability"], kind))
    out.append("<h3>Every resolved forecast</h3>")
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
