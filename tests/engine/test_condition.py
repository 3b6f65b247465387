"""Conditioning on evidence: resampling, copying worlds, recovering a planted world, and seed-only results."""

from threading import Event

import numpy as np
import pytest

import simulator
from simulator.engine.condition import Filter, effective_worlds, systematic
from simulator.engine.runner import Interrupted
from simulator.engine.settings import Execution
from simulator.model.events import WatchedEventLog
from simulator.model.model import RelationsModel
from simulator.model.selection import per_world_arrays, select
from simulator.scenario.evidence import OBSERVABLE, Evidence, Observation
from tests.conftest import ROOT

ASOF = ROOT / "tests" / "data" / "asof_start_2025_04.yaml"


@pytest.fixture(scope="module")
def asof() -> simulator.Scenario:
    return simulator.load_scenario(ASOF).model_copy(update={"calibration": "point"})


def with_evidence(spec, **given) -> simulator.Scenario:
    """``spec`` carrying evidence (defaults: a summit in 2025-08, contact in 2025-10, as of 2025-10)."""
    given = {
        "as_of": "2025-10",
        "observed": [{"month": "2025-08", "event": "summit"}, {"month": "2025-10", "level": "contact"}],
    } | given
    return spec.model_copy(update={"evidence": Evidence.model_validate(given)})


def test_systematic_resampling_copies_each_world_in_proportion_to_its_weight():
    weights = np.array([0.0, 0.5, 0.0, 0.25, 0.25])
    index = systematic(weights, 0.3)
    assert sorted(np.bincount(index, minlength=5).tolist()) == [0, 0, 1, 1, 3]  # floor or ceil of n w
    assert np.bincount(index, minlength=5)[1] in (2, 3) and set(index) <= {1, 3, 4}
    assert (systematic(np.array([0, 0, 1.0, 0]), 0.99) == 2).all()


def test_effective_worlds_runs_from_one_to_all():
    assert effective_worlds(np.full(8, 1 / 8)) == pytest.approx(8)
    assert effective_worlds(np.array([1.0, 0, 0, 0])) == pytest.approx(1)


def test_every_array_a_world_keeps_is_one_per_world(baseline):
    """``select`` copies every array whose first dimension is the worlds': none may be shaped otherwise."""
    model = RelationsModel(baseline, worlds=7, seed=3, history=baseline.months)
    for _ in range(3):
        model.step()
    shapes = {name: value.shape for name, value in per_world_arrays(model).items() if value.shape[:1] != (7,)}
    assert not shapes, f"arrays that are not one per world would be missed or mistaken: {shapes}"


def test_a_copied_world_is_its_original_whole_then_goes_its_own_way(baseline):
    model = RelationsModel(baseline, worlds=512, seed=4, history=baseline.months)
    for _ in range(8):
        model.step()
    original = 37
    before = {name: value[original].copy() for name, value in per_world_arrays(model).items()}
    first = model.events.first[:, original].copy()
    select(model, np.full(512, original))
    for name, value in per_world_arrays(model).items():
        assert (value == before[name]).all(), f"{name} differs in a copy"
    assert (model.events.first == first[:, None]).all()
    assert (model.recorder.level_counts[:8].sum(axis=1) == 512).all()
    for _ in range(24):
        model.step()
    futures = {tuple(model.events.first[:, w]) + (model.state.level[w], model.state.phase[w]) for w in range(512)}
    assert len(futures) > 50, "copies of one world must draw their own futures"


def test_the_counts_of_past_months_are_those_of_the_selected_worlds(baseline):
    model = RelationsModel(baseline, worlds=300, seed=5, history=6)
    for _ in range(6):
        model.step()
    levels = model.recorder.history["level"].copy()
    index = np.random.default_rng(0).integers(0, 300, 300)
    select(model, index)
    for month in range(6):
        expected = np.bincount(levels[month][index], minlength=5)
        assert model.recorder.level_counts[month].tolist() == expected.tolist()


