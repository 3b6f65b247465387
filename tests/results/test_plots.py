"""Plots an analyst can paste into a briefing: where they come from, the calendar, labels on the lines."""

import numpy as np
import pytest

import simulator
from simulator.results import plots
from simulator.results.outputs import _markers, overrides_in


@pytest.fixture(scope="module")
def result(baseline):
    return simulator.run(baseline, runs=2000, seed=3)


@pytest.fixture(scope="module")
def caption(baseline, result):
    sets = overrides_in(["sim", "run", "x.yaml", "--set", "president.volatility=0.1", "--set=kremlin.caution=0.9"])
    return plots.Caption(baseline.name, result.runs, result.seed, tuple(sets), _markers(baseline))


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_titles_carry_scenario_overrides_worlds_and_seed(result, caption):
    for fig in (
        plots.levels_over_time(result.levels_by_month, caption),
        plots.events_over_time(result.events_by_month, caption),
        plots.levels_reached(result.events_by_month, caption),
    ):
        title = fig.axes[0].get_title(loc="left")
        assert title.startswith(f"{caption.scenario}: ")
        assert "president.volatility=0.1, kremlin.caution=0.9" in title and "2,000 worlds, seed 3" in title


def test_schedule_is_marked_on_time_axes(baseline, result, caption):
    fig = plots.events_over_time(result.events_by_month, caption)
    lines = [line for line in fig.axes[0].lines if line.get_linestyle() == ":"]
    months = sorted(item.month.minus(baseline.start) for item in baseline.schedule)
    assert sorted(line.get_xdata()[0] for line in lines) == months
    assert {"midterms", "election"} <= set(_texts(fig))


def test_lines_are_labelled_directly_without_overlap(result, caption):
    fig = plots.events_over_time(result.events_by_month, caption)
    assert fig.axes[0].get_legend() is None
    labels = [t for t in fig.axes[0].texts if t.get_text() in {"summit", "ceasefire", "peace agreement"}]
    assert len(labels) == 3
    heights = np.array(plots._spread([0.40, 0.41, 0.41, 0.2, 0.0, 0.0]))
    assert np.diff(np.sort(heights)).min() >= 0.04 - 1e-9 and heights.min() >= 0
    assert abs(heights[3] - 0.2) < 1e-9  # a label with room stays at its line's end


def test_reached_curves_rise_and_carry_bands(result, caption):
    fig = plots.levels_reached(result.events_by_month, caption)
    ax = fig.axes[0]
    curves = [line.get_ydata() for line in ax.lines if line.get_linestyle() == "-"]
    assert len(curves) == 4
    assert all((np.diff(c) >= 0).all() for c in curves)  # having reached a level is for good
    assert all((a >= b).all() for a, b in zip(curves, curves[1:], strict=False))  # at least K+1 implies K
    assert len(ax.collections) == 4  # one 95 % band per curve
