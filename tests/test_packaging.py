"""The package carries its data: an installed wheel runs, backtests and describes from any folder."""

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from simulator.files import packaged
from simulator.results.outputs import OUTPUT_FILES
from tests.conftest import BASELINE, ROOT

#: What a checkout may hold besides the sources, left out of the copy the wheel is built from.
UNTRACKED = (".venv", ".git", "runs", "build", "*.egg-info", "__pycache__", ".*_cache")


@pytest.mark.parametrize(
    ("link", "folder"), [("configs", ("configs",)), ("scenarios/history", ("scenarios", "history"))]
)
def test_the_repository_folders_are_the_packaged_ones(link, folder):
    """``configs/`` and ``scenarios/history/`` lead to the files the package ships: one copy, nothing to drift."""
    assert (ROOT / link).resolve() == packaged(*folder).resolve()


def test_the_packaged_data_is_there():
    assert (packaged("configs") / "engine.yaml").is_file()
    assert len(list(packaged("seeds").glob("00[0-4]_*.txt"))) == 5
    assert (packaged("history") / "periods_1992_2016.csv").is_file()
    assert (packaged("scenarios", "history") / "history_1992.yaml").is_file()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment outside the repository with the wheel of this source tree installed.

    The wheel is installed without its dependencies, which the environment takes
    from the development environment's site-packages through a ``.pth`` file
    (installing them afresh takes over a minute); that folder's own ``.pth``
    files, such as the editable install's, are not run, so ``simulator`` can
    only come from the wheel.
    """
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"  # a clean copy: building in place would leave build/ behind, and reuse it
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*UNTRACKED))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(source), "--no-deps", "-w", str(base / "dist")], check=True)
    (wheel,) = (base / "dist").glob("sim-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([python, "-m", "pip", "-q", "install", "--no-deps", str(wheel)], check=True)
    return venv


def _sim(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([venv / "bin" / "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_an_installed_wheel_runs_backtests_and_describes_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [installed / "bin" / "python", "-c", "import simulator; print(simulator.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where).is_relative_to(installed), f"simulator comes from {where}, not the wheel"

    done = _sim(installed, elsewhere, "run", str(BASELINE), "--runs", "2000", "--out", "run", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (elsewhere / "run").iterdir()) == sorted(OUTPUT_FILES)
    columns = pq.read_schema(elsewhere / "run" / "runs.parquet").names
    assert "structure.erosion" in columns, "the packaged posterior sample is found and drawn from"

    done = _sim(installed, elsewhere, "backtest", "--worlds", "200", "--first", "2009-01", "--last", "2009-07",
                "--out", "bt")  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = {p.name for p in (elsewhere / "bt").iterdir()}
    assert {"questions.csv", "skill.csv", "reliability.png", "skill.md"} <= written

    done = _sim(installed, elsewhere, "describe", str(BASELINE), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["path"]: row for row in json.loads(done.stdout)}
    # The calibrated parameters are drawn from the packaged posterior sample; the rest from the packaged configs.
    assert rows["structure.erosion"]["set_in"].endswith("configs/posterior.csv"), "the packaged sample is found"
    assert "structure.yaml" in rows["structure.phase_months.crisis"]["set_in"], "the packaged configs are found"
    assert str(ROOT) not in rows["structure.erosion"]["set_in"] + rows["structure.phase_months.crisis"]["set_in"]
