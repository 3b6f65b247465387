"""Questions generated from the record, and the baselines a forecaster could have used at each origin.

``questions()`` asks, from every origin T on a three-month grid (1994-01 to
2023-10) and for each horizon h (3, 6, 12, 24 months) whose end T+h the record
reaches (2024-12):

- for each event of the vocabulary, "does it happen in (T, T+h]?";
- for each level k = 1..4, "is the level at or above k at T+h?";
- "does the level fall below its level at T by T+h?".

Each is resolved from the full record (``simulator.record``). ``forecasts()``
gives each question the four baselines, every one computed from
``record.as_of(T)`` alone, so nothing after the origin enters:

- **climatology**: the event's monthly rate in the record up to T (months with
  it, Jeffreys-smoothed), turned into the chance of at least one in h months;
  for levels, the share of months up to T at k or above, and the monthly rate
  of falls;
- **reference class**: how often the same question came true from the earlier
  origins of the grid (T-3, T-6, ... back to 1991-12) whose window had closed
  by T, counting only those comparable with T (the same Giles phase for an
  event, the same level for a level question) when there are at least
  ``MIN_COMPARABLE`` of them, else all; Jeffreys-smoothed ((yes + 1/2) / (n + 1));
- **Markov**: for level questions, a chain on the five levels fitted on the
  month-to-month moves up to T (each row's counts plus 1/2, the Jeffreys prior),
  run h steps from the level at T; empty for event questions;
- **persistence**: the level at T+h is the level at T; an event happens in the
  next h months if it happened in the last h.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.months import Month
from simulator.record import CODED_EVENTS, FIRST, Record, packaged_record
from simulator.vocabulary import EVENTS, LEVELS

#: The origins' grid: every three months from the first to the last.
ORIGIN_FIRST, ORIGIN_LAST, ORIGIN_STEP = "1994-01", "2023-10", 3
HORIZONS = (3, 6, 12, 24)
#: Fewer comparable earlier origins than this and the reference class takes all earlier origins.
MIN_COMPARABLE = 5
BASELINES = ("climatology", "reference_class", "markov", "persistence")
QUESTION_KINDS = ("event", "level_at_least", "falls_below")


def origins(first: str = ORIGIN_FIRST, last: str = ORIGIN_LAST, step: int = ORIGIN_STEP) -> list[str]:
    """The origins of the grid, every ``step`` months from ``first`` to ``last``."""
    start, end = Month.parse(first), Month.parse(last)
    return [str(start.plus(i)) for i in range(0, end.minus(start) + 1, step)]


@dataclass(frozen=True)
class Known:
    """A record as arrays, for counting: month labels, level and phase codes, and the months of each event."""

    months: list[str]
    levels: np.ndarray
    phases: np.ndarray
    happened: dict[str, set[str]]

    @classmethod
    def of(cls, record: Record) -> "Known":
        """The arrays of ``record`` (pass ``record.as_of(T)`` for what was known at T)."""
        return cls(
            months=record.months["month"].tolist(),
            levels=record.levels,
            phases=record.phases,
            happened={event: set(record.happened(event)) for event in EVENTS},
        )

    @property
    def through(self) -> str:
        """The last month known."""
        return self.months[-1]

    def index(self, month: str) -> int:
        """The position of ``month`` in the record (1991-12 is 0)."""
        return Month.parse(month).minus(FIRST)

    def event_in(self, event: str, after: str, through: str) -> bool:
        """Whether ``event`` happened in a month of (after, through]."""
        return any(after < month <= through for month in self.happened[event])

    def outcome(self, kind: str, target: str | int, origin: str, end: str) -> bool:
        """The answer the record gives to one question."""
        if kind == "event":
            return self.event_in(str(target), origin, end)
        if kind == "level_at_least":
            return bool(self.levels[self.index(end)] >= int(target))
        start = self.levels[self.index(origin)]
        return bool((self.levels[self.index(origin) + 1 : self.index(end) + 1] < start).any())


def questions(record: Record | None = None, horizons: tuple[int, ...] = HORIZONS) -> pd.DataFrame:
    """Every question of the grid whose window the record closes, with its outcome.

    Columns: ``id``, ``origin``, ``horizon``, ``end`` (T+h), ``kind`` (one of
    ``QUESTION_KINDS``), ``target`` (the event, or the level k as its name),
    ``outcome``.
    """
    record = packaged_record() if record is None else record
    known, last = Known.of(record), Month.parse(record.through)
    rows = []
    for origin in origins():
        for h in horizons:
            end = Month.parse(origin).plus(h)
            if end > last:
                continue
            asks: list[tuple[str, str | int]] = [("event", event) for event in CODED_EVENTS]
            asks += [("level_at_least", k) for k in range(1, len(LEVELS))] + [("falls_below", "")]
            for kind, target in asks:
                name = LEVELS[target] if isinstance(target, int) else target  # a level's code, or an event
                rows.append(
                    {
                        "id": f"{origin}+{h}:{kind}:{name}" if name else f"{origin}+{h}:{kind}",
                        "origin": origin,
                        "horizon": h,
                        "end": str(end),
                        "kind": kind,
                        "target": name,
                        "outcome": known.outcome(kind, target, origin, str(end)),
                    }
                )
    return pd.DataFrame(rows)


def _jeffreys(yes: int, n: int) -> float:
    return (yes + 0.5) / (n + 1)


def climatology(known: Known, kind: str, target: str | int, horizon: int) -> float:
    """The record's frequency up to its last month, as the chance for a window of ``horizon`` months."""
    n = len(known.months)
    if kind == "level_at_least":
        return _jeffreys(int((known.levels >= int(target)).sum()), n)
    if kind == "falls_below":
        yes, n = int((np.diff(known.levels) < 0).sum()), n - 1
    else:
        yes = len(known.happened[str(target)])
    return float(1 - (1 - _jeffreys(yes, n)) ** horizon)


