"""Selecting and copying worlds by index: the model's side of conditioning on evidence.

``select(model, index)`` makes world ``i`` of the model a copy of world
``index[i]``, with repeats, in every part of the model that keeps something per
world: the shared state, every actor's own state, the event log, the recorder
(whose month-by-month counts are counted again from the kept history), and each
world's drawn assumptions. Discrete states (level, phase, the war, who holds
office, the president's course) travel whole with their world: nothing is
averaged across worlds.

What is per world is found or declared: every array whose first dimension is
the number of worlds in the state, the month's agenda, the aid pause and the
parameters, and each actor's declared state (``Actor.state``; tests check that
no other array lives there and that every actor declares all its per-world
arrays, so that nothing is missed and nothing shared is mistaken for per world).
The tables derived from the parameters (the Giles phase's values, China's) are
worked out again from the copied parameters.

Random numbers are addressed by world position and month
(``simulator.model.randomness``), so a copy placed at position ``i`` draws
position ``i``'s numbers from the next month on: never those of its original,
which sits at another position, and the same whatever the chunking, because a
filter's worlds are a fixed block (``scenario.evidence.Evidence.filter_worlds``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.model.params import Group

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel

#: Arrays already copied in one selection, by the original's id: the original (kept alive) and its copy.
Taken = dict[int, tuple[np.ndarray, np.ndarray]]

#: Model attributes that hold per-world arrays at their top level, beside the actors (``model.actors``).
_SHARED = ("state", "agenda", "aid_pause")

#: Model attributes that are per-world arrays themselves, or mappings of them.
_ARRAYS = ("aid_reference", "initial_intensity", "draws")


def select(model: RelationsModel, index: np.ndarray) -> None:
    """Make world ``i`` a copy of world ``index[i]`` everywhere in ``model`` (``index`` has one entry per world)."""
    index = np.asarray(index, dtype=np.intp)
    if index.shape != (model.worlds,):
        raise ValueError(f"select needs one index per world ({model.worlds}), got shape {index.shape}")
    taken: Taken = {}  # arrays several parts share stay shared
    worlds = model.worlds
    for name in _SHARED:
        _take_attributes(getattr(model, name), index, worlds, taken)
    for actor in model.actors:
        for key in actor.state:
            setattr(actor, key, _take(getattr(actor, key), index, worlds, taken))
    _take_group(model.p, index, worlds, taken)
    for name in _ARRAYS:
        value = getattr(model, name)
        if isinstance(value, dict):
            for key, item in value.items():
                value[key] = _take(item, index, worlds, taken)
        else:
            setattr(model, name, _take(value, index, worlds, taken))
    model.events.select(index)
    model.recorder.select(index)
    model.answers.select(index)
    model.relationship.moved = np.zeros(0, dtype=np.intp)
    model.refresh()


def per_world_arrays(model: RelationsModel) -> dict[str, Any]:
    """Every array ``select`` looks at, by where it lives: for the test that nothing else lives there."""
    found: dict[str, Any] = {}
    for name in _SHARED:
        for key, value in vars(getattr(model, name)).items():
            if isinstance(value, np.ndarray):
                found[f"{name}.{key}"] = value
    for actor in model.actors:
        for key in actor.state:
            found[f"{actor.name}.{key}"] = getattr(actor, key)
    stack: list[tuple[str, Group]] = [("p", model.p)]
    while stack:
        prefix, group = stack.pop()
        for key, value in vars(group).items():
            if isinstance(value, Group):
                stack.append((f"{prefix}.{key}", value))
            elif isinstance(value, np.ndarray):
                found[f"{prefix}.{key}"] = value
    return found


def _take_attributes(part: Any, index: np.ndarray, worlds: int, taken: Taken) -> None:
    for key, value in list(vars(part).items()):
        if isinstance(value, np.ndarray):
            setattr(part, key, _take(value, index, worlds, taken))


def _take_group(group: Group, index: np.ndarray, worlds: int, taken: Taken) -> None:
    for key, value in list(vars(group).items()):
        if isinstance(value, Group):
            _take_group(value, index, worlds, taken)
        elif isinstance(value, np.ndarray):
            setattr(group, key, _take(value, index, worlds, taken))


def _take(value: Any, index: np.ndarray, worlds: int, taken: Taken) -> Any:
    """``value[index]`` for a per-world array (the same copy for the same array); anything else as it is."""
    if not isinstance(value, np.ndarray) or value.ndim == 0 or value.shape[0] != worlds:
        return value
    key = id(value)
    if key not in taken:
        taken[key] = (value, value[index])  # the original kept alive, so its id is not reused meanwhile
    return taken[key][1]
