"""Designs: per-world assumption values given to the engine instead of drawn.

A design is a table with one column per assumption key path and one row per
design point (a sample of Saltelli, Morris, a Latin hypercube, a grid).
Each row is run as ``repeat`` consecutive worlds, which differ only in their
random events, so an outcome's probability at a design point is the share of
its worlds. World ``w`` takes row ``w // repeat``. Assumptions the design
does not name are drawn as usual.

A chunk of worlds needs only its own rows, so the engine hands each chunk a
slice (``Design.for_worlds``): a large design is never sent whole to a worker.

A ``Sampled`` design is the other way round: a small table (the posterior
sample of the calibrated parameters) from which each world picks a row with
its own random number, so a run of any size carries the sample's spread.
"""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.model.randomness import BLOCK, Streams
from simulator.scenario import Scenario
from simulator.scenario.domains import domains


class DesignError(ValueError):
    """A design that does not fit its scenario."""


@dataclass(frozen=True)
class Design:
    """Per-world values of some assumptions, by key path.

    Attributes:
        columns: each assumption's value at each design point (1-d arrays of equal length).
        repeat: worlds run at each design point.
        first_row: the row number of ``columns``' first row in the whole design (non-zero in a slice).
        record: write the design values into each world's row of ``runs.parquet``.
    """

    columns: Mapping[str, np.ndarray]
    repeat: int = 1
    first_row: int = 0
    record: bool = True
    _rows: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.columns:
            raise DesignError("a design needs at least one assumption column")
        lengths = {path: len(values) for path, values in self.columns.items()}
        if len(set(lengths.values())) != 1:
            raise DesignError(f"design columns differ in length: {lengths}")
        if self.repeat < 1:
            raise DesignError(f"repeat must be at least 1, got {self.repeat}")
        object.__setattr__(self, "_rows", next(iter(lengths.values())))
        if self._rows < 1:
            raise DesignError("a design needs at least one row")

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, repeat: int = 1, record: bool = True) -> "Design":
        """A design from a DataFrame whose columns are assumption key paths."""
        columns = {str(name): frame[name].to_numpy(dtype=np.float64) for name in frame.columns}
        return cls(columns, repeat=repeat, record=record)

    @property
    def rows(self) -> int:
        """Number of design points."""
        return self._rows

    @property
    def worlds(self) -> int:
        """Worlds the whole design runs as (rows times repeat)."""
        return (self.first_row + self.rows) * self.repeat

    @property
    def paths(self) -> list[str]:
        """The assumptions the design sets, in its column order."""
        return list(self.columns)

    def row_of(self, first: int, count: int) -> np.ndarray:
        """The design row of each of ``count`` worlds from world ``first``."""
        return (first + np.arange(count, dtype=np.int64)) // self.repeat

    def values(self, first: int, count: int) -> dict[str, np.ndarray]:
        """Each assumption's value in each of ``count`` worlds from world ``first``."""
        low, high = first // self.repeat - self.first_row, (first + count - 1) // self.repeat + 1 - self.first_row
        if low < 0 or high > self.rows:
            raise DesignError(f"worlds {first}..{first + count - 1} lie outside this design's rows")
        skip = first - (low + self.first_row) * self.repeat
        # Repeating the few rows the worlds need costs far less than indexing a row for every world.
        columns = self.columns.items()
        return {path: np.repeat(column[low:high], self.repeat)[skip : skip + count] for path, column in columns}

    def for_worlds(self, first: int, count: int) -> "Design":
        """The slice of the design that worlds ``first`` .. ``first + count - 1`` need."""
        low, high = first // self.repeat, (first + count - 1) // self.repeat + 1
        start, stop = low - self.first_row, high - self.first_row
        columns = {path: values[start:stop] for path, values in self.columns.items()}
        return Design(columns, self.repeat, low, self.record)

    def digest(self) -> str:
        """A hash of the design's values: a resumed run must have the same design."""
        return self._digest(f"{self.repeat}:{self.first_row}:{self.record}")

    def _digest(self, prefix: str) -> str:
        digest = hashlib.sha256(prefix.encode())
        for path, values in self.columns.items():
            digest.update(path.encode())
            digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
        return digest.hexdigest()

    def check(self, spec: Scenario) -> None:
        """Refuse a design that names an unknown assumption or a value outside its domain.

        Raises:
            DesignError: naming the column and what is wrong with it.
        """
        known = domains(spec)
        for path, values in self.columns.items():
            if path not in known:
                raise DesignError(f"design column {path!r} is not an assumption of scenario {spec.name!r}")
            if not np.all(np.isfinite(values)):
                raise DesignError(f"design column {path!r} holds a missing or infinite value")
            low, high = known[path]
            outside = (values < low) | (values > high)
            if outside.any():
                local = int(np.argmax(outside))
                raise DesignError(
                    f"design column {path!r}, row {local + self.first_row}: "
                    f"{values[local]:g} lies outside [{low:g}, {high:g}]"
                )


