import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import simulator
from simulator.analysis import sensitivity as sa
from simulator.analysis.outcomes import OutcomeError, parse_outcome, parse_outcomes
from simulator.api import Execution
from simulator.cli.app import app
from simulator.engine.design import Design
from simulator.scenario.distributions import Fixed
from simulator.scenario.domains import domains
from tests.conftest import BASELINE

runner = CliRunner()

#: A scenario built so that one assumption alone drives an outcome: whether a scandal has struck by
#: mid-2025 depends on the scandal hazard only (varied over [0, 0.2]); the other three do not touch it.
KNOWN = f"""
extends: {BASELINE}
name: one_driver
schedule: []
sensitivity:
  ranges:
    shocks.scandal.hazard: [0.0, 0.2]
"""
ONLY = ["shocks.scandal.hazard", "kremlin.caution", "president.volatility", "congress.aid_floor"]


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    path = tmp_path_factory.mktemp("known") / "one_driver.yaml"
    path.write_text(KNOWN)
    return simulator.load_scenario(path)


def test_sobol_finds_the_one_assumption_that_drives_the_outcome(known):
    chosen, _ = sa.factors(known, only=ONLY)
    assert sorted(f.path for f in chosen) == sorted(ONLY)
    outcomes = [parse_outcome(known, "scandal@2025-06")]
    quantiles = sa.sample(chosen, "sobol", 128, seed=1)
    design = sa.design_of(chosen, quantiles, 128)
    shares = sa.evaluate(known, design, outcomes, seed=1)
    ranking = sa.analyse(chosen, quantiles, shares, outcomes, "sobol", 128, seed=1).ranking("scandal@2025-06")
    driver = ranking.loc["shocks.scandal.hazard"]
    assert ranking.index[0] == "shocks.scandal.hazard"
    assert driver["S1"] > 0.85 and abs(driver["S1"] - 1) <= driver["S1_conf"] + 0.05
    for path in ONLY[1:]:
        other = ranking.loc[path]
        assert abs(other["S1"]) <= other["S1_conf"] + 0.02
        assert other["ST"] < 0.05


def test_fixed_assumptions_get_ranges_from_block_spread_and_domain(known):
    chosen, held = sa.factors(known, spread=0.5)
    by_path = {f.path: f for f in chosen}
    assert (by_path["shocks.scandal.hazard"].low, by_path["shocks.scandal.hazard"].high) == (0.0, 0.2)
    caution = known.kremlin.caution.value
    assert by_path["kremlin.caution"].low == pytest.approx(caution / 2)
    assert by_path["kremlin.caution"].high == pytest.approx(min(1.0, caution * 1.5))
    assert by_path["president.volatility"].how == "distribution"
    bounds = domains(known)
    assert all(bounds[f.path][0] <= f.low < f.high <= bounds[f.path][1] for f in chosen)
    assert all(reason.startswith("fixed at 0") for reason in held.values())
    whole, _ = sa.factors(known, only=["kremlin.*"], use_domain=True)
    assert all((f.low, f.high) == bounds[f.path] for f in whole if f.how == "domain")
    assert any(f.how == "domain" for f in whole)
    with pytest.raises(sa.SensitivityError, match="no assumption"):
        sa.factors(known, only=["nobody.*"])


def test_factor_values_follow_the_distribution(known):
    volatility = next(f for f in sa.factors(known)[0] if f.path == "president.volatility")
    quantiles = np.linspace(0, 1, 11)
    assert volatility.values(quantiles) == pytest.approx(known.president.volatility.ppf(quantiles))


def test_outcomes_are_parsed_or_named_as_wrong(baseline):
    assert parse_outcome(baseline, "normalization@2028-12").event == "level>=3"
    assert parse_outcome(baseline, "summit").by == str(baseline.horizon)
    assert [o.name for o in parse_outcomes(baseline, None)] == [q.id for q in baseline.questions]
    with pytest.raises(OutcomeError, match="neither a question id"):
        parse_outcome(baseline, "peace_dividend@2026-01")
    with pytest.raises(OutcomeError, match="outside the scenario"):
        parse_outcome(baseline, "summit@2040-01")


