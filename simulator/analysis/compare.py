"""Comparing scenarios run with common random numbers.

Every scenario is run with the same seed and the same number of worlds, so
world i of one scenario draws the same random numbers as world i of another
wherever their assumptions agree. A difference in a probability is then the
mean of per-world differences, and its Monte Carlo standard error comes from
those paired differences: much smaller than for two independent runs, and
exactly zero when a scenario is compared with itself.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.model.events import NEVER
from simulator.results.result import RunResult
from simulator.vocabulary import EVENT_INDEX, EVENTS, LEVELS, level_event


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
            for key, base in reference.items():
                if key not in mine:
                    continue
                paired = mine[key].astype(float) - base.astype(float)
                error = paired.std(ddof=1) / np.sqrt(paired.size) if paired.size > 1 else 0.0
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
