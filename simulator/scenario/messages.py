"""How a scenario's problems are told: where each is (file and line, or ``--set``), what is wrong, what was meant.

Every key path of a scenario remembers where its value was set (``Origins``, filled by
the loader from the YAML's lines, ``key_lines``); a problem is told at the nearest
place known. An unknown key or name gets a "did you mean" from the schema section it
sits in, or from the names an analyst may mean by it (``_MEANT``).
"""

import difflib
import re
import typing
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.scenario.schema import Scenario

#: Where each key path's value came from: ``"file:line"`` or ``"--set key=value"``.
Origins = dict[str, str]


#: Parts of a pydantic error location that name its own machinery (a union member, a mapping's key), not a key.
_INTERNAL_LOC = re.compile(r"^(\[key\]|[a-z-]+\[.*\])$")


def validation_problems(error: ValidationError, source: str, origins: Origins) -> list[str]:
    """Each problem pydantic found in a scenario, as ``where: key.path: what``, with a suggestion where one helps."""
    problems: list[str] = []
    refused: dict[str, tuple[int, list[str]]] = {}  # a name every member of a union refuses: one message for all
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if not (isinstance(part, str) and _INTERNAL_LOC.match(part)))
        path = ".".join(str(part) for part in loc)
        where = set_within(path, origins) or nearest(path, origins) or source
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key" + suggestion(loc)
        elif item["type"] == "missing":
            message = "missing key"
        elif item["type"] == "literal_error":
            index, names = refused.setdefault(path, (len(problems), []))
            names += re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected", "")))
            message = f"{item['input']!r:.80} is not allowed: choose one of {', '.join(names)}{closest(item, names)}"
            if index < len(problems):
                problems[index] = f"{where}: {path}: {message}"
                continue
        problems.append(f"{where}: {path or '(top level)'}: {message}")
    return problems


#: Names an analyst may write for an event, and the names the simulator has for it (those allowed are offered).
_MEANT = {
    "walk_away": ("disengage", "president_turns_tough"),
    "walkaway": ("disengage", "president_turns_tough"),
    "disengagement": ("disengage",),
    "pressure": ("president_turns_tough", "new_sanctions"),
    "turn_to_pressure": ("president_turns_tough",),
    "truce": ("ceasefire",),
    "armistice": ("ceasefire",),
    "peace": ("peace_agreement",),
    "relief": ("sanctions_relief",),
    "sanctions_lifted": ("sanctions_relief",),
    "meeting": ("summit", "planned_summit"),
    "new_start": ("treaty_expiry", "arms_control_deal"),
    "escalation": ("russian_escalation", "crisis"),
}


def closest(item: Mapping[str, Any], allowed: list[str]) -> str:
    """'did you mean ...?' for a mistyped or other name (an event, level, phase, shock), from the names allowed.

    The names an analyst may mean by it (``_MEANT``: ``walk_away`` is ``disengage`` where
    that exists, else ``president_turns_tough``), then the names spelled alike, then those
    containing it; at most three.
    """
    written = str(item["input"]).strip().lower().replace("-", "_").replace(" ", "_")
    offered = [name for name in _MEANT.get(written, ()) if name in allowed]
    offered += difflib.get_close_matches(written, allowed, n=3, cutoff=0.6)
    if not offered and len(written) >= 4:
        offered += [name for name in allowed if written in name]
    offered = list(dict.fromkeys(offered))[:3]
    if not offered:
        return ""
    return "; did you mean " + " or ".join(repr(name) for name in offered) + "?"


def suggestion(loc: tuple) -> str:
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


def set_within(path: str, origins: Origins) -> str | None:
    """The ``--set`` that changed something at or below ``path``, if one did: it is the likelier culprit."""
    prefix = f"{path}." if path else ""
    return next((o for p, o in origins.items() if o.startswith("--set ") and (p == path or p.startswith(prefix))), None)


def nearest(path: str, origins: Origins) -> str | None:
    """Where the value at ``path``, or at its nearest enclosing key, was set; ``None`` if nowhere known."""
    parts = path.split(".") if path else []
    while parts:
        found = origins.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return None


def key_lines(node: yaml.Node | None, prefix: str = "") -> dict[str, int]:
    """Line (1-based) of every key path in a composed YAML document."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}{key.value}"
            lines[path] = key.start_mark.line + 1
            lines.update(key_lines(value, path + "."))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            path = f"{prefix}{i}"
            lines[path] = value.start_mark.line + 1
            lines.update(key_lines(value, path + "."))
    return lines
