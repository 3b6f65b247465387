import operator
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.api import Execution
from simulator.engine.design import Design, DesignError
from simulator.engine.rows import from_arrow
from simulator.engine.runner import RunPlan, run_chunk
from simulator.scenario import assumptions
from simulator.scenario.distributions import Fixed


def _design(baseline, repeat):
    # Two fixed assumptions of the actors, and one the scenario draws: each set the same in a row's worlds.
    actors = ("president.", "kremlin.", "congress.")
    fixed = [p for p, v in assumptions(baseline) if isinstance(v, Fixed) and p.startswith(actors) and 0 < v.value < 1][
        :2
    ]
    drawn = next(path for path, value in assumptions(baseline) if not isinstance(value, Fixed))
    values = {fixed[0]: [0.1, 0.4, 0.7], fixed[1]: [0.9, 0.5, 0.2], drawn: [0.3, 0.3, 0.3]}
    return Design({path: np.array(v) for path, v in values.items()}, repeat=repeat), fixed, drawn


def test_design_values_replace_draws_and_are_recorded(baseline):
    design, fixed, drawn = _design(baseline, repeat=700)
    worlds = simulator.run(baseline, seed=4, design=design, execution=Execution(chunk_worlds=4096)).worlds
    assert len(worlds) == 2100
    assert (worlds["design_row"].to_numpy() == np.repeat([0, 1, 2], 700)).all()
    for path in (*fixed, drawn):
        per_row = worlds.groupby("design_row")[path].agg(["min", "max"])
        assert (per_row["min"] == per_row["max"]).all()
        assert per_row["min"].to_list() == pytest.approx(design.columns[path].tolist())


@pytest.mark.slow
def test_design_results_depend_only_on_seed_and_design(baseline):
    design, _, _ = _design(baseline, repeat=3000)
    one = simulator.run(baseline, seed=9, design=design, execution=Execution(chunk_worlds=4096)).worlds
    other = simulator.run(baseline, seed=9, design=design, execution=Execution(chunk_worlds=8192, workers=2)).worlds
    pd.testing.assert_frame_equal(one, other)
    reseeded = simulator.run(baseline, seed=10, design=design, execution=Execution(chunk_worlds=4096)).worlds
    assert not one["final_level"].equals(reseeded["final_level"])


def test_slices_give_the_same_values_as_the_whole():
    design = Design({"a": np.arange(10.0)}, repeat=3)
    part = design.for_worlds(7, 11)
    assert part.first_row == 2 and part.rows == 4
    assert (part.values(7, 11)["a"] == design.values(7, 11)["a"]).all()
    assert (design.values(7, 11)["a"] == np.arange(7, 18) // 3).all()


def test_bad_designs_are_named(baseline):
    with pytest.raises(DesignError, match="'president.nonsense' is not an assumption"):
        Design({"president.nonsense": np.zeros(2)}).check(baseline)
    with pytest.raises(DesignError, match=r"'president.volatility', row 1: 1.5 lies outside \[0, 1\]"):
        Design({"president.volatility": np.array([0.2, 1.5])}).check(baseline)
    with pytest.raises(DesignError, match="differ in length"):
        Design({"a": np.zeros(2), "b": np.zeros(3)})


@pytest.mark.slow
def test_a_design_on_a_dask_cluster_gives_the_local_result(baseline):
    distributed = pytest.importorskip("distributed")
    design, _, _ = _design(baseline, repeat=3000)
    here = simulator.run(baseline, seed=9, design=design, execution=Execution(chunk_worlds=4096)).worlds
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        there = simulator.run(
            baseline, seed=9, design=design, execution=Execution(chunk_worlds=4096, dask=cluster.scheduler_address)
        )
    pd.testing.assert_frame_equal(here, there.worlds)


def test_a_slice_refuses_worlds_outside_its_rows():
    part = Design({"a": np.arange(10.0)}, repeat=3).for_worlds(7, 11)
    with pytest.raises(DesignError, match="outside this design's rows"):
        part.values(0, 8)
    with pytest.raises(DesignError, match="outside this design's rows"):
        part.values(7, 12)


def test_a_summarised_chunk_hands_back_its_summary_in_place_of_rows(baseline):
    design, _, _ = _design(baseline, repeat=1500)
    plan = RunPlan(baseline, design.worlds, seed=3, chunk_worlds=4096, design=design)
    rows = run_chunk(plan.for_chunk(1), 1)
    summarised = run_chunk(replace(plan, summary=operator.attrgetter("num_rows")).for_chunk(1), 1)
    assert summarised.worlds == b"" and summarised.summary == 4500 - 4096
    assert from_arrow(rows.worlds).num_rows == summarised.summary
    assert (summarised.tally.first_months == rows.tally.first_months).all()
