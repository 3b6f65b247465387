"""`sim score` on damaged run folders: one message naming the file, exit 2, never a traceback."""

import shutil

import pytest
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from tests.conftest import BASELINE

ANSWERS = "answers:\n  - {id: summit_2025, event: summit, by: 2025-12, outcome: true}\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    simulator.run(BASELINE, runs=300, seed=1, out=out)
    return out


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe binary", "not the table sim run writes"),
        (b"", "it is empty"),
        (b"month,summit\n2025-12,0.5\n", "no column 'contact_resumed'"),
        (None, "its values are not probabilities"),
    ],
    ids=["binary", "empty", "columns", "values"],
)
def test_a_damaged_table_is_one_message(tmp_path, run_dir, damage, message):
    damaged = tmp_path / "run"
    shutil.copytree(run_dir, damaged)
    table = damaged / "events_by_month.csv"
    table.write_bytes(damage if damage is not None else table.read_bytes().replace(b"0.", b"x."))
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS)
    result = CliRunner().invoke(app, ["score", str(damaged), str(answers)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{table}: " in result.output and message in result.output, result.output


def test_a_binary_answers_file_is_one_message(tmp_path, run_dir):
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(b"\xff\xfe\x00binary")
    result = CliRunner().invoke(app, ["score", str(run_dir), str(answers)])
    assert result.exit_code == 2 and "answers.yaml:1: not UTF-8 text" in result.output


def test_the_undamaged_run_scores(tmp_path, run_dir):
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS)
    result = CliRunner().invoke(app, ["score", str(run_dir), str(answers)])
    assert result.exit_code == 0 and "summit_2025" in result.output
