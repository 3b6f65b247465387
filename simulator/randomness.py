"""Named random streams: all randomness flows from one seed.

Worlds are grouped in blocks of a fixed size. Each (block, stream name) pair
gets its own generator, spawned from the root seed by ``SeedSequence`` with the
block number and a stable hash of the name as spawn key. Within a stream, the
draws for month ``m`` sit at a fixed place (``m * BLOCK`` onward), reached by
jumping ahead, so a world's random number for a decision is a pure function of
(seed, world, stream name, month). It does not depend on whether other worlds
needed that stream before, on how many worlds a model advances at once, on
how runs are split into chunks, or on how many workers run them.

Streams named after their source (a shock, an assumption, a decision) give
common random numbers across scenarios: where two scenarios make the same
assumption, they draw the same events. Asking for a stream twice in one month
returns the same numbers: one stream, one decision per world per month.
"""

import zlib

import numpy as np

#: Worlds per block of random numbers. Changing it changes every result.
BLOCK = 4096


def stream_key(name: str) -> int:
    """A stable 32-bit number for a stream name (independent of Python's hash seed)."""
    return zlib.crc32(name.encode())


class Streams:
    """Uniform random numbers for worlds ``first`` .. ``first + count - 1``, by stream name.

    Attributes:
        month: the month whose draws ``uniform`` returns; the model sets it each step.
    """

    def __init__(self, seed: int, first: int, count: int) -> None:
        if first % BLOCK:
            raise ValueError(f"the first world {first} must start a block of {BLOCK}")
        self.seed = seed
        self.count = count
        self.month = 0
        self._first_block = first // BLOCK
        self._sizes = [min(BLOCK, count - start) for start in range(0, count, BLOCK)]
        self._generators: dict[str, list[np.random.Generator]] = {}
        self._position: dict[str, int] = {}
        self._drawn: dict[str, tuple[int, np.ndarray]] = {}

    def uniform(self, name: str) -> np.ndarray:
        """This month's uniform draw in [0, 1) for every world, from the stream ``name``."""
        cached = self._drawn.get(name)
        if cached is not None and cached[0] == self.month:
            return cached[1]
        generators = self._generators.get(name) or self._spawn(name)
        ahead = self.month * BLOCK - self._position[name]
        if ahead < 0:
            raise RuntimeError(f"stream {name!r} asked for month {self.month} after a later month")
        parts = []
        for generator, size in zip(generators, self._sizes, strict=True):
            if ahead:
                generator.bit_generator.advance(ahead)
            parts.append(generator.random(BLOCK)[:size])
        values = parts[0] if len(parts) == 1 else np.concatenate(parts)
        self._position[name] = (self.month + 1) * BLOCK
        self._drawn[name] = (self.month, values)
        return values

    def bernoulli(self, name: str, p: np.ndarray | float) -> np.ndarray:
        """For every world, whether an event of probability ``p`` happens this month."""
        return self.uniform(name) < p

    def _spawn(self, name: str) -> list[np.random.Generator]:
        key = stream_key(name)
        generators = [
            np.random.Generator(
                np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(self._first_block + i, key)))
            )
            for i in range(len(self._sizes))
        ]
        self._generators[name] = generators
        self._position[name] = 0
        return generators
