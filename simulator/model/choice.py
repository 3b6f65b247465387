"""Decisions: each actor chooses one of a few options by comparing what each is worth to it.

The rule is a logit (softmax) choice, the standard discrete-choice model of
political science and economics: option *k* is chosen with probability
``exp(v_k) / sum_j exp(v_j)``, where ``v_k`` is the option's value to the
actor in this world this month. A difference of one unit of value multiplies
the odds by e (about 2.7). An unavailable option has value ``-inf``.

One uniform number per actor and month picks the option (inverse transform of
the cumulative probabilities), so a choice among five options costs one
random draw, not five. Pure kernels over arrays: the agents build the values.
"""

from collections.abc import Sequence

import numpy as np

from simulator.model.arrays import clip

Array = np.ndarray

#: The value of an option that is not open this month.
CLOSED = -np.inf

_TINY, _ONE = np.float32(1e-12), np.float32(1)

#: The highest value a choice distinguishes (e**80 fits single precision with room for a sum of options).
CAP = 80.0


def _weights(values: Sequence[Array | float]) -> list[Array | float]:
    """exp(value) for each option: the unnormalised chances, in single precision.

    Single precision is four times as fast here and resolves chances far finer
    than a monthly decision needs. It holds e**88, so values are capped at
    ``CAP`` (schema weights lie within +-20 and the features within 0..1, so
    realistic values stay far below it; a capped option only ties with others).
    """
    weights: list[Array | float] = []
    for value in values:
        capped = clip(value, -np.inf, CAP, dtype=np.float32)
        weights.append(np.exp(capped, out=capped) if np.ndim(capped) else np.exp(capped))
    return weights


def probabilities(values: Sequence[Array | float]) -> Array:
    """Each option's chance, shape (options, worlds): the softmax of the values."""
    stacked = np.stack(np.broadcast_arrays(*values)).astype(float)
    weights = np.exp(stacked - stacked.max(axis=0))
    return weights / weights.sum(axis=0)


def choose(values: Sequence[Array | float], u: Array) -> Array:
    """The option each world picks, given its values and one uniform draw ``u`` per world.

    Option *k* is picked where the cumulative weight of the options before it is at
    most ``u`` times the total and its own cumulative weight is above it.
    """
    weights = _weights(values)
    cumulative = [weights[0]]
    for weight in weights[1:]:
        cumulative.append(cumulative[-1] + weight)
    threshold = u * cumulative[-1]
    chosen = np.zeros(u.shape, dtype=np.int8)
    for below in cumulative[:-1]:
        chosen += below <= threshold
    return chosen


def choose_erratically(values: Sequence[Array | float], u: Array, erratic: Array | float, last: Array) -> Array:
    """A logit choice, except that with chance ``erratic`` the actor reverses to another open option at random.

    One uniform serves both: below ``erratic`` it is rescaled to pick among the
    open options other than ``last``; above it, it is rescaled for the logit choice.
    """
    reverses = u < erratic
    calm_u = (u - erratic) / clip(1 - erratic, _TINY, _ONE) * ~reverses
    chosen = choose(values, calm_u)
    flips = np.flatnonzero(reverses)  # few worlds: work on their indices
    if not flips.size:
        return chosen
    others = [(among(v, flips) > CLOSED) & (last[flips] != k) for k, v in enumerate(values)]
    count = sum(others)
    pick = np.floor(u[flips] / np.maximum(among(erratic, flips), 1e-12) * count)
    index = np.zeros(flips.size, dtype=np.int8)
    seen = 0
    for other in others[:-1]:
        seen = seen + other
        index += seen <= pick
    chosen[flips] = np.where(count > 0, index, chosen[flips])
    return chosen


def among(values: Array | float, worlds: Array | None) -> Array | float:
    """``values`` for the worlds ``worlds`` (indices; ``None``: every world): a per-world array's, or the one number."""
    if worlds is None or not isinstance(values, np.ndarray) or not values.ndim:
        return values
    return values[worlds]


def sigmoid(x: Array | float) -> Array:
    """The chance of the first of two options whose value difference is ``x``."""
    return 1 / (1 + np.exp(np.negative(x), dtype=np.float32))
