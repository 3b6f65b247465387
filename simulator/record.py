"""The record of US-Russia relations, month by month from 1991-12 to 2024-12, and the record as known at a month.

The package ships the record in ``simulator/data/record/`` (its README gives the
coding rules and the sources):

- ``months.csv``: one row per month, 1991-12 to 2024-12, with the level and the
  Giles phase as coded (and the alternatives other coders would choose), the
  war, US sanctions in force (graded 0-3), US military aid to Ukraine, whether
  a sanctions-review law binds the president, who holds each presidency, and a
  coder's note;
- ``events.csv``: every dated event of the model's vocabulary, each with its
  month, a description and its source.

``load()`` reads and checks both files: a damaged file raises one
``RecordError`` naming the file, the line and the column. ``as_of(T)`` is the
record as a forecaster at month T knew it: the months up to T and the events
dated up to T, nothing after. Everything fitted, counted or started from for a
forecast from T must come from it alone.

The events ``level>=K`` are not written in ``events.csv``: they are read from
the levels (``Record.happened``), a month in which the level rises from below K
to K or above.
"""

import csv
import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.files import packaged
from simulator.months import Month
from simulator.vocabulary import EVENTS, LEVELS, PHASES, WAR_STATES

FOLDER = packaged("record")
#: The first and last month of the record; the project fits and tests on nothing after ``LAST``.
FIRST, LAST = Month(1991, 12), Month(2024, 12)

#: The war in Ukraine: none before 2022-02, then one of the model's war states (``none`` is one of them).
WARS = WAR_STATES
#: US military aid to Ukraine, graded.
AID = ("none", "limited", "large")
#: US sanctions in force on Russia: 0 none, 1 targeted, 2 sectoral, 3 sweeping.
SANCTIONS = range(4)
#: Events the levels give rather than ``events.csv``.
LEVEL_EVENTS = tuple(event for event in EVENTS if event.startswith("level>="))
#: Events of the vocabulary the record does not code (its README's coding rules name no such event), so a
#: question about one could only be answered "no" by default: a president's disengagement is a choice the
#: model makes, not a dated event the sources report.
UNCODED_EVENTS = ("disengage",)
#: Events the record codes, each of which a question on the record may ask about.
CODED_EVENTS = tuple(event for event in EVENTS if event not in UNCODED_EVENTS)
#: When the US president in office at the record's start took office, so that his terms can be counted
#: (README, "Presidents' terms"): George H. W. Bush, inaugurated on 20 January 1989 to his first term.
IN_OFFICE_SINCE = {"George H. W. Bush": Month(1989, 1)}
#: How each event's source was checked: taken from the package's verified timeline, checked against a
#: stored copy of the page, or cited from the public record without a stored copy.
SOURCE_CHECKS = ("timeline", "checked", "cited")

MONTH_COLUMNS = (
    "month",
    "level",
    "level_alternatives",
    "phase",
    "phase_alternatives",
    "war",
    "sanctions",
    "us_aid_ukraine",
    "sanctions_review_law",
    "us_president",
    "russian_president",
    "note",
)
EVENT_COLUMNS = ("month", "date", "event", "grade", "description", "source", "source_check", "note")


class RecordError(ValueError):
    """A record file that cannot be read as the record: the message names the file, the line and the column."""


def _fail(path: Path, line: int, column: str | None, message: str) -> None:
    where = f"{path}, line {line}" + (f", column '{column}'" if column else "")
    raise RecordError(f"{where}: {message}")


