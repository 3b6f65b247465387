"""Plots an analyst can paste into a briefing: where they come from, the calendar, labels on the lines."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import PercentFormatter

import simulator
from simulator.results import plots
from simulator.results.outputs import _markers, overrides_in
from simulator.vocabulary import KEY_EVENTS, LEVELS


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
    ends = result.events_by_month.iloc[-1]
    wanted = {
        f"{label} {plots.percent(ends[event])}"
        for event, label in (("summit", "summit"), ("ceasefire", "ceasefire"), ("peace_agreement", "peace agreement"))
    }
    labels = [t for t in fig.axes[0].texts if t.get_text() in wanted]
    assert len(labels) == 3  # each curve is labelled with its name and its value at the horizon
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


def _drawn(fig):
    """The figure laid out and drawn, and its renderer, to measure where each text landed."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _overlap(a, b, slack: float = 0.5) -> bool:
    return a.x0 < b.x1 - slack and b.x0 < a.x1 - slack and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack


def _run_figures(result, caption):
    final, reached = result.final_level_probabilities(), result.max_level_probabilities()
    return {
        "levels_over_time": plots.levels_over_time(result.levels_by_month, caption),
        "phases_over_time": plots.phases_over_time(result.phases_by_month, caption),
        "events_over_time": plots.events_over_time(result.events_by_month, caption),
        "levels_reached": plots.levels_reached(result.events_by_month, caption),
        "level_at_horizon": plots.level_at_horizon(final, reached, "2029-01", caption),
    }


def test_every_plot_has_a_title_and_speaks_in_percent(result, caption):
    for name, fig in _run_figures(result, caption).items():
        ax = fig.axes[0]
        assert ax.get_title(loc="left").startswith(f"{caption.scenario}: "), name
        assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter), name
        assert ax.get_ylim() == (0, 1)


def test_time_axes_end_at_the_horizon(result, caption):
    months = len(result.events_by_month)
    for name, fig in _run_figures(result, caption).items():
        if name != "level_at_horizon":
            assert fig.axes[0].get_xlim() == (0, months - 1), name


def test_bars_carry_their_values(result, caption):
    final, reached = result.final_level_probabilities(), result.max_level_probabilities()
    fig = plots.level_at_horizon(final, reached, "2029-01", caption)
    labels = [t.get_text() for t in fig.axes[0].texts]
    expected = [plots.percent(final[k]) for k in LEVELS] + [plots.percent(reached[k]) for k in LEVELS]
    assert labels == expected
    assert plots.percent(0.003) == "<1%" and plots.percent(0.0) == "0%"
    assert plots.percent(0.9996) == ">99%" and plots.percent(1.0) == "100%" and plots.percent(0.466) == "47%"


def _crowded(caption):
    """The caption with a crowded calendar: events in neighbouring months, at both ends of the span too."""
    crowded = ((0, "start of talks"), (1, "treaty expiry"), (2, "midterms"), (3, "sanctions review"), (22, "midterms"))
    return replace(caption, markers=caption.markers + crowded + ((47, "election"), (48, "inauguration")))


@pytest.mark.parametrize("name", ["levels_over_time", "phases_over_time", "events_over_time", "levels_reached"])
def test_labels_are_placed_clear_of_each_other_the_legend_the_bands_and_the_title(result, caption, name):
    fig = _run_figures(result, _crowded(caption))[name]
    ax = fig.axes[0]
    renderer = _drawn(fig)
    markers = [t for t in ax.texts if t.xycoords == ("data", "axes fraction")]
    assert len(markers) == len(caption.markers) + 7
    boxes = [t.get_window_extent(renderer) for t in markers]
    plot_area = ax.get_window_extent(renderer)
    title_box = ax._left_title.get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert box.y0 >= plot_area.y1  # above the plot area: off the bands, the curves and the areas
        assert not _overlap(box, title_box), markers[i].get_text()
        assert all(not _overlap(box, other) for other in boxes[i + 1 :]), markers[i].get_text()
    legend = ax.get_legend()
    others = [t.get_window_extent(renderer) for t in ax.texts if t not in markers]  # the curves' end labels
    for box in others:
        assert box.x0 >= plot_area.x1  # beside the plot area, not on it
        assert all(not _overlap(box, marker) for marker in boxes)
    assert all(not _overlap(a, b) for i, a in enumerate(others) for b in others[i + 1 :])
    if legend is not None:
        assert all(not _overlap(legend.get_window_extent(renderer), box) for box in boxes + others)
    figure = fig.bbox
    for box in [*boxes, *others, title_box]:
        assert figure.x0 <= box.x0 and box.x1 <= figure.x1 + 1 and box.y1 <= figure.y1 + 1


def test_comparison_plots_name_their_scenarios_worlds_and_seed():
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    levels = pd.DataFrame({"month": months} | {level: [0.2] * 12 for level in LEVELS})
    wanted = [("level at horizon", level) for level in LEVELS] + [("event by horizon", e) for e in KEY_EVENTS]
    rows = [
        {"kind": k, "quantity": q, "scenario": s, "probability": 0.5, "difference": d, "standard_error": 0.01}
        for s, d in (("base", 0.0), ("hawks", 0.05))
        for k, q in wanted
    ]
    fig = plots.compare_differences(pd.DataFrame(rows), "base", "2025-12", runs=3000, seed=7)
    title = fig.get_suptitle()
    assert "hawks against base" in title and "3,000 worlds each, seed 7" in title
    assert fig.axes[0].xaxis.get_major_formatter()(0.05, 0) == "+5"
    _drawn(fig)
    assert fig._suptitle.get_window_extent().x1 <= fig.bbox.x1
    side = plots.compare_levels({"base": levels, "hawks": levels}, runs=3000, seed=7)
    assert "3,000 worlds each, seed 7" in side.get_suptitle()
    assert all(isinstance(ax.yaxis.get_major_formatter(), PercentFormatter) for ax in side.axes if ax.get_visible())
