"""Ctrl-C or SIGTERM in a long analysis command: one line saying what was kept, exit 128 + the signal.

The commands share one mechanism (``simulator.cli.options._interruptible``). Each is stopped
here in-process, with the signal sent while its work runs, and three are stopped as a user
stops them: a real ``sim`` process sent SIGINT or SIGTERM while it works.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from tests.conftest import BASELINE, ROOT, write_engine

runner = CliRunner()
SIM = Path(os.environ.get("VIRTUAL_ENV", "/work/main/.venv")) / "bin" / "sim"
OUTCOME = ["--outcome", "ceasefire_2026"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "run"
    simulator.run(BASELINE, runs=2000, seed=1, out=out, trajectories=True)
    return out


def _signalled(original=None, signum=signal.SIGINT):
    """A stand-in for the command's work that receives ``signum`` while it runs (after the real work, if given)."""

    def work(*args, **kwargs):
        result = original(*args, **kwargs) if original else None
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the handler interrupts this at once
        return result

    return work


#: Each long command, the function doing its work, and what its line says was kept.
COMMANDS = {
    "sensitivity": ("simulator.analysis.sensitivity.given_data", "no indices written"),
    "discover": ("simulator.analysis.discovery.discover", "nothing written"),
    "signposts": ("simulator.analysis.signposts.signposts", "nothing written"),
    "report": ("simulator.analysis.report.write_report", "report.html not written"),
    "calibrate": ("simulator.analysis.posterior.calibrate", "the three fitted files are unchanged"),
    "backtest": ("simulator.analysis.outofsample.run", "no scores written"),
    "ensemble": ("simulator.analysis.ensemble.fit_ensemble_rolling", "no weights written"),
    "validity": ("simulator.analysis.validity.measure", "no table written"),
}


def _args(command, run, tmp_path):
    out = ["--out", str(tmp_path / "out")]
    return {
        "sensitivity": [str(run), *OUTCOME, *out],
        "discover": [str(run), *OUTCOME, *out],
        "signposts": [str(run), *OUTCOME, "--by", "2025-12", *out],
        "report": [str(run)],
        "calibrate": ["--draws", "1000", "--accept", "0.1", *out],
        "backtest": ["--worlds", "100", "--first", "1994-01", "--last", "1994-01", "--placebo-worlds", "0", *out],
        "ensemble": ["--runs", "10", *out],
        "validity": [str(BASELINE), "--worlds", "10"],
    }[command]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_each_long_command_with_one_line(command, signum, run, tmp_path, monkeypatch):
    target, kept = COMMANDS[command]
    monkeypatch.setattr(target, _signalled(signum=signum))
    previous = signal.getsignal(signal.SIGTERM)
    result = runner.invoke(app, [command, *_args(command, run, tmp_path)])
    assert result.exit_code == 128 + signum, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted: ") and kept in lines[0], result.stderr
    assert not (run / "report.html").exists()
    assert signal.getsignal(signal.SIGTERM) is previous  # the command gives the signals back


def test_ctrl_c_in_the_last_phase_of_a_sensitivity_design_is_not_ignored(tmp_path, monkeypatch):
    from simulator.analysis import sensitivity

    monkeypatch.setattr(sensitivity, "design_analysis", _signalled(sensitivity.design_analysis))
    args = ["sensitivity", str(BASELINE), *OUTCOME, "--only", "president.*", "--samples", "2"]
    result = runner.invoke(app, [*args, "--worlds-per-point", "1", "--workers", "1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 130, result.output
    assert result.stderr.strip() == "interrupted: no indices written", result.stderr
    assert not any((tmp_path / "o").glob("*.csv"))


# A real `sim`, stopped as a user stops it -------------------------------------------------


@pytest.fixture(scope="module")
def configs(tmp_path_factory):
    path = tmp_path_factory.mktemp("configs") / "engine.yaml"
    write_engine(path, f"runs: 1000\nseed: 1\noutput_root: {path.parent}\nmax_runs: {10**13}\n")
    return path.parent


def _stopped(configs, args, signum):
    """``sim ARGS`` in its own process group, sent ``signum`` once it is at work; its exit code and stderr."""
    process = subprocess.Popen(
        [str(SIM), *map(str, args)],
        cwd=ROOT,
        env={"SIM_CONFIG_DIR": str(configs), "PATH": str(SIM.parent), "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    watched, deadline = psutil.Process(process.pid), time.monotonic() + 120
    while watched.cpu_times().user < 6:  # past importing the command line (about 2 s), into the work
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.1)
    os.killpg(process.pid, signum)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "signum", "kept"),
    [
        (["calibrate", "--draws", "100000"], signal.SIGTERM, "nothing fitted; the three fitted files are unchanged"),
        (["backtest", "--worlds", "20000"], signal.SIGINT, "no scores written"),
        (["sensitivity", BASELINE, *OUTCOME, "--samples", "1024", "--workers", "1"], signal.SIGINT, "no indices"),
    ],
    ids=["calibrate-sigterm", "backtest-sigint", "sensitivity-sigint"],
)
def test_a_real_sim_stopped_during_a_long_command_says_so_in_one_line(configs, tmp_path, args, signum, kept):
    code, stderr = _stopped(configs, [*args, "--out", tmp_path / "out"], signum)
    assert code == 128 + signum, stderr
    assert "Traceback" not in stderr and stderr.count("interrupted:") == 1 and kept in stderr, stderr
