"""Array kernels the actors share: masked updates of per-world state, done at numpy speed.

A month touches each per-world array a few dozen times, so how an update is
written decides the model's speed. Two patterns matter most on arrays of
worlds: ``np.where`` branches on each world's mask, which the processor cannot
predict when worlds differ, and ``np.minimum``/``np.maximum`` against a single
number take a slow path in numpy. ``blend`` and ``share`` give the same
numbers by arithmetic and ``clip``, several times faster.

``clip`` is numpy's clip ufunc itself: ``np.clip`` reaches it through three
Python calls, about 3.5 us a call here, some sixty calls a month; the numbers
are the same.
"""

import numpy as np

Array = np.ndarray

#: The ufunc ``np.clip`` ends in, called without its Python wrappers (numpy is pinned in pyproject.toml).
clip = np._core.umath.clip

_ZERO, _ONE = np.float32(0), np.float32(1)


def blend(where: Array, new: Array | float, old: Array) -> Array:
    """``new`` where ``where`` holds, else ``old``, in ``old``'s type: ``np.where`` by arithmetic.

    Each product has a factor of exactly 0 or 1, so for finite numbers the result is
    ``np.where(where, new, old)`` to the bit.
    """
    out = np.multiply(new, where, dtype=old.dtype)
    out += np.multiply(old, ~where, dtype=old.dtype)
    return out


def share(x: Array) -> Array:
    """``x`` held to 0..1: a share, a chance or an intensity."""
    return clip(x, _ZERO, _ONE)
