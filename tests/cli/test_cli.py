import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import simulator
from simulator.api import posterior_design
from simulator.cli.app import COMMANDS, app
from simulator.results.outputs import OUTPUT_FILES
from simulator.scenario import load_scenario
from simulator.scenario.config import load_config
from simulator.vocabulary import EVENTS, LEVELS, PHASES
from tests.conftest import BASELINE, ROOT, SCENARIOS, write_engine

runner = CliRunner()


def sim(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_run_writes_every_output_well_formed(tmp_path, scenario):
    out = tmp_path / "out"
    result = sim("run", scenario, "--runs", 1500, "--seed", 3, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    spec = load_scenario(scenario)

    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == spec.name and summary["runs"] == 1500 and summary["seed"] == 3
    assert (summary["start"], summary["horizon"]) == (str(spec.start), str(spec.horizon))
    assert list(summary["final_level_probabilities"]) == list(LEVELS)
    assert sum(summary["final_level_probabilities"].values()) == pytest.approx(1)
    assert sum(summary["max_level_probabilities"].values()) == pytest.approx(1)
    assert set(summary["events"]) == set(EVENTS)
    assert {q.id for q in spec.questions} == set(summary["questions"])
    assert all(0 <= q["probability"] <= 1 for q in summary["questions"].values())

    levels = pd.read_csv(out / "levels_by_month.csv")
    assert list(levels.columns) == ["month", *LEVELS]
    assert np.allclose(levels[list(LEVELS)].sum(axis=1), 1)
    assert len(levels) == spec.months and levels["month"].iloc[-1] == str(spec.horizon)
    assert list(pd.read_csv(out / "phases_by_month.csv").columns) == ["month", *PHASES]
    assert list(pd.read_csv(out / "events_by_month.csv").columns) == ["month", *EVENTS]

    worlds = pd.read_parquet(out / "runs.parquet")
    assert len(worlds) == 1500
    assert {"final_level", "max_level", "first_month_summit", "first_month_normalization"} <= set(worlds)
    months = worlds["first_month_summit"].dropna()
    assert months.str.fullmatch(r"\d{4}-\d{2}").all()

    assert load_scenario(out / "scenario.resolved.yaml") == spec
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["seed"] == 3 and metadata["versions"]["mesa"].startswith("3.5")
    drawn = posterior_design(spec, 3)  # what the worlds drew from the posterior sample, if anything
    if drawn is None:
        assert metadata["posterior_sample"] is None
    else:
        sample = Path(metadata["posterior_sample"]["file"])
        assert sample.name == "posterior.csv"
        assert metadata["posterior_sample"]["sha256"] == hashlib.sha256(sample.read_bytes()).hexdigest()
        assert metadata["posterior_sample"]["parameters"] == sorted(drawn.paths)
    if scenario.name == "trump2025.yaml":
        assert "structure.erosion" in metadata["posterior_sample"]["parameters"]
    assert (out / "levels_over_time.png").read_bytes()[:4] == b"\x89PNG"
    assert "Level of relations in" in result.output
    assert ("Questions" in result.output) == bool(spec.questions)


def test_a_run_at_point_values_names_no_posterior_sample(tmp_path):
    out = tmp_path / "out"
    assert sim("run", BASELINE, "--runs", 200, "--set", "calibration=point", "--out", out).exit_code == 0
    assert json.loads((out / "metadata.json").read_text())["posterior_sample"] is None


def test_existing_output_is_refused_and_kept(tmp_path):
    out = tmp_path / "out"
    assert sim("run", BASELINE, "--runs", 500, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    refused = sim("run", BASELINE, "--runs", 600, "--out", out)
    assert refused.exit_code == 2
    assert "is not empty" in refused.output and "--force" in refused.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    forced = sim("run", BASELINE, "--runs", 600, "--out", out, "--force")
    assert forced.exit_code == 0
    assert json.loads((out / "summary.json").read_text())["runs"] == 600


def test_bad_scenario_is_one_message_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASELINE.read_text().replace("  engaged_at_start: 1.0 ", "  engaged_at_start: 5 "))
    result = sim("run", bad, "--runs", 100, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "president.engaged_at_start" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [["--runs", "0"], ["--seed", "-1"], ["--bogus"]])
def test_bad_options_exit_2(tmp_path, args):
    result = sim("run", BASELINE, *args)
    assert result.exit_code == 2


def test_default_output_folder_comes_from_the_engine_config(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    (tmp_path / "configs" / "engine.yaml").write_text(
        f"runs: 700\nseed: 5\noutput_root: {tmp_path / 'runs'}\nchunk_worlds: 4096\n"
    )
    monkeypatch.setenv("SIM_CONFIG_DIR", str(tmp_path / "configs"))
    result = sim("run", BASELINE)
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.startswith("trump2025-")
    summary = json.loads((folder / "summary.json").read_text())
    assert (summary["runs"], summary["seed"]) == (700, 5)


def test_broken_engine_config_is_named(tmp_path, monkeypatch):
    (tmp_path / "engine.yaml").write_text("runs: -3\nseed: 5\noutput_root: runs\nchunk_worlds: 4096\n")
    monkeypatch.setenv("SIM_CONFIG_DIR", str(tmp_path))
    result = sim("run", BASELINE)
    assert result.exit_code == 2 and "engine.yaml: runs:" in result.output


def test_an_engine_config_of_one_line_changes_only_that_and_every_bad_key_is_named(tmp_path, monkeypatch):
    from simulator.scenario.config import load_config

    shipped = load_config(ROOT / "configs")
    (tmp_path / "engine.yaml").write_text("runs: 321\n")
    partial = load_config(tmp_path)
    assert partial.runs == 321 and partial.model_copy(update={"runs": shipped.runs}) == shipped
    (tmp_path / "engine.yaml").write_text("runs: -3\nworkers: 0\n")
    monkeypatch.setenv("SIM_CONFIG_DIR", str(tmp_path))
    result = sim("run", BASELINE)
    assert result.exit_code == 2 and "engine.yaml: runs:" in result.output and "engine.yaml: workers:" in result.output


def test_a_local_configs_folder_without_the_parameter_sets_says_how_to_fix_it(tmp_path, monkeypatch):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "engine.yaml").write_text("workers: 1\n")
    monkeypatch.chdir(tmp_path)
    result = sim("run", BASELINE, "--runs", "10")
    assert result.exit_code == 2 and "calibrated.yaml" in result.output and "--config-dir" in result.output


@pytest.mark.slow
def test_installed_command_runs_as_a_user_would(tmp_path):
    sim_command = Path(sys.executable).parent / "sim"
    assert shutil.which(str(sim_command)), "pip install should provide a `sim` command"
    done = subprocess.run(
        [sim_command, "run", BASELINE, "--runs", "800", "--out", tmp_path / "out"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Outputs written to" in done.stdout
    missing = subprocess.run([sim_command, "run", tmp_path / "missing.yaml"], capture_output=True, text=True)
    assert missing.returncode == 2
    assert "cannot read the scenario" in missing.stderr and "Traceback" not in missing.stderr


def test_a_terminal_that_cannot_show_unicode_gets_stand_ins_not_a_traceback():
    sim_command = Path(sys.executable).parent / "sim"
    env = {**os.environ, "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sim_command, "describe", BASELINE], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "president.deal_drive" in done.stdout and "?" in done.stdout  # the dashes and quotes, replaced


def test_progress_bar_shows_worlds_done_speed_and_time_left(tmp_path, monkeypatch):
    import io

    from rich.console import Console

    from simulator.cli import render

    screen = io.StringIO()
    monkeypatch.setattr(render, "errors", Console(file=screen, force_terminal=True, width=160))
    result = sim("run", BASELINE, "--runs", 9000, "--out", tmp_path / "out", "--workers", 1)
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert "/9,000 worlds" in shown and "worlds/s" in shown and "0:00:" in shown


def test_version():
    result = sim("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"sim {simulator.__version__}"


def test_run_header_labels_the_simulation_time_and_the_time_end_to_end(tmp_path):
    result = sim("run", BASELINE, "--runs", 500, "--seed", 3, "--out", tmp_path / "out", "--workers", 1)
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    assert re.search(
        r"trump2025: 500 worlds, seed 3, 2025-01 to \d{4}-\d\d simulation [\d.]+ s \([\d,]+ worlds/s\); "
        r"[\d.]+ s end to end, writing the outputs included",
        shown,
    ), shown[:300]


def test_too_many_draws_names_the_draws_option(tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    write_engine(configs / "engine.yaml", "max_runs: 200\n")
    args = ["calibrate", "--draws", "300", "--config-dir", configs, "--out", tmp_path / "out"]
    done = runner.invoke(app, [str(a) for a in args])
    assert done.exit_code == 2
    assert "--draws 300 is more than the 200" in done.output and "--runs" not in done.output


# The terminal a newcomer meets --------------------------------------------------------------


def test_the_default_compare_folder_has_a_short_name(tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    write_engine(configs / "engine.yaml", f"output_root: {tmp_path / 'runs'}\nworkers: 1\n")
    library = [ROOT / "scenarios" / f"{name}.yaml" for name in ("trump2025", "deni_structural", "zhao_success")]
    for scenarios in (library[:2], library):
        done = sim("compare", *scenarios, "--runs", 200, "--config-dir", configs)
        assert done.exit_code == 0, done.output
    names = sorted(folder.name for folder in (tmp_path / "runs").iterdir())
    assert len(names) == 2 and all(len(name) < 60 for name in names), names
    assert names[0].startswith("compare-trump2025-2-more-") and names[1].startswith("compare-trump2025-deni_structur")


@pytest.mark.parametrize("command", [[], *[[name] for name in COMMANDS]], ids=lambda c: " ".join(c) or "sim")
def test_help_fits_80_columns_and_shows_real_defaults(command):
    done = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80", "TERMINAL_WIDTH": "80"})
    assert done.exit_code == 0, done.output
    assert "…" not in done.output, f"a cut word in sim {' '.join(command)} --help:\n{done.output}"
    assert max(len(line) for line in done.output.splitlines()) <= 80
    if command in (["run"], ["compare"], ["explore"]):
        words = " ".join(re.sub("[│╭╮╰╯─]", " ", done.output).split())
        assert f"(default {load_config().runs}, from engine.yaml)" in words, words
