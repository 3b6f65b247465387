"""The tally keeps only counts, yet gives exactly what the full per-world table gives."""

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.engine.rows import first_month_columns
from simulator.engine.tally import Tally, median_month
from simulator.vocabulary import EVENTS, LEVELS


@pytest.fixture(scope="module")
def result(baseline):
    return simulator.run(baseline, runs=6000, seed=11, execution=simulator.Execution(chunk_worlds=4096))


def test_levels_at_the_horizon_match_the_per_world_table(result):
    worlds = result.worlds
    final = worlds["final_level"].value_counts(normalize=True).reindex(list(LEVELS), fill_value=0)
    assert result.final_level_probabilities() == pytest.approx(final.to_dict(), abs=1e-12)
    highest = worlds["max_level"].value_counts(normalize=True).reindex(list(LEVELS), fill_value=0)
    assert result.max_level_probabilities() == pytest.approx(highest.to_dict(), abs=1e-12)


def test_event_probabilities_and_median_months_match_the_per_world_table(result):
    months = pd.Series(range(len(result.months)), index=result.months)
    summary = result.event_summary()
    for event, column in first_month_columns().items():
        first = result.worlds[column].dropna().map(months)
        assert summary[event]["probability"] == len(first) / result.runs
        expected = result.months[int(np.median(first))] if len(first) else None
        assert summary[event]["median_month"] == expected, event
        by_month = np.bincount(first, minlength=len(months)).cumsum() / result.runs
        assert np.array_equal(result.events_by_month[event].to_numpy(), by_month), event


def test_questions_match_the_per_world_table(result, baseline):
    answers = result.questions()
    assert answers and set(answers) == {q.id for q in baseline.questions}
    for question in baseline.questions:
        event = answers[question.id]["event"]
        column = result.worlds[first_month_columns()[event]]
        expected = float(np.mean(column.notna() & (column <= str(question.by))))
        assert answers[question.id]["probability"] == expected


def test_chunk_tallies_add_up_to_the_run(baseline, result):
    whole = simulator.run(baseline, runs=6000, seed=11, execution=simulator.Execution(chunk_worlds=8192))
    for name in ("level_counts", "phase_counts", "war_counts", "first_months", "max_levels"):
        assert np.array_equal(getattr(result.tally, name), getattr(whole.tally, name)), name
    assert np.allclose(result.tally.state_sums, whole.tally.state_sums, rtol=1e-12)
    assert result.tally.worlds == whole.tally.worlds == 6000
    zero = Tally.zero(len(result.months))
    assert np.array_equal((zero + result.tally).level_counts, result.tally.level_counts)
    assert result.tally.first_months.shape == (len(EVENTS), len(result.months))


@pytest.mark.parametrize("size", [1, 2, 3, 10, 11, 500])
def test_median_from_counts_is_the_median_of_the_months(size):
    months = np.random.default_rng(size).integers(0, 30, size)
    assert median_month(np.bincount(months, minlength=30)) == int(np.median(months))


def test_median_of_nothing_is_none():
    assert median_month(np.zeros(12, dtype=np.int64)) is None
