"""Running an ensemble: worlds split by weight, pooled exactly, depending on the seed alone."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.api import Execution, allocate, member_seed, run, run_ensemble
from simulator.cli.app import app
from simulator.engine.tally import Tally
from simulator.results.outputs import OUTPUT_FILES
from simulator.scenario import load_scenario
from simulator.scenario.ensemble import load_ensemble
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"
runner = CliRunner()


def ensemble_file(tmp_path, members: dict[str, float], name: str = "blend"):
    """An ensemble file beside copies-by-extension of the shipped scenarios."""
    lines = [f"name: {name}", "ensemble:", "  members:"]
    for stem, weight in members.items():
        (tmp_path / f"{stem}.yaml").write_text(f"extends: {SCENARIOS / (stem + '.yaml')}\n")
        lines.append(f"    {stem}.yaml: {weight}")
    path = tmp_path / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def same_tally(a: Tally, b: Tally) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)


@pytest.mark.parametrize(
    ("weights", "runs"),
    [([0.5, 0.5], 7), ([0.2, 0.3, 0.5], 1000), ([1 / 3] * 3, 100), ([0.0, 1.0], 5), ([0.761, 0.167, 0.072], 9999)],
)
def test_allocation_sums_to_the_runs_and_stays_within_one_world_of_the_weight(weights, runs):
    counts = allocate(weights, runs)
    assert sum(counts) == runs
    assert all(abs(c - w * runs) < 1 for c, w in zip(counts, weights, strict=True))
    assert all(c == 0 for c, w in zip(counts, weights, strict=True) if w == 0)
    assert counts == allocate(weights, runs)


def test_member_seeds_keep_the_first_and_differ_for_the_others():
    seeds = [member_seed(11, k) for k in range(6)]
    assert seeds[0] == 11 and len(set(seeds)) == 6
    assert seeds == [member_seed(11, k) for k in range(6)]


def test_an_ensemble_of_one_member_is_that_members_run(tmp_path):
    ensemble = load_ensemble(ensemble_file(tmp_path, {"hawkish_congress": 1.0}))
    pooled = run_ensemble(ensemble, runs=600, seed=5)
    alone = run(ensemble.members[0].spec, runs=600, seed=5)
    assert same_tally(pooled.tally, alone.tally)
    pd.testing.assert_frame_equal(pooled.levels_by_month, alone.levels_by_month)
    # The posterior row a world took is the member's own numbering: the pool keeps the drawn values only,
    # among the assumption columns in the schema's order.
    alone_worlds = alone.worlds.drop(columns="design_row")
    pd.testing.assert_frame_equal(pooled.worlds.drop(columns="member"), alone_worlds, check_like=True)
    assert set(pooled.worlds["member"]) == {"hawkish_congress"}
    assert pooled.summary()["questions"] == alone.summary()["questions"]


def test_the_pool_is_the_members_runs_put_together(tmp_path):
    ensemble = load_ensemble(ensemble_file(tmp_path, {"trump2025": 0.25, "zhao_success": 0.75}))
    pooled = run_ensemble(ensemble, runs=800, seed=9)
    counts = allocate([0.25, 0.75], 800)
    parts = [
        run(m.spec, runs=n, seed=member_seed(9, k))
        for k, (m, n) in enumerate(zip(ensemble.members, counts, strict=True))
    ]
    assert same_tally(pooled.tally, parts[0].tally + parts[1].tally)
    worlds = pooled.worlds
    assert list(worlds["world"]) == list(range(800))
    assert list(worlds["member"]) == ["trump2025"] * counts[0] + ["zhao_success"] * counts[1]
    # zhao_success draws its president's volatility from its own distribution, the baseline from another:
    # both members' rows carry the column, each with its own draws.
    for k, part in enumerate(parts):
        mine = worlds[worlds["member"] == ensemble.members[k].spec.name].reset_index(drop=True)
        pd.testing.assert_series_equal(mine["president.volatility"], part.worlds["president.volatility"])
    expected = (
        counts[0] * parts[0].probability_by("ceasefire", "2026-12")
        + counts[1] * parts[1].probability_by("ceasefire", "2026-12")
    ) / 800
    assert pooled.probability_by("ceasefire", "2026-12") == pytest.approx(expected, abs=1e-12)
    assert [m["worlds"] for m in pooled.summary()["ensemble"]] == counts


def test_an_ensemble_depends_on_the_seed_alone_not_on_workers_or_chunks(tmp_path):
    ensemble = load_ensemble(ensemble_file(tmp_path, {"trump2025": 0.4, "black_swans": 0.6}))
    one = run_ensemble(ensemble, runs=9000, seed=3, execution=Execution(workers=1))
    two = run_ensemble(ensemble, runs=9000, seed=3, execution=Execution(workers=2, chunk_worlds=4096))
    assert same_tally(one.tally, two.tally)
    pd.testing.assert_frame_equal(one.worlds, two.worlds)
    other = run_ensemble(ensemble, runs=9000, seed=4)
    assert not same_tally(one.tally, other.tally)


def test_sim_run_and_compare_take_an_ensemble_file(tmp_path):
    blend = ensemble_file(tmp_path, {"trump2025": 0.5, "zhao_success": 0.5})
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(blend), "--runs", "700", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Members of the ensemble" in result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "blend" and summary["runs"] == 700
    assert [(m["scenario"], m["worlds"]) for m in summary["ensemble"]] == [("trump2025", 350), ("zhao_success", 350)]
    worlds = pd.read_parquet(out / "runs.parquet")
    assert list(worlds["world"]) == list(range(700)) and worlds["member"].value_counts().to_dict() == {
        "trump2025": 350,
        "zhao_success": 350,
    }
    assert load_scenario(out / "scenario.resolved.yaml").name == "blend"  # the run folder's tools can read it

    resumed = runner.invoke(app, ["run", str(blend), "--resume", str(out)])
    assert resumed.exit_code == 2 and "cannot be resumed" in resumed.output

    compared = runner.invoke(
        app,
        [
            "compare",
            str(SCENARIOS / "trump2025.yaml"),
            str(blend),
            "--runs",
            "700",
            "--seed",
            "2",
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert compared.exit_code == 0, compared.output
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    relief = table[(table["quantity"] == "relief_2027") & (table["scenario"] == "blend")]
    assert relief["probability"].iloc[0] == pytest.approx(summary["questions"]["relief_2027"]["probability"])
