"""The record's stretches and their summaries: what the ABC calibration (``posterior``) compares, worlds and record.

The record's months are cut into stretches (``STRETCHES``: one per US
presidential term, the first from the record's first month, and one from the
war's first month, 2022-02); each stretch's worlds start from the record's
state at its first month and run to the next stretch's. ``Paths`` holds the
month-by-month levels, phases and counted events over the stretches end to
end, one row per world (or one, the record's), and ``summaries`` turns paths
into the numbers the fit compares, by one function for the record and the
worlds:

- **levels**: the share of months at or above each level (4); the share of
  months below and above the level the stretch started from; rises and falls
  of the level per year;
- **phases**: the share of months in each Giles phase (5) and the changes of
  phase per year;
- **events**: the months per year in which each event of ``COUNTED`` happens
  (the choices of the actors the record codes). The chance shocks are left
  out: their rates are the record's own counts.

The fit points (``FIT_POINTS`` and the record's end, ``SHIPPED``) are the
months the record is known to, one fit each; the summaries as of a month use
the months up to it alone (``months_to``, ``observed_summaries``).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.months import Month
from simulator.record import LAST, Record, packaged_record
from simulator.vocabulary import LEVELS, PHASES

#: The months the stretches start from (the record's state at the month; the worlds run from the next): the
#: record's first month, the month each US presidential term from 1997 begins (its president in office, so no
#: inauguration of the model's own opens the stretch), and the war's first month.
STRETCHES = ("1991-12", "1997-01", "2001-01", "2005-01", "2009-01", "2013-01", "2017-01", "2021-01", "2022-02")
#: The fit points of the backtest: each origin uses the latest at or before it (``calibrate.fit_as_of``).
FIT_POINTS = ("1994-01", "1999-01", "2004-01", "2009-01", "2014-01", "2019-01")
#: The shipped fit's month: the record's end.
SHIPPED = str(LAST)
#: The events whose months per year are summaries: the record codes each, and the actors' choices bring them.
COUNTED = (
    "summit",
    "new_sanctions",
    "sanctions_relief",
    "cooperation_deal",
    "arms_control_deal",
    "working_level_deal",
    "congress_sanctions_act",
    "aid_increase",
    "president_turns_tough",
    "reset",
    "crisis",
    "contact_resumed",
    "ceasefire",
)


@dataclass(frozen=True)
class Paths:
    """Month-by-month paths over the fit's months, one row per world (or one, the record's), stretches end to end.

    Attributes:
        levels: each month's level code (worlds x months).
        phases: each month's Giles phase code (worlds x months).
        events: by event of ``COUNTED``, whether it happened in each month (worlds x months).
        start_level: the level each month's stretch started from (months).
        start_phase: the phase each month's stretch started from (months).
        opens: whether each month is its stretch's first (months).
    """

    levels: np.ndarray
    phases: np.ndarray
    events: dict[str, np.ndarray]
    start_level: np.ndarray
    start_phase: np.ndarray
    opens: np.ndarray

    def upto(self, months: int) -> "Paths":
        """The first ``months`` months."""
        return Paths(
            self.levels[:, :months],
            self.phases[:, :months],
            {event: happened[:, :months] for event, happened in self.events.items()},
            self.start_level[:months],
            self.start_phase[:months],
            self.opens[:months],
        )


def summary_names() -> list[str]:
    """The summaries, in the order of the table ``summaries`` returns."""
    names = [f"share at or above {level}" for level in LEVELS[1:]]
    names += ["share below the stretch's first level", "share above the stretch's first level"]
    names += ["rises per year", "falls per year"]
    names += [f"share in {phase}" for phase in PHASES]
    names += ["phase changes per year"]
    return names + [f"{event} per year" for event in COUNTED]


def kind(name: str) -> str:
    """The kind of a summary: levels, phases or events (each kind weighs equally in the distance)."""
    if name.split()[0] in COUNTED:
        return "events"
    return "phases" if "phase" in name or name.startswith("share in") else "levels"


def summaries(paths: Paths) -> pd.DataFrame:
    """Each world's summaries (one row per world) of its paths: the same function for the record and the worlds."""
    levels, phases = paths.levels, paths.phases
    per_year = 12 / levels.shape[1]
    level_before = np.where(paths.opens, paths.start_level, np.roll(levels, 1, axis=1))
    phase_before = np.where(paths.opens, paths.start_phase, np.roll(phases, 1, axis=1))
    out = {f"share at or above {level}": (levels >= k).mean(axis=1) for k, level in enumerate(LEVELS) if k}
    out["share below the stretch's first level"] = (levels < paths.start_level).mean(axis=1)
    out["share above the stretch's first level"] = (levels > paths.start_level).mean(axis=1)
    out["rises per year"] = (levels > level_before).sum(axis=1) * per_year
    out["falls per year"] = (levels < level_before).sum(axis=1) * per_year
    out |= {f"share in {phase}": (phases == p).mean(axis=1) for p, phase in enumerate(PHASES)}
    out["phase changes per year"] = (phases != phase_before).sum(axis=1) * per_year
    out |= {f"{event} per year": paths.events[event].sum(axis=1) * per_year for event in COUNTED}
    return pd.DataFrame(out)[summary_names()]


def stretches(through: str = SHIPPED) -> list[tuple[str, Month]]:
    """Each stretch that starts before ``through``: its starting month and its last month (fixed, not ``through``)."""
    ends = [Month.parse(start) for start in STRETCHES[1:]] + [LAST]
    cut = Month.parse(through)
    return [(start, end) for start, end in zip(STRETCHES, ends, strict=True) if Month.parse(start) < cut]


def months_to(through: str) -> int:
    """How many of the fit's months (from the month after the record's first) lie up to ``through``."""
    return Month.parse(through).minus(Month.parse(STRETCHES[0]))


def record_paths(known: Record) -> Paths:
    """The record's paths as one world, over its months after its first, with the stretches' starts."""
    months = known.months["month"].tolist()
    levels, phases = known.levels, known.phases
    starts = [months.index(start) for start, _ in stretches(known.through)]
    owner = np.searchsorted(starts, np.arange(1, len(months)), side="left") - 1
    events = {}
    for event in COUNTED:
        happened = set(known.happened(event))
        events[event] = np.array([[month in happened for month in months[1:]]], dtype=bool)
    return Paths(
        levels[None, 1:],
        phases[None, 1:],
        events,
        levels[np.array(starts)[owner]],
        phases[np.array(starts)[owner]],
        np.isin(np.arange(1, len(months)), np.array(starts) + 1),
    )


def observed_summaries(through: str = SHIPPED, record: Record | None = None) -> pd.Series:
    """The record's summaries as known at ``through``."""
    known = (packaged_record() if record is None else record).as_of(through)
    return summaries(record_paths(known)).iloc[0]
