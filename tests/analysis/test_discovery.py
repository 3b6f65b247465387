import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.analysis.discovery import DiscoveryError, discover
from simulator.analysis.outcomes import Outcome
from simulator.cli.app import app

runner = CliRunner()
PLANTED = Outcome("planted", "summit", "2026-01", "the planted outcome")


def test_prim_recovers_a_planted_rule():
    # The outcome holds where a < 0.4 and b > 0.2, nine times in ten; c is irrelevant.
    rng = np.random.default_rng(11)
    x = pd.DataFrame({name: rng.uniform(size=2500) for name in "abc"})
    y = ((x["a"] < 0.4) & (x["b"] > 0.2)).to_numpy() & (rng.uniform(size=2500) < 0.9)
    found = discover(x, y, PLANTED)
    limits = found.box.limits
    assert set(limits.index) == {"a", "b"}
    assert np.isnan(limits.loc["a", "low"]) and limits.loc["a", "high"] == pytest.approx(0.4, abs=0.03)
    assert np.isnan(limits.loc["b", "high"]) and limits.loc["b", "low"] == pytest.approx(0.2, abs=0.03)
    assert found.box.coverage > 0.9 and found.box.density > 0.8
    assert found.box.words(PLANTED).startswith("a below 0.")
    densest = found.rules.iloc[0]
    assert "a at most" in densest["rule"] and "b above" in densest["rule"] and densest["density"] > 0.8
    assert found.rules["coverage"].sum() == pytest.approx(1)


def test_an_outcome_in_every_world_has_nothing_to_discover():
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    with pytest.raises(DiscoveryError, match="every world has it"):
        discover(x, np.ones(50, dtype=bool), PLANTED)


def test_the_chosen_box_is_on_the_trajectory_it_is_reported_with():
    # A weak signal among eight assumptions: the chosen box's insignificant restrictions are dropped,
    # each drop adding a box at the trajectory's end, and the box reported must be a row of it.
    rng = np.random.default_rng(1)
    x = pd.DataFrame({name: rng.uniform(size=400) for name in "abcdefgh"})
    y = (x["a"] < 0.5).to_numpy() & (rng.uniform(size=400) < 0.5)
    found = discover(x, y, PLANTED)
    row = found.trajectory.set_index("box").loc[found.box.index]
    assert found.box.index == found.trajectory["box"].max()  # a restriction was dropped: the box is the last added
    assert row["coverage"] == pytest.approx(found.box.coverage) and row["density"] == pytest.approx(found.box.density)


@pytest.mark.slow
def test_cli_discover_on_a_run(small_run, tmp_path):
    out = tmp_path / "found"
    result = runner.invoke(app, ["discover", str(small_run), "--outcome", "ceasefire_2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "discovery.json").read_text())
    worlds = pd.read_parquet(small_run / "runs.parquet")
    assert summary["worlds"] == len(worlds)
    assert summary["base_rate"] == pytest.approx((worlds["first_month_ceasefire"] <= "2026-12").mean())
    box = pd.read_csv(out / "prim_box.csv")
    assert set(box["assumption"]) <= {c for c in worlds.columns if "." in c}
    assert summary["box"]["coverage"] >= 0.5
    assert (out / "prim_trajectory.png").stat().st_size > 10_000
    bad = runner.invoke(app, ["discover", str(small_run), "--outcome", "ceasefire_2026", "--box", "999"])
    assert bad.exit_code == 2 and "peeling trajectory has boxes" in bad.output
