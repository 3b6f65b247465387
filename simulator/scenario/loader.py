"""Reading a scenario file: safe YAML in, a validated ``Scenario`` out, or one clear error."""

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.scenario.schema import Scenario


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file, line and key."""


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate the scenario at ``path``.

    Raises:
        ScenarioError: with the file, the line where possible, the key path and the fix.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the scenario ({error.strerror})") from error
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(f"{where}: not valid YAML: {problem}") from error
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping of keys such as name, start, horizon")
    return scenario_from_dict(data, source=str(path), lines=_key_lines(node))


def scenario_from_dict(
    data: dict[str, Any], source: str = "<scenario>", lines: dict[str, int] | None = None
) -> Scenario:
    """Validate a scenario given as a dictionary (as the YAML reads).

    Raises:
        ScenarioError: naming the first problem, its key path and, where known, its line.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_describe(error, source, lines or {})) from None


def override(spec: Scenario, values: dict[str, Any], source: str = "override") -> Scenario:
    """A copy of ``spec`` with the assumptions at dotted key paths replaced, validated again.

    ``override(spec, {"congress.hawkishness": 0.9, "initial.war": "peace"})``; a
    value may be a distribution written as in YAML, e.g. ``"beta(2, 40)"``.

    Raises:
        ScenarioError: if a key path does not exist or a value is not allowed there.
    """
    data = spec.model_dump(mode="json")
    for path, value in values.items():
        parent, key = _walk(data, path)
        parent[key] = value
    return scenario_from_dict(data, source=source)


def _walk(data: Any, path: str) -> tuple[Any, Any]:
    parts = path.split(".")
    node = data
    for depth, part in enumerate(parts):
        key: Any = int(part) if isinstance(node, list) and part.isdigit() else part
        if (
            isinstance(node, dict)
            and key in node
            or isinstance(node, list)
            and isinstance(key, int)
            and key < len(node)
        ):
            if depth == len(parts) - 1:
                return node, key
            node = node[key]
            continue
        known = list(node) if isinstance(node, dict) else []
        close = difflib.get_close_matches(str(part), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(f"{path}: no such key {part!r}{hint}")
    raise ScenarioError(f"{path}: empty key path")


def _describe(error: ValidationError, source: str, lines: dict[str, int]) -> str:
    problems = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"])
        line = _nearest_line(path, lines)
        where = f"{source}:{line}" if line else source
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(item["loc"])
        elif item["type"] == "missing":
            message = "missing key"
        elif item["type"] == "literal_error":
            message = f"{item['input']!r} is not allowed: {message}"
        problems.append(f"{where}: {path or '(top level)'}: {message}")
    return problems[0] if len(problems) == 1 else "\n".join(problems)


def _suggestion(loc: tuple) -> str:
    model: type[BaseModel] = Scenario
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif field is None and not isinstance(part, str):
            continue
        else:
            return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _nearest_line(path: str, lines: dict[str, int]) -> int | None:
    parts = path.split(".") if path else []
    while parts:
        key = ".".join(parts)
        if key in lines:
            return lines[key]
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
