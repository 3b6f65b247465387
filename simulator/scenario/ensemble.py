"""Ensembles: a blend of scenarios, each run for its weight's share of the worlds.

An ensemble file names member scenarios (files next to it) and their weights
instead of assumptions::

    name: theses
    description: The thesis variants, blended.
    ensemble:
      members:                  # each member's share of the worlds
        trump2025.yaml: 0.6
        deni_structural.yaml: 0.4

or, with the weights ``sim ensemble`` fitted on the rolling-origin questions
of 1994-2023 (``configs/ensemble.yaml``, looked up by each member's scenario name), or
equal weights::

    ensemble:
      weights: fitted           # or: equal
      members: [trump2025.yaml, deni_structural.yaml]

Weights are shares: none negative, summing to 1. Every member must run over
the same months. ``--set`` overrides apply to every member. The blend's
questions are the first member's.
"""

import difflib
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.scenario.config import config_dir as default_config_dir
from simulator.scenario.loader import load_scenario, override
from simulator.scenario.messages import key_lines
from simulator.scenario.reading import ScenarioError, read_yaml
from simulator.scenario.schema import Scenario

#: The file ``sim ensemble`` writes the fitted weights to, in the configs folder.
FITTED_FILE = "ensemble.yaml"

#: How far the weights' sum may be from 1 (they are written with a few decimals).
TOLERANCE = 1e-6

#: How far fitted weights may sum from 1 before a note says they were scaled (they are rounded to 4 decimals).
ROUNDING = 1e-3

_TOP_KEYS = ("name", "description", "ensemble")
_ENSEMBLE_KEYS = ("members", "weights")
_WEIGHT_WORDS = ("fitted", "equal")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Member:
    """One scenario of an ensemble and its share of the worlds."""

    path: Path
    spec: Scenario
    weight: float


@dataclass(frozen=True)
class Ensemble:
    """Member scenarios with weights that sum to 1, all over the same months.

    Attributes:
        name: the blend's name.
        description: what it blends.
        members: the scenarios, in the file's order.
        source: the ensemble file.
        weights_from: where the weights came from (the file, the fitted file, equal).
        spec: the pooled run's scenario (``pooled_spec``).
    """

    name: str
    description: str
    members: tuple[Member, ...]
    source: Path
    weights_from: str
    spec: Scenario


def pooled_spec(name: str, description: str, members: list[Member], weights_from: str, source: Path) -> Scenario:
    """The pooled run's scenario: the first member's months and questions, under the ensemble's name.

    Raises:
        ScenarioError: if the name is not a scenario name.
    """
    shares = ", ".join(f"{m.spec.name} {m.weight:.3f}" for m in members)
    text = f"{description} Ensemble of {shares} (weights: {weights_from}).".strip()
    return override(members[0].spec, {"name": name, "description": text}, source=str(source))


def is_ensemble(path: str | Path) -> bool:
    """Whether ``path`` is an ensemble file (a mapping with an ``ensemble`` key); False if it cannot be read."""
    try:
        data, _ = read_yaml(Path(path))
    except ScenarioError:
        return False
    return isinstance(data, dict) and "ensemble" in data


def load_ensemble(
    path: str | Path,
    sets: tuple[str, ...] | list[str] = (),
    config_dir: Path | None = None,
    *,
    fitted: bool = True,
) -> Ensemble:
    """Read an ensemble file, load its members (with ``sets`` applied to each) and resolve the weights.

    With ``fitted=False``, ``weights: fitted`` gives equal weights instead of reading the fitted
    file: what ``sim ensemble`` needs, which writes that file.

    Raises:
        ScenarioError: one message naming the file, the line and the key: an unknown member,
            a weight below 0, weights that do not sum to 1, members over different months.
    """
    path = Path(path)
    data, node = read_yaml(path)
    lines = key_lines(node)

    def where(key: str) -> str:
        line = lines.get(key)
        return f"{path}:{line}" if line else str(path)

    if not isinstance(data, dict) or not isinstance(data.get("ensemble"), dict):
        raise ScenarioError(f"{path}:1: an ensemble file has an ensemble: mapping with members (and weights)")
    _no_unknown_keys(data, _TOP_KEYS, "", where)
    block = data["ensemble"]
    _no_unknown_keys(block, _ENSEMBLE_KEYS, "ensemble.", where)
    files, weights = _members_and_weights(block, where)
    members = [_load_member(path, file, sets, config_dir, where(f"ensemble.members.{i}")) for i, file in files]
    if weights == "fitted" and not fitted:
        weights = "equal"
    if isinstance(weights, str):
        weights, weights_from = _word_weights(weights, members, config_dir, where("ensemble.weights"))
    else:
        weights_from = str(path)
    _check_span(members, path)
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{where('name')}: name: give the ensemble a name")
    description = str(data.get("description", "")).strip()
    loaded = [Member(file, spec, w) for (file, spec), w in zip(members, weights, strict=True)]
    try:
        spec = pooled_spec(name, description, loaded, weights_from, path)
    except ScenarioError:
        raise ScenarioError(
            f"{where('name')}: name: {name!r:.80} is not a scenario name (letters, digits, _ . -)"
        ) from None
    return Ensemble(name, description, tuple(loaded), path, weights_from, spec)