def test_a_planted_world_is_recovered_from_its_events(baseline):
    """Plant worlds, feed each one's events of six months as evidence: its level is the filter's most likely."""
    spec = baseline.model_copy(update={"calibration": "point"})
    months, plants = 6, 20
    planted = RelationsModel(spec, worlds=plants, seed=999)
    planted.events = WatchedEventLog(planted.events, OBSERVABLE)
    happened = []
    for _ in range(months):
        planted.events.clear()
        planted.step()
        happened.append({event: planted.events.now[event].copy() for event in OBSERVABLE})
    prior = RelationsModel(spec, worlds=4096, seed=7)
    for _ in range(months):
        prior.step()
    prior_mode = np.argmax(prior.recorder.level_counts[months - 1])
    recovered = 0
    for world in range(plants):
        observed = [
            Observation(month=spec.start.plus(m), event=event)
            for m in range(months)
            for event in OBSERVABLE
            if happened[m][event][world]
        ]
        evidence = Evidence(as_of=spec.start.plus(months - 1), observed=observed, watch=list(OBSERVABLE))
        model = RelationsModel(spec.model_copy(update={"evidence": evidence}), worlds=4096, seed=7, history=months)
        Filter(model).run()
        recovered += np.argmax(np.bincount(model.state.level, minlength=5)) == planted.state.level[world]
    prior_hits = np.count_nonzero(planted.state.level == prior_mode)
    assert recovered >= 0.8 * plants, f"recovered {recovered} of {plants} (the prior's mode alone: {prior_hits})"
    assert recovered > prior_hits


def test_evidence_moves_the_worlds_to_what_was_observed(asof):
    spec = with_evidence(asof)
    plain = simulator.run(asof, runs=4096, seed=11)
    conditioned = simulator.run(spec, runs=4096, seed=11)
    assert plain.probability_by("summit", "2025-07") > 0.3
    assert conditioned.probability_by("summit", "2025-07") < 0.02  # no summit before August was watched
    assert conditioned.probability_by("summit", "2025-08") > 0.85
    assert conditioned.levels_by_month.set_index("month").loc["2025-10", "contact"] > 0.95


def test_results_depend_on_the_seed_alone_not_on_workers_or_chunks(asof):
    spec = with_evidence(asof, filter_worlds=4096)
    runs = 2 * 4096 + 300
    one = simulator.run(spec, runs=runs, seed=3, execution=Execution(workers=1, chunk_worlds=4096))
    two = simulator.run(spec, runs=runs, seed=3, execution=Execution(workers=2, chunk_worlds=65536))
    assert one.summary() == two.summary()
    for name, value in one.tally.to_arrays().items():
        assert np.array_equal(value, two.tally.to_arrays()[name]), name
    assert one.worlds.equals(two.worlds)
    assert "descends_from" in one.worlds.columns


def test_a_stopped_run_resumes_to_the_same_conditioned_worlds(asof, tmp_path):
    spec = with_evidence(asof, filter_worlds=4096)
    runs, out = 2 * 4096, tmp_path / "out"
    whole = simulator.run(spec, runs=runs, seed=6)
    stop = Event()
    with pytest.raises(Interrupted):
        simulator.run(spec, runs=runs, seed=6, out=out, execution=Execution(stop=stop, progress=lambda _: stop.set()))
    resumed = simulator.run(spec, runs=runs, seed=6, out=out, execution=Execution(resume=True))
    assert resumed.summary() == whole.summary()


def test_the_run_reports_the_effective_worlds_after_each_update(asof):
    result = simulator.run(with_evidence(asof), runs=4096, seed=2)
    report = result.summary()["evidence"]
    by_month = report["effective_worlds_by_month"]
    assert list(by_month) == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]
    assert all(1 <= e <= 4096 for e in by_month.values())
    assert report["fewest_effective_worlds"] == min(by_month.values()) < 4096
    assert report["warning"] is None


