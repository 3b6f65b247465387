"""max_runs covers every design's worlds and every ensemble's members; absurd sizes are one message, at once."""

import shutil
import time

from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.files import packaged
from tests.conftest import BASELINE, ROOT

runner = CliRunner()


def _refused_fast(args: list[str], *words: str) -> str:
    began = time.monotonic()
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert time.monotonic() - began < 20, "refused before any work"
    said = " ".join(result.output.split())
    assert all(word in said for word in words), said
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return said


def test_a_design_larger_than_max_runs_is_refused_before_it_is_drawn(tmp_path):
    out = tmp_path / "o"
    _refused_fast(
        ["sensitivity", str(BASELINE), "--samples", "16777216", "--outcome", "ceasefire_2026", "--out", str(out)],
        "design points x 64 worlds",
        "max_runs",
        "lower --samples or --worlds-per-point",
    )
    _refused_fast(
        ["sensitivity", str(BASELINE), "--samples", "2", "--worlds-per-point", "1000000000000", "--out", str(out)],
        "max_runs",
    )
    assert not out.exists()


def test_an_ensemble_listing_a_member_many_times_is_refused_at_once(tmp_path):
    member = ROOT / "scenarios" / "trump2025.yaml"
    blend = tmp_path / "blend.yaml"
    blend.write_text("ensemble:\n  weights: equal\n  members:\n" + f"    - {member}\n" * 2000)
    _refused_fast(["run", str(blend), "--runs", "1000", "--out", str(tmp_path / "o")], "is listed twice")


def test_sim_ensemble_counts_every_members_worlds_against_max_runs(tmp_path):
    configs = shutil.copytree(packaged("configs"), tmp_path / "configs")
    (configs / "engine.yaml").write_text("max_runs: 1000\n")
    blend = tmp_path / "blend.yaml"
    members = ", ".join(str(ROOT / "scenarios" / f"{stem}.yaml") for stem in ("trump2025", "black_swans"))
    blend.write_text(f"ensemble:\n  weights: fitted\n  members: [{members}]\n")
    args = ["ensemble", str(blend), "--runs", "200", "--config-dir", str(configs), "--out", str(tmp_path / "o")]
    _refused_fast(args, "2 members x 120 origins x --runs 200 = 48,000 worlds", "max_runs")
    _refused_fast([*args, "--questions", "1992-2016"], "2 members x 3 origins x --runs 200 = 1,200 worlds", "max_runs")
    assert not (tmp_path / "o").exists()
