"""The ledger file: entries in one canonical form, chained by SHA-256, read and checked, appended whole.

See the package's docstring for what the checks find and ``docs/ledger.md`` for the format.
"""

import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FORMAT = 1
GENESIS = "0" * 64
DEFAULT_LEDGER = Path("ledger.jsonl")
#: When a question was forecast, against the day the forecast was frozen.
TIMINGS = ("before", "during", "after")


#: A month as the ledger writes it, YYYY-MM.
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


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
    closes: str = Field(pattern=MONTH_PATTERN)


class _ScenarioShape(_Shape):
    name: str
    start: str = Field(pattern=MONTH_PATTERN)


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
    """The first place a ledger fails its check: the line (1-based: the entry it should hold) and what is wrong."""

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
    prev, open_ = GENESIS, set[str]()
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
