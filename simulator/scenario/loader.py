"""Reading scenarios: safe YAML, ``extends`` chains, ``--set`` overrides, one clear error.

A scenario file may name another it builds on with ``extends: other.yaml``
(relative to the file; if not there, looked up in the configs folder). The
chain is merged base first: mappings merge key by key, lists and plain values
replace. ``--set key.path=value`` overrides are applied last, parsed as YAML
values exactly as in a file. Only the merged result is validated, and every
key path remembers the file and line (or the ``--set``) that gave its value, so
an error names where to fix it.
"""

import difflib
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.scenario.config import config_dir as default_config_dir
from simulator.scenario.schema import Scenario

#: Where each key path's value came from: ``"file:line"`` or ``"--set key=value"``.
Origins = dict[str, str]


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file, line and key."""


@dataclass(frozen=True)
class Resolved:
    """A validated scenario and where each of its values was set."""

    spec: Scenario
    origins: Origins
    files: tuple[Path, ...]  #: the extends chain, base first

    def origin(self, path: str) -> str:
        """Where the value at ``path`` (or its nearest enclosing key) was set."""
        return _nearest(path, self.origins) or str(self.files[-1])


def load_scenario(path: str | Path, sets: Iterable[str] = (), config_dir: Path | None = None) -> Scenario:
    """Read, merge and validate the scenario at ``path``, with ``--set`` overrides.

    Raises:
        ScenarioError: naming the file, the line where possible, the key path and the fix.
    """
    return resolve_scenario(path, sets, config_dir).spec


def resolve_scenario(path: str | Path, sets: Iterable[str] = (), config_dir: Path | None = None) -> Resolved:
    """Like ``load_scenario``, also returning where each value was set."""
    data, origins, files = _read_chain(Path(path), default_config_dir(config_dir), ())
    data.pop("extends", None)
    for assignment in sets:
        _apply_set(data, origins, assignment)
    spec = scenario_from_dict(data, source=str(path), origins=origins)
    return Resolved(spec, origins, files)


def scenario_from_dict(data: dict[str, Any], source: str = "<scenario>", origins: Origins | None = None) -> Scenario:
    """Validate a scenario given as a dictionary (as the YAML reads).

    Raises:
        ScenarioError: naming the first problems, their key paths and, where known, file and line.
    """
    origins = origins or {}
    try:
        spec = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_describe(error, source, origins)) from None
    problems = spec.calendar_problems()
    if problems:
        raise ScenarioError(
            "\n".join(f"{_nearest(path, origins) or source}: {path}: {message}" for path, message in problems)
        )
    return spec


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
    return scenario_from_dict(data, source=source, origins=origins)


# Files and the extends chain ---------------------------------------------------------------


def _read_chain(path: Path, config_dir: Path, seen: tuple[Path, ...]) -> tuple[dict, Origins, tuple[Path, ...]]:
    here = path.resolve()
    if here in seen:
        chain = " -> ".join(str(p) for p in (*seen, here))
        raise ScenarioError(f"{path}: extends goes round in a circle: {chain}")
    data, origins = _read_file(path)
    base_name = data.get("extends")
    if base_name is None:
        return data, origins, (path,)
    if not isinstance(base_name, str) or not base_name.strip():
        raise ScenarioError(f"{origins.get('extends', path)}: extends: give the path of a scenario file")
    base_path = _find_base(path, base_name, config_dir)
    if base_path is None:
        raise ScenarioError(
            f"{origins['extends']}: extends: {base_name!r} not found next to {path.name} nor in {config_dir}/"
        )
    base, base_origins, files = _read_chain(base_path, config_dir, (*seen, here))
    base.pop("extends", None)
    _merge(base, base_origins, data, origins)
    return base, base_origins, (*files, path)


def _find_base(path: Path, name: str, config_dir: Path) -> Path | None:
    return next((c for c in (path.parent / name, config_dir / name) if c.is_file()), None)


def read_yaml(path: Path, what: str = "scenario") -> tuple[Any, yaml.Node | None]:
    """Safe YAML from ``path`` and its node tree, refusing what a scenario never needs.

    Refused, each with the file and line: text that is not UTF-8, anchors and aliases
    (``&a``, ``*a``: they can make a small file expand without end), and a key written
    twice in one mapping (the second would silently replace the first).

    Raises:
        ScenarioError: naming the file, the line and the problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text; save the {what} as UTF-8") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the {what} ({error.strerror})") from None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ScenarioError(
                    f"{path}:{event.start_mark.line + 1}: anchors and aliases (&name, *name) are not supported; "
                    "write the values out or use extends"
                )
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        _refuse_duplicates(node, path)
        return yaml.safe_load(text), node
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(f"{where}: not valid YAML: {problem}") from None


