"""Face validity: does each mechanism move the forecast the way its document argues?

The table of arguments (``simulator/data/validity.yaml``, read by ``validity_table``) holds, for every
argument of the five source documents (``simulator/data/seeds/``, 000-004) that
the model encodes, the quoted sentence, a counterfactual pair (two variants of
a scenario: ``set`` overrides, forced events, scheduled shocks, ``change``
entries), the outcome the sentence is about and the direction it argues.

``measure`` runs both sides of every pair with the same seed - common random
numbers: world *i* of one side draws the same random numbers as world *i* of
the other, so their difference is the pair's effect and little else - and
reports the mean of the per-world differences with its standard error (the
standard deviation of the differences over the square root of the worlds).
Each side is run once, however many rows share it.

A row's verdict:

- *agrees*: the effect lies in the argued direction by more than ``SIGMAS``
  standard errors and is at least the row's smallest meaningful size
  (``MIN_EFFECT``, or the ``at_least`` the document gives);
- *backwards*: the same, in the other direction;
- *inert*: neither - the mechanism does not move the outcome as far as a move
  would need to be to count;
- *marked*: the model knowingly disagrees with the document, for the reason the
  row records (``disagrees``); it is measured and shown, and fails nothing.

``validity_output`` shows the measured rows: in words, as CSV and as the page docs/validity.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.analysis.validity_table import Outcome, Row, Side, ValidityError
from simulator.api import run
from simulator.engine.rows import first_month_columns
from simulator.months import Month
from simulator.results.result import RunResult
from simulator.scenario import Scenario, ScenarioError, override
from simulator.vocabulary import LEVELS, PHASES

#: Standard errors by which an effect must clear zero to count as a move either way.
SIGMAS = 3.0

Verdict = Literal["agrees", "inert", "backwards", "marked"]

#: Verdicts that contradict the document (without a recorded reason): the command exits 1 on any.
FAILING = ("backwards", "inert")


@dataclass(frozen=True)
class Measured:
    """A row of the table as measured: both sides' means, the paired effect and its standard error.

    Attributes:
        row: the argument.
        base, variant: the outcome's mean over the worlds of each side.
        effect: the mean over worlds of variant minus base (common random numbers).
        se: the standard error of that mean, from the per-world differences.
        worlds: worlds run on each side.
    """

    row: Row
    base: float
    variant: float
    effect: float
    se: float
    worlds: int

    @property
    def verdict(self) -> Verdict:
        """agrees, backwards, inert, or marked where the model knowingly disagrees."""
        if self.row.disagrees:
            return "marked"
        return verdict(self.row, self.effect, self.se)

    @property
    def fails(self) -> bool:
        """The row contradicts its document without a recorded reason."""
        return self.verdict in FAILING


def verdict(row: Row, effect: float, se: float) -> Verdict:
    """What an effect says of the row's argument, disagreement aside (see the module docstring)."""
    argued = row.sign * effect
    if abs(argued) > SIGMAS * se and abs(argued) >= row.smallest:
        return "agrees" if argued > 0 else "backwards"
    return "inert"


def side_scenario(spec: Scenario, side: Side, where: str = "") -> Scenario:
    """The scenario one side of a pair runs: ``spec`` with the side's values set and events scheduled.

    Raises:
        ValidityError: naming ``where`` (the row and side), if the result is not a valid scenario.
    """
    if side.empty:
        return spec
    values: dict[str, Any] = dict(side.set)
    if side.schedule:
        added = side.schedule
        values["schedule"] = [
            *spec.model_dump(mode="json")["schedule"],
            *(item.model_dump(mode="json", exclude_defaults=True) | {"month": str(item.month)} for item in added),
        ]
    try:
        return override(spec, values, source=where or "validity")
    except ScenarioError as error:
        raise ValidityError(f"{where}: {error}") from None