def reference_class(known: Known, kind: str, target: str | int, horizon: int) -> float:
    """How often the question came true from earlier origins of the grid whose windows closed by the last month."""
    origin = Month.parse(known.through)
    codes = known.phases if kind == "event" else known.levels
    earlier = []
    back = ORIGIN_STEP
    while (start := origin.plus(-back)) >= FIRST:
        if start.plus(horizon) <= origin:
            earlier.append(str(start))
        back += ORIGIN_STEP
    comparable = [m for m in earlier if codes[known.index(m)] == codes[-1]]
    chosen = comparable if len(comparable) >= MIN_COMPARABLE else earlier
    yes = sum(known.outcome(kind, target, m, str(Month.parse(m).plus(horizon))) for m in chosen)
    return _jeffreys(yes, len(chosen))


def transition_matrix(known: Known) -> np.ndarray:
    """Month-to-month moves between levels up to the record's last month, each row with its Jeffreys prior."""
    levels = known.levels
    counts = np.full((len(LEVELS), len(LEVELS)), 0.5)
    np.add.at(counts, (levels[:-1], levels[1:]), 1)
    return counts / counts.sum(axis=1, keepdims=True)


def markov(known: Known, kind: str, target: str | int, horizon: int) -> float:
    """The chance a level chain fitted on the record gives the question; NaN for events."""
    if kind == "event":
        return float("nan")
    matrix = transition_matrix(known)
    start = int(known.levels[-1])
    if kind == "falls_below":  # the levels below the start absorb: the chance of having been there by the horizon
        matrix = matrix.copy()
        matrix[:start] = np.eye(len(LEVELS))[:start]
    dist = np.linalg.matrix_power(matrix, horizon)[start]
    return float(dist[:start].sum() if kind == "falls_below" else dist[int(target) :].sum())


def persistence(known: Known, kind: str, target: str | int, horizon: int) -> float:
    """No change: the level stays; an event recurs in the next window if it happened in the last one."""
    level = int(known.levels[-1])
    if kind == "level_at_least":
        return float(level >= int(target))
    if kind == "falls_below":
        return 0.0
    last = Month.parse(known.through)
    return float(known.event_in(str(target), str(last.plus(-horizon)), str(last)))


BASELINE_FUNCTIONS = {
    "climatology": climatology,
    "reference_class": reference_class,
    "markov": markov,
    "persistence": persistence,
}


def forecasts(frame: pd.DataFrame, record: Record | None = None) -> pd.DataFrame:
    """``frame`` (from ``questions()``) with a column per baseline, each from the record as known at the origin."""
    record = packaged_record() if record is None else record
    columns = {name: np.empty(len(frame)) for name in BASELINES}
    for origin, rows in frame.groupby("origin", sort=False):
        known = Known.of(record.as_of(origin))
        for position, row in zip(frame.index.get_indexer(rows.index), rows.itertuples(), strict=True):
            target = LEVELS.index(row.target) if row.kind == "level_at_least" else row.target
            for name, function in BASELINE_FUNCTIONS.items():
                columns[name][position] = function(known, row.kind, target, row.horizon)
    return frame.assign(**columns)