def _one_of(path: Path, line: int, column: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    if value not in allowed:
        _fail(path, line, column, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _month(path: Path, line: int, column: str, value: str) -> Month:
    try:
        return Month.parse(value)
    except ValueError as error:
        _fail(path, line, column, str(error))
        raise  # unreachable: _fail raises


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers, after checking its header names exactly ``columns``."""
    if not path.is_file():
        raise RecordError(f"{path}: no such file; the record needs {path.name}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        missing = [c for c in columns if c not in header]
        unknown = [c for c in header if c not in columns]
        if missing or unknown:
            said = [f"missing column(s) {', '.join(missing)}"] if missing else []
            said += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
            _fail(path, 1, None, "; ".join(said) + f" (the columns are {', '.join(columns)})")
        rows = []
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                _fail(path, reader.line_num, None, f"the row has not {len(columns)} fields")
            rows.append((reader.line_num, {key: value.strip() for key, value in row.items()}))
    return rows


def _read_months(path: Path, complete: bool) -> pd.DataFrame:
    rows = _rows(path, MONTH_COLUMNS)
    expected = FIRST
    records = []
    for line, row in rows:
        month = _month(path, line, "month", row["month"])
        if month != expected:
            problem = "repeats or goes back" if month < expected else f"skips {expected}"
            _fail(path, line, "month", f"{month} {problem}: the months run one by one from {FIRST}")
        expected = month.plus(1)
        level = _one_of(path, line, "level", row["level"], LEVELS)
        for alternative in filter(None, row["level_alternatives"].split(";")):
            if _one_of(path, line, "level_alternatives", alternative, LEVELS) == level:
                _fail(path, line, "level_alternatives", f"{alternative!r} is the coded level itself")
        phase = _one_of(path, line, "phase", row["phase"], PHASES)
        for alternative in filter(None, row["phase_alternatives"].split(";")):
            if _one_of(path, line, "phase_alternatives", alternative, PHASES) == phase:
                _fail(path, line, "phase_alternatives", f"{alternative!r} is the coded phase itself")
        _one_of(path, line, "war", row["war"], WARS)
        _one_of(path, line, "sanctions", row["sanctions"], [str(grade) for grade in SANCTIONS])
        _one_of(path, line, "us_aid_ukraine", row["us_aid_ukraine"], AID)
        _one_of(path, line, "sanctions_review_law", row["sanctions_review_law"], ("yes", "no"))
        for column in ("us_president", "russian_president"):
            if not row[column]:
                _fail(path, line, column, "empty: who holds the presidency at the month's end")
        records.append(row)
    last = expected.plus(-1)
    if not records or (complete and last != LAST):
        _fail(path, (rows[-1][0] + 1) if rows else 2, "month", f"the months end at {last}; the record runs to {LAST}")
    if last > LAST:
        _fail(path, rows[-1][0], "month", f"{last} is after {LAST}, where the record stops")
    frame = pd.DataFrame(records, columns=list(MONTH_COLUMNS))
    return frame.astype({"sanctions": int})


def _read_events(path: Path, through: Month) -> pd.DataFrame:
    recorded = tuple(event for event in EVENTS if event not in LEVEL_EVENTS)
    records = []
    for line, row in _rows(path, EVENT_COLUMNS):
        month = _month(path, line, "month", row["month"])
        if not FIRST <= month <= through:
            _fail(path, line, "month", f"{month} lies outside the record's months, {FIRST} to {through}")
        date = row["date"]
        if not date.startswith(row["month"]):
            _fail(path, line, "date", f"{date!r} is not in the row's month {month}")
        if len(date) > 7:
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                _fail(path, line, "date", f"{date!r} is not a date written YYYY-MM-DD (or the month YYYY-MM)")
        if row["event"] in LEVEL_EVENTS:
            _fail(path, line, "event", f"{row['event']!r} is read from the levels in months.csv, not written here")
        _one_of(path, line, "event", row["event"], recorded)
        if row["event"] == "new_sanctions" and not row["grade"]:
            _fail(path, line, "grade", "a sanctions round needs its grade (1 targeted, 2 sectoral, 3 sweeping)")
        if row["grade"]:
            _one_of(path, line, "grade", row["grade"], ("1", "2", "3"))
        for column in ("description", "source"):
            if not row[column]:
                _fail(path, line, column, "empty: every event has a description and a source")
        _one_of(path, line, "source_check", row["source_check"], SOURCE_CHECKS)
        records.append(row)
    frame = pd.DataFrame(records, columns=list(EVENT_COLUMNS))
    return frame.sort_values(["date", "event"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Record:
    """The record through a month: one row per month from 1991-12 to ``through``, and the events dated by then."""

    months: pd.DataFrame
    events: pd.DataFrame

    @property
    def through(self) -> str:
        """The last month the record holds."""
        return str(self.months["month"].iloc[-1])

    @property
    def levels(self) -> np.ndarray:
        """The coded level of each month, as its code (0 suspended ... 4 strategic partnership)."""
        return self.months["level"].map(LEVELS.index).to_numpy(dtype=int)

    @property
    def phases(self) -> np.ndarray:
        """The coded Giles phase of each month, as its code in ``vocabulary.PHASES``."""
        return self.months["phase"].map(PHASES.index).to_numpy(dtype=int)

    def state(self, month: str) -> dict[str, Any]:
        """The row of ``month``: its level, phase, war, sanctions, aid, presidents and note."""
        rows = self.months[self.months["month"] == str(Month.parse(month))]
        if rows.empty:
            raise KeyError(f"{month} is not in the record, which runs from {FIRST} to {self.through}")
        return rows.iloc[0].to_dict()

    def happened(self, event: str) -> list[str]:
        """The months in which ``event`` happened, in order, once each.

        ``level>=K`` happens in each month whose level rises from below K to K or
        above; the record's first month is its starting state, not a rise.
        """
        if event in LEVEL_EVENTS:
            k = int(event.removeprefix("level>="))
            levels = self.levels
            rises = np.flatnonzero((levels[1:] >= k) & (levels[:-1] < k)) + 1
            return [str(self.months["month"].iloc[i]) for i in rises]
        if event not in EVENTS:
            raise KeyError(f"{event!r} is not an event of the vocabulary ({', '.join(EVENTS)})")
        return sorted(set(self.events.loc[self.events["event"] == event, "month"]))

    def first_meetings(self) -> list[str]:
        """The months of each pair of presidents' first in-person meeting in the record (the first ``summit``).

        The pair is the presidents in office on the meeting's date: the month's
        (``us_president``, ``russian_president``), or the month before's when a
        leadership change later that month put a new president in (a meeting in
        early January 1993 is Bush's, not Clinton's). A pair that met before
        1991-12 has its first meeting in the record counted.
        """
        pairs = self.months.set_index("month")[["us_president", "russian_president"]]
        changes = self.events[self.events["event"] == "leadership_change"]
        firsts: dict[tuple[str, str], str] = {}
        for meeting in self.events[self.events["event"] == "summit"].sort_values("date").itertuples():
            month = meeting.month
            if ((changes["month"] == month) & (changes["date"] > meeting.date)).any() and month > str(FIRST):
                month = str(Month.parse(month).plus(-1))
            firsts.setdefault(tuple(pairs.loc[month]), meeting.month)
        return sorted(firsts.values())

    def as_of(self, month: str) -> "Record":
        """The record as known at ``month``: its months up to ``month`` and its events dated by then."""
        cut = Month.parse(month)
        if cut < FIRST:
            raise ValueError(f"{month} is before the record starts ({FIRST})")
        label = str(min(cut, Month.parse(self.through)))
        months = self.months[self.months["month"] <= label].reset_index(drop=True)
        events = self.events[self.events["month"] <= label].reset_index(drop=True)
        return Record(months=months, events=events)

    def equals(self, other: "Record") -> bool:
        """Whether both records hold the same months and events, value for value."""
        return self.months.equals(other.months) and self.events.equals(other.events)


def load(folder: Path | None = None, complete: bool = True) -> Record:
    """Read and check the record in ``folder`` (the packaged one by default).

    Args:
        folder: a folder holding ``months.csv`` and ``events.csv``.
        complete: require the months to run to 2024-12; otherwise they may end
            earlier (a record cut short, as the tests build one).

    Raises:
        RecordError: a file is missing or damaged; the message names the file, the line and the column.
    """
    folder = FOLDER if folder is None else Path(folder)
    months = _read_months(folder / "months.csv", complete)
    events = _read_events(folder / "events.csv", Month.parse(str(months["month"].iloc[-1])))
    return Record(months=months, events=events)


@cache
def packaged_record() -> Record:
    """The record shipped with the package, read once."""
    return load()


def as_of(month: str, record: Record | None = None) -> Record:
    """The record as known at ``month`` (the packaged record unless ``record`` is given)."""
    return (packaged_record() if record is None else record).as_of(month)
