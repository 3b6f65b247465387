"""A command whose optional extra is missing says which to install, in one line, with exit code 2."""

import tomllib

import pytest
from typer.testing import CliRunner

from simulator import version
from simulator.cli.app import app
from simulator.engine.workers import WorkersError, open_workers
from tests.conftest import BASELINE, ROOT

runner = CliRunner()


@pytest.fixture
def without(monkeypatch):
    """Make an extra look uninstalled: one of its modules is a name no package has."""

    def remove(extra: str) -> None:
        monkeypatch.setitem(version.EXTRAS, extra, (*version.EXTRAS[extra], "sim_no_such_module"))

    return remove


def test_every_extra_is_installed_here():
    """The tests run with every extra installed (make setup), so none is reported missing."""
    assert all(version.missing_extra(extra) is None for extra in version.EXTRAS)


def test_the_extras_checked_are_the_extras_declared():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(version.EXTRAS) == set(pyproject["project"]["optional-dependencies"]) - {"dev"}


@pytest.mark.parametrize(
    ("extra", "args"),
    [
        ("explore", ["explore", str(BASELINE), "--host", "256.0.0.1"]),  # never serves, even if the check is gone
        ("analysis", ["sensitivity", str(BASELINE)]),
        ("analysis", ["discover", "runs/none", "--outcome", "summit@2026-01"]),
    ],
)
def test_a_command_without_its_extra_names_it(without, extra, args):
    without(extra)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines() if result.stderr else result.output.strip().splitlines()
    assert len(lines) == 1
    assert "sim_no_such_module not installed" in lines[0]
    assert f"pip install '.[{extra}]'" in lines[0]


def test_dask_without_its_extra_is_a_workers_error(without):
    without("dask")
    with pytest.raises(WorkersError, match=r"pip install '\.\[dask\]'"), open_workers(dask="tcp://127.0.0.1:1"):
        pass
