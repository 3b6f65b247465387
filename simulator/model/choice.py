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

Array = np.ndarray

#: The value of an option that is not open this month.
CLOSED = -np.inf


def probabilities(values: Sequence[Array | float]) -> Array:
    """Each option's chance, shape (options, worlds): the softmax of the values."""
    stacked = np.stack(np.broadcast_arrays(*values)).astype(float)
    stacked -= stacked.max(axis=0)
    weights = np.exp(stacked)
    return weights / weights.sum(axis=0)


def choose(values: Sequence[Array | float], u: Array) -> Array:
    """The option each world picks, given its values and one uniform draw ``u`` per world.

    Option *k* is picked where the cumulative weight of the options before it is at
    most ``u`` times the total and its own cumulative weight is above it.
    """
    stacked = np.stack(np.broadcast_arrays(*values)).astype(float)
    stacked -= stacked.max(axis=0)
    cumulative = np.cumsum(np.exp(stacked), axis=0)
    return (cumulative <= u * cumulative[-1]).sum(axis=0).astype(np.int8)


def choose_erratically(values: Sequence[Array | float], u: Array, erratic: Array | float, last: Array) -> Array:
    """A logit choice, except that with chance ``erratic`` the actor reverses to another open option at random.

    One uniform serves both: below ``erratic`` it is rescaled to pick among the
    open options other than ``last``; above it, it is rescaled for the logit choice.
    """
    erratic = np.broadcast_to(erratic, u.shape)
    reverses = u < erratic
    calm_u = np.where(reverses, 0.0, (u - erratic) / np.where(reverses, 1.0, 1 - erratic))
    chosen = choose(values, calm_u)
    if not reverses.any():
        return chosen
    stacked = np.stack(np.broadcast_arrays(*values))
    other = (stacked > CLOSED) & (np.arange(len(values))[:, None] != last)
    count = other.sum(axis=0)
    pick = np.floor(u / np.where(reverses, erratic, 1.0) * count)
    index = (np.cumsum(other, axis=0) <= pick).sum(axis=0).astype(np.int8)
    return np.where(reverses & (count > 0), index, chosen).astype(np.int8)


def sigmoid(x: Array | float) -> Array:
    """The chance of the first of two options whose value difference is ``x``."""
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))
