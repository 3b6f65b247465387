"""Calibration as inference: the ABC posterior, its files, and forecasts that draw from it."""

import math
import shutil

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from simulator.analysis import posterior, posterior_output
from simulator.analysis.backtest import load_history
from simulator.analysis.calibrate import FOLDS_FILE, PARAMETERS, read_folds
from simulator.api import Execution, run, run_ensemble
from simulator.cli.app import app
from simulator.results.outputs import check_output_dir
from simulator.scenario import load_scenario, override
from simulator.scenario.config import POSTERIOR_FILE
from simulator.scenario.ensemble import load_ensemble
from tests.conftest import BASELINE, ROOT

runner = CliRunner()
EROSION, REALISM = "structure.erosion", "structure.phase_months.realism"
#: Off the prior's centre, so that recovering them is not the prior's doing.
PLANTED = {
    "structure.phase_months.realism": 60.0,
    "structure.phase_months.disillusionment": 10.0,
    "structure.erosion": 0.005,
    "structure.down.disillusionment": 3.0,
    "structure.reset_chance": 0.3,
}


@pytest.fixture(scope="module")
def specs():
    return load_history()


@pytest.fixture(scope="module")
def small(specs):
    """A tiny posterior against the record."""
    return posterior.calibrate(specs, draws=400, accept=0.1, seed=2)


def configs_with(tmp_path, sample: pd.DataFrame | None = None):
    """A configs folder holding the shipped parameter sets and, if given, a posterior sample."""
    folder = tmp_path / "configs"
    folder.mkdir(parents=True)
    for name in ("engine.yaml", "structure.yaml", "calibrated.yaml"):
        shutil.copy(ROOT / "configs" / name, folder / name)
    if sample is not None:
        (folder / POSTERIOR_FILE).write_text("# a test sample\n" + sample.to_csv(index=False))
    return folder


def test_prior_stays_in_bounds_and_hazards_follow_the_record_counts():
    prior = posterior.draw_prior(20_000, np.random.default_rng(1))
    for path, (low, high) in PARAMETERS.items():
        assert prior[path].between(low, high).all()
    # Log-uniform: the median is the bounds' geometric mean, not their midpoint.
    low, high = PARAMETERS[REALISM]
    assert prior[REALISM].median() == pytest.approx(math.sqrt(low * high), rel=0.05)
    counts = posterior.hazard_counts()
    assert counts["nato_enlargement"] > counts["shared_threat"] > counts["black_swan"] == 0
    for shock, count in counts.items():
        mean = (count + 0.5) / posterior.RECORD_MONTHS
        assert prior[f"shocks.{shock}.hazard"].mean() == pytest.approx(mean, rel=0.1)


def test_record_summaries():
    observed = posterior.observed_summaries()
    assert list(observed.index) == posterior.summary_names()
    assert observed["1992 months to crisis"] == pytest.approx(math.log(86))
    assert observed["2009 months to disillusionment"] == pytest.approx(math.log(34))
    for key in posterior.CYCLES:
        phases = observed[[n for n in observed.index if n.startswith(f"{key} share in")]]
        assert phases.sum() == pytest.approx(1)
        for half in posterior.HALVES:
            at_least = observed[[n for n in observed.index if n.startswith(f"{key} share at or above") and half in n]]
            assert len(at_least) == 4 and (np.diff(at_least.to_numpy()) <= 0).all(), "higher levels: fewer months"
    # The record's cycles fall: the second half of 2009-2016 sits lower than the first.
    above = "2009 share at or above selective_cooperation"
    assert observed[f"{above}, second half"] < observed[f"{above}, first half"]


def test_planted_parameters_are_recovered(specs):
    """Summaries simulated at known values: the posterior sits nearer them than the prior does."""
    cycles = posterior.cycle_specs(specs)
    planted = posterior.draw_prior(200, np.random.default_rng(7))
    for path, value in PLANTED.items():
        planted[path] = value
    observed = posterior.simulate(cycles, planted, seed=107).median()
    fitted = posterior.calibrate(specs, draws=2000, accept=0.05, seed=7, observed=observed)

    truth = posterior._to_free(pd.DataFrame([PLANTED])).iloc[0]
    spread_after = ((posterior._to_free(fitted.sample[list(PLANTED)]) - truth) ** 2).mean()
    spread_before = ((posterior._to_free(fitted.prior[list(PLANTED)]) - truth) ** 2).mean()
    ratio = spread_after / spread_before
    # The phase lengths and erosion are what history's summaries speak to.
    assert (ratio[["structure.phase_months.realism", "structure.phase_months.disillusionment", EROSION]] < 0.7).all()
    assert spread_after.sum() < 0.85 * spread_before.sum()


