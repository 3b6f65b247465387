"""Results of a run as tidy tables: probabilities by month, per-world outcomes, answers.

``RunResult`` is what the Python API returns and what every output file and
plot is made from. Months are labelled ``YYYY-MM``; levels, phases and events
by their names in ``vocabulary``. Every probability, median month and answer
is read from the run's tally (``tally.Tally``), which is small whatever the
number of worlds; the per-world tables are read from the run's rows (kept in
memory, or in Parquet files on disk) only when asked for.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from simulator.engine.condition import FEWEST, TOO_FEW
from simulator.engine.rows import answer_column, first_months_of
from simulator.engine.tally import Tally, median_month, share_by
from simulator.files import SIMULATION_ERROR, out_of_sample_record
from simulator.model.events import NEVER
from simulator.model.recorder import TRACKED
from simulator.months import month_labels
from simulator.scenario import Scenario
from simulator.scenario.questions import FIRST_MONTH_KINDS
from simulator.version import __version__
from simulator.vocabulary import EVENT_INDEX, EVENTS, LEVELS, PHASES, WAR_STATES, level_event

#: Files holding the per-world rows and, on request, the month-by-month paths of a finished run.
WORLDS_FILE = "runs.parquet"
TRAJECTORIES_FILE = "trajectories.parquet"


class Rows(Protocol):
    """Where a run's per-world rows are, chunk by chunk in world order."""

    def world_tables(self) -> Iterator[pa.Table]:
        """Per-world rows: assumptions and outcomes."""
        ...

    def trajectory_tables(self) -> Iterator[pa.Table]:
        """Month-by-month paths (none unless they were kept)."""
        ...


@dataclass(frozen=True)
class OutputRows:
    """The rows of a finished run folder: ``runs.parquet`` and, if kept, ``trajectories.parquet``."""

    out: Path

    def world_tables(self) -> Iterator[pa.Table]:
        """Per-world rows, one Parquet row group at a time."""
        return _row_groups(self.out / WORLDS_FILE)

    def trajectory_tables(self) -> Iterator[pa.Table]:
        """Month-by-month paths, one Parquet row group at a time (none if not kept)."""
        path = self.out / TRAJECTORIES_FILE
        return _row_groups(path) if path.exists() else iter(())


def _row_groups(path: Path) -> Iterator[pa.Table]:
    file = pq.ParquetFile(path)
    return (file.read_row_group(i) for i in range(file.num_row_groups))


