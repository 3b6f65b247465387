"""Property: whatever is done to a run folder or an output path, the analysis commands answer or name the problem.

As ``tests/scenario/test_fuzz.py`` does for the scenario loader: damaged run folders (files
cut short or with a byte changed, with or without the hashes ``metadata.json`` records),
markup in the values a run holds, and hostile ``--out`` paths (a component over 255 bytes,
a path over 4,096, bytes that are not UTF-8). Every example ends in exit 0, 2 (refused), or
1 (a failure under way), within a time limit, never in a traceback.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from tests.conftest import BASELINE, ROOT

runner = CliRunner()

#: Seconds one command on a damaged folder may take.
TIME_LIMIT = 30

#: The files of a run folder that the analysis commands read.
FILES = ["runs.parquet", "trajectories.parquet", "summary.json", "scenario.resolved.yaml", "metadata.json"]

#: Markup of the kinds a value could carry into a page or a terminal.
MARKUP = st.sampled_from(
    ["<script>alert(1)</script>", "[bold red]x[/]", "[/]", "</td><img src=x onerror=alert(1)>", "\x1b[31m", "&amp;"]
)

FUZZ = settings(
    max_examples=25,
    deadline=None,  # timed by hand below: a shared machine makes hypothesis's deadline flaky
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def commands(run: Path, out: Path) -> dict[str, list[str]]:
    """Each analysis command on ``run``, writing to ``out``."""
    outcome = ["--outcome", "ceasefire_2026"]
    return {
        "discover": ["discover", str(run), *outcome, "--out", str(out)],
        "signposts": ["signposts", str(run), *outcome, "--by", "2025-12", "--out", str(out)],
        "sensitivity": ["sensitivity", str(run), *outcome, "--out", str(out)],
        "report": ["report", str(run), "--out", str(out / "report.html")],
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One run of the baseline at 2,000 worlds, copied for each example."""
    out = tmp_path_factory.mktemp("fuzz-run") / "run"
    simulator.run(BASELINE, runs=2000, seed=1, out=out, trajectories=True)
    return out


def answers_cleanly(args: list[str]) -> str:
    """Run ``sim ARGS``; assert it ends in 0, 1 or 2, in time, with no traceback. Its output."""
    started = time.monotonic()
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert "Traceback" not in result.output, result.output
    assert time.monotonic() - started < TIME_LIMIT, args
    return result.output


def damage(path: Path, draw) -> None:
    """Cut ``path`` short, or change one of its bytes."""
    data = path.read_bytes()
    at = draw(st.integers(min_value=0, max_value=len(data) - 1), label="at")
    if draw(st.booleans(), label="cut short"):
        path.write_bytes(data[:at])
    else:
        path.write_bytes(data[:at] + bytes([data[at] ^ draw(st.integers(1, 255), label="xor")]) + data[at + 1 :])


def forget_hashes(run: Path) -> None:
    """Make the folder one written before ``metadata.json`` recorded hashes, so damage reaches the readers."""
    try:
        metadata = json.loads((run / "metadata.json").read_text(encoding="utf-8"))
        metadata.pop("files", None)
        (run / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    except (ValueError, UnicodeDecodeError, AttributeError):
        pass  # metadata.json itself is the damaged file


@FUZZ
@given(st.data())
def test_a_damaged_run_folder_is_answered_or_named(run, data):
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        copy = shutil.copytree(run, Path(scratch) / "run")
        damaged = data.draw(st.sampled_from(FILES), label="file")
        damage(copy / damaged, data.draw)
        if data.draw(st.booleans(), label="no hashes"):
            forget_hashes(copy)
        command = data.draw(st.sampled_from(sorted(commands(copy, copy))), label="command")
        answers_cleanly(commands(copy, Path(scratch) / "out")[command])


def put_markup(run: Path, draw) -> str:
    """Markup in a question's text in summary.json and the resolved scenario, hashes forgotten. The markup."""
    markup = draw(MARKUP, label="markup")
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    for question in summary["questions"].values():
        for key in [k for k, v in question.items() if isinstance(v, str)]:
            question[key] = question[key] + markup
    summary["scenario"] += markup
    (run / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    spec = yaml.safe_load((run / "scenario.resolved.yaml").read_text(encoding="utf-8"))
    for question in spec.get("questions", []):
        question["text"] = question.get("text", "") + markup
    spec["description"] = str(spec.get("description", "")) + markup
    (run / "scenario.resolved.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    forget_hashes(run)
    return markup


@FUZZ
@given(st.data())
def test_markup_in_a_run_is_shown_as_text(run, data):
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        copy = shutil.copytree(run, Path(scratch) / "run")
        markup = put_markup(copy, data.draw)
        command = data.draw(st.sampled_from(sorted(commands(copy, copy))), label="command")
        out = Path(scratch) / "out"
        answers_cleanly(commands(copy, out)[command])
        page = out / "report.html"
        if page.is_file() and markup.startswith("<"):
            assert markup not in page.read_text(encoding="utf-8")


def hostile_out(draw, scratch: Path) -> Path:
    """An output path the file system or its encoding refuses: long names, long paths, bytes not UTF-8."""
    kind = draw(st.sampled_from(["long name", "long path", "not utf-8", "markup"]), label="out")
    if kind == "long name":
        return scratch / ("a" * draw(st.integers(256, 400), label="length"))
    if kind == "long path":
        return scratch.joinpath(*["b" * 200] * draw(st.integers(21, 30), label="depth"))
    if kind == "not utf-8":
        return scratch / os.fsdecode(b"out-\xff\xfe" + draw(st.binary(max_size=4), label="bytes").replace(b"/", b""))
    return scratch / draw(MARKUP, label="markup").replace("/", "|")


#: The commands on the 1992-2016 record, cheap enough for an example should their --out be usable.
HISTORY = {
    "calibrate": ["calibrate", "--draws", "100", "--accept", "0.5"],
    "backtest": ["backtest", "--worlds", "100", "--first", "1994-01", "--last", "1994-01", "--placebo-worlds", "0"],
    "ensemble": ["ensemble", "--runs", "2"],
}


@FUZZ
@given(st.data())
def test_a_hostile_out_path_is_answered_or_named(run, data):
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        out = hostile_out(data.draw, Path(scratch))
        on_run = commands(run, out)
        command = data.draw(st.sampled_from(sorted(on_run) + sorted(HISTORY)), label="command")
        if command in HISTORY and "[" in out.name:  # a usable name: the whole command would run
            return
        answers_cleanly(on_run.get(command) or [*HISTORY[command], "--out", str(out)])


@pytest.mark.parametrize("command", ["discover", "signposts", "sensitivity", "report"])
def test_an_out_path_not_in_utf8_under_the_c_locale_is_answered(run, tmp_path, command):
    """A real ``sim`` under ``LC_ALL=C``, writing into a folder whose name holds bytes that are not UTF-8."""
    copy = shutil.copytree(run, tmp_path / "run")
    out = tmp_path / os.fsdecode(b"out-\xff")
    sim = Path(os.environ.get("VIRTUAL_ENV", "/work/main/.venv")) / "bin" / "sim"
    done = subprocess.run(
        [os.fsencode(sim), *map(os.fsencode, commands(copy, out)[command])],
        cwd=ROOT,
        env={"LC_ALL": "C", "PATH": str(sim.parent), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 2 and b"not UTF-8" in done.stderr, done.stderr
    assert b"Traceback" not in done.stderr and not out.exists(), done.stderr
