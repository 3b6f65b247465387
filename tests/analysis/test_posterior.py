"""Calibration as inference: the ABC posterior on the monthly record, its fits as of each month, its files, and
forecasts that draw from it."""

import shutil

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from simulator.analysis import posterior, posterior_output, posterior_summaries, rolling
from simulator.analysis.calibrate import FOLDS_FILE, LINEAR, PARAMETERS, PRIOR_CENTRE, fit_as_of, read_folds
from simulator.api import Execution, run, run_ensemble
from simulator.cli.app import app
from simulator.record import Record, packaged_record
from simulator.results.outputs import check_output_dir
from simulator.scenario import load_scenario, override
from simulator.scenario.config import POSTERIOR_FILE
from simulator.scenario.ensemble import load_ensemble
from simulator.vocabulary import LEVELS
from tests.conftest import BASELINE, ROOT

runner = CliRunner()
EROSION, REALISM = "structure.erosion", "structure.phase_months.realism"
DEAL, AIMS = "president.deal_drive", "kremlin.aims_weight"
#: Off the prior's centre, so that recovering them is not the prior's doing.
PLANTED = {
    "structure.phase_months.realism": 60.0,
    "structure.phase_months.disillusionment": 10.0,
    "structure.erosion": 0.004,
    "structure.down.disillusionment": 3.0,
    "structure.reset_chance": 0.3,
    "kremlin.aims_weight": 9.0,
    "allies.accept_value": 0.0,
    "kremlin.stall_value": 2.0,
    "president.deal_drive": 0.0,
}


@pytest.fixture(scope="module")
def small():
    """Tiny fits against the record, as of two fit points and its end."""
    return posterior.calibrate(draws=300, accept=0.2, seed=2, repeat=2, points=("1999-01", "2009-01", "2024-12"))


def configs_with(tmp_path, sample: pd.DataFrame | None = None):
    """A configs folder holding the shipped parameter sets and, if given, a posterior sample."""
    folder = tmp_path / "configs"
    folder.mkdir(parents=True)
    for name in ("engine.yaml", "structure.yaml", "calibrated.yaml"):
        shutil.copy(ROOT / "configs" / name, folder / name)
    if sample is not None:
        (folder / POSTERIOR_FILE).write_text("# a test sample\n" + sample.to_csv(index=False))
    return folder


def test_prior_stays_in_bounds():
    prior = posterior.draw_prior(20_000, np.random.default_rng(1))
    assert list(prior.columns) == list(PARAMETERS)
    for path, (low, high) in PARAMETERS.items():
        assert prior[path].between(low, high).all()
        # Log-uniform: the median is the bounds' geometric mean; uniform: their midpoint.
        assert prior[path].median() == pytest.approx(PRIOR_CENTRE[path], rel=0.05, abs=0.05)
    assert PRIOR_CENTRE[REALISM] == pytest.approx(24) and PRIOR_CENTRE["allies.accept_value"] == pytest.approx(0.5)


