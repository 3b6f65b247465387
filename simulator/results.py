"""Results of a run as tidy tables: probabilities by month, per-world outcomes, answers.

``RunResult`` is what the Python API returns and what every output file and
plot is made from. Months are labelled ``YYYY-MM``; levels, phases and events
by their names in ``vocabulary``.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine import ChunkResult
from simulator.events import NEVER
from simulator.months import month_labels
from simulator.recorder import TRACKED
from simulator.scenario import Scenario
from simulator.vocabulary import EVENT_INDEX, EVENTS, LEVELS, PHASES, WAR_STATES, level_event


@dataclass
class RunResult:
    """The outcome of running a scenario's worlds.

    Attributes:
        spec: the scenario that was run.
        runs: number of worlds.
        seed: the root seed.
        chunks: what each chunk of worlds handed back, in world order.
    """

    spec: Scenario
    runs: int
    seed: int
    chunks: list[ChunkResult]

    @cached_property
    def months(self) -> list[str]:
        """Month labels from start to horizon."""
        return month_labels(self.spec.start, self.spec.months)

    def _by_month(self, field: str, columns: tuple[str, ...]) -> pd.DataFrame:
        counts = sum(getattr(chunk, field) for chunk in self.chunks)
        frame = pd.DataFrame(counts / self.runs, columns=list(columns))
        frame.insert(0, "month", self.months)
        return frame

    @cached_property
    def levels_by_month(self) -> pd.DataFrame:
        """Probability of each level at the end of each month (rows sum to 1)."""
        return self._by_month("level_counts", LEVELS)

    @cached_property
    def phases_by_month(self) -> pd.DataFrame:
        """Probability of each Giles phase at the end of each month."""
        return self._by_month("phase_counts", PHASES)

    @cached_property
    def war_by_month(self) -> pd.DataFrame:
        """Probability of each war state at the end of each month."""
        return self._by_month("war_counts", WAR_STATES)

    @cached_property
    def state_by_month(self) -> pd.DataFrame:
        """Mean over worlds of sanctions, aid, trust, opposition, engagement, hawkishness."""
        return self._by_month("state_sums", TRACKED)

    @cached_property
    def first_event(self) -> np.ndarray:
        """(events, worlds): month index each event first happened, or -1."""
        return np.concatenate([chunk.first_event for chunk in self.chunks], axis=1)

    @cached_property
    def final_levels(self) -> np.ndarray:
        """Each world's level at the horizon (codes into ``LEVELS``)."""
        return np.concatenate([chunk.final_level for chunk in self.chunks])

    @cached_property
    def events_by_month(self) -> pd.DataFrame:
        """Probability that each event has happened by the end of each month."""
        months = len(self.months)
        counts = np.stack([np.bincount(row[row != NEVER], minlength=months) for row in self.first_event], axis=1)
        frame = pd.DataFrame(np.cumsum(counts, axis=0) / self.runs, columns=list(EVENTS))
        frame.insert(0, "month", self.months)
        return frame

    @cached_property
    def worlds(self) -> pd.DataFrame:
        """One row per world: its sampled assumptions and its outcomes."""

        def joined(field: str) -> np.ndarray:
            return np.concatenate([getattr(chunk, field) for chunk in self.chunks])

        labels = np.array(self.months + [None], dtype=object)
        columns: dict[str, Any] = {"world": np.arange(self.runs)}
        for path in self.chunks[0].draws:
            columns[path] = np.concatenate([chunk.draws[path] for chunk in self.chunks])
        columns["final_level"] = pd.Categorical.from_codes(joined("final_level"), LEVELS, ordered=True)
        columns["max_level"] = pd.Categorical.from_codes(joined("max_level"), LEVELS, ordered=True)
        columns["final_phase"] = pd.Categorical.from_codes(joined("final_phase"), PHASES)
        columns["reversals"] = joined("reversals")
        for k, level in enumerate(LEVELS[1:], start=1):
            columns[f"first_month_{level}"] = labels[self.first_event[EVENT_INDEX[level_event(k)]]]
        for event in EVENTS:
            if not event.startswith("level>="):
                columns[f"first_month_{event}"] = labels[self.first_event[EVENT_INDEX[event]]]
        return pd.DataFrame(columns)

    def probability_by(self, event: str, month: str) -> float:
        """Share of worlds in which ``event`` has happened by the end of ``month``."""
        index = self.months.index(month)
        row = self.first_event[EVENT_INDEX[event]]
        return float(np.mean((row != NEVER) & (row <= index)))

    def final_level_probabilities(self) -> dict[str, float]:
        """Probability of each level at the horizon."""
        return {level: float(p) for level, p in self.levels_by_month.iloc[-1][list(LEVELS)].items()}

    def max_level_probabilities(self) -> dict[str, float]:
        """Probability that each level is the highest a world reaches."""
        counts = np.bincount(np.concatenate([c.max_level for c in self.chunks]), minlength=len(LEVELS))
        return {level: float(c / self.runs) for level, c in zip(LEVELS, counts, strict=True)}

    def event_summary(self) -> dict[str, dict[str, Any]]:
        """Each event's probability by the horizon and median month among worlds where it happens."""
        summary = {}
        for event, row in zip(EVENTS, self.first_event, strict=True):
            happened = row[row != NEVER]
            median = self.months[int(np.median(happened))] if happened.size else None
            summary[event] = {"probability": float(happened.size / self.runs), "median_month": median}
        return summary

    def questions(self) -> dict[str, dict[str, Any]]:
        """Each scenario question's probability, with its Monte Carlo standard error."""
        answers = {}
        for question in self.spec.questions:
            event = question.event or level_event(LEVELS.index(question.level))
            p = self.probability_by(event, str(question.by))
            answers[question.id] = {
                "text": question.text,
                "probability": p,
                "standard_error": float(np.sqrt(p * (1 - p) / self.runs)),
                "event": event,
                "by": str(question.by),
            }
        return answers

    def most_likely_level_by_year(self) -> dict[str, tuple[str, float]]:
        """For each year's last simulated month, the most likely level and its probability."""
        table = self.levels_by_month.set_index("month")[list(LEVELS)]
        last_of_year = table.groupby(table.index.str[:4]).tail(1)
        return {month: (str(row.idxmax()), float(row.max())) for month, row in last_of_year.iterrows()}

    def summary(self) -> dict[str, Any]:
        """The headline numbers, as written to ``summary.json``."""
        from simulator import __version__

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
        }
