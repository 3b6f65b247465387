"""Array kernels the actors share: masked updates of per-world state, done at numpy speed.

A month touches each per-world array a few dozen times, so how an update is
written decides the model's speed. Two patterns matter most on arrays of
worlds: ``np.where`` branches on each world's mask, which the processor cannot
predict when worlds differ, and ``np.minimum``/``np.maximum`` against a single
number take a slow path in numpy. ``blend`` and ``share`` give the same
numbers by arithmetic and ``clip``, several times faster.

``clip`` reaches numpy's clip ufunc through the array's own ``clip`` method,
one Python call where ``np.clip`` takes three: some three thousand calls a
chunk of 32,768 worlds make, and the method keeps a chunk as fast as calling
the ufunc directly (numpy's private ``_core.umath.clip``), where ``np.clip``
costs 1-2 % of it; the numbers are the same.
"""

from typing import Any

import numpy as np

Array = np.ndarray

#: A number or an array of them, as the kernels take them: one shared value, or one per world.
Number = Array | float | np.floating[Any]

#: The precision of the model's continuous state and decisions: single precision halves the
#: memory every monthly pass reads and doubles what one vector instruction does, and resolves
#: shares and chances far finer than the model's assumptions are known.
REAL = np.float32

_ZERO, _ONE = REAL(0), REAL(1)


def clip(x: Number, low: Number, high: Number, **kwargs: Any) -> Array:
    """``x`` held to ``low``..``high``, as ``np.clip`` gives it (``kwargs``, e.g. ``dtype``, go to the ufunc)."""
    if type(x) is np.ndarray:
        return x.clip(low, high, **kwargs)
    return np.clip(x, low, high, **kwargs)


def blend(where: Array, new: Number, old: Array) -> Array:
    """``new`` where ``where`` holds, else ``old``, in ``old``'s type: ``np.where`` by arithmetic.

    Each product has a factor of exactly 0 or 1, so for finite numbers the result is
    ``np.where(where, new, old)`` to the bit.
    """
    out = np.multiply(new, where, dtype=old.dtype)
    out += np.multiply(old, ~where, dtype=old.dtype)
    return out


def share(x: Number) -> Array:
    """``x`` held to 0..1: a share, a chance or an intensity."""
    return clip(x, _ZERO, _ONE)
