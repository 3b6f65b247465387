"""Reading scenarios: safe YAML, ``extends`` chains, ``--set`` overrides, one clear error.

A scenario file may name another it builds on with ``extends: other.yaml``
(relative to the file; if not there, looked up in the configs folder). The
chain is merged base first: mappings merge key by key, lists and plain values
replace, but for the schedule, which a variant merges entry by entry (``schedule``).
``--set key.path=value`` overrides are applied last, parsed as YAML values exactly
as in a file. Only the merged result is validated, and every
key path remembers the file and line (or the ``--set``) that gave its value, so
an error names where to fix it, and every problem of a scenario is named at once.
Files are read within bounds (``reading``); the chain is followed in a loop, at
most ``MAX_EXTENDS`` files long. What a valid scenario may not mean (``notes``)
is logged as a warning, and kept in ``Resolved.notes``. The configs folder's
posterior sample (``sample``: there and whole, unless the scenario runs the point
values) is attached to the scenario with the key paths its own files and ``--set``
gave values, which the sample never replaces.
"""

import difflib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.files import packaged
from simulator.scenario.config import config_dir as default_config_dir
from simulator.scenario.domains import domains
from simulator.scenario.messages import Origins, key_lines, nearest, validation_problems
from simulator.scenario.notes import scenario_notes
from simulator.scenario.reading import MAX_DEPTH, ScenarioError, parse, read_yaml
from simulator.scenario.sample import posterior_source
from simulator.scenario.schedule import inherited_outside, merge_schedule
from simulator.scenario.schema import Scenario, month_or_none, span_problems
from simulator.scenario.starts import start_problems

__all__ = ["Origins", "Resolved", "ScenarioError", "load_scenario", "override", "read_yaml", "resolve_scenario"]

#: The longest ``extends`` chain, in files (the shipped ones have three).
MAX_EXTENDS = 16

log = logging.getLogger(__name__)

#: A key a file does not write.
_ABSENT = object()


@dataclass(frozen=True)
class Resolved:
    """A validated scenario and where each of its values was set."""

    spec: Scenario
    origins: Origins
    files: tuple[Path, ...]  #: the extends chain, base first
    notes: tuple[str, ...] = ()  #: what the scenario may not mean, said but not refused

    def origin(self, path: str) -> str:
        """Where the value at ``path`` (or its nearest enclosing key) was set."""
        return nearest(path, self.origins) or str(self.files[-1])


def load_scenario(path: str | Path, sets: Iterable[str] = (), config_dir: Path | None = None) -> Scenario:
    """Read, merge and validate the scenario at ``path``, with ``--set`` overrides.

    Raises:
        ScenarioError: naming the file, the line where possible, the key path and the fix.
    """
    return resolve_scenario(path, sets, config_dir).spec


def resolve_scenario(path: str | Path, sets: Iterable[str] = (), config_dir: Path | None = None) -> Resolved:
    """Like ``load_scenario``, also returning where each value was set."""
    folder = default_config_dir(config_dir)
    data, origins, files, removed = _read_chain(Path(path), folder)
    data.pop("extends", None)
    _read_evidence_file(data, origins, files[-1])
    for assignment in sets:
        _apply_set(data, origins, assignment)
    inherited_outside(data, origins, str(files[-1]))
    spec = scenario_from_dict(data, source=str(path), origins=origins)
    spec._posterior = posterior_source(folder, files, origins, spec)
    said = scenario_notes(spec, removed={(month, event) for month, event, _ in removed})
    notes = tuple(f"{nearest(key, origins) or path}: {key}: {message}" for key, message in said)
    for note in notes:
        log.warning(note)
    return Resolved(spec, origins, files, notes)


def scenario_from_dict(data: dict[str, Any], source: str = "<scenario>", origins: Origins | None = None) -> Scenario:
    """Validate a scenario given as a dictionary (as the YAML reads).

    Every problem is reported at once: the schema's, and the calendar's (months outside
    start to horizon) wherever the months themselves could be read.

    Raises:
        ScenarioError: naming every problem, its key path and, where known, file and line.
    """
    origins = origins or {}
    try:
        spec = Scenario.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error, source, origins)
        placed = _raw_calendar_problems(data)
    else:
        problems = []
        placed = spec.calendar_problems() + spec.question_problems() + _range_problems(spec)
        placed += _start_problems(spec, origins)
    problems += [f"{nearest(path, origins) or source}: {path}: {message}" for path, message in placed]
    if problems:
        raise ScenarioError("\n".join(sorted(problems, key=_place)))
    return spec


_FILE_LINE = re.compile(r"^(.+?):(\d+): ")


def _place(problem: str) -> tuple[int, str, int]:
    """Where a problem is, to sort by: file and line first, then the rest (``--set``) in the order found."""
    found = None if problem.startswith("--set ") else _FILE_LINE.match(problem)
    return (0, found[1], int(found[2])) if found else (1, "", 0)