def measure(
    spec: Scenario,
    rows: list[Row],
    worlds: int = 20_000,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> list[Measured]:
    """Run both sides of every row's pair on ``spec`` with the same seed, and measure each row.

    Each distinct side runs once (the scenario as it is, say, serves many rows), in this
    process, and is dropped once its rows' outcomes are read.

    Args:
        spec: the scenario the pairs vary (the baseline).
        rows: the rows to measure.
        worlds: worlds on each side.
        seed: the seed both sides of every pair share.
        progress: called with the number of sides done so far.

    Raises:
        ValidityError: naming the row, if a side is no valid scenario or a month of the row lies outside it
            (``applicable`` leaves such rows out first).
    """
    sides: dict[str, tuple[Scenario, bool]] = {}
    wanted: dict[str, list[tuple[Row, str]]] = {}
    for row in rows:
        reason = _outside(row, spec)
        if reason is not None:
            raise ValidityError(f"row {row.id}: {reason}")
        for name, side in (("base", row.base), ("variant", row.variant)):
            key = side.key()
            if key not in sides:
                sides[key] = (side_scenario(spec, side, f"row {row.id}, {name}"), False)
            changed, paths = sides[key]
            sides[key] = (changed, paths or row.outcome.needs_paths(changed))
            wanted.setdefault(key, []).append((row, name))
    values: dict[tuple[str, str], np.ndarray] = {}
    for done, (key, (changed, paths)) in enumerate(sides.items(), start=1):
        result = run(changed, runs=worlds, seed=seed, trajectories=paths)
        reader = _WorldReader(result)
        for row, name in wanted[key]:
            values[row.id, name] = reader.values(row.outcome)
        if progress:
            progress(done)
    return [_measured(row, values[row.id, "base"], values[row.id, "variant"]) for row in rows]


def _measured(row: Row, base: np.ndarray, variant: np.ndarray) -> Measured:
    differences = variant - base
    n = differences.size
    se = float(differences.std(ddof=1) / np.sqrt(n)) if n > 1 else float("inf")
    return Measured(row, float(base.mean()), float(variant.mean()), float(differences.mean()), se, n)


def applicable(spec: Scenario, rows: list[Row]) -> tuple[list[Row], list[tuple[Row, str]]]:
    """The rows whose months fit ``spec``, and the others with why (the table's months fit the baseline).

    A row is left out when a month it forces an event in, or reads its outcome at, lies
    outside the scenario's start to horizon (a scenario starting as of a later month, say).
    """
    fitting, left_out = [], []
    for row in rows:
        reason = _outside(row, spec)
        if reason is None:
            fitting.append(row)
        else:
            left_out.append((row, reason))
    return fitting, left_out


def _outside(row: Row, spec: Scenario) -> str | None:
    """Why a month of ``row`` lies outside ``spec`` (with either side's own start and horizon), or ``None``."""
    for side in (row.base, row.variant):
        start, horizon = (_month_set(side, key) or getattr(spec, key) for key in ("start", "horizon"))
        months = [item.month for item in side.schedule] + [row.outcome.by, row.outcome.at]
        for month in months:
            if month is not None and not start <= month <= horizon:
                return f"month {month} lies outside the scenario's {start} to {horizon}"
    return None


def _month_set(side: Side, key: str) -> Month | None:
    value = side.set.get(key)
    try:
        return None if value is None else Month.parse(str(value))
    except ValueError:
        return None  # the scenario refuses it, naming the row, when the side is made


def sides_of(rows: list[Row]) -> int:
    """How many distinct scenarios the rows' pairs run (each once)."""
    return len({side.key() for row in rows for side in (row.base, row.variant)})


class _WorldReader:
    """Each world's value of an outcome, read from a run's per-world rows and, if kept, its paths."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.spec = result.spec
        table = pa.concat_tables(result.rows.world_tables())
        order = pc.sort_indices(table.column("world"))
        self.worlds = table.take(order)
        self._paths: dict[str, np.ndarray] = {}

    def month(self, month: Month) -> int:
        return month.minus(self.spec.start)

    def values(self, outcome: Outcome) -> np.ndarray:
        """The outcome's value in each world, in world order."""
        horizon = self.spec.horizon
        if outcome.event is not None:
            by = str(outcome.by or horizon)
            hit = self._by(outcome.event, by)
            if outcome.before is not None:
                first, other = (self._month_text(name) for name in (outcome.event, outcome.before))
                earlier = pc.fill_null(pc.less(first, other), True)  # true too where the other never happened
                hit &= earlier.to_numpy(zero_copy_only=False)
            return hit.astype(np.float64)
        if outcome.level is not None:
            k = LEVELS.index(outcome.level)
            at = outcome.at or horizon
            if at == horizon:
                return (self._codes(self.worlds.column("final_level"), LEVELS) >= k).astype(np.float64)
            return (self.path("level")[:, self.month(at)] >= k).astype(np.float64)
        if outcome.phase is not None:
            phases = self.path("phase")
            codes = [PHASES.index(name) for name in outcome.phase]
            if outcome.at is not None:
                return np.isin(phases[:, self.month(outcome.at)], codes).astype(np.float64)
            return np.isin(phases[:, : self.month(outcome.by or horizon) + 1], codes).any(axis=1).astype(np.float64)
        if outcome.state is not None:
            return self.path(outcome.state)[:, self.month(outcome.at or horizon)].astype(np.float64)
        if outcome.count == "reversals":
            return self.worlds.column("reversals").to_numpy().astype(np.float64)
        levels = self.path("level")
        start = np.full((levels.shape[0], 1), LEVELS.index(self.spec.initial.level), dtype=levels.dtype)
        return (np.diff(np.hstack([start, levels]), axis=1) < 0).sum(axis=1).astype(np.float64)

    def _month_text(self, event: str) -> pa.ChunkedArray:
        """Each world's first month of ``event`` as ``YYYY-MM``, missing where it never happened."""
        return self.worlds.column(first_month_columns()[event]).cast(pa.string())

    def _by(self, event: str, month: str) -> np.ndarray:
        """Whether ``event`` happened by the end of ``month``, in each world."""
        hit = pc.fill_null(pc.less_equal(self._month_text(event), month), False)
        return hit.to_numpy(zero_copy_only=False)

    def path(self, name: str) -> np.ndarray:
        """(worlds, months) values of a path column: level and phase as codes, the state as numbers."""
        if name not in self._paths:
            tables = list(self.result.rows.trajectory_tables())
            if not tables:
                raise ValueError("this run kept no paths; run it with trajectories=True")
            table = pa.concat_tables(tables)
            # Each world's months come in order (``engine.rows.trajectory_table``); chunks are put in world order.
            table = table.take(pc.sort_indices(table.column("world")))  # a stable sort
            column = table.column(name)
            names = {"level": LEVELS, "phase": PHASES}.get(name)
            flat = self._codes(column, names) if names else column.to_numpy()
            self._paths[name] = np.asarray(flat).reshape(self.result.runs, self.spec.months)
        return self._paths[name]

    @staticmethod
    def _codes(column: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
        """A categorical column as codes into ``names``."""
        return pc.index_in(column.cast(pa.string()), value_set=pa.array(names)).to_numpy(zero_copy_only=False)