def _refuse_duplicates(node: yaml.Node | None, path: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise ScenarioError(f"{path}:{key.start_mark.line + 1}: key {key.value!r} is written twice here")
            seen.add(key.value)
            _refuse_duplicates(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicates(item, path)


def _read_file(path: Path) -> tuple[dict, Origins]:
    data, node = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping of keys such as name, start, horizon")
    return data, {key: f"{path}:{line}" for key, line in _key_lines(node).items()}


def _merge(base: dict, base_origins: Origins, child: dict, child_origins: Origins, prefix: str = "") -> None:
    """Merge ``child`` into ``base`` in place: mappings merge deeply, everything else replaces."""
    for key, value in child.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base_origins[path] = child_origins.get(path, base_origins.get(path, ""))
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
    if not equals or not path:
        raise ScenarioError(f"--set {assignment!r}: write it as key.path=value, e.g. president.volatility=0.3")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as error:
        raise ScenarioError(f"--set {assignment!r}: the value is not valid YAML ({error})") from None
    parent, key = _walk(data, path, create=True, where=f"--set {assignment!r}")
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
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            key: Any = int(part)
        elif isinstance(node, dict) and (part in node or create):
            key = part
            if not last and part not in node:
                node[part] = {}  # a block the file left to its defaults; validation names any stray key
        else:
            known = [str(k) for k in node] if isinstance(node, dict) else []
            close = difflib.get_close_matches(part, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ScenarioError(f"{where or path}: no key {part!r} at {'.'.join(parts[:depth]) or 'the top'}{hint}")
        if last:
            return node, key
        node = node[key]
    raise ScenarioError(f"{where or path}: empty key path")


# Error messages --------------------------------------------------------------------------


def _describe(error: ValidationError, source: str, origins: Origins) -> str:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        path = ".".join(str(part) for part in loc)
        where = _set_within(path, origins) or _nearest(path, origins) or source
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(loc)
        elif item["type"] == "missing":
            message = "missing key"
        elif item["type"] == "literal_error":
            message = f"{item['input']!r} is not allowed: {message}"
        problems.append(f"{where}: {path or '(top level)'}: {message}")
    return "\n".join(problems)


def _suggestion(loc: tuple) -> str:
    """'did you mean ...?' for an unknown key, from the schema section it sits in."""
    annotation: Any = Scenario
    for part in loc[:-1]:
        annotation = _unwrap(annotation)
        if isinstance(part, int) or not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            continue
        field = annotation.model_fields.get(part)
        if field is None:
            return ""
        annotation = field.annotation
    annotation = _unwrap(annotation)
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(annotation.model_fields), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unwrap(annotation: Any) -> Any:
    """The model inside ``list[Model]``, ``Model | None`` and the like."""
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return annotation


def _set_within(path: str, origins: Origins) -> str | None:
    """The ``--set`` that changed something at or below ``path``, if one did: it is the likelier culprit."""
    prefix = f"{path}." if path else ""
    return next((o for p, o in origins.items() if o.startswith("--set ") and (p == path or p.startswith(prefix))), None)


def _nearest(path: str, origins: Origins) -> str | None:
    parts = path.split(".") if path else []
    while parts:
        found = origins.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return None


def _key_lines(node: yaml.Node | None, prefix: str = "") -> dict[str, int]:
    """Line (1-based) of every key path in a composed YAML document."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}{key.value}"
            lines[path] = key.start_mark.line + 1
            lines.update(_key_lines(value, path + "."))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            path = f"{prefix}{i}"
            lines[path] = value.start_mark.line + 1
            lines.update(_key_lines(value, path + "."))
    return lines
