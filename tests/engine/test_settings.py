"""Run settings are resolved once, from engine.yaml and what was given, alike for `sim`, the API and the explorer."""

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import simulator
from simulator import api
from simulator.cli import run_commands
from simulator.cli.app import app
from simulator.engine.settings import RunSettings, SettingsError
from simulator.scenario.config import load_config
from tests.conftest import BASELINE, write_engine

runner = CliRunner()


@pytest.fixture
def configs(tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    write_engine(folder / "engine.yaml", "runs: 300\nseed: 77\nmax_runs: 5000\nworkers: 1\n")
    return folder


def test_what_is_not_given_comes_from_engine_yaml(configs):
    config = load_config(configs)
    settings = RunSettings.resolve(config)
    assert (settings.runs, settings.seed, settings.workers, settings.chunk_worlds) == (300, 77, 1, config.chunk_worlds)
    given = RunSettings.resolve(config, runs=400, seed=0, workers=2)
    assert (given.runs, given.seed, given.workers) == (400, 0, 2)


@pytest.mark.parametrize(("runs", "said"), [(0, "--runs must be at least 1"), (6000, "--runs 6,000 is more than")])
def test_a_number_of_worlds_out_of_bounds_is_refused_in_one_place(configs, runs, said):
    with pytest.raises(SettingsError, match=said):
        RunSettings.resolve(load_config(configs), runs=runs)
    with pytest.raises(SettingsError, match=said):
        simulator.run(BASELINE, runs=runs, config=load_config(configs))


def test_the_api_and_sim_run_share_their_defaults(configs, tmp_path, monkeypatch):
    monkeypatch.setenv("SIM_CONFIG_DIR", str(configs))
    from_api = simulator.run(BASELINE, out=tmp_path / "api")
    assert (from_api.runs, from_api.seed) == (300, 77)
    done = runner.invoke(app, ["run", str(BASELINE), "--out", str(tmp_path / "cli")])
    assert done.exit_code == 0, done.output
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert (summary["runs"], summary["seed"]) == (300, 77)
    assert pq.read_table(tmp_path / "cli" / "runs.parquet").equals(pq.read_table(tmp_path / "api" / "runs.parquet"))


def test_the_api_does_not_replace_an_earlier_run_unless_told(tmp_path):
    simulator.run(BASELINE, runs=50, seed=1, out=tmp_path / "run")
    with pytest.raises(ValueError, match="not empty|--force"):
        simulator.run(BASELINE, runs=50, seed=1, out=tmp_path / "run")
    assert simulator.run(BASELINE, runs=50, seed=1, out=tmp_path / "run", force=True).runs == 50


def test_sim_run_draws_from_the_posterior_sample_once(tmp_path, monkeypatch):
    made, original = [], api.posterior_design

    def counted(spec, seed):
        made.append(seed)
        return original(spec, seed)

    monkeypatch.setattr(api, "posterior_design", counted)
    monkeypatch.setattr(run_commands, "posterior_design", counted)
    done = runner.invoke(app, ["run", str(BASELINE), "--runs", "200", "--seed", "5", "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    assert made == [5]
