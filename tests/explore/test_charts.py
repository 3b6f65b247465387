"""The explorer's charts read in percent of worlds, as the run's own plots do."""

import pytest

import simulator
from simulator.explore import charts
from simulator.vocabulary import LEVELS


@pytest.fixture(scope="module")
def result(baseline):
    return simulator.run(baseline, runs=500, seed=4)


def test_levels_over_time_is_in_percent(result):
    option = charts.levels_over_time(result)
    assert option["yAxis"]["max"] == 100 and "%" in option["yAxis"]["axisLabel"]["formatter"]
    last = result.levels_by_month.iloc[-1]
    for series, level in zip(option["series"], LEVELS, strict=True):
        assert series["data"][-1] == pytest.approx(100 * last[level], abs=0.01)
    stacked = sum(series["data"][-1] for series in option["series"])
    assert stacked == pytest.approx(100, abs=0.05)


def test_paired_bars_are_in_percent(result):
    option = charts.level_at_horizon(result, result)
    finals = list(result.final_level_probabilities().values())
    assert option["yAxis"]["max"] == 100
    for series in option["series"]:
        assert series["data"] == pytest.approx([100 * p for p in finals], abs=0.01)
    events = charts.key_events(result, result)
    assert max(max(series["data"]) for series in events["series"]) > 1  # percent, not a fraction