@dataclass(frozen=True)
class Timing:
    """How long simulating took in this session, and for how many worlds (fewer when resumed)."""

    seconds: float
    worlds: int

    @property
    def worlds_per_second(self) -> float:
        """Worlds simulated per second of wall time."""
        return self.worlds / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class RunResult:
    """The outcome of running a scenario's worlds.

    Attributes:
        spec: the scenario that was run.
        runs: number of worlds.
        seed: the root seed.
        tally: counts and sums over all worlds.
        rows: where the per-world rows are.
        timing: how long the worlds took to run, if measured.
    """

    spec: Scenario
    runs: int
    seed: int
    tally: Tally
    rows: Rows
    timing: Timing | None = None

    @property
    def effective_runs(self) -> float:
        """The worlds a probability's standard error counts: ``runs``, or a conditioned run's fewest effective worlds.

        For a run conditioned on evidence, the fewest effective worlds its updates left (docs/evidence.md).
        Resampling copies the worlds the evidence favours; copies of one world are not independent
        draws, so a conditioned run's probabilities rest on no more worlds than that.
        """
        fewest = self.tally.fewest_effective() if self.spec.evidence is not None else None
        return float(self.runs) if fewest is None else min(float(self.runs), fewest)

    @cached_property
    def months(self) -> list[str]:
        """Month labels from start to horizon."""
        return month_labels(self.spec.start, self.spec.months)

    def _by_month(self, values: np.ndarray, columns: tuple[str, ...]) -> pd.DataFrame:
        frame = pd.DataFrame(values / self.runs, columns=list(columns))
        frame.insert(0, "month", self.months)
        return frame

    @cached_property
    def levels_by_month(self) -> pd.DataFrame:
        """Probability of each level at the end of each month (rows sum to 1)."""
        return self._by_month(self.tally.level_counts, LEVELS)

    @cached_property
    def phases_by_month(self) -> pd.DataFrame:
        """Probability of each Giles phase at the end of each month."""
        return self._by_month(self.tally.phase_counts, PHASES)

    @cached_property
    def war_by_month(self) -> pd.DataFrame:
        """Probability of each war state at the end of each month."""
        return self._by_month(self.tally.war_counts, WAR_STATES)

    @cached_property
    def state_by_month(self) -> pd.DataFrame:
        """Mean over worlds of sanctions, aid, trust, opposition, engagement, hawkishness."""
        return self._by_month(self.tally.state_sums, TRACKED)

    @cached_property
    def final_levels(self) -> np.ndarray:
        """Each world's level at the horizon (codes into ``LEVELS``)."""
        names = self._world_rows().column("final_level").cast(pa.string())
        return pc.index_in(names, value_set=pa.array(LEVELS)).to_numpy().astype(np.int8)

    @cached_property
    def events_by_month(self) -> pd.DataFrame:
        """Probability that each event has happened by the end of each month."""
        return self._by_month(np.cumsum(self.tally.first_months, axis=1).T, EVENTS)

    @cached_property
    def worlds(self) -> pd.DataFrame:
        """One row per world: its sampled assumptions and its outcomes (``runs.parquet``)."""
        return self._world_rows().to_pandas()

    @cached_property
    def trajectories(self) -> pd.DataFrame | None:
        """One row per world and month, if the run kept its paths (``--save-trajectories``)."""
        tables = list(self.rows.trajectory_tables())
        return pa.concat_tables(tables).to_pandas() if tables else None

    @cached_property
    def first_event(self) -> np.ndarray:
        """(events, worlds): month index each event first happened, or -1."""
        return first_months_of(self._world_rows(), self.months)

    def _world_rows(self) -> pa.Table:
        return pa.concat_tables(self.rows.world_tables())

    def probability_by(self, event: str, month: str) -> float:
        """Share of worlds in which ``event`` has happened by the end of ``month``."""
        return share_by(self.tally.first_months[EVENT_INDEX[event]], self.months.index(month), self.runs)

    def final_level_probabilities(self) -> dict[str, float]:
        """Probability of each level at the horizon."""
        return {level: float(p) for level, p in self.levels_by_month.iloc[-1][list(LEVELS)].items()}

    def max_level_probabilities(self) -> dict[str, float]:
        """Probability that each level is the highest a world reaches."""
        counts = self.tally.max_levels
        return {level: float(c / self.runs) for level, c in zip(LEVELS, counts, strict=True)}

    def event_summary(self) -> dict[str, dict[str, Any]]:
        """Each event's probability by the horizon and median month among worlds where it happens."""
        summary = {}
        for event, counts in zip(EVENTS, self.tally.first_months, strict=True):
            median = median_month(counts)
            summary[event] = {
                "probability": float(counts.sum() / self.runs),
                "median_month": None if median is None else self.months[median],
            }
        return summary

    def questions(self) -> dict[str, dict[str, Any]]:
        """Each scenario question's probability, with its Monte Carlo standard error over ``effective_runs`` worlds.

        A question on an event's first month or a level first reached is read from the events by month;
        the other kinds from the worlds the tally counted answering yes (``model.answers``).
        """
        answers = {}
        counted = self.tally.answers
        for i, question in enumerate(self.spec.questions):
            event = question.event
            if question.kind in FIRST_MONTH_KINDS:
                event = event or level_event(LEVELS.index(question.level))
                p = self.probability_by(event, str(question.by))
            elif counted is None or len(counted) != len(self.spec.questions):
                raise ValueError(f"question {question.id!r}: this run's tally did not count its answers; run it again")
            else:
                p = float(counted[i] / self.runs)
            answers[question.id] = {
                "text": question.text,
                "probability": p,
                "standard_error": float(np.sqrt(p * (1 - p) / self.effective_runs)),
                "event": event,
                "by": str(question.by),
                "kind": question.kind,
                "asks": question.sentence(self.spec.start),
            }
        return answers

    @cached_property
    def question_worlds(self) -> dict[str, np.ndarray]:
        """Each question's answer in each world, by question id (for paired comparisons and outcomes)."""
        found = {}
        columns = None
        for question in self.spec.questions:
            if question.kind in FIRST_MONTH_KINDS:
                event = question.event or level_event(LEVELS.index(question.level))
                first = self.first_event[EVENT_INDEX[event]]
                found[question.id] = (first != NEVER) & (first <= self.months.index(str(question.by)))
                continue
            columns = self._world_rows() if columns is None else columns
            found[question.id] = columns.column(answer_column(question.id)).to_numpy(zero_copy_only=False)
        return found

    def most_likely_level_by_year(self) -> dict[str, tuple[str, float]]:
        """For each year's last simulated month, the most likely level and its probability."""
        table = self.levels_by_month.set_index("month")[list(LEVELS)]
        last_of_year = table.groupby(table.index.str[:4]).tail(1)
        return {month: (str(row.idxmax()), float(row.max())) for month, row in last_of_year.iterrows()}

    def summary(self) -> dict[str, Any]:
        """The headline numbers, as written to ``summary.json``."""
        return {
            "scenario": self.spec.name,
            "runs": self.runs,
            "seed": self.seed,
            "start": str(self.spec.start),
            "horizon": str(self.spec.horizon),
            "version": __version__,
            "final_level_probabilities": self.final_level_probabilities(),
            "max_level_probabilities": self.max_level_probabilities(),
            "events": self.event_summary(),
            "questions": self.questions(),
            "standard_error": SIMULATION_ERROR,
            "skill": out_of_sample_record(),
        } | ({} if self.spec.evidence is None else {"evidence": self.evidence()})

    def evidence(self) -> dict[str, Any] | None:
        """What the worlds were conditioned on, and how many effective worlds each month's update left.

        ``None`` for a run without evidence. ``warning`` says so when the fewest effective worlds
        after an update fall below ``condition.TOO_FEW`` of the worlds or ``condition.FEWEST`` worlds:
        the forecast then rests on copies of too few.
        """
        evidence = self.spec.evidence
        if evidence is None:
            return None
        months = evidence.as_of.minus(self.spec.start) + 1
        effective = self.tally.effective
        by_month = (
            {}
            if effective is None
            else dict(zip(self.months[:months], effective[:months].round(1).tolist(), strict=True))
        )
        fewest = self.tally.fewest_effective()
        share = None if fewest is None else fewest / self.runs
        warning = None
        if fewest is not None and share is not None and (share < TOO_FEW or fewest < FEWEST):
            warning = (
                f"the evidence left {fewest:,.0f} effective worlds of {self.runs:,} after one month's update"
                f" ({share:.1%}): too few to trust; run more worlds, or check the evidence and its error"
            )
        return {
            "as_of": str(evidence.as_of),
            "error": evidence.error,
            "observations": len(evidence.observed),
            "watched": list(evidence.watched()),
            "filter_worlds": evidence.filter_worlds,
            "effective_worlds_by_month": by_month,
            "fewest_effective_worlds": None if fewest is None else round(fewest, 1),
            "fewest_effective_share": None if share is None else round(share, 4),
            "warning": warning,
        }
