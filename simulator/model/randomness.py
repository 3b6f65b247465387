"""Named random streams: all randomness flows from one seed.

Worlds are grouped in blocks of a fixed size. Each (block, stream name) pair
gets its own generator, spawned from the root seed by ``SeedSequence`` with the
block number and a stable hash of the name as spawn key. Within a stream, the
draws for month ``m`` sit at a fixed place (the ``m``-th stretch of
``BLOCK / 2`` raw 64-bit outputs), reached by jumping ahead, so a world's
random number for a decision is a pure function of (seed, world, stream name,
month). It does not depend on whether other worlds needed that stream before,
on how many worlds a model advances at once, on how runs are split into
chunks, or on how many workers run them.

Each raw 64-bit output serves two neighbouring worlds, 32 bits each: half the
generator work of one double per world, and still a resolution of 2**-32 for
the smallest probability a scenario can state.

Streams named after their source (a shock, an assumption, a decision) give
common random numbers across scenarios: where two scenarios make the same
assumption, they draw the same events. Asking for a stream twice in one month
returns the same numbers: one stream, one decision per world per month.
"""

import zlib

import numpy as np

from simulator.model.arrays import REAL

#: Worlds per block of random numbers. Changing it changes every result.
BLOCK = 4096

#: Raw 64-bit outputs a block uses each month (two worlds per output).
_RAW_PER_MONTH = BLOCK // 2

#: Scales a chance onto the range of a 32-bit integer.
_FROM_UNIT = 2.0**32

#: A world's 32 bits for a Bernoulli draw, read little-endian on any machine.
_BITS = np.dtype("<u4")

#: Turns the top 24 of a world's 32 bits into a uniform in [0, 1), as numpy does.
_TO_UNIT = REAL(2.0**-24)

#: Months a stream asked for month after month draws at once: the same numbers, fewer calls.
MONTHS_AHEAD = 4


def stream_key(name: str) -> int:
    """A stable 32-bit number for a stream name (independent of Python's hash seed)."""
    return zlib.crc32(name.encode())


class Streams:
    """Uniform random numbers for worlds ``first`` .. ``first + count - 1``, by stream name.

    ``months``, if given, is the run's number of months: no stream draws ahead past it.

    Attributes:
        month: the month whose draws ``uniform`` returns; the model sets it each step.
    """

    def __init__(self, seed: int, first: int, count: int, months: int | None = None) -> None:
        if first % BLOCK:
            raise ValueError(f"the first world {first} must start a block of {BLOCK}")
        self.seed = seed
        self.count = count
        self.month = 0
        self._months = months
        self._first_block = first // BLOCK
        self._blocks = -(-count // BLOCK)
        self._generators: dict[str, list[np.random.PCG64]] = {}
        self._position: dict[str, int] = {}
        self._ahead: dict[str, tuple[int, np.ndarray]] = {}
        self._drawn: dict[str, tuple[int, np.ndarray]] = {}

    def uniform(self, name: str) -> np.ndarray:
        """This month's uniform draw in [0, 1) for every world, from the stream ``name``, in single precision.

        The top 24 bits of each world's 32, which single precision holds exactly (so no
        draw rounds up to 1): a resolution of 2**-24, about 6e-8. These are numpy's own
        single-precision uniforms (each 64-bit output split low half first, top 24 bits
        of each half, times 2**-24).
        """
        return self._draw(name, REAL)

    def bernoulli(self, name: str, p: np.ndarray | float) -> np.ndarray:
        """For every world, whether an event of probability ``p`` happens this month: ``uniform(name) < p``."""
        if np.ndim(p) == 0:
            # The same comparison on the full 32 bits, scaled by 2**32 (exact): one pass fewer.
            return self._draw(name, _BITS) < p * _FROM_UNIT
        return self.uniform(name) < p

    def _draw(self, name: str, kind: np.dtype | type) -> np.ndarray:
        """This month's numbers for every world from the stream ``name``: uniforms (``REAL``) or 32-bit integers.

        World ``2i`` takes the low half of the block's ``i``-th 64-bit output of the
        month and world ``2i + 1`` the high half.
        """
        cached = self._drawn.get(name)
        if cached is not None and cached[0] == self.month:
            if cached[1].dtype != kind:
                raise RuntimeError(f"stream {name!r} asked for both uniforms and integers in one month")
            return cached[1]
        bits = self._raw(name).reshape(-1).view(_BITS)[: self.count]
        if kind is REAL:
            drawn = np.multiply(bits >> np.uint32(8), _TO_UNIT, dtype=REAL)
        else:
            drawn = bits
        self._drawn[name] = (self.month, drawn)
        return drawn

    def _raw(self, name: str) -> np.ndarray:
        """This month's raw 64-bit outputs of the stream ``name``, shape (blocks, ``BLOCK / 2``).

        A stream asked for in consecutive months is drawn ``MONTHS_AHEAD`` months at a
        time (fewer, slower calls into the generators); the months in between are kept.
        A stream asked for now and then is drawn a month at a time, jumping over the
        months it skipped.
        """
        month = self.month
        ahead = self._ahead.get(name)
        if ahead is not None and ahead[0] <= month < ahead[0] + len(ahead[1]):
            return ahead[1][month - ahead[0]]
        generators = self._generators.get(name) or self._spawn(name)
        skip = month * _RAW_PER_MONTH - self._position[name]
        if skip < 0:
            raise RuntimeError(f"stream {name!r} asked for month {month} after a later month")
        recurring = ahead is not None and ahead[0] + len(ahead[1]) == month
        months = MONTHS_AHEAD if recurring else 1
        if self._months is not None:
            months = max(1, min(months, self._months - month))
        raw = np.empty((months, len(generators), _RAW_PER_MONTH), dtype="<u8")
        for block, generator in enumerate(generators):
            if skip:
                generator.advance(skip)
            raw[:, block, :] = generator.random_raw(months * _RAW_PER_MONTH).reshape(months, -1)
        self._position[name] = (month + months) * _RAW_PER_MONTH
        self._ahead[name] = (month, raw)
        return raw[0]

    def _spawn(self, name: str) -> list[np.random.PCG64]:
        """One PCG64 bit generator per block for the stream ``name``: only its raw outputs are read."""
        key = stream_key(name)
        generators = [
            np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(self._first_block + block, key)))
            for block in range(self._blocks)
        ]
        self._generators[name] = generators
        self._position[name] = 0
        return generators