def test_leaving_a_cycle_out_uses_the_other_cycles_only(small):
    everything = small.held_out(list(posterior.CYCLES))
    assert everything == pytest.approx(small.medians(), rel=1e-3)
    without = small.held_out(["1992", "2001"])
    assert set(without) == set(PARAMETERS) and without != everything
    for path, value in without.items():
        assert PARAMETERS[path][0] <= value <= PARAMETERS[path][1]


def test_widths_compare_posterior_with_prior(small):
    table = posterior_output.widths(small).set_index("parameter")
    assert set(PARAMETERS) <= set(table.index)
    assert (table["prior_low"] < table["prior_high"]).all()
    assert (table["posterior_low"] <= table["posterior_median"]).all()
    assert (table["posterior_median"] <= table["posterior_high"]).all()
    assert table["width_ratio"].gt(0).all()


def test_files_say_how_they_were_made_and_round_trip(small, tmp_path):
    folder = configs_with(tmp_path)
    posterior_output.write_sample(small, folder / POSTERIOR_FILE)
    posterior_output.write_point(small, folder / "calibrated.yaml")
    posterior_output.write_held_out(small, folder / FOLDS_FILE)

    text = (folder / POSTERIOR_FILE).read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for said in ("seed 2", "400 draws", "prior:", "log-uniform on [6, 96]", "summaries", "tolerance", "accepted: "):
        assert said in header
    read = pd.read_csv(folder / POSTERIOR_FILE, comment="#")
    assert list(read.columns) == list(small.sample.columns)
    assert np.allclose(read.to_numpy(), small.sample.to_numpy(), rtol=1e-5)

    assert set(read_folds(folder / FOLDS_FILE)) == set(posterior.CYCLES)
    assert set(read_folds(folder / FOLDS_FILE, section="rolling")) == {"2001"}
    spec = load_scenario(BASELINE, config_dir=folder)
    assert spec.structure.erosion.value == pytest.approx(small.medians()[EROSION])
    assert spec.posterior is not None and spec.posterior.sample == (folder / POSTERIOR_FILE).resolve()


def _sample() -> pd.DataFrame:
    """A posterior of two rows, far apart, and a hazard the baseline sets itself."""
    return pd.DataFrame(
        {EROSION: [0.005, 0.08], REALISM: [10.0, 80.0], "shocks.black_swan.hazard": [0.5, 0.5]},
    )


def _worlds(spec, runs=9000, seed=3, **execution):
    result = run(spec, runs=runs, seed=seed, execution=Execution(**execution))
    return result, result.worlds


def test_each_world_draws_a_row_of_the_posterior(tmp_path):
    folder = configs_with(tmp_path, _sample())
    spec = load_scenario(BASELINE, config_dir=folder)
    result, worlds = _worlds(spec)
    assert set(worlds[EROSION].round(6)) == {0.005, 0.08}
    assert worlds[EROSION].eq(0.005).mean() == pytest.approx(0.5, abs=0.03)
    # Rows are drawn whole: a world's realism goes with its erosion.
    assert (worlds[REALISM] == np.where(worlds[EROSION] == 0.005, 10.0, 80.0)).all()
    assert "shocks.black_swan.hazard" not in worlds, "the scenario sets its own hazard: the sample does not replace it"
    # Which row a world takes depends only on the seed: not on chunking, nor on the number of worlds.
    _, rechunked = _worlds(spec, chunk_worlds=4096)
    pd.testing.assert_frame_equal(worlds, rechunked)
    _, fewer = _worlds(spec, runs=5000)
    pd.testing.assert_frame_equal(worlds.iloc[:5000], fewer)
    _, other_seed = _worlds(spec, seed=4)
    assert not other_seed[EROSION].equals(worlds[EROSION])
    # The spread reaches the forecast: slow erosion keeps relations higher.
    slow = worlds[EROSION] == 0.005
    final = worlds["final_level"].cat.codes
    assert final[slow].mean() > final[~slow].mean()


def test_set_and_point_calibration_keep_the_point_values(tmp_path):
    folder = configs_with(tmp_path, _sample())
    spec = load_scenario(BASELINE, sets=[f"{EROSION}=0.03"], config_dir=folder)
    _, worlds = _worlds(spec, runs=4096)
    assert EROSION not in worlds and set(worlds[REALISM]) == {10.0, 80.0}, "--set wins; the rest still draw"
    overridden = override(load_scenario(BASELINE, config_dir=folder), {REALISM: 30})
    _, worlds = _worlds(overridden, runs=4096)
    assert REALISM not in worlds and EROSION in worlds

    args = ["run", str(BASELINE), "--runs", "100", "--config-dir", str(folder), "--out", str(tmp_path / "r")]
    said = runner.invoke(app, args)
    words = " ".join(said.output.split())
    assert said.exit_code == 0, said.output
    assert f"drew {EROSION}, {REALISM} from the posterior" in words and "--set calibration=point" in words
    point = load_scenario(BASELINE, sets=["calibration=point"], config_dir=folder)
    # The point values need no sample (without one, `calibration: posterior` is an error naming the file).
    without_sample = load_scenario(BASELINE, sets=["calibration=point"], config_dir=configs_with(tmp_path / "bare"))
    a, point_worlds = _worlds(point, runs=4096)
    b, bare_worlds = _worlds(without_sample, runs=4096)
    assert EROSION not in point_worlds and "design_row" not in point_worlds
    pd.testing.assert_frame_equal(point_worlds, bare_worlds)
    pd.testing.assert_frame_equal(a.levels_by_month, b.levels_by_month)


