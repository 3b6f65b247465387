"""Signposts: what an analyst could see by an earlier month that changes the chance of an outcome.

A candidate signpost is anything observable by month ``by``: an event that
has happened by then (a summit, a Congress sanctions act, relations having
reached a level), or, when the run kept its worlds' paths
(``--save-trajectories``), the state in that month (the level, the Giles
phase, the war). For each, over a run's worlds:

* ``p_if_seen`` and ``p_if_not_seen``: the outcome's chance among worlds where
  the signpost is seen by ``by``, and where it is not;
* ``lift``: ``p_if_seen`` over the outcome's overall chance;
* ``hit_rate``: share of the outcome's worlds in which the signpost was seen;
* ``false_alarm_rate``: share of the worlds without the outcome in which it was
  seen anyway (how often, watched as a warning, it would cry wolf).

Signposts that restate the outcome (its own event, or a level at or above the
one asked about, seen earlier) are left out. The rest are ranked by how far
seeing or not seeing them moves the chance
(``p_if_seen - p_if_not_seen``), among those seen in at least ``MIN_WORLDS``
worlds and missed in as many.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.analysis.outcomes import Outcome, describe_event
from simulator.engine.rows import first_month_columns
from simulator.vocabulary import LEVELS, level_event

#: A signpost seen (or missed) in fewer worlds than this is left out: its conditional chance is noise.
MIN_WORLDS = 30

#: States read from a run's paths, when it kept them, and how a signpost on each reads.
STATE_WORDS = {
    "level": "relations at {value} in {by}",
    "phase": "{value} phase in {by}",
    "war": "war state {value} in {by}",
}
PATH_STATES = tuple(STATE_WORDS)


class SignpostError(ValueError):
    """Signposts that cannot be computed, with the reason."""


def candidates(run: Path, by: str) -> pd.DataFrame:
    """(worlds, signposts) of booleans: whether each candidate signpost is seen by the end of ``by``."""
    columns = first_month_columns()
    table = pq.read_table(run / "runs.parquet", columns=list(columns.values()))
    seen = {}
    for event, column in columns.items():
        first = table.column(column).cast(pa.string()).to_pandas()
        seen[f"{describe_event(event)} by {by}"] = (first.notna() & (first <= by)).to_numpy()
    paths = run / "trajectories.parquet"
    if paths.is_file():
        seen |= _states(paths, by, table.num_rows)
    return pd.DataFrame(seen)


def _states(paths: Path, by: str, worlds: int) -> dict[str, np.ndarray]:
    month = pq.read_table(paths, columns=["world", "month", *PATH_STATES]).to_pandas()
    month = month[month["month"].astype(str) == by].sort_values("world")
    if len(month) != worlds:
        return {}
    states = {}
    for name in PATH_STATES:
        values = month[name].astype(str).to_numpy()
        for value in sorted(set(values)):
            states[STATE_WORDS[name].format(value=value.replace("_", " "), by=by)] = values == value
    return states


def signposts(run: Path, outcome: Outcome, by: str, min_worlds: int = MIN_WORLDS) -> pd.DataFrame:
    """Every candidate signpost by ``by`` with how it moves the chance of ``outcome``, strongest first.

    Raises:
        SignpostError: if ``by`` is not before the outcome's month.
    """
    if by >= outcome.by:
        raise SignpostError(f"--by {by} must come before the outcome's month {outcome.by}")
    hits = outcome.hits(pq.read_table(run / "runs.parquet", columns=[outcome.column]))
    seen = candidates(run, by)
    base = float(hits.mean())
    trivial = _restatements(outcome, by)
    rows = []
    for name, flags in seen.items():
        with_, without = int(flags.sum()), int((~flags).sum())
        if min(with_, without) < min_worlds or name in trivial:
            continue
        p_seen, p_not = float(hits[flags].mean()), float(hits[~flags].mean())
        rows.append(
            {
                "signpost": name,
                "share_seen": with_ / len(flags),
                "p_outcome": base,
                "p_if_seen": p_seen,
                "p_if_not_seen": p_not,
                "se_if_seen": float(np.sqrt(p_seen * (1 - p_seen) / with_)),
                "lift": p_seen / base if base else float("nan"),
                "hit_rate": float(flags[hits].mean()) if hits.any() else float("nan"),
                "false_alarm_rate": float(flags[~hits].mean()) if (~hits).any() else float("nan"),
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    order = (table["p_if_seen"] - table["p_if_not_seen"]).abs().sort_values(ascending=False).index
    return table.loc[order].reset_index(drop=True)


def _restatements(outcome: Outcome, by: str) -> set[str]:
    """Signposts that are the outcome itself, seen early: the same event, or a level at or above the one asked."""
    same = {f"{describe_event(outcome.event)} by {by}"}
    if outcome.event.startswith("level>="):
        least = int(outcome.event.removeprefix("level>="))
        same |= {STATE_WORDS["level"].format(value=level.replace("_", " "), by=by) for level in LEVELS[least:]} | {
            f"{describe_event(level_event(k))} by {by}" for k in range(least, len(LEVELS))
        }
    return same


def sentence(row: pd.Series, outcome: Outcome) -> str:
    """A signpost in words: how seeing it moves the outcome's chance."""
    direction = "rises" if row["p_if_seen"] > row["p_outcome"] else "falls"
    chance = f"P({describe_event(outcome.event)} by {outcome.by})"
    return (
        f"if {row['signpost']}, {chance} {direction} from {row['p_outcome']:.1%} to {row['p_if_seen']:.1%} "
        f"(seen in {row['share_seen']:.0%} of worlds; false alarms {row['false_alarm_rate']:.0%})"
    )
