import numpy as np
import pytest

import simulator
from simulator import RelationsModel
from simulator.scenario import override
from simulator.vocabulary import LEVELS, NORMALIZATION, PHASES, SELECTIVE_COOPERATION, WAR_ACTIVE


def step_through(spec, worlds, seed, check):
    model = RelationsModel(spec, worlds=worlds, seed=seed)
    while model.running:
        model.step()
        check(model)
    return model


VARIANTS = [
    {},
    {"initial.war": "peace", "initial.sanctions": 0.3, "initial.aid": 0.1},
    {"shocks.shared_threat.hazard": 0.2, "shocks.shared_threat.effects.level": 4, "shocks.black_swan.effects.level": 2},
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_gates_hold_every_month(baseline, variant):
    spec = override(baseline, variant) if variant else baseline
    reached = np.zeros(4000, dtype=bool)

    def check(model):
        state = model.state
        assert not np.any((state.level >= NORMALIZATION) & (state.war == WAR_ACTIVE)), (
            "normalization during the proxy war"
        )
        assert not np.any((state.level >= SELECTIVE_COOPERATION) & ~state.met), "cooperation without a summit"
        assert np.all((state.sanctions >= 0) & (state.sanctions <= 1))
        assert np.all((state.aid >= 0) & (state.aid <= 1))
        assert np.all((state.trust >= 0) & (state.trust <= 1))
        assert np.all((state.opposition >= 0) & (state.opposition <= 1))
        assert np.all(model.events.happened("summit") | ~state.met)
        dealt = model.events.happened("cooperation_deal") | model.events.happened("arms_control_deal")
        assert not np.any((state.level >= SELECTIVE_COOPERATION) & ~dealt), "cooperation without a deal"
        reached[:] |= state.level >= NORMALIZATION

    step_through(spec, 4000, 11, check)
    if "initial.war" in variant:
        assert reached.any(), "the gate never opens even with the war over"


def test_level_events_match_the_recorded_maximum(baseline):
    model = step_through(baseline, 3000, 5, lambda m: None)
    for k in range(1, len(LEVELS)):
        assert np.array_equal(model.events.happened(f"level>={k}"), model.recorder.max_level >= k)


def test_one_world_can_be_stepped_and_inspected(baseline):
    model = RelationsModel(baseline, worlds=1, seed=3)
    snapshots = []
    for _ in range(12):
        model.step()
        snapshots.append(model.snapshot(0))
    assert [s["month"] for s in snapshots][:2] == ["2025-01", "2025-02"]
    assert all(s["level"] in LEVELS and s["phase"] in PHASES for s in snapshots)
    assert model.month == 12 and model.running


def test_a_world_is_the_same_alone_or_among_many(baseline):
    alone = step_through(baseline, 1, 9, lambda m: None)
    crowd = step_through(baseline, 500, 9, lambda m: None)
    assert alone.state.level[0] == crowd.state.level[0]
    assert np.array_equal(alone.events.first[:, 0], crowd.events.first[:, 0])


def test_assumptions_are_drawn_once_per_world(baseline):
    model = RelationsModel(baseline, worlds=2000, seed=1)
    volatility = model.p.president.volatility
    assert volatility.shape == (2000,)
    assert len(np.unique(volatility)) > 1900
    assert 0.02 <= volatility.min() and volatility.max() <= 0.1
    assert np.all(model.p.kremlin.caution == 0.8)
    assert model.p.structure.phase_months.reset == np.float32(model.draws["structure.phase_months.reset"])
    before = volatility.copy()
    model.step()
    assert np.array_equal(model.p.president.volatility, before)


def test_the_agents_are_mesa_agents_stepped_in_order(baseline):
    import mesa

    model = RelationsModel(baseline, worlds=10, seed=1)
    actors = [model.publics, model.president, model.congress, model.bureaucracy, model.kremlin, model.allies]
    assert all(isinstance(actor, mesa.Agent) for actor in actors)
    assert list(model.agents) == actors  # Mesa steps them in this order


def test_mesas_generators_are_seeded_and_never_drawn_on(baseline):
    model = RelationsModel(baseline, worlds=500, seed=3)
    numpy_state, python_state = model.rng.bit_generator.state, model.random.getstate()
    assert numpy_state == np.random.default_rng(3).bit_generator.state, "seeded from the root seed"
    model.run_model()
    assert model.rng.bit_generator.state == numpy_state and model.random.getstate() == python_state


def test_starting_level_counts_as_reached(baseline):
    spec = override(baseline, {"initial.level": "selective_cooperation"})
    model = RelationsModel(spec, worlds=500, seed=2)
    assert model.events.happened("level>=2").all() and not model.events.happened("level>=3").any()
    assert (model.events.first[model.events.first >= 0] == 0).all()


def test_bad_news_never_hurries_a_reset_into_euphoria():
    from simulator.model.relations import next_phase
    from simulator.vocabulary import CRISIS, EUPHORIA, REALISM, RESET

    phases = np.array([RESET, RESET, CRISIS], dtype=np.int8)
    assert list(next_phase(phases, np.array([False, True, False]))) == [EUPHORIA, REALISM, RESET]
    assert list(next_phase(phases, True)) == [REALISM, REALISM, RESET]


def test_no_event_is_certain_or_impossible_in_the_baseline_but_those_the_readme_explains(baseline):
    """docs/scenarios.md, "What the baseline makes near-certain": the only exceptions, each with its reason."""
    events = simulator.run(baseline, runs=10_000, seed=3).event_summary()
    near_certain = {event for event, e in events.items() if e["probability"] > 0.99}
    never = {event for event, e in events.items() if e["probability"] == 0}
    assert near_certain <= {"contact_resumed", "summit", "reset", "level>=1"}
    assert never <= {"level>=4"}, "only strategic partnership is gated shut (shared goals are very rare)"


def test_a_war_that_resumes_returns_to_each_worlds_own_usual_intensity(baseline):
    spec = override(
        baseline,
        {"initial.intensity": "uniform(0.5, 0.9)", "initial.war": "ceasefire", "allies.ceasefire_breakdown": 1.0},
    )
    model = RelationsModel(spec, worlds=3000, seed=4)
    usual = model.initial_intensity.copy()
    model.step()
    resumed = model.state.war == WAR_ACTIVE
    assert resumed.any() and len(np.unique(usual)) > 2900
    assert np.all(model.state.intensity[resumed] >= usual[resumed] - 1e-12)


def test_each_worlds_phase_values_follow_its_phase(baseline):
    from simulator.model.relations import by_phase

    spec = override(baseline, {"structure.phase_months.realism": "uniform(6, 40)", "shocks.black_swan.hazard": 0.05})
    moved = []

    def check(model):
        values = model.phase_values
        moved.append(model.relationship.moved.size)
        for name, table in values.tables.items():
            assert np.array_equal(values.now[name], by_phase(table, model.state.phase), equal_nan=True), name

    model = step_through(spec, 400, 4, check)
    assert model.phase_values.tables["clock"].shape == (400, len(PHASES))  # per-world values, read row by row
    assert 0 < sum(moved) < 400 * len(moved)  # phases moved in some worlds, not all
