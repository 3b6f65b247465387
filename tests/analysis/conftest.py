"""A small finished run of the baseline, shared by the analysis tests that read a run folder."""

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from tests.conftest import BASELINE


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small_run") / "run"
    args = ["run", BASELINE, "--runs", 6000, "--seed", 5, "--out", folder, "--save-trajectories", "--workers", 1]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return folder
