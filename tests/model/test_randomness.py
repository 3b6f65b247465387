"""Named random streams: a world's number depends on the seed, the world, the stream and the month alone."""

import numpy as np
import pytest

from simulator.model.randomness import BLOCK, Streams, stream_key

MONTHS = 12


def asked(months: list[int], first: int = 0, count: int = BLOCK + 10) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The uniforms of stream ``u`` and the Bernoulli draws of stream ``b`` in each month asked, in that order."""
    streams = Streams(seed=5, first=first, count=count, months=MONTHS)
    drawn = {}
    for month in months:
        streams.month = month
        drawn[month] = (streams.uniform("u").copy(), streams.bernoulli("b", 0.3).copy())
    return drawn


def test_a_months_draws_do_not_depend_on_the_months_asked_before():
    every = asked(list(range(MONTHS)))
    scattered = asked([0, 3, 4, 9, 11])
    for month, (uniform, bernoulli) in scattered.items():
        assert np.array_equal(uniform, every[month][0])
        assert np.array_equal(bernoulli, every[month][1])
    for month in (5, 11):
        alone = asked([month])[month]
        assert np.array_equal(alone[0], every[month][0]) and np.array_equal(alone[1], every[month][1])
    assert not np.array_equal(every[0][0], every[1][0])


def test_a_worlds_draws_do_not_depend_on_the_worlds_drawn_with_it():
    whole = asked(list(range(MONTHS)), first=0, count=3 * BLOCK)
    second_block = asked(list(range(MONTHS)), first=BLOCK, count=BLOCK)
    for month in range(MONTHS):
        assert np.array_equal(second_block[month][0], whole[month][0][BLOCK : 2 * BLOCK])


def test_uniforms_are_numpys_single_precision_uniforms_of_the_blocks_stream():
    streams = Streams(seed=5, first=BLOCK, count=BLOCK, months=MONTHS)
    for month in (0, 1, 2, 7):
        streams.month = month
        drawn = streams.uniform("u")
        generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(5, spawn_key=(1, stream_key("u")))))
        generator.bit_generator.advance(month * BLOCK // 2)
        assert np.array_equal(drawn, generator.random(BLOCK, dtype=np.float32))
        assert 0 <= drawn.min() and drawn.max() < 1


def test_a_stream_cannot_go_back_to_an_earlier_month():
    streams = Streams(seed=5, first=0, count=BLOCK, months=MONTHS)
    streams.month = 5
    streams.uniform("u")
    streams.month = 4
    with pytest.raises(RuntimeError, match="after a later month"):
        streams.uniform("u")
