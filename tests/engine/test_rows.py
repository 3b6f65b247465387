"""Per-world rows: runs.parquet, and the month-by-month paths written on request."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.model.randomness import BLOCK
from simulator.results.outputs import OUTPUT_FILES
from simulator.vocabulary import LEVELS
from tests.conftest import BASELINE, write_engine

RUNS = BLOCK + 300


@pytest.fixture(scope="module")
def saved(tmp_path_factory, baseline):
    out = tmp_path_factory.mktemp("trajectories") / "out"
    config = out.parent / "engine.yaml"
    write_engine(config, f"runs: {RUNS}\nseed: 6\noutput_root: {out.parent}\nchunk_worlds: {BLOCK}\n")
    result = CliRunner(env={"SIM_CONFIG_DIR": str(config.parent)}).invoke(
        app, ["run", str(BASELINE), "--out", str(out), "--save-trajectories", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    return out, baseline.months


def test_trajectories_are_written_only_on_request(saved):
    out, _ = saved
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "trajectories.parquet"])


def test_each_world_has_one_row_per_month_in_order(saved):
    out, months = saved
    paths = pd.read_parquet(out / "trajectories.parquet")
    assert len(paths) == RUNS * months
    assert list(paths.columns[:5]) == ["world", "month", "level", "phase", "war"]
    assert np.array_equal(paths["world"].to_numpy(), np.repeat(np.arange(RUNS), months))
    assert paths["month"].iloc[0] == "2025-01" and paths["month"].iloc[months - 1] == "2029-01"


def test_paths_agree_with_the_outcomes_and_the_monthly_means(saved):
    out, months = saved
    paths = pd.read_parquet(out / "trajectories.parquet")
    worlds = pd.read_parquet(out / "runs.parquet")
    level = paths["level"].cat.codes.to_numpy().reshape(RUNS, months)
    assert np.array_equal(level[:, -1], worlds["final_level"].cat.codes.to_numpy())
    assert np.array_equal(level.max(axis=1), worlds["max_level"].cat.codes.to_numpy())
    assert list(paths["level"].cat.categories) == list(LEVELS)
    means = pd.read_csv(out / "state_by_month.csv")
    by_month = paths.groupby("month", observed=True)["sanctions"].mean().to_numpy()
    assert np.allclose(by_month, means["sanctions"], atol=1e-6)