def test_history_scenarios_run_the_point_values():
    assert load_scenario(ROOT / "scenarios" / "history" / "history_2001.yaml").posterior is None


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [(EROSION, 7.0, "lies outside"), ("structure.no_such_thing", 1.0, "is not an assumption")],
)
def test_a_sample_that_does_not_fit_is_one_message(tmp_path, column, value, message):
    folder = configs_with(tmp_path, pd.DataFrame({column: [value]}))
    result = runner.invoke(app, ["run", str(BASELINE), "--runs", "100", "--config-dir", str(folder)])
    assert result.exit_code == 2, result.output
    assert POSTERIOR_FILE in result.output and message in result.output
    assert "Traceback" not in result.output


def test_calibrate_command_writes_the_posterior_and_its_plot(tmp_path):
    folder = configs_with(tmp_path)
    out = tmp_path / "out"
    args = ["calibrate", "--draws", "300", "--accept", "0.2", "--config-dir", str(folder), "--out", str(out)]
    result = runner.invoke(app, [*args, "--write", str(folder / POSTERIOR_FILE)])
    assert result.exit_code == 0, result.output
    assert "width ratio" in result.output and EROSION in result.output
    sample = pd.read_csv(folder / POSTERIOR_FILE, comment="#")
    assert len(sample) == 60 and set(PARAMETERS) <= set(sample.columns)
    assert set(read_folds(folder / FOLDS_FILE)) == set(posterior.CYCLES)
    assert {"posterior_pairs.png", "posterior_widths.csv", "posterior_sample.csv"} <= {p.name for p in out.iterdir()}
    check_output_dir(out, force=True)  # --force may replace what calibrate wrote
    # Forecasts from this configs folder now draw from what was written.
    spec = load_scenario(BASELINE, config_dir=folder)
    assert spec.posterior is not None
    rows = run(spec, runs=200, seed=1, out=tmp_path / "run").rows.out / "runs.parquet"
    assert EROSION in pq.read_schema(rows).names


def test_calibrate_refuses_an_unwritable_destination_before_any_work_and_changes_no_config(tmp_path):
    folder = configs_with(tmp_path)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for where in (["--out", str(blocker / "out")], ["--write", str(blocker / "posterior.csv")]):
        args = ["calibrate", "--draws", "300", "--accept", "0.2", "--config-dir", str(folder), *where]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "cannot write to" in result.output and str(blocker) in result.output
        assert "Traceback" not in result.output and "calibrating" not in result.output
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_an_ensemble_keeps_what_each_member_drew_and_what_it_set(tmp_path):
    folder = configs_with(tmp_path, _sample())
    lines = ["name: blend", "ensemble:", "  members:"]
    for stem, weight in {"trump2025": 0.5, "deni_structural": 0.5}.items():
        (tmp_path / f"{stem}.yaml").write_text(f"extends: {ROOT / 'scenarios' / (stem + '.yaml')}\n")
        lines.append(f"    {stem}.yaml: {weight}")
    (tmp_path / "blend.yaml").write_text("\n".join(lines) + "\n")
    pooled = run_ensemble(load_ensemble(tmp_path / "blend.yaml", config_dir=folder), runs=4096, seed=1).worlds
    by_member = pooled.groupby("member")[EROSION]
    assert set(by_member.get_group("trump2025").round(6)) == {0.005, 0.08}, "drawn world by world"
    deni = load_scenario(ROOT / "scenarios" / "deni_structural.yaml").structure.erosion.value
    assert set(by_member.get_group("deni_structural")) == {deni}, "the thesis's own erosion"


def test_an_ensemble_whose_sample_does_not_fit_is_one_message(tmp_path):
    folder = configs_with(tmp_path, pd.DataFrame({EROSION: [7.0]}))
    shutil.copy(ROOT / "configs" / "ensemble.yaml", folder / "ensemble.yaml")
    ensemble = ROOT / "scenarios" / "ensemble.yaml"
    args = ["run", ensemble, "--runs", 100, "--config-dir", folder, "--out", tmp_path / "out"]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert POSTERIOR_FILE in result.output and "lies outside" in result.output
    assert not (tmp_path / "out").exists(), "refused before anything is written"