def _no_unknown_keys(data: dict, allowed: tuple[str, ...], prefix: str, where: Any) -> None:
    for key in data:
        if key not in allowed:
            known = ", ".join(allowed)
            raise ScenarioError(f"{where(prefix + str(key))}: {prefix}{key}: unknown key in an ensemble ({known})")


def _members_and_weights(block: dict, where: Any) -> tuple[list[tuple[Any, str]], list[float] | str]:
    """(key of the member in the file, its file) of each member, and the weights: numbers, or fitted or equal."""
    members, word = block.get("members"), block.get("weights")
    if isinstance(members, dict) and members:
        if word is not None:
            raise ScenarioError(
                f"{where('ensemble.weights')}: ensemble.weights: members already give their weights; "
                "drop weights:, or list the members without weights"
            )
        weights = [
            _weight(value, f"{where(f'ensemble.members.{file}')}: ensemble.members.{file}")
            for file, value in members.items()
        ]
        _check_sum(weights, where("ensemble.members"))
        return [(file, str(file)) for file in members], weights
    if isinstance(members, list) and members:
        if word not in _WEIGHT_WORDS:
            raise ScenarioError(
                f"{where('ensemble.weights')}: ensemble.weights: with members listed without weights, "
                f"say weights: fitted (from `sim ensemble`) or weights: equal; got {word!r:.80}"
            )
        if not all(isinstance(file, str) and file for file in members):
            raise ScenarioError(
                f"{where('ensemble.members')}: ensemble.members: list scenario files, e.g. trump2025.yaml"
            )
        twice = next((file for i, file in enumerate(members) if file in members[:i]), None)
        if twice is not None:
            raise ScenarioError(
                f"{where('ensemble.members')}: ensemble.members: {twice!r:.80} is listed twice; list each member once"
            )
        return list(enumerate(members)), word
    raise ScenarioError(
        f"{where('ensemble.members')}: ensemble.members: name at least one member scenario "
        "(a mapping of file to weight, or a list of files with weights: fitted)"
    )


def _weight(value: Any, at: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{at}: the weight must be a number from 0 to 1, got {value!r:.80}")
    if value < 0:
        raise ScenarioError(f"{at}: the weight {value:g} is negative; weights are shares of the worlds, 0 to 1")
    return float(value)


def _check_sum(weights: list[float], at: str) -> None:
    total = sum(weights)
    if abs(total - 1) > TOLERANCE:
        raise ScenarioError(
            f"{at}: ensemble.members: the weights sum to {total:.6g}, not 1; they are shares of the worlds"
        )


def _load_member(ensemble: Path, file: Any, sets: Any, config_dir: Path | None, at: str) -> tuple[Path, Scenario]:
    member = ensemble.parent / str(file)
    if not member.is_file():
        nearby = [p.name for p in ensemble.parent.glob("*.yaml")]
        close = difflib.get_close_matches(str(file), nearby, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(f"{at}: ensemble.members: {file!r:.200} not found next to {ensemble.name}{hint}")
    if is_ensemble(member):
        raise ScenarioError(f"{at}: ensemble.members: {file} is itself an ensemble; list its members instead")
    return member, load_scenario(member, sets, config_dir)


def _word_weights(
    word: str, members: list[tuple[Path, Scenario]], config_dir: Path | None, at: str
) -> tuple[list[float], str]:
    if word == "equal":
        return [1 / len(members)] * len(members), "equal"
    fitted_path = default_config_dir(config_dir) / FITTED_FILE
    fitted = read_fitted(fitted_path)
    missing = [spec.name for _, spec in members if spec.name not in fitted]
    if missing:
        raise ScenarioError(
            f"{at}: ensemble.weights: fitted: {', '.join(missing)} has no weight in {fitted_path}; "
            "run `sim ensemble` on an ensemble that lists it"
        )
    weights = [fitted[spec.name] for _, spec in members]
    total = sum(weights)
    if total <= 0:
        raise ScenarioError(f"{at}: ensemble.weights: fitted: these members have no weight in {fitted_path}")
    if abs(total - 1) > ROUNDING:
        log.warning(f"{at}: ensemble.weights: the fitted weights of these members sum to {total:.3f}; scaled to 1")
    return [w / total for w in weights], f"fitted, {fitted_path}"


def read_fitted(path: Path) -> dict[str, float]:
    """The fitted weights by scenario name, from the file ``sim ensemble`` writes.

    Raises:
        ScenarioError: if the file is missing or not in that form.
    """
    if not path.is_file():
        raise ScenarioError(f"{path}: no fitted weights yet; run `sim ensemble` to fit them")
    try:
        data, _ = read_yaml(path, "weights file")
        weights = {str(name): float(w) for name, w in data["weights"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ScenarioError(
            f"{path}: weights: must map each scenario name to its weight (rerun `sim ensemble`)"
        ) from None
    bad = {name: w for name, w in weights.items() if not math.isfinite(w) or w < 0}
    if bad:
        named = ", ".join(f"{name}: {w:g}" for name, w in bad.items())
        raise ScenarioError(f"{path}: weights: each must be a share from 0 to 1, got {named} (rerun `sim ensemble`)")
    return weights


def _check_span(members: list[tuple[Path, Scenario]], path: Path) -> None:
    spans = {(str(spec.start), str(spec.horizon)) for _, spec in members}
    if len(spans) != 1:
        listed = ", ".join(f"{file.name} {spec.start} to {spec.horizon}" for file, spec in members)
        raise ScenarioError(f"{path}: ensemble.members: members must run over the same months; got {listed}")
