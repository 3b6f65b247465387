"""Property: whatever is done to a shipped scenario, `sim validate` accepts it or names what is wrong, quickly.

Mutations of the shipped scenarios' keys, types, values, nesting and encoding; for
each, `sim validate` must exit 0, or exit 2 with a message that names a key path or
a line, never with a traceback, and within a time limit.
"""

import re
import shutil
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simulator.cli.app import app
from tests.conftest import ROOT, SCENARIOS

#: Seconds one validation may take.
TIME_LIMIT = 10

#: A message names a line (``file:12:``), a key path (``: president.volatility:``) or a --set.
NAMES_KEY_OR_LINE = re.compile(r":\d+: |: [A-Za-z_][\w.>=-]*: |--set ")

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "beta(0, 1)",
            "uniform(1, 0)",
            "normal(0.1, 0.05)",
            "choice([])",
            "choice([1, 2], weights=[0, 0])",
            "choice([1, 2], weights=[3, 1])",
            "triangular(0, 2, 1)",
            "beta(" * 300,
            "2025-13",
            "0000-01",
            "9999-12",
            "sumit",
            "level>=9",
            "1e-3",
        ]
    ),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)


def key_paths(node, prefix=()):
    """Every path into a parsed YAML document, to pick one to mutate."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from key_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from key_paths(value, (*prefix, i))


def mutate_data(data, draw):
    """One change to the parsed document: a value replaced, a key removed, renamed or added, deeper nesting."""
    paths = list(key_paths(data))
    if not paths:
        return {"name": draw(ODD_VALUES)}
    *parent_path, last = draw(st.sampled_from(paths))
    parent = data
    for part in parent_path:
        parent = parent[part]
    kind = draw(st.sampled_from(["replace", "delete", "rename", "add", "nest"]))
    if kind == "replace":
        parent[last] = draw(ODD_VALUES)
    elif kind == "delete":
        del parent[last]
    elif kind == "rename" and isinstance(parent, dict):
        cut = draw(st.integers(min_value=0, max_value=len(str(last))))
        parent[str(last)[:cut] + draw(st.text(max_size=2)) + str(last)[cut + 1 :]] = parent.pop(last)
    elif kind == "add" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10))] = draw(ODD_VALUES)
    elif kind == "nest":
        depth = draw(st.integers(min_value=1, max_value=60))
        for _ in range(depth):
            parent[last] = [parent[last]]
    return data


def mutate_bytes(text, draw):
    """One change to the file's bytes: another encoding, a stray byte, a cut, a doubled or mangled line."""
    kind = draw(st.sampled_from(["utf-16", "latin-1", "bom", "byte", "truncate", "duplicate", "tab", "none"]))
    data = text.encode("utf-8")
    if kind == "utf-16":
        return text.encode("utf-16")
    if kind == "latin-1":
        return text.replace("name:", "name: caf\u00e9 #").encode("latin-1", errors="replace")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    at = draw(st.integers(min_value=0, max_value=len(data)))
    if kind == "byte":
        return data[:at] + bytes([draw(st.integers(min_value=0, max_value=255))]) + data[at:]
    if kind == "truncate":
        return data[:at]
    lines = text.splitlines(keepends=True)
    line = draw(st.integers(min_value=0, max_value=max(len(lines) - 1, 0)))
    if kind == "duplicate" and lines:
        lines.insert(line, lines[line])
    elif kind == "tab" and lines:
        lines[line] = "\t" + lines[line]
    return "".join(lines).encode("utf-8")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """A copy of the scenarios folder, so that a mutant sits beside the files it extends."""
    folder = tmp_path_factory.mktemp("fuzz") / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)  # history/, a link to the packaged folder, is copied whole
    return folder


@settings(
    max_examples=50,
    deadline=None,  # timed by hand below: a shared machine makes hypothesis's deadline flaky
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_validate_accepts_or_names_the_problem(shipped, data):
    source = data.draw(st.sampled_from(SCENARIOS), label="scenario")
    original = source.read_text(encoding="utf-8")
    if data.draw(st.booleans(), label="change the data"):
        document = yaml.safe_load(original)
        for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="changes")):
            document = mutate_data(document, data.draw)
        original = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    mutant = shipped / ("." if source.parent.samefile(ROOT / "scenarios") else "history") / "mutant.yaml"
    mutant.write_bytes(mutate_bytes(original, data.draw))

    started = time.monotonic()
    result = CliRunner().invoke(app, ["validate", str(mutant)])
    elapsed = time.monotonic() - started

    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert NAMES_KEY_OR_LINE.search(result.output), result.output
    assert elapsed < TIME_LIMIT