#: The random stream that picks each world's row of a sample: one number per world, in its first month.
SAMPLE_STREAM = "calibration:sample"


@dataclass(frozen=True)
class Sampled(Design):
    """Each world takes one row of a sample (a posterior), chosen by its own random number.

    The row is a pure function of (seed, world), like every other draw of the
    model, so it does not depend on chunking, workers, or how many worlds run;
    any number of worlds can draw from the same sample, and a chunk needs the
    whole (small) sample rather than a slice. ``repeat`` and ``first_row`` play no part.

    Attributes:
        seed: the run's root seed.
    """

    seed: int = 0

    @property
    def worlds(self) -> int:
        """Worlds are not fixed by the sample: a run takes as many as it asks for."""
        raise DesignError("a sampled design runs any number of worlds; the run says how many")

    def row_of(self, first: int, count: int) -> np.ndarray:
        """The sample row each of ``count`` worlds from world ``first`` takes."""
        start = first - first % BLOCK  # streams are addressed by blocks of worlds
        uniform = Streams(self.seed, start, first + count - start).uniform(SAMPLE_STREAM)[first - start :]
        return np.minimum((uniform * self.rows).astype(np.int64), self.rows - 1)

    def values(self, first: int, count: int) -> dict[str, np.ndarray]:
        """Each sampled parameter's value in each of ``count`` worlds from world ``first``."""
        rows = self.row_of(first, count)
        return {path: values[rows] for path, values in self.columns.items()}

    def for_worlds(self, first: int, count: int) -> "Sampled":
        """The whole sample: any world may take any row."""
        return self

    def digest(self) -> str:
        """A hash of the sample and the seed that picks its rows."""
        return self._digest(f"sampled:{self.seed}:{self.record}")


def read_sample(path: Path, wanted: Callable[[str], bool] = lambda _: True) -> dict[str, np.ndarray]:
    """The columns of a sample file (CSV, ``#`` lines a header saying how it was made) that ``wanted`` keeps.

    Raises:
        DesignError: naming the file, if it cannot be read as a table of numbers.
    """
    try:
        frame = pd.read_csv(path, comment="#")
        columns = {str(name): frame[name].to_numpy(dtype=np.float64) for name in frame.columns if wanted(str(name))}
        recorded = _accepted(path)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise DesignError(f"{path}: not a sample of parameter values ({error})") from None
    if len(frame) == 0:
        raise DesignError(f"{path}: the sample has no rows")
    if recorded is not None and recorded != len(frame):
        raise DesignError(
            f"{path}: {len(frame):,} rows, but its header says {recorded:,} were accepted; the file is cut short "
            "or damaged (write it again with `sim calibrate --write`, or copy it again)"
        )
    for name, values in columns.items():
        if not np.isfinite(values).all():
            row = int(np.flatnonzero(~np.isfinite(values))[0])
            raise DesignError(f"{path}: {name}: row {row + 1} of the sample is missing or not a finite number")
    return columns


def _accepted(path: Path) -> int | None:
    """The row count a sample's ``# accepted: N`` header line records (``sim calibrate`` writes it), if any."""
    with path.open(encoding="utf-8") as file:
        for line in file:
            if not line.startswith("#"):
                return None
            if line.startswith("# accepted:"):
                return int(line.removeprefix("# accepted:").strip().replace(",", ""))
    return None