def test_the_record_is_summarised_as_the_worlds_are():
    record = packaged_record()
    observed = posterior_summaries.observed_summaries()
    assert list(observed.index) == posterior_summaries.summary_names()
    levels = record.levels[1:]  # the fit's months: 1992-01 to 2024-12
    assert observed["share at or above contact"] == pytest.approx((levels >= 1).mean())
    sanctions = [m for m in record.happened("new_sanctions") if m >= "1992-01"]
    assert observed["new_sanctions per year"] == pytest.approx(len(sanctions) * 12 / len(levels))
    assert observed[[n for n in observed.index if n.startswith("share in")]].sum() == pytest.approx(1)
    at_least = observed[[f"share at or above {level}" for level in LEVELS[1:]]].to_numpy()
    assert (np.diff(at_least) <= 0).all(), "higher levels: fewer months"
    # As of 2009-01 only the months to 2009-01 count: the record then had no war, so no aid to Ukraine.
    early = posterior_summaries.observed_summaries("2009-01")
    assert early["aid_increase per year"] == 0 and observed["aid_increase per year"] > 0
    # The same function on two worlds: one holds its stretch's level, the other falls a level and rises back.
    paths = posterior_summaries.Paths(
        levels=np.array([[2, 2, 2, 2], [2, 1, 1, 2]]),
        phases=np.array([[1, 1, 1, 1], [1, 2, 2, 2]]),
        events={event: np.zeros((2, 4), dtype=bool) for event in posterior_summaries.COUNTED},
        start_level=np.full(4, 2),
        start_phase=np.full(4, 1),
        opens=np.array([True, False, False, False]),
    )
    found = posterior_summaries.summaries(paths)
    assert found["falls per year"].tolist() == [0, 3] and found["rises per year"].tolist() == [0, 3]
    assert found["share below the stretch's first level"].tolist() == [0, 0.5]
    assert found["phase changes per year"].tolist() == [0, 3]


def test_planted_parameters_are_recovered():
    """Summaries simulated at known values: the posterior sits nearer them than the prior does."""
    planted = pd.DataFrame([PLANTED] * 64)
    observed = posterior.simulate(planted, ["2024-12"], seed=107, repeat=8)["2024-12"].mean()
    prior = posterior.draw_prior(1500, np.random.default_rng(7))
    found = posterior.simulate(prior, ["2024-12"], seed=7, repeat=8)["2024-12"]
    fitted = posterior.infer(prior, found, observed, accept=0.05, seed=7)

    def error(draws: pd.DataFrame) -> pd.Series:
        """Each parameter's mean squared distance from the planted value, on its prior's scale, over its range."""
        out = {}
        for path, value in PLANTED.items():
            low, high = PARAMETERS[path]
            scale = (lambda v: v) if path in LINEAR else np.log
            out[path] = (((scale(draws[path]) - scale(value)) / (scale(high) - scale(low))) ** 2).mean()
        return pd.Series(out)

    before, after = error(prior), error(fitted.sample)
    # The record's summaries speak to erosion, the phase lengths and the president's drive.
    for path in (EROSION, REALISM, "structure.phase_months.disillusionment", DEAL):
        assert after[path] < 0.6 * before[path], path
    assert after.sum() < 0.8 * before.sum()


def _changed(record: Record, after: str, before: str | None = None) -> Record:
    """The record with every month after ``after`` moved a level down and its events after it dropped;
    with ``before``, also that month's level moved."""
    months, events = record.months.copy(), record.events.copy()
    later = months["month"] > after
    months.loc[later, "level"] = [LEVELS[max(LEVELS.index(v) - 1, 0)] for v in months.loc[later, "level"]]
    months.loc[later, "phase"] = "crisis"
    events = events[events["month"] <= after].reset_index(drop=True)
    if before is not None:
        row = months["month"] == before
        months.loc[row, "level"] = LEVELS[(LEVELS.index(months.loc[row, "level"].iloc[0]) + 2) % len(LEVELS)]
    return Record(months=months, events=events)


def test_a_fit_as_of_a_month_uses_no_month_after_it():
    record = packaged_record()
    point = "2004-01"

    def fit(changed: Record) -> posterior.Posterior:
        return posterior.calibrate(draws=200, accept=0.2, seed=5, repeat=2, points=(point,), record=changed)[point]

    reference = fit(record)
    for placebo in (_changed(record, point), record.as_of(point)):  # rewritten after it; cut at it
        other = fit(placebo)
        pd.testing.assert_frame_equal(other.summaries, reference.summaries)
        pd.testing.assert_frame_equal(other.sample, reference.sample)
        assert other.medians() == reference.medians()
    moved = fit(_changed(record, "2024-12", before="2002-06"))
    assert not moved.observed.equals(reference.observed)
    assert not moved.sample.equals(reference.sample)