def test_cli_morris_screen_writes_indices_and_tornado(tmp_path, known):
    scenario = tmp_path / "one_driver.yaml"
    scenario.write_text(KNOWN)
    out = tmp_path / "screen"
    args = ["sensitivity", scenario, "--method", "morris", "--samples", "8", "--worlds-per-point", "64"]
    args += [arg for path in ONLY for arg in ("--only", path)]
    result = runner.invoke(app, [str(a) for a in [*args, "--outcome", "scandal@2025-06", "--out", out]])
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(out / "indices.csv")
    mu_star = indices[indices["measure"] == "mu_star"].set_index("assumption")["value"]
    assert mu_star.idxmax() == "shocks.scandal.hazard"
    assert (out / "tornado_scandal_2025-06.png").stat().st_size > 10_000
    settings = json.loads((out / "sensitivity.json").read_text())
    assert settings["method"] == "morris" and settings["worlds_per_point"] == 64
    again = runner.invoke(app, [str(a) for a in [*args, "--out", out]])
    assert again.exit_code == 2 and "--force" in again.output


def test_cli_given_data_from_a_run_folder(tmp_path, small_run):
    run = small_run
    out = tmp_path / "given"
    result = runner.invoke(app, ["sensitivity", str(run), "--outcome", "tough_2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(out / "indices.csv")
    varying = [c for c in pd.read_parquet(run / "runs.parquet").columns if "." in c]
    assert set(indices["assumption"]) == set(varying)
    assert indices["value"].between(0, 1).all()


def test_cli_bad_input_is_one_message_and_exit_2(tmp_path):
    for args, message in [
        (["sensitivity", str(BASELINE), "--outcome", "nothing@2026-01"], "neither a question id"),
        (["sensitivity", str(BASELINE), "--samples", "100"], "power of two"),
        (["sensitivity", str(tmp_path)], "not a finished run folder"),
        (["sensitivity", str(BASELINE), "--method", "pawn"], "choose one of sobol, morris"),
    ]:
        result = runner.invoke(app, [*args, "--out", str(tmp_path / "x")])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output  # the message alone, before any work


def test_noise_correction_removes_the_binomial_inflation():
    # Shares of W worlds whose chance depends on the first of three quantiles only.
    rng = np.random.default_rng(0)
    chosen = [sa.Factor(f"x{i}", Fixed(0.5), 0.0, 1.0, "test") for i in range(3)]
    quantiles = sa.sample(chosen, "sobol", 512, seed=2)
    worlds = 16
    shares = rng.binomial(worlds, 0.2 + 0.6 * quantiles[:, 0]) / worlds
    outcome = sa.Outcome("y", "summit", "2026-01", "y")
    analysis = sa.analyse(chosen, quantiles, shares[None, :], [outcome], "sobol", worlds, seed=2)
    ranking = analysis.ranking("y")
    assert analysis.noise["y"] > 0.2  # noisy enough that raw total indices of x1, x2 would be far from 0
    assert ranking.loc["x0", "S1"] == pytest.approx(1, abs=ranking.loc["x0", "S1_conf"] + 0.05)
    assert ranking.loc[["x1", "x2"], "ST"].abs().max() < 0.05


def test_point_shares_are_those_of_the_worlds_whatever_the_chunks_and_workers(baseline):
    # 1,500 worlds a point: points straddle chunks of 4,096 worlds, which run here and in a helper process.
    outcomes = parse_outcomes(baseline, None)
    design = Design({"kremlin.caution": np.array([0.1, 0.5, 0.9])}, repeat=1500)
    shares = sa.evaluate(baseline, design, outcomes, seed=5, execution=Execution(chunk_worlds=4096, workers=2))
    worlds = pa.Table.from_pandas(simulator.run(baseline, seed=5, design=design).worlds)
    point = worlds.column("design_row").to_numpy()
    for outcome, share in zip(outcomes, shares, strict=True):
        expected = [outcome.hits(worlds)[point == row].mean() for row in range(design.rows)]
        assert share == pytest.approx(expected)
    assert 0 < shares.mean() < 1


def test_noise_correction_recovers_shared_indices_that_the_noise_would_halve():
    # p = 0.1 + 0.4 x0 + 0.4 x1: each of x0, x1 has S1 = ST = 1/2, x2 none; 8 worlds a point.
    rng = np.random.default_rng(1)
    chosen = [sa.Factor(f"x{i}", Fixed(0.5), 0.0, 1.0, "test") for i in range(3)]
    quantiles = sa.sample(chosen, "sobol", 2048, seed=3)
    worlds = 8
    shares = rng.binomial(worlds, 0.1 + 0.4 * quantiles[:, 0] + 0.4 * quantiles[:, 1]) / worlds
    outcome = sa.Outcome("y", "summit", "2026-01", "y")
    analysis = sa.analyse(chosen, quantiles, shares[None, :], [outcome], "sobol", worlds, seed=3)
    ranking = analysis.ranking("y")
    nu = analysis.noise["y"]
    assert 0.4 < nu < 0.8  # uncorrected, the shared indices would read below 0.3
    for driver in ("x0", "x1"):
        for measure in ("S1", "ST"):
            assert ranking.loc[driver, measure] == pytest.approx(0.5, abs=ranking.loc[driver, f"{measure}_conf"] + 0.03)
    assert abs(ranking.loc["x2", "ST"]) < 0.05
    base = sa.sobol_base_rows(len(shares), 3)
    assert len(base) == 2 * 2048 and (quantiles[base[1::2]] != quantiles[base[::2]]).all()


def test_directions_say_which_way_an_assumption_moves_the_outcome():
    rng = np.random.default_rng(4)
    x = rng.uniform(size=(2000, 4))
    x[:, 3] = 0.5  # does not vary
    y = (rng.uniform(size=2000) < 0.2 + 0.6 * x[:, 0] * (1 - x[:, 1])).astype(float)
    assert sa.directions(x, y).tolist() == [1.0, -1.0, 0.0, 0.0]


def test_pawn_reports_direction_and_its_noise_floor(tmp_path, small_run):
    out = tmp_path / "given"
    result = runner.invoke(app, ["sensitivity", str(small_run), "--outcome", "tough_2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "median: the typical slice's shift, maximum: the largest" in " ".join(result.output.split())
    assert "Noise floor" in result.output and "higher value" in result.output
    floor = json.loads((out / "sensitivity.json").read_text())["noise_floor"]["tough_2026"]
    assert 0 < floor["median"] < floor["maximum"] < 0.5
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["direction"]) <= {-1.0, 0.0, 1.0}


def test_tornado_shows_direction_and_draws_no_negative_bars():
    from matplotlib.colors import to_hex

    from simulator.analysis.drivers_output import DIRECTION_COLOURS, tornado

    rows = [
        ("up", "ST", 0.5, 0.05, 1.0),
        ("down", "ST", 0.2, 0.05, -1.0),
        ("noise", "ST", -0.004, 0.01, 0.0),
        ("up", "S1", 0.4, 0.05, 1.0),
        ("down", "S1", 0.1, 0.05, -1.0),
        ("noise", "S1", -0.02, 0.01, 0.0),
    ]
    indices = pd.DataFrame([("q", *row) for row in rows], columns=sa.INDEX_COLUMNS)
    analysis = sa.Analysis("sobol", indices, [])
    outcome = type("O", (), {"name": "q", "text": "Will it?"})()
    fig = tornado(analysis, outcome, "a subtitle")
    ax = fig.axes[0]
    outer = [p for p in ax.patches if abs(p.get_height() - 0.8) < 1e-9]
    assert min(p.get_width() for p in ax.patches) >= 0
    colours = {round(p.get_y() + p.get_height() / 2): to_hex(p.get_facecolor()) for p in outer}
    assert colours == {2: DIRECTION_COLOURS[1], 1: DIRECTION_COLOURS[-1], 0: DIRECTION_COLOURS[0]}
    labels = [t.get_text() for t in ax.texts]
    assert "-0.00" not in labels and sorted(labels) == ["0", "0.20", "0.50"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "higher value makes it likelier" in legend and "higher value makes it less likely" in legend


def test_tornado_labels_small_indices_to_three_decimals_and_marks_the_noise_floor():
    from simulator.analysis.drivers_output import tornado

    rows = [("a", "median", 0.063, np.nan, -1.0), ("b", "median", 0.004, np.nan, 0.0)]
    rows += [("a", "maximum", 0.14, np.nan, -1.0), ("b", "maximum", 0.01, np.nan, 0.0)]
    indices = pd.DataFrame([("q", *row) for row in rows], columns=sa.INDEX_COLUMNS)
    analysis = sa.Analysis("pawn", indices, [], floor={"q": {"median": 0.008, "maximum": 0.02}})
    outcome = type("O", (), {"name": "q", "text": "Will it?"})()
    ax = tornado(analysis, outcome, "a subtitle").axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["0.004", "0.063"]
    floor = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(floor) == 1 and floor[0].get_xdata()[0] == 0.008
