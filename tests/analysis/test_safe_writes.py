"""Writes never follow a planted link, replace a group of files together, and leave the package's files alone.

Outputs were written through a predictable ``.NAME.partial.EXT`` opened
without exclusive creation, so a link planted there made a command write over
the link's target; ``sim calibrate`` replaced its three files one by one, and
wrote them into the configs folder (the package's own, by default), as ``sim
ensemble`` rewrote the shipped ``ensemble.yaml``.
"""

import errno
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.analysis import posterior, posterior_output
from simulator.analysis.calibrate import FOLDS_FILE
from simulator.cli.app import app
from simulator.files import atomically, packaged
from simulator.scenario.config import POSTERIOR_FILE
from tests.analysis.test_posterior import configs_with
from tests.conftest import BASELINE, ROOT

runner = CliRunner()
SIM = Path(sys.executable).parent / "sim"
CALIBRATE = ["calibrate", "--draws", "300", "--accept", "0.2", "--seed", "4"]
FITTED = [POSTERIOR_FILE, "calibrated.yaml", FOLDS_FILE]


def _contents(folder: Path) -> dict[str, str]:
    """Each file under ``folder`` (links as their target's name) with the SHA-256 of its bytes."""
    return {
        str(path.relative_to(folder)): f"link to {path.readlink()}"
        if path.is_symlink()
        else hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


@pytest.fixture
def victim(tmp_path) -> Path:
    """A file a planted link points at: no command may change it."""
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    return path


def test_a_link_planted_at_the_temporary_name_is_not_followed(tmp_path, victim):
    target = tmp_path / "out.csv"
    (tmp_path / ".out.partial.csv").symlink_to(victim)
    atomically(target, lambda p: p.write_text("a,b\n"))
    assert victim.read_text() == "precious\n"
    assert target.read_text() == "a,b\n" and not target.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.partial.csv", "out.csv", "victim.txt"]


def test_a_group_is_replaced_only_once_every_file_is_written(tmp_path):
    from simulator.files import together

    paths = [tmp_path / name for name in ("a.csv", "b.yaml", "c.yaml")]
    for path in paths:
        path.write_text("before\n")

    def full_disk(path: Path) -> None:
        path.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        together(
            {paths[0]: lambda p: p.write_text("new\n"), paths[1]: lambda p: p.write_text("new\n"), paths[2]: full_disk}
        )
    assert [path.read_text() for path in paths] == ["before\n"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.yaml", "c.yaml"]  # no temporary left


def test_sim_report_does_not_write_through_a_link_at_its_temporary_name(tmp_path, victim):
    run = tmp_path / "run"
    done = subprocess.run(
        [SIM, "run", str(BASELINE), "--runs", "500", "--seed", "3", "--out", str(run), "--workers", "1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (run / ".report.partial.html").symlink_to(victim)
    result = runner.invoke(app, ["report", str(run)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    report = run / "report.html"
    assert not report.is_symlink() and report.read_text().startswith("<!DOCTYPE html>")


def test_sim_calibrate_does_not_write_through_links_at_its_temporary_names(tmp_path, victim):
    configs = configs_with(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    planted = [out / ".posterior_widths.partial.csv", out / ".posterior_pairs.partial.png"]
    planted += [configs / f".{Path(name).stem}.partial{Path(name).suffix}" for name in FITTED]
    for link in planted:
        link.symlink_to(victim)
    args = [*CALIBRATE, "--config-dir", str(configs), "--out", str(out), "--force"]
    result = runner.invoke(app, [*args, "--write", str(configs / POSTERIOR_FILE)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    assert all(link.is_symlink() for link in planted)  # not followed, not moved into place
    for name in FITTED:
        assert not (configs / name).is_symlink() and (configs / name).read_text().startswith("# Written by `sim")


def test_a_calibration_whose_third_file_cannot_be_written_changes_no_config(tmp_path, monkeypatch):
    configs = configs_with(tmp_path)
    (configs / POSTERIOR_FILE).write_text("# the sample before\nstructure.erosion\n0.01\n")
    (configs / FOLDS_FILE).write_text("# the folds before\n")
    before = _contents(configs)
    write = ["--config-dir", str(configs), "--write", str(configs / POSTERIOR_FILE)]

    # A disk that fills up while the third file is written: the three are as they were.
    def full_disk(fitted, path: Path) -> None:
        path.write_text("# half")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(posterior_output, "write_held_out", full_disk)
    result = runner.invoke(app, [*CALIBRATE, *write, "--out", str(tmp_path / "o1")])
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert _contents(configs) == before
    monkeypatch.undo()

    # A third file that cannot be written at all: refused before any work.
    (configs / FOLDS_FILE).unlink()
    (configs / FOLDS_FILE).mkdir()
    before = _contents(configs)
    result = runner.invoke(app, [*CALIBRATE, *write, "--out", str(tmp_path / "o2")])
    assert result.exit_code == 2, result.output
    assert f"--write: {configs / FOLDS_FILE} is a folder" in result.output and "calibrating" not in result.output
    assert _contents(configs) == before and not (tmp_path / "o2").exists()


def test_calibrate_refuses_a_write_into_a_missing_folder_before_any_work(tmp_path):
    missing = tmp_path / "missing" / "dir" / POSTERIOR_FILE
    result = runner.invoke(app, [*CALIBRATE, "--write", str(missing), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert f"the folder {missing.parent} does not exist" in " ".join(result.output.split())
    assert "calibrating" not in result.output and not (tmp_path / "missing").exists()


@pytest.fixture
def shipped():
    """The package's configs, as they were before the test, to compare with after it."""
    before = _contents(packaged("configs"))
    yield before
    assert _contents(packaged("configs")) == before


def test_calibrate_writes_into_its_output_folder_by_default(tmp_path, shipped):
    out = tmp_path / "out"
    result = runner.invoke(app, [*CALIBRATE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _contents(packaged("configs")) == shipped
    for name in FITTED:
        assert (out / name).read_text().startswith("# Written by `sim calibrate`")
    assert "--write CONFIGS/posterior.csv" in " ".join(result.output.split())


def test_ensemble_writes_its_weights_into_its_output_folder_by_default(tmp_path, shipped):
    blend = tmp_path / "blend.yaml"
    members = ", ".join(str(ROOT / "scenarios" / f"{stem}.yaml") for stem in ("trump2025", "black_swans"))
    blend.write_text(f"ensemble:\n  weights: fitted\n  members: [{members}]\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["ensemble", str(blend), "--runs", "200", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _contents(packaged("configs")) == shipped
    assert (out / "ensemble.yaml").read_text().startswith("# Written by `sim ensemble`")


def test_replacing_a_file_says_what_it_replaced(tmp_path):
    configs = configs_with(tmp_path)
    target = configs / POSTERIOR_FILE
    args = [*CALIBRATE, "--config-dir", str(configs), "--out", str(tmp_path / "o"), "--write", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"Replaced {configs / 'calibrated.yaml'}." in " ".join(result.output.split())


def test_a_calibration_keeping_too_few_draws_for_its_summaries_is_refused_before_any_work(tmp_path):
    out = tmp_path / "o"
    result = runner.invoke(app, ["calibrate", "--draws", "1000", "--accept", "0.01", "--out", str(out)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    fewest = posterior.fewest_kept()
    assert "keeps only 10 of them" in said and f"needs at least {fewest}" in said and "calibrating" not in said
    assert not out.exists()


def test_ensemble_refuses_a_write_into_a_missing_folder_before_any_work(tmp_path):
    blend = tmp_path / "blend.yaml"
    blend.write_text(f"ensemble:\n  weights: fitted\n  members: [{ROOT / 'scenarios' / 'trump2025.yaml'}]\n")
    missing = tmp_path / "missing" / "ensemble.yaml"
    args = ["ensemble", str(blend), "--runs", "200", "--write", str(missing), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"the folder {missing.parent} does not exist" in " ".join(result.output.split())
    assert "scoring" not in result.output and not (tmp_path / "o").exists()


def test_a_group_whose_last_target_is_a_folder_replaces_none(tmp_path):
    from simulator.files import together

    first, last = tmp_path / "a.csv", tmp_path / "b"
    first.write_text("before\n")
    last.mkdir()
    with pytest.raises(IsADirectoryError):
        together({first: lambda p: p.write_text("new\n"), last: lambda p: p.write_text("new\n")})
    assert first.read_text() == "before\n" and last.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b"]