def test_each_origin_uses_the_latest_fit_before_it(small):
    fits = posterior_output.held_out(small)["as_of"]
    assert set(fits) == {"1999-01", "2009-01"}
    assert fit_as_of("1998-12", fits) == (None, PRIOR_CENTRE)
    assert fit_as_of("1999-01", fits)[0] == "1999-01" and fit_as_of("2008-10", fits)[0] == "1999-01"
    point, values = fit_as_of("2023-10", fits)
    assert point == "2009-01" and values == small["2009-01"].medians()
    spec = rolling.origin_spec("2010-01", values=values)
    assert spec.structure.erosion.value == pytest.approx(values[EROSION])
    assert spec.president.deal_drive.value == pytest.approx(values[DEAL])
    # The packaged fits reach the backtest: an origin's scenario carries its fit point's values.
    shipped = read_folds(ROOT / "configs" / FOLDS_FILE, section="as_of")
    assert set(shipped) == set(posterior_summaries.FIT_POINTS)
    packaged_spec = rolling.origin_spec("2010-01")
    assert packaged_spec.kremlin.aims_weight.value == pytest.approx(shipped["2009-01"][AIMS])


def test_widths_compare_posterior_with_prior(small):
    table = posterior.widths(small["2024-12"]).set_index("parameter")
    assert set(PARAMETERS) == set(table.index)
    assert (table["prior_low"] < table["prior_high"]).all()
    assert (table["posterior_low"] <= table["posterior_median"]).all()
    assert (table["posterior_median"] <= table["posterior_high"]).all()
    assert table["width_ratio"].gt(0).all()


def test_files_say_how_they_were_made_and_round_trip(small, tmp_path):
    folder = configs_with(tmp_path)
    posterior_output.write_fitted(small, folder / POSTERIOR_FILE)
    shipped = small["2024-12"]

    text = (folder / POSTERIOR_FILE).read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for said in ("seed 2", "300 draws", "2 worlds each", "prior:", "log-uniform on [6, 96]", "summaries", "accepted: "):
        assert said in header
    read = pd.read_csv(folder / POSTERIOR_FILE, comment="#")
    assert list(read.columns) == list(shipped.sample.columns) == list(PARAMETERS)
    assert np.allclose(read.to_numpy(), shipped.sample.to_numpy(), rtol=1e-5)

    assert set(read_folds(folder / FOLDS_FILE, section="as_of")) == {"1999-01", "2009-01"}
    cycles = read_folds(folder / FOLDS_FILE)
    assert cycles["1992"] == pytest.approx(PRIOR_CENTRE, rel=1e-4), "nothing was known before 1992-01"
    assert cycles["2001"] == pytest.approx(small["1999-01"].medians())
    assert set(cycles) == set(posterior_output.CYCLE_STARTS)
    point = load_scenario(BASELINE, sets=["calibration=point"], config_dir=folder)
    assert point.structure.erosion.value == pytest.approx(shipped.medians()[EROSION])
    history = load_scenario(ROOT / "scenarios" / "history" / "base.yaml", config_dir=folder)
    assert history.kremlin.aims_weight.value == 6.0, "a scenario's own value stays"
    spec = load_scenario(BASELINE, config_dir=folder)
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
    args = ["calibrate", "--draws", "300", "--worlds-per-draw", "2", "--accept", "0.2", "--config-dir", str(folder)]
    result = runner.invoke(app, [*args, "--out", str(out), "--write", str(folder / POSTERIOR_FILE)])
    assert result.exit_code == 0, result.output
    assert "width ratio" in result.output and EROSION in result.output and AIMS in result.output
    sample = pd.read_csv(folder / POSTERIOR_FILE, comment="#")
    assert len(sample) == 60 and set(PARAMETERS) == set(sample.columns)
    assert set(read_folds(folder / FOLDS_FILE, section="as_of")) == set(posterior_summaries.FIT_POINTS)
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
