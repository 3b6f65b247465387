"""Comparing scenarios run with common random numbers.

Every scenario is run with the same seed and the same number of worlds, so
world i of one scenario draws the same random numbers as world i of another
wherever their assumptions agree. A difference in a probability is then the
mean of per-world differences, and its Monte Carlo standard error comes from
those paired differences: much smaller than for two independent runs, and
exactly zero when a scenario is compared with itself.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.model.events import NEVER
from simulator.results.outputs import write_files, write_json
from simulator.results.result import RunResult
from simulator.scenario.questions import FIRST_MONTH_KINDS
from simulator.vocabulary import EVENT_INDEX, EVENTS, LEVELS, level_event

#: Files a finished comparison folder holds.
COMPARISON_FILES = (
    "comparison.csv",
    "levels_by_month.csv",
    "compare_levels.png",
    "compare_differences.png",
    "metadata.json",
)


@dataclass
class Comparison:
    """Scenarios run side by side; the first is the reference."""

    names: list[str]
    results: list[RunResult]

    def __post_init__(self) -> None:
        runs = {result.runs for result in self.results}
        seeds = {result.seed for result in self.results}
        if len(runs) != 1 or len(seeds) != 1:
            raise ValueError("scenarios are compared on the same seed and number of worlds")
        spans = {(str(r.spec.start), str(r.spec.horizon)) for r in self.results}
        if len(spans) != 1:
            raise ValueError(
                "scenarios are compared over the same months; start and horizon differ: "
                + ", ".join(
                    f"{name} {r.spec.start} to {r.spec.horizon}"
                    for name, r in zip(self.names, self.results, strict=True)
                )
            )

    def outcomes(self, result: RunResult) -> dict[tuple[str, str], np.ndarray]:
        """Per-world 0/1 outcomes, keyed by (kind, name): level at the horizon, events, questions."""
        final = result.final_levels
        horizon = len(result.months) - 1
        outcomes = {("level at horizon", level): (final == k) for k, level in enumerate(LEVELS)}
        for event in EVENTS:
            outcomes[("event by horizon", event)] = _by(result, event, horizon)
        for question in self.results[0].spec.questions:
            if question.kind not in FIRST_MONTH_KINDS:  # counted in each run's own worlds, if it asks the same
                if question in result.spec.questions:
                    outcomes[("question", question.id)] = result.question_worlds[question.id]
                continue
            event = question.event or level_event(LEVELS.index(question.level))
            month = str(question.by)
            if month in result.months:
                outcomes[("question", question.id)] = _by(result, event, result.months.index(month))
        return outcomes

    def table(self) -> pd.DataFrame:
        """Tidy rows: kind, quantity, scenario, probability, difference from the first, its standard error."""
        reference = self.outcomes(self.results[0])
        rows = []
        for name, result in zip(self.names, self.results, strict=True):
            mine = self.outcomes(result)
            # A conditioned run's copies of one world are no independent draws (docs/evidence.md).
            worlds = min(self.results[0].effective_runs, result.effective_runs)
            for key, base in reference.items():
                if key not in mine:
                    continue
                paired = mine[key].astype(float) - base.astype(float)
                error = paired.std(ddof=1) / np.sqrt(min(paired.size, worlds)) if paired.size > 1 else 0.0
                rows.append(
                    {
                        "kind": key[0],
                        "quantity": key[1],
                        "scenario": name,
                        "probability": float(mine[key].mean()),
                        "difference": float(paired.mean()),
                        "standard_error": float(error),
                    }
                )
        return pd.DataFrame(rows)


def _by(result: RunResult, event: str, month_index: int) -> np.ndarray:
    first = result.first_event[EVENT_INDEX[event]]
    return (first != NEVER) & (first <= month_index)


def write_comparison(comparison: Comparison, out: Path, *, command: list[str] | None = None) -> list[Path]:
    """Write a comparison's table, each scenario's levels by month, plots and provenance into ``out``."""
    from simulator.results import plots  # matplotlib is slow to import; only writing needs it

    table = comparison.table()
    reference, first = comparison.names[0], comparison.results[0]
    levels = {name: result.levels_by_month for name, result in zip(comparison.names, comparison.results, strict=True)}
    long_levels = pd.concat([frame.assign(scenario=name) for name, frame in levels.items()], ignore_index=True)
    writers: dict[str, Callable[[Path], object]] = {
        "comparison.csv": lambda p: table.to_csv(p, index=False),
        "levels_by_month.csv": lambda p: long_levels.to_csv(p, index=False),
        "compare_levels.png": lambda p: plots.save(plots.compare_levels(levels, first.runs, first.seed), p),
        "compare_differences.png": lambda p: plots.save(
            plots.compare_differences(table, reference, str(first.spec.horizon), first.runs, first.seed), p
        ),
        "metadata.json": lambda p: write_json(p, metadata(comparison.names, first, command)),
    }
    return write_files(out, {name: writers[name] for name in COMPARISON_FILES})


def metadata(names: list[str], first: RunResult, command: list[str] | None = None) -> dict:
    """A comparison's provenance: the scenarios, the seed and worlds they share, the command, when."""
    return {
        "scenarios": names,
        "seed": first.seed,
        "runs": first.runs,
        "command": command if command is not None else sys.argv,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
