"""The tally: what a run keeps in memory, whatever its number of worlds.

Month by month it counts worlds at each level, in each Giles phase and in
each state of the war, and sums the continuous state; for every event it
counts the worlds that first saw it in each month; and it counts the worlds
whose highest level was each level. The tallies of chunks add up to the tally
of the run, and every probability, median month and answer a run reports is
read from it, so a million worlds need no more memory than a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.model.events import NEVER
from simulator.model.recorder import TRACKED
from simulator.vocabulary import EVENTS, LEVELS, PHASES, WAR_STATES

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel

Array = np.ndarray


@dataclass(frozen=True)
class Tally:
    """Counts and sums over worlds: the whole memory of a run.

    Attributes:
        worlds: how many worlds were counted.
        level_counts: (months, levels) worlds at each level at the end of each month.
        phase_counts: (months, phases) worlds in each Giles phase.
        war_counts: (months, war states) worlds in each state of the war.
        state_sums: (months, tracked state) sums over worlds of ``recorder.TRACKED``.
        first_months: (events, months) worlds whose first occurrence of each event fell in each month.
        max_levels: (levels,) worlds whose highest level reached was each level.
        phase_entries: (phases, months) worlds that first entered each Giles phase in each month.
        effective: (months,) for a run conditioned on evidence, the effective number of worlds after
            each month's update through ``as_of``, summed over the filters (0 after); ``None`` without evidence.
        answers: (questions,) worlds answering each of the scenario's questions yes (``model.answers``), in
            the scenario's order; ``None`` for a tally kept before questions were counted this way.
    """

    worlds: int
    level_counts: Array
    phase_counts: Array
    war_counts: Array
    state_sums: Array
    first_months: Array
    max_levels: Array
    phase_entries: Array
    effective: Array | None = None
    answers: Array | None = None

    @classmethod
    def of(cls, model: RelationsModel, effective: Array | None = None) -> Tally:
        """The tally of a model's worlds, once they have reached the horizon."""
        recorder = model.recorder
        return cls(
            worlds=model.worlds,
            level_counts=recorder.level_counts,
            phase_counts=recorder.phase_counts,
            war_counts=recorder.war_counts,
            state_sums=recorder.state_sums,
            first_months=first_month_counts(model.events.first, model.spec.months),
            max_levels=np.bincount(recorder.max_level, minlength=len(LEVELS)),
            phase_entries=first_month_counts(recorder.first_entry, model.spec.months),
            effective=None if effective is None else np.pad(effective, (0, model.spec.months - len(effective))),
            answers=model.answers.counts(),
        )

    @classmethod
    def zero(cls, months: int) -> Tally:
        """The tally of no worlds over ``months`` months."""

        def counts(*shape: int) -> Array:
            return np.zeros(shape, dtype=np.int64)

        return cls(
            worlds=0,
            level_counts=counts(months, len(LEVELS)),
            phase_counts=counts(months, len(PHASES)),
            war_counts=counts(months, len(WAR_STATES)),
            state_sums=np.zeros((months, len(TRACKED))),
            first_months=counts(len(EVENTS), months),
            max_levels=counts(len(LEVELS)),
            phase_entries=counts(len(PHASES), months),
        )

    def __add__(self, other: Tally) -> Tally:
        """The tally of both sets of worlds; add chunks in world order for bit-identical sums."""
        added: dict[str, Any] = {f.name: _add(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)}
        return Tally(**added)

    def to_arrays(self) -> dict[str, Array]:
        """The tally as named arrays, for saving with ``np.savez``."""
        return {f.name: np.asarray(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Array]) -> Tally:
        """The tally saved by ``to_arrays``."""
        values: dict[str, Any] = {f.name: arrays[f.name] for f in fields(cls) if f.name in arrays}
        return cls(**{**values, "worlds": int(values["worlds"])})

    def fewest_effective(self) -> float | None:
        """The fewest effective worlds the evidence left after any month's update; ``None`` without evidence."""
        if self.effective is None:
            return None
        updated = self.effective[self.effective > 0]
        return float(updated.min()) if updated.size else None


def _add(one: Array | None, other: Array | None) -> Array | None:
    """The sum of two tallies' arrays; one missing (a tally without evidence) counts as nothing."""
    if one is None or other is None:
        return other if one is None else one
    return one + other


def first_month_counts(first: Array, months: int) -> Array:
    """(events, months) counts from each world's first month of each event (``NEVER`` if none)."""
    return np.stack([np.bincount(row[row != NEVER], minlength=months) for row in first])


def share_by(counts: Array, month: int, worlds: int) -> float:
    """Share of ``worlds`` whose first month (counted in ``counts``) is ``month`` or earlier."""
    return float(counts[: month + 1].sum() / worlds)


def median_month(counts: Array) -> int | None:
    """The median of the months counted in ``counts``, rounded down; ``None`` if nothing was counted.

    Equal to ``int(np.median(months))`` over the individual months, read from their histogram.
    """
    total = int(counts.sum())
    if not total:
        return None
    running = np.cumsum(counts)
    lower = int(np.searchsorted(running, (total - 1) // 2, side="right"))
    upper = int(np.searchsorted(running, total // 2, side="right"))
    return (lower + upper) // 2