def test_too_few_effective_worlds_are_warned_of(asof):
    observed = [{"month": "2025-05", "event": "ceasefire"}, {"month": "2025-06", "event": "peace_agreement"}]
    result = simulator.run(with_evidence(asof, observed=observed, error=0.001), runs=4096, seed=2)
    report = result.evidence()
    assert report["fewest_effective_share"] < 0.1 and "too few to trust" in report["warning"]


def test_a_run_without_evidence_reports_none(asof):
    result = simulator.run(asof, runs=500, seed=2)
    assert "evidence" not in result.summary() and result.evidence() is None and result.tally.effective is None


def test_rejuvenation_keeps_copies_from_sharing_one_draw_and_keeps_the_spread(baseline):
    spec = baseline.model_copy(update={"calibration": "point"})
    observed = [{"month": "2025-03", "event": "summit"}, {"month": "2025-06", "level": "selective_cooperation"}]

    def conditioned(shrinkage: float) -> tuple[RelationsModel, Filter]:
        evidence = Evidence.model_validate(
            {"as_of": "2025-08", "observed": observed, "shrinkage": shrinkage, "error": 0.01}
        )
        model = RelationsModel(spec.model_copy(update={"evidence": evidence}), worlds=4096, seed=9, history=8)
        filtered = Filter(model)
        filtered.run()
        return model, filtered

    still, unjittered = conditioned(1.0)
    moved, filtered = conditioned(0.95)
    assert filtered.resampled, "the evidence must have forced a resampling"
    path = next(p for p in filtered.jittered if not p.startswith("shocks."))
    copies = len(np.unique(unjittered.ancestors))  # the run's own resampling: the jittered run's may differ
    assert len(np.unique(still.draws[path])) <= copies < 4096  # without rejuvenation, copies share their draw
    assert len(np.unique(moved.draws[path])) > 0.9 * 4096
    assert np.std(moved.draws[path]) == pytest.approx(np.std(still.draws[path]), rel=0.25)
    low, high = filtered.jittered[path]
    assert (moved.draws[path] >= low).all() and (moved.draws[path] <= high).all()


def test_a_conditioned_run_counts_its_effective_worlds_in_every_standard_error():
    from simulator.analysis.compare import Comparison

    spec = simulator.load_scenario(ROOT / "scenarios" / "update_2025_04.yaml")
    runs = 4096
    result = simulator.run(spec, runs=runs, seed=2)
    fewest = result.summary()["evidence"]["fewest_effective_worlds"]
    assert fewest < runs * 0.9, "resampling left fewer effective worlds than worlds: the test shows something"
    assert result.effective_runs == pytest.approx(fewest, abs=0.05)
    answers = [answer for answer in result.questions().values() if 0 < answer["probability"] < 1]
    assert answers
    for answer in answers:
        p = answer["probability"]
        assert answer["standard_error"] == pytest.approx(np.sqrt(p * (1 - p) / result.effective_runs), rel=1e-12)
        assert answer["standard_error"] > np.sqrt(p * (1 - p) / runs)
    plain = simulator.run(simulator.load_scenario(ROOT / "scenarios" / "trump2025.yaml"), runs=runs, seed=2)
    assert plain.effective_runs == runs
    comparison = Comparison(["plain", "conditioned"], [plain, result])
    table = comparison.table()
    row = table[(table["scenario"] == "conditioned") & (table["standard_error"] > 0)].iloc[0]
    key = (row["kind"], row["quantity"])
    paired = comparison.outcomes(result)[key].astype(float) - comparison.outcomes(plain)[key].astype(float)
    assert row["standard_error"] == pytest.approx(paired.std(ddof=1) / np.sqrt(result.effective_runs))
    assert row["standard_error"] > paired.std(ddof=1) / np.sqrt(runs)
