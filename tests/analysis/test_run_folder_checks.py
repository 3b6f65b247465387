"""Analysis commands check that a run folder's files belong to one run and are whole before using them.

``metadata.json`` records the SHA-256 of the files the analysis commands read;
a file copied from another run, or cut short, is one message naming it, exit 2,
where it used to be used silently or end in a traceback.
"""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.files import packaged
from tests.conftest import BASELINE

runner = CliRunner()
SIGNPOSTS = ["--outcome", "ceasefire_2026", "--by", "2025-12"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two finished runs of the baseline, with different seeds and one assumption changed."""
    folder = tmp_path_factory.mktemp("runs")
    for name, seed, volatility in (("a", 1, "0.2"), ("b", 2, "0.3")):
        args = ["run", str(BASELINE), "--runs", "400", "--seed", str(seed), "--out", str(folder / name)]
        args += ["--set", f"president.volatility={volatility}"]
        result = runner.invoke(app, [*args, "--workers", "1", "--save-trajectories"])
        assert result.exit_code == 0, result.output
    return folder


def _copy(runs, tmp_path, name="a"):
    return shutil.copytree(runs / name, tmp_path / name)


def test_metadata_records_the_hash_of_each_file_the_analyses_read(runs):
    recorded = json.loads((runs / "a" / "metadata.json").read_text())["files"]
    assert set(recorded) == {"summary.json", "runs.parquet", "trajectories.parquet", "scenario.resolved.yaml"}


@pytest.mark.parametrize("name", ["runs.parquet", "trajectories.parquet", "scenario.resolved.yaml"])
def test_a_file_from_another_run_is_refused(runs, tmp_path, name):
    run = _copy(runs, tmp_path)
    shutil.copy(runs / "b" / name, run / name)
    result = runner.invoke(app, ["signposts", str(run), *SIGNPOSTS, "--out", str(tmp_path / "s")])
    assert result.exit_code == 2, result.output
    assert str(run / name) in " ".join(result.output.split()) and "not the file this run wrote" in result.output
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("name", ["runs.parquet", "trajectories.parquet"])
def test_a_table_cut_short_is_one_message(runs, tmp_path, name):
    run = _copy(runs, tmp_path)
    metadata = json.loads((run / "metadata.json").read_text())
    del metadata["files"]  # as a folder written before the hashes were recorded: wholeness is still checked
    (run / "metadata.json").write_text(json.dumps(metadata))
    (run / name).write_bytes((run / name).read_bytes()[:-100])
    for command in (["signposts", str(run), *SIGNPOSTS], ["discover", str(run), "--outcome", "ceasefire_2026"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert f"{name}: damaged or cut short" in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output


def test_report_names_a_damaged_or_missing_summary(runs, tmp_path):
    run = _copy(runs, tmp_path)
    (run / "summary.json").write_text('{"scenario": "trump')
    result = runner.invoke(app, ["report", str(run)])
    assert result.exit_code == 2 and "summary.json" in result.output, result.output
    assert not (run / "report.html").exists()
    (run / "summary.json").unlink()
    result = runner.invoke(app, ["report", str(run)])
    assert result.exit_code == 2 and "summary.json: missing" in result.output, result.output
    metadata = json.loads((run / "metadata.json").read_text())
    del metadata["files"]  # a folder written before the hashes were recorded
    (run / "metadata.json").write_text(json.dumps(metadata))
    result = runner.invoke(app, ["report", str(run)])
    assert result.exit_code == 2 and "no summary.json" in result.output, result.output
    assert "cannot write" not in result.output


def _configs(tmp_path) -> Path:
    folder = tmp_path / "configs"
    shutil.copytree(packaged("configs"), folder)
    return folder


def _run(folder: Path, *sets: str):
    args = ["run", str(BASELINE), "--runs", "100", "--config-dir", str(folder), "--out", str(folder.parent / "r")]
    return runner.invoke(app, [*args, *(a for s in sets for a in ("--set", s))])


def test_a_configs_folder_without_its_posterior_sample_is_one_error(tmp_path):
    folder = _configs(tmp_path)
    (folder / "posterior.csv").unlink()
    result = _run(folder)
    assert result.exit_code == 2, result.output
    said = "".join(result.output.split())  # the message names the missing file, however it is wrapped
    assert str(folder / "posterior.csv") in said and "calibration:posterior" in said
    assert "--set calibration=point" in result.output and not (tmp_path / "r").exists()
    assert _run(folder, "calibration=point").exit_code == 0  # the point values need no sample
    (folder / "posterior.csv").mkdir()
    result = _run(folder)
    assert result.exit_code == 2 and "posterior.csv" in result.output and "Traceback" not in result.output


def test_a_posterior_sample_cut_short_or_damaged_is_one_error(tmp_path):
    folder = _configs(tmp_path)
    text = (folder / "posterior.csv").read_text()
    cut = text[: len(text) // 2]
    (folder / "posterior.csv").write_text(cut[: cut.rindex("\n") + 1])  # whole rows, fewer than the header says
    result = _run(folder)
    assert result.exit_code == 2, result.output
    assert "posterior.csv" in result.output and "cut short" in result.output
    (folder / "posterior.csv").write_text(cut)  # cut mid-row
    result = _run(folder)
    assert result.exit_code == 2 and "posterior.csv" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("indices.csv", b"\xff\xfe\x00 not a table"),
        ("signposts.csv", b"signpost,lift\nwar,1.0\n"),
        ("discovery.json", b'{"outcome": "ceasefire'),
    ],
)
def test_report_names_an_included_folder_it_cannot_read(runs, tmp_path, name, damage):
    include = tmp_path / "analysis"
    include.mkdir()
    (include / name).write_bytes(damage)
    args = ["report", str(runs / "a"), "--include", str(include), "--out", str(tmp_path / "r.html")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"{include}: its tables cannot be read" in " ".join(result.output.split())
    assert "Traceback" not in result.output and not (tmp_path / "r.html").exists()
