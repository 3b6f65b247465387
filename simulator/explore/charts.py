"""Chart options for the page (ECharts), read from a forecast's tidy tables.

Each function returns the chart's whole option; the page hands it to the
same chart every time, and ECharts moves the data there without building the
chart again. Colours are those of the plots a run writes.
"""

from typing import Any

from simulator.results.plots import EVENT_COLOURS, LEVEL_COLOURS
from simulator.results.result import RunResult
from simulator.vocabulary import KEY_EVENTS, LEVELS, event_label

#: Animation short enough to follow a slider.
_ANIMATION = {"animationDuration": 250, "animationDurationUpdate": 250}


def _label(name: str) -> str:
    return name.replace("_", " ")


def _percent(p: float) -> float:
    """A probability as the percent the charts show (the run's plots read in percent too)."""
    return round(100 * float(p), 2)


#: The value axis of every chart: percent of worlds, 0 to 100.
_PERCENT_AXIS = {"type": "value", "max": 100, "name": "% of worlds", "axisLabel": {"formatter": "{value} %"}}


def levels_over_time(result: RunResult) -> dict[str, Any]:
    """Stacked areas: the probability of each level, month by month."""
    table = result.levels_by_month
    return {
        **_ANIMATION,
        "title": {"text": "Level of relations, month by month", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 24, "data": [_label(level) for level in LEVELS]},
        "grid": {"top": 64, "left": 48, "right": 16, "bottom": 32},
        "xAxis": {"type": "category", "boundaryGap": False, "data": list(table["month"])},
        "yAxis": _PERCENT_AXIS,
        "series": [
            {
                "name": _label(level),
                "type": "line",
                "stack": "levels",
                "areaStyle": {},
                "symbol": "none",
                "lineStyle": {"width": 0},
                "color": colour,
                "data": [_percent(p) for p in table[level]],
            }
            for level, colour in zip(LEVELS, LEVEL_COLOURS, strict=True)
        ],
    }


def level_at_horizon(loaded: RunResult, edited: RunResult) -> dict[str, Any]:
    """Bars: the probability of each level at the horizon, as loaded and as edited."""
    return _paired_bars(
        f"Level at the horizon ({edited.spec.horizon})",
        [_label(level) for level in LEVELS],
        list(loaded.final_level_probabilities().values()),
        list(edited.final_level_probabilities().values()),
    )


def key_events(loaded: RunResult, edited: RunResult) -> dict[str, Any]:
    """Bars: the probability of each key event by the horizon, as loaded and as edited."""
    before, after = loaded.event_summary(), edited.event_summary()
    return _paired_bars(
        "Key events by the horizon",
        [event_label(event) for event in KEY_EVENTS],
        [before[event]["probability"] for event in KEY_EVENTS],
        [after[event]["probability"] for event in KEY_EVENTS],
    )


def _paired_bars(title: str, names: list[str], loaded: list[float], edited: list[float]) -> dict[str, Any]:
    return {
        **_ANIMATION,
        "title": {"text": title, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 24, "data": ["as loaded", "edited"]},
        "grid": {"top": 64, "left": 48, "right": 16, "bottom": 72},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": _PERCENT_AXIS,
        "series": [
            {"name": "as loaded", "type": "bar", "color": "#bdbdbd", "data": [_percent(p) for p in loaded]},
            {"name": "edited", "type": "bar", "color": EVENT_COLOURS[0], "data": [_percent(p) for p in edited]},
        ],
    }


def revisions(table: Any) -> dict[str, Any]:
    """Lines: each question's probability by the month each forecast was made (``Revisions.table``)."""
    months = sorted(set(table["made"]))
    series = []
    for i, (_, rows) in enumerate(table.groupby("question", sort=False)):
        by_month = {row.made: row.probability for row in rows.itertuples() if row.probability == row.probability}
        series.append(
            {
                "name": str(rows["text"].iloc[0]),
                "type": "line",
                "color": EVENT_COLOURS[i % len(EVENT_COLOURS)],
                "connectNulls": True,
                "data": [_percent(by_month[m]) if m in by_month else None for m in months],
            }
        )
    return {
        **_ANIMATION,
        "title": {"text": "How each question's forecast moved", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 24, "type": "scroll"},
        "grid": {"top": 84, "left": 48, "right": 48, "bottom": 32},
        "xAxis": {"type": "category", "data": months, "name": "made"},
        "yAxis": _PERCENT_AXIS,
        "series": series,
    }
