"""Bounded reading and whole-scenario messages: every bad input is one clear message, at once, never a hang."""

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.loader import MAX_EXTENDS, resolve_scenario
from simulator.scenario.reading import MAX_BYTES, MAX_DEPTH
from tests.conftest import BASELINE, ROOT

SIM = Path(sys.executable).parent / "sim"


def write(path, text):
    path.write_text(text)
    return path


def validate(*args, timeout=60):
    """`sim validate` as a user runs it, in its own process, with a time limit."""
    return subprocess.run(
        [str(SIM), "validate", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def test_a_fifo_without_a_writer_is_named_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = validate(fifo, timeout=30)
    assert done.returncode == 2 and "is a FIFO (named pipe), not a scenario file" in done.stderr
    assert time.monotonic() - started < 20
    assert "Traceback" not in done.stderr


def test_an_endless_device_is_refused_before_a_byte_is_read():
    done = validate("/dev/zero", timeout=30)
    assert done.returncode == 2 and "/dev/zero: is a character device" in done.stderr


def test_a_folder_and_a_huge_file_are_refused(tmp_path):
    with pytest.raises(ScenarioError, match="is a folder, not a scenario file"):
        load_scenario(tmp_path)
    huge = tmp_path / "huge.yaml"
    huge.write_text("description: '" + "x" * MAX_BYTES + "'\n")
    with pytest.raises(ScenarioError, match=f"larger than {MAX_BYTES:,} bytes"):
        load_scenario(huge)


def test_deep_nesting_is_refused_with_its_line(tmp_path):
    deep = write(tmp_path / "deep.yaml", "name: deep\ndescription: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ScenarioError, match=f"deep.yaml:2: lists and mappings nested more than {MAX_DEPTH} deep"):
        load_scenario(deep)
    with pytest.raises(ScenarioError, match="nested more than"):
        load_scenario(BASELINE, sets=["description=" + "[" * 5000 + "]" * 5000])
    with pytest.raises(ScenarioError, match="at most"):
        load_scenario(BASELINE, sets=[".".join(["a"] * 5000) + "=1"])


def test_a_long_extends_chain_is_refused_without_recursion(tmp_path):
    for i in range(1200):
        write(tmp_path / f"c{i}.yaml", f"extends: c{i + 1}.yaml\n")
    with pytest.raises(ScenarioError, match=f"extends chain is longer than {MAX_EXTENDS} files"):
        load_scenario(tmp_path / "c0.yaml")


def test_extends_naming_a_folder_says_so(tmp_path):
    (tmp_path / "history").mkdir()
    path = write(tmp_path / "a.yaml", "name: a\nextends: history\n")
    with pytest.raises(ScenarioError, match=r"a.yaml:2: extends: .*history is a folder; name a scenario file"):
        load_scenario(path)


@pytest.mark.parametrize(
    "value", ["1000000000000000000000000000000", "-1.0e+300", "uniform(0, 1e30)", "choice([1, 2], weights=[1e40, 1])"]
)
def test_huge_numbers_are_refused_before_numpy_sees_them(value):
    with pytest.raises(ScenarioError, match=r"structure.phase_months.reset: .*(too large|within)"):
        load_scenario(BASELINE, sets=[f"structure.phase_months.reset={value}"])


def test_keys_that_are_not_words_are_refused(tmp_path):
    path = write(tmp_path / "k.yaml", "name: k\n? [a, b]\n: 1\n")
    with pytest.raises(ScenarioError, match="k.yaml:2: a key must be a plain word"):
        load_scenario(path)


def test_every_problem_is_reported_in_one_pass(tmp_path):
    bad = write(
        tmp_path / "bad.yaml",
        f"""\
extends: {BASELINE}
kremlin:
  cauton: 0.1
president:
  volatility: 3
schedule:
  - {{month: 2025-05, event: shock, shock: scandl}}
questions:
  - {{id: a, event: sumit, by: 2026-01}}
  - {{id: b, level: normalisation, by: 2040-01}}
""",
    )
    with pytest.raises(ScenarioError) as refused:
        load_scenario(bad)
    message = str(refused.value)
    expected = [
        r"bad.yaml:3: kremlin.cauton: unknown key; did you mean 'caution'\?",
        r"bad.yaml:5: president.volatility: a probability must lie in",
        r"bad.yaml:7: schedule.0.shock: 'scandl' is not allowed: .*; did you mean 'scandal'\?",
        r"bad.yaml:9: questions.0.event: 'sumit' is not allowed: .*; did you mean 'summit'\?",
        r"bad.yaml:10: questions.1.level: 'normalisation' is not allowed: .*; did you mean 'normalization'\?",
        r"bad.yaml:10: questions.1.by: month 2040-01 lies outside the scenario's 2025-01 to 2029-01",
    ]
    for pattern in expected:
        assert re.search(pattern, message), pattern
    assert len(message.splitlines()) == len(expected)


def test_a_year_zero_start_is_blamed_on_start():
    with pytest.raises(ScenarioError) as refused:
        load_scenario(BASELINE, sets=["start=0000-01"])
    assert "start: 0000-01: the year must lie in 1900-2199" in str(refused.value)
    assert "horizon" not in str(refused.value)


def test_weights_that_do_not_sum_to_one_are_normalised_with_a_note(caplog):
    with caplog.at_level(logging.WARNING, logger="simulator"):
        resolved = resolve_scenario(BASELINE, sets=["president.volatility=choice([0.1, 0.2], weights=[1, 1])"])
    (note,) = resolved.notes
    assert "president.volatility: choice weights sum to 2, not 1; they were normalised to [0.5, 0.5]" in note
    assert note in caplog.text
    assert resolve_scenario(BASELINE, sets=["president.volatility=choice([0.1, 0.2], weights=[0.3, 0.7])"]).notes == ()
    assert resolve_scenario(BASELINE, sets=["president.volatility=choice([0.1, 0.2])"]).notes == ()


def test_a_horizon_past_the_next_election_gets_a_note():
    notes = resolve_scenario(BASELINE, sets=["horizon=2033-01"]).notes
    assert any("spans the 2032 presidential election (2032-11)" in note for note in notes)
    assert any("spans the 2030 midterms (2030-11)" in note for note in notes)
    assert any("spans the 2033 inauguration (2033-01)" in note for note in notes)
    assert resolve_scenario(BASELINE).notes == ()


def test_notes_are_printed_and_the_scenario_still_passes():
    done = validate(BASELINE, "--set", "president.volatility=choice([0.1, 0.2], weights=[1, 1])")
    assert done.returncode == 0, done.stderr
    assert "note:" in done.stderr and "normalised" in done.stderr and done.stdout.startswith("ok ")


def test_a_number_yaml_reads_as_text_is_still_a_number():
    spec = load_scenario(BASELINE, sets=["shocks.scandal.hazard=1e-3"])
    assert spec.shocks.scandal.hazard.value == 0.001


def test_an_engine_configuration_that_is_a_fifo_is_named(tmp_path):
    os.mkfifo(tmp_path / "engine.yaml")
    done = subprocess.run(
        [str(SIM), "run", str(BASELINE), "--config-dir", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "engine.yaml: is a FIFO (named pipe)" in done.stderr
