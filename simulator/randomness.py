"""Named random streams: all randomness flows from one seed.

Worlds are grouped in blocks of a fixed size. Each (block, stream name) pair
gets its own generator, spawned from the root seed by ``SeedSequence`` with the
block number and a stable hash of the name as spawn key. A world's random
numbers therefore depend only on the seed, its index and the stream's name:
never on how many worlds a model advances at once, how runs are split into
chunks, or how many workers run them. Streams named after their source (a
shock, an assumption, a decision) give common random numbers across
scenarios: where two scenarios make the same assumption, they draw the same
events.
"""

import zlib

import numpy as np

#: Worlds per block of random numbers. Changing it changes every result.
BLOCK = 4096


def stream_key(name: str) -> int:
    """A stable 32-bit number for a stream name (independent of Python's hash seed)."""
    return zlib.crc32(name.encode())


class Streams:
    """Uniform random numbers for worlds ``first`` .. ``first + count - 1``, by stream name."""

    def __init__(self, seed: int, first: int, count: int) -> None:
        if first % BLOCK:
            raise ValueError(f"the first world {first} must start a block of {BLOCK}")
        self.seed = seed
        self.count = count
        self._first_block = first // BLOCK
        self._sizes = [min(BLOCK, count - start) for start in range(0, count, BLOCK)]
        self._generators: dict[str, list[np.random.Generator]] = {}

    def uniform(self, name: str) -> np.ndarray:
        """The next uniform draw in [0, 1) for every world, from the stream ``name``."""
        generators = self._generators.get(name)
        if generators is None:
            generators = self._generators[name] = [
                np.random.Generator(
                    np.random.PCG64(
                        np.random.SeedSequence(
                            self.seed, spawn_key=(self._first_block + i, stream_key(name))
                        )
                    )
                )
                for i in range(len(self._sizes))
            ]
        if len(generators) == 1:
            return generators[0].random(BLOCK)[: self.count]
        return np.concatenate(
            [gen.random(BLOCK)[:size] for gen, size in zip(generators, self._sizes, strict=True)]
        )

    def bernoulli(self, name: str, p: np.ndarray | float) -> np.ndarray:
        """For every world, whether an event of probability ``p`` happens this draw."""
        return self.uniform(name) < p