def _range_problems(spec: Scenario) -> list[tuple[str, str]]:
    """Sensitivity ranges given for key paths that are no assumption of the scenario."""
    if spec.sensitivity is None:
        return []
    known = list(domains(spec))
    problems = []
    for path in spec.sensitivity.ranges:
        if path not in known:
            close = difflib.get_close_matches(path, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((f"sensitivity.ranges.{path}", f"not an assumption of this scenario{hint}"))
    return problems


def _start_problems(spec: Scenario, origins: Origins) -> list[tuple[str, str]]:
    """A start whose ``initial`` values and ``initial.happened`` contradict each other, naming where each was set."""
    found = []
    for path, message, other in start_problems(spec.initial):
        where = nearest(other, origins)
        found.append((path, f"{message} ({other}: {where})" if where and where != nearest(path, origins) else message))
    return found


def _raw_calendar_problems(data: Any) -> list[tuple[str, str]]:
    """The calendar's problems in a scenario the schema refused, from the months that can be read."""
    if not isinstance(data, dict):
        return []
    start, horizon = month_or_none(data.get("start")), month_or_none(data.get("horizon"))
    if start is None or horizon is None:
        return []
    dated = []
    for section, key in (("schedule", "month"), ("questions", "by"), ("questions", "from")):
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            month = month_or_none(item.get(key)) if isinstance(item, dict) else None
            if month is not None:
                dated.append((f"{section}.{i}.{key}", month))
    return span_problems(start, horizon, dated)


def override(spec: Scenario, values: dict[str, Any], source: str = "override") -> Scenario:
    """A copy of ``spec`` with the values at dotted key paths replaced, validated again.

    ``override(spec, {"congress.hawkishness": 0.9, "initial.war": "peace"})``; a
    value may be a distribution written as in YAML, e.g. ``"beta(2, 40)"``.

    Raises:
        ScenarioError: if a key path does not exist or a value is not allowed there.
    """
    data = spec.model_dump(mode="json")
    origins: Origins = {}
    for path, value in values.items():
        parent, key = _walk(data, path, create=True)
        parent[key] = value
        origins[path] = f"{source} {path}"
    changed = scenario_from_dict(data, source=source, origins=origins)
    if spec._posterior is not None:  # what is overridden here is the scenario's own: no sample replaces it
        changed._posterior = replace(spec._posterior, own=spec._posterior.own | set(values))
    return changed


# Files and the extends chain ---------------------------------------------------------------


def _read_chain(path: Path, config_dir: Path) -> tuple[dict, Origins, tuple[Path, ...], frozenset[tuple]]:
    """Read ``path`` and the files it extends, and merge them base first.

    A loop, not recursion: the chain is at most ``MAX_EXTENDS`` files long, and a
    file met twice is a cycle.

    Returns:
        The merged data, where each key path was set, the files base first, and the
        (month, event, shock) of each inherited schedule entry a file removed.
    """
    chain: list[tuple[Path, dict, Origins]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        here = _resolved(current)
        if here in seen:
            circle = " -> ".join(str(p) for p in (*seen, here))
            raise ScenarioError(f"{chain[-1][2].get('extends', path)}: extends: goes round in a circle: {circle}")
        if len(seen) == MAX_EXTENDS:
            raise ScenarioError(f"{path}: the extends chain is longer than {MAX_EXTENDS} files (it reaches {current})")
        seen.append(here)
        data, origins = _read_file(current)
        chain.append((current, data, origins))
        current = _base_of(current, data, origins, config_dir)
    files = tuple(file for file, _, _ in reversed(chain))
    merged: dict = {}
    merged_origins: Origins = {}
    removed: set[tuple[str, str, str]] = set()
    for _, data, origins in reversed(chain):
        merged.pop("extends", None)
        schedule = data.pop("schedule", _ABSENT)
        _merge(merged, merged_origins, data, origins)
        if schedule is not _ABSENT:
            removed |= merge_schedule(merged, merged_origins, schedule, origins)
    return merged, merged_origins, files, frozenset(removed)


def _read_evidence_file(data: dict, origins: Origins, scenario: Path) -> None:
    """Replace ``evidence: {file: ...}`` by the file's evidence, under the keys written beside ``file``.

    The file is found relative to the scenario file that names it; its keys keep their own file and line.
    """
    evidence = data.get("evidence")
    if not isinstance(evidence, dict) or "file" not in evidence:
        return
    where = origins.get("evidence.file", str(scenario))
    name = evidence.pop("file")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{where}: evidence.file: give the path of a file of evidence")
    named_in = scenario if where.startswith("--set ") or ":" not in where else Path(where.rsplit(":", 1)[0])
    path = named_in.parent / name
    try:
        usable = path.is_file()
    except (OSError, ValueError) as error:
        raise ScenarioError(f"{where}: evidence.file: {name!r:.200} is not a usable file name ({error})") from None
    if not usable:
        raise ScenarioError(f"{where}: evidence.file: {name!r:.200} not found next to {named_in.name}")
    found, node = read_yaml(path)
    if not isinstance(found, dict):
        raise ScenarioError(f"{path}:1: a file of evidence is a mapping of keys such as as_of, error, observed")
    found_origins = {f"evidence.{key}": f"{path}:{line}" for key, line in key_lines(node).items()}
    found.update(evidence)  # what the scenario writes beside file: wins
    found_origins.update({p: o for p, o in origins.items() if p.startswith("evidence.") and p != "evidence.file"})
    for stale in [p for p in origins if p.startswith("evidence.")]:
        del origins[stale]
    origins.update(found_origins)
    data["evidence"] = found


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as error:  # a link loop is a RuntimeError before Python 3.13
        raise ScenarioError(f"{path!s:.200}: cannot follow this path ({error})") from None


def _base_of(path: Path, data: dict, origins: Origins, config_dir: Path) -> Path | None:
    """The file ``path`` extends, if it extends one."""
    base_name = data.get("extends")
    if base_name is None:
        return None
    where = origins.get("extends", str(path))
    if not isinstance(base_name, str) or not base_name.strip():
        raise ScenarioError(f"{where}: extends: give the path of a scenario file")
    try:
        found = [c for c in (path.parent / base_name, config_dir / base_name) if c.exists()]
        files = [c for c in found if not c.is_dir()]
    except (OSError, ValueError) as error:
        raise ScenarioError(f"{where}: extends: {base_name!r:.200} is not a usable file name ({error})") from None
    if files:
        return files[0]  # a FIFO or a device is named as such when read
    if found:
        raise ScenarioError(
            f"{where}: extends: {found[0]} is a folder; name a scenario file, e.g. {base_name}/base.yaml"
        )
    hint = ""
    if config_dir.resolve() != packaged("configs").resolve() and (packaged("configs") / base_name).is_file():
        hint = (
            f"; the configs folder in use, {config_dir}/, takes the place of the packaged one: copy {base_name}"
            " (and the parameter sets it extends, with posterior.csv) into it, or point --config-dir elsewhere"
        )
    raise ScenarioError(
        f"{where}: extends: {base_name!r:.200} not found next to {path.name} nor in {config_dir}/{hint}"
    )


def _read_file(path: Path) -> tuple[dict, Origins]:
    data, node = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}:1: a scenario is a mapping of keys such as name, start, horizon")
    return data, {key: f"{path}:{line}" for key, line in key_lines(node).items()}


def _merge(base: dict, base_origins: Origins, child: dict, child_origins: Origins, prefix: str = "") -> None:
    """Merge ``child`` into ``base`` in place: mappings merge deeply, everything else replaces."""
    for key, value in child.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base_origins[path] = base_origins.get(path) or child_origins.get(path, "")  # the block's first writer
            _merge(base[key], base_origins, value, child_origins, path + ".")
            continue
        base[key] = value
        for stale in [p for p in base_origins if p == path or p.startswith(path + ".")]:
            del base_origins[stale]
        base_origins.update({p: o for p, o in child_origins.items() if p == path or p.startswith(path + ".")})


# --set -----------------------------------------------------------------------------------


def _apply_set(data: dict, origins: Origins, assignment: str) -> None:
    path, equals, raw = assignment.partition("=")
    path = path.strip()
    where = f"--set {assignment!r:.200}"
    if not equals or not path:
        raise ScenarioError(f"{where}: write it as key.path=value, e.g. president.volatility=0.3")
    if path.count(".") >= MAX_DEPTH:
        raise ScenarioError(f"{where}: a key path has at most {MAX_DEPTH} parts")
    value = parse(raw, where)[0] if raw.strip() else ""
    parent, key = _walk(data, path, create=True, where=where)
    parent[key] = value
    for stale in [p for p in origins if p == path or p.startswith(path + ".")]:
        del origins[stale]
    origins[path] = f"--set {assignment}"


def _walk(data: Any, path: str, create: bool = False, where: str = "") -> tuple[Any, Any]:
    """The container holding the last key of ``path``, and that key."""
    parts = path.split(".")
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list) and part.isdigit() and len(part) < 10 and int(part) < len(node):
            key: Any = int(part)
        elif isinstance(node, dict) and (part in node or create):
            key = part
            if not last and part not in node:
                node[part] = {}  # a block the file left to its defaults; validation names any stray key
        else:
            known = [str(k) for k in node] if isinstance(node, dict) else []
            close = difflib.get_close_matches(part, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            at = ".".join(parts[:depth]) or "the top"
            raise ScenarioError(f"{where or path}: no key {part!r:.80} at {at:.200}{hint}")
        if last:
            return node, key
        node = node[key]
    raise ScenarioError(f"{where or path}: empty key path")
