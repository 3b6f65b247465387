"""`sim discover` on assumption columns it cannot use: missing values are refused, constant ones named.

PRIM reads a missing value (NaN) as no restriction, so a table with holes would give boxes that
look like findings; constant columns leave it nothing to peel. Both are one message, exit 2.
"""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import simulator
from simulator.analysis.discovery import run_inputs
from simulator.analysis.outcomes import parse_outcomes
from simulator.cli.app import app
from simulator.scenario import load_scenario
from simulator.scenario.schema import assumptions
from tests.conftest import BASELINE

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("discover") / "run"
    simulator.run(BASELINE, runs=2000, seed=1, out=out)
    return out


def edited(run, tmp_path, change):
    """A copy of ``run`` whose runs.parquet's assumption columns ``change`` edits (hashes forgotten, as an old run)."""
    copy = shutil.copytree(run, tmp_path / "run")
    names = [path for path, _ in assumptions(load_scenario(copy / "scenario.resolved.yaml"))]
    frame = pd.read_parquet(copy / "runs.parquet")
    change(frame, [name for name in names if name in frame.columns])
    frame.to_parquet(copy / "runs.parquet")
    metadata = json.loads((copy / "metadata.json").read_text())
    metadata.pop("files", None)
    (copy / "metadata.json").write_text(json.dumps(metadata))
    return copy


def discover(folder):
    return runner.invoke(app, ["discover", str(folder), "--outcome", "ceasefire_2026"])


def test_half_missing_assumption_values_are_refused_not_read_as_no_restriction(run, tmp_path):
    def blank_half(frame, names):
        for name in names:
            frame.loc[frame.index[::2], name] = np.nan

    result = discover(edited(run, tmp_path, blank_half))
    assert result.exit_code == 2, result.output
    assert "has no value (NaN) in 1,000 of 2,000 worlds" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "run" / "discover-ceasefire_2026" / "prim_box.csv").exists()


def test_constant_assumptions_are_one_clear_message(run, tmp_path):
    def hold(frame, names):
        for name in names:
            frame[name] = frame[name].iloc[0]

    result = discover(edited(run, tmp_path, hold))
    assert result.exit_code == 2, result.output
    assert "has the same value in every world; nothing to discover" in result.stderr, result.output


def test_whole_columns_still_reach_prim(run):
    spec = load_scenario(run / "scenario.resolved.yaml")
    x, y = run_inputs(spec, run / "runs.parquet", parse_outcomes(spec, ["ceasefire_2026"])[0])
    assert len(x) == len(y) == 2000 and x.shape[1] > 0 and not x.isna().any().any()
