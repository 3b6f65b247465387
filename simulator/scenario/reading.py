"""Reading YAML files safely and within bounds: whatever the file, one clear error or the data.

A scenario (or an answers file) must be a regular file of at most ``MAX_BYTES``,
UTF-8, with lists and mappings nested at most ``MAX_DEPTH`` deep. Anything else
is refused before it can block (a FIFO with no writer), grow without end
(``/dev/zero``) or exhaust the recursion of the YAML composer, pydantic or the
merge (``[[[[...]]]]`` thousands deep). The checks run on the stream of YAML
events, before any object is built.
"""

import os
import stat
from pathlib import Path
from typing import Any

import yaml


class ScenarioError(ValueError):
    """A scenario (or other input file) that cannot be used; the message names the file, line and key."""


#: The largest file read, in bytes: a hundred times the largest shipped scenario.
MAX_BYTES = 1_000_000

#: The deepest nesting of lists and mappings (a scenario needs four: schedule.0.effects.trust).
MAX_DEPTH = 32

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def read_text(path: Path, what: str = "scenario") -> str:
    """The text of ``path``, if it is a regular UTF-8 file of at most ``MAX_BYTES``.

    The file is opened without blocking and checked with ``fstat`` before a byte
    is read, so a FIFO, a device or a folder is named, never waited on.

    Raises:
        ScenarioError: naming the file and what is wrong with it.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the {what} ({error.strerror})") from None
    except ValueError:  # a NUL byte in the name
        raise ScenarioError(f"{path!r}: not a valid file name") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise ScenarioError(f"{path}: is {_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a {what} file")
    with os.fdopen(descriptor, "rb") as file:
        try:
            data = file.read(MAX_BYTES + 1)
        except OSError as error:
            raise ScenarioError(f"{path}: cannot read the {what} ({error.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_BYTES:,} bytes; a {what} is a short text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ScenarioError(f"{path}:{line}: not UTF-8 text; save the {what} as UTF-8") from None


def parse(text: str, where: str) -> tuple[Any, yaml.Node | None]:
    """Safe YAML from ``text`` and its node tree, refusing what a scenario never needs.

    Refused, each with ``where`` and the line: nesting deeper than ``MAX_DEPTH``,
    anchors and aliases (``&a``, ``*a``: they can make a small file expand without
    end), keys that are not plain values, and a key written twice in one mapping
    (the second would silently replace the first).

    Raises:
        ScenarioError: naming ``where``, the line and the problem.
    """
    try:
        _check_events(text, where)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        _check_keys(node, where)
        return yaml.safe_load(text), node
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, such as NUL
        line = text[: error.position].count("\n") + 1
        raise ScenarioError(f"{where}:{line}: not valid YAML: character {error.character!r} is not allowed") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f"{where}:{mark.line + 1}" if mark else where
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(f"{at}: not valid YAML: {problem}") from None


def _check_events(text: str, where: str) -> None:
    """Refuse aliases and deep nesting from the event stream, which needs no recursion."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        mark = event.start_mark  # the parser marks every event it makes
        line = mark.line + 1 if mark is not None else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ScenarioError(
                f"{where}:{line}: anchors and aliases (&name, *name) are not supported; "
                "write the values out or use extends"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(f"{where}:{line}: lists and mappings nested more than {MAX_DEPTH} deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_keys(node: yaml.Node | None, where: str) -> None:
    """Keys are plain values, each written once per mapping (every problem found, not just the first)."""
    problems: list[tuple[int, str]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                line = key.start_mark.line + 1
                if not isinstance(key, yaml.ScalarNode):
                    problems.append((line, "a key must be a plain word, not a list or mapping"))
                elif key.value in seen:
                    problems.append((line, f"key {key.value!r} is written twice here"))
                else:
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    if problems:
        raise ScenarioError("\n".join(f"{where}:{line}: {message}" for line, message in sorted(problems)))


def read_yaml(path: Path, what: str = "scenario") -> tuple[Any, yaml.Node | None]:
    """Read ``path`` (``read_text``) and parse it (``parse``).

    Raises:
        ScenarioError: naming the file, the line where known, and the problem.
    """
    return parse(read_text(path, what), str(path))
