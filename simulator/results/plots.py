"""Plots of a run, drawn from its tidy tables (never from the model).

Uses matplotlib's object API (``Figure``), so importing this module picks no
backend and opens no window.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, PercentFormatter

from simulator.vocabulary import KEY_EVENTS, LEVELS, PHASES, event_label

LEVEL_COLOURS = ("#7f7f7f", "#9ecae1", "#4292c6", "#2ca25f", "#006d2c")
PHASE_COLOURS = ("#fdae61", "#ffffbf", "#abd9e9", "#d7191c", "#2c7bb6")
EVENT_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


@dataclass(frozen=True)
class Caption:
    """Where a run's figures come from, for their titles, and the dated events to mark on time axes.

    Attributes:
        scenario: the scenario's name.
        runs: worlds simulated.
        effective: the worlds the intervals count: a run conditioned on evidence's fewest effective
            worlds (docs/evidence.md); ``None``: ``runs``.
        seed: the root seed.
        overrides: the ``--set`` assignments the run was made with.
        markers: (month index, label) of each scheduled event.
    """

    scenario: str
    runs: int
    seed: int
    overrides: tuple[str, ...] = ()
    markers: tuple[tuple[int, str], ...] = ()
    effective: float | None = None

    def title(self, what: str) -> str:
        """A two-line title: the scenario and what is shown, then overrides, worlds and seed."""
        changed = f"with {', '.join(self.overrides)}; " if self.overrides else ""
        return f"{self.scenario}: {what}\n{changed}{self.runs:,} worlds, seed {self.seed}"


def _title(scenario: "str | Caption", what: str) -> str:
    return scenario.title(what) if isinstance(scenario, Caption) else f"{scenario}: {what}"


#: Scheduled-event labels: their font size, and the height of a row of them above the axes, in points.
MARKER_SIZE = 8
MARKER_ROW = 11


def _mark_schedule(ax, scenario: "str | Caption") -> float:
    """Dotted vertical lines at the scheduled events, labelled above the axes; return the room the labels take.

    Labels are placed, not just drawn: each goes into the lowest row above the plot area where it
    does not reach a label already there, so no two collide, and none touches the bands, the curves
    or a legend beside the axes. The returned height (points) is the title's padding.
    """
    if not isinstance(scenario, Caption) or not scenario.markers:
        return 6.0
    left, right = ax.get_xlim()
    width = _axes_width(ax)
    rows: list[float] = []  # where each row's last label ends, in points from the axes' left edge
    for index, label in sorted(scenario.markers):
        ax.axvline(index, color="#444444", linestyle=":", linewidth=1, zorder=3)
        x = (index - left) / (right - left) * width
        size = _text_width(label, MARKER_SIZE)
        align = "left" if x < size / 2 else "right" if x > width - size / 2 else "center"
        start = {"left": x, "center": x - size / 2, "right": x - size}[align]
        row = next((i for i, end in enumerate(rows) if start > end + 4), len(rows))
        if row == len(rows):
            rows.append(0.0)
        rows[row] = start + size
        ax.annotate(
            label,
            (index, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3 + row * MARKER_ROW),
            textcoords="offset points",
            ha=align,
            va="bottom",
            fontsize=MARKER_SIZE,
            color="#444444",
            annotation_clip=False,
        )
    return 6.0 + len(rows) * MARKER_ROW


def _text_width(text: str, size: float) -> float:
    """The width of ``text`` at font ``size``, in points, as matplotlib lays it out."""
    width, _, _ = TextToPath().get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return float(width)


def _axes_width(ax) -> float:
    """The axes' width in points once the figure is laid out: the layout is run to learn it."""
    ax.figure.draw_without_rendering()
    return float(ax.get_window_extent().width * 72 / ax.figure.dpi)


def _direct_labels(ax, values: list[float], labels: list[str], colours: list[str]) -> None:
    """Label each line just right of the axes, level with its end, nudged apart so that no two labels overlap."""
    for y, label, colour in zip(_spread(values), labels, colours, strict=True):
        ax.annotate(
            label,
            (1, y),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            color=colour,
            va="center",
            fontsize=9,
            annotation_clip=False,
        )


def _spread(values: list[float], gap: float = 0.04) -> np.ndarray:
    """Label heights near ``values`` at least ``gap`` apart: neighbours too close are pushed apart, both ways."""
    order = np.argsort(values, kind="stable")
    y = np.asarray(values, dtype=float)[order]
    for _ in range(200):
        short = gap - np.diff(y)
        if (short <= 1e-9).all():
            break
        push = np.clip(short, 0, None) / 2
        y[:-1] -= push
        y[1:] += push
    y[0] = max(y[0], gap / 2)  # keep the lowest label off the frame, and those it pushes up apart
    for i in range(1, len(y)):
        if y[i] < y[i - 1] + gap - 1e-9:
            y[i] = y[i - 1] + gap
    placed = np.empty_like(y)
    placed[order] = y
    return placed


def _band(ax, x: np.ndarray, p: np.ndarray, colour: str, scenario: "str | Caption") -> None:
    """The 95 % Monte Carlo interval around a probability curve."""
    if isinstance(scenario, Caption):
        half = 1.96 * np.sqrt(p * (1 - p) / (scenario.effective or scenario.runs))
        ax.fill_between(x, np.clip(p - half, 0, 1), np.clip(p + half, 0, 1), color=colour, alpha=0.2, linewidth=0)


def _labels(names: tuple[str, ...]) -> list[str]:
    return [name.replace("_", " ") for name in names]


def _month_axis(ax, months: pd.Series) -> None:
    """Ticks every six months on short spans, every few Januaries on long ones."""
    years = max(1, len(months) // 12)
    every = 1 if years <= 6 else 2 if years <= 12 else 4
    ticks = [
        i
        for i, m in enumerate(months)
        if (years <= 6 and m.endswith("-07")) or (m.endswith("-01") and int(m[:4]) % every == 0)
    ]
    ax.set_xticks(ticks, [months.iloc[i] for i in ticks], rotation=45, ha="right")
    ax.set_xlim(0, len(months) - 1)


def _stack(ax, table: pd.DataFrame, names: tuple[str, ...], colours: tuple[str, ...]) -> None:
    """Stacked areas of the probability columns ``names`` of a by-month table, on month ticks."""
    ax.stackplot(
        np.arange(len(table)),
        table[list(names)].T.to_numpy(),
        labels=_labels(names),
        colors=colours,
        edgecolor="white",
        linewidth=0.3,
    )
    _month_axis(ax, table["month"])
    ax.set_ylim(0, 1)
    _percent_axis(ax.yaxis)


def _percent_axis(axis, decimals: int = 0) -> None:
    """Probabilities on this axis read in %, as every table of sim speaks."""
    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def _legend_outside(ax) -> None:
    """The legend right of the axes, top entry first as the areas stack."""
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def _stacked(
    table: pd.DataFrame, names: tuple[str, ...], colours: tuple[str, ...], title: str, scenario: "str | Caption" = ""
) -> Figure:
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    ax = fig.add_subplot()
    _stack(ax, table, names, colours)
    _legend_outside(ax)
    pad = _mark_schedule(ax, scenario)
    ax.set_ylabel("share of simulated worlds")
    ax.set_title(title, loc="left", pad=pad)
    return fig


def levels_over_time(levels: pd.DataFrame, scenario: "str | Caption") -> Figure:
    """Stacked area: probability of each level, month by month."""
    return _stacked(levels, LEVELS, LEVEL_COLOURS, _title(scenario, "level of US-Russia relations"), scenario)


def phases_over_time(phases: pd.DataFrame, scenario: "str | Caption") -> Figure:
    """Stacked area: probability of each Giles phase, month by month."""
    return _stacked(phases, PHASES, PHASE_COLOURS, _title(scenario, "phase of the Giles cycle"), scenario)


def _curves(
    months: pd.Series,
    curves: list[tuple[str, np.ndarray, str]],
    scenario: "str | Caption",
    title: str,
    ylabel: str,
) -> Figure:
    """Probability curves (label, values, colour) over months, with 95 % bands, labelled at their ends with values."""
    fig = Figure(figsize=(11, 6), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(months))
    for _, values, colour in curves:
        _band(ax, x, values, colour, scenario)
        ax.plot(x, values, color=colour, linewidth=2)
    _month_axis(ax, months)  # the axis ends at the horizon; the labels sit beyond it
    ax.set_ylim(0, 1)
    _percent_axis(ax.yaxis)
    labels, ends, colours = zip(
        *((f"{label} {percent(float(v[-1]))}", float(v[-1]), colour) for label, v, colour in curves), strict=True
    )
    _direct_labels(ax, list(ends), list(labels), list(colours))
    pad = _mark_schedule(ax, scenario)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(scenario, title), loc="left", pad=pad)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def levels_reached(events: pd.DataFrame, scenario: "str | Caption") -> Figure:
    """Lines: probability of having reached at least each level by each month, with 95 % bands."""
    curves = [
        (f"at least {LEVELS[k].replace('_', ' ')}", events[f"level>={k}"].to_numpy(dtype=float), LEVEL_COLOURS[k])
        for k in range(1, len(LEVELS))
    ]
    return _curves(
        events["month"], curves, scenario, "level reached at least once, by month", "probability of having reached it"
    )


def level_at_horizon(
    final: dict[str, float], reached: dict[str, float], horizon: str, scenario: "str | Caption"
) -> Figure:
    """Bars: probability of each level at the horizon, beside the highest level reached."""
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(LEVELS))
    width = 0.4
    bars = ax.bar(x - width / 2, [final[k] for k in LEVELS], width, color=LEVEL_COLOURS, label=f"level in {horizon}")
    highest = ax.bar(
        x + width / 2,
        [reached[k] for k in LEVELS],
        width,
        color=LEVEL_COLOURS,
        alpha=0.45,
        hatch="//",
        edgecolor="white",
        label="highest level reached",
    )
    ax.bar_label(bars, labels=[percent(final[k]) for k in LEVELS], padding=2, fontsize=9)
    ax.bar_label(highest, labels=[percent(reached[k]) for k in LEVELS], padding=2, fontsize=9, color="#555555")
    ax.set_xticks(x, _labels(LEVELS))
    ax.set_ylim(0, 1)
    _percent_axis(ax.yaxis)
    ax.set_ylabel("share of simulated worlds")
    ax.set_title(_title(scenario, f"level of relations at the horizon ({horizon})"), loc="left")
    ax.legend(frameon=False)
    return fig


def percent(p: float) -> str:
    """A probability as a reader writes it: whole percent, "<1%" and ">99%" where rounding would say 0 or 100."""
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{p:.0%}"


def events_over_time(events: pd.DataFrame, scenario: "str | Caption") -> Figure:
    """Lines: probability that each key event has happened, month by month, labelled at their ends."""
    curves = [
        (label, events[event].to_numpy(dtype=float), colour)
        for event, label, colour in zip(KEY_EVENTS, map(event_label, KEY_EVENTS), EVENT_COLOURS, strict=True)
    ]
    return _curves(events["month"], curves, scenario, "key events, cumulative", "probability it has happened")


def save(fig: Figure, path: Path) -> None:
    """Write a figure as PNG."""
    fig.savefig(path, dpi=120)


def _worlds(runs: int | None, seed: int | None) -> str:
    """Where a comparison's numbers come from, for its title: worlds, seed and pairing."""
    return "" if runs is None else f"; {runs:,} worlds each, seed {seed}, paired"


def compare_levels(levels: dict[str, pd.DataFrame], runs: int | None = None, seed: int | None = None) -> Figure:
    """Side by side: each scenario's level probabilities over time."""
    columns = min(3, len(levels))
    rows = -(-len(levels) // columns)
    fig = Figure(figsize=(4.2 * columns + 2, 3.6 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, columns, sharey=True, squeeze=False).ravel()
    for ax in axes[len(levels) :]:
        ax.set_visible(False)
    for ax, (name, table) in zip(axes, levels.items(), strict=False):
        _stack(ax, table, LEVELS, LEVEL_COLOURS)
        ax.set_title(name)
    for ax in axes[::columns]:
        ax.set_ylabel("share of simulated worlds")
    _legend_outside(axes[columns - 1])
    fig.suptitle(f"Level of US-Russia relations, scenario by scenario{_worlds(runs, seed)}")
    return fig


def compare_differences(
    table: pd.DataFrame, reference: str, horizon: str, runs: int | None = None, seed: int | None = None
) -> Figure:
    """Bars: each scenario's difference from the reference, with 95% intervals from paired worlds."""
    wanted = [("level at horizon", level) for level in LEVELS] + [("event by horizon", e) for e in KEY_EVENTS]
    others = [name for name in table["scenario"].unique() if name != reference]
    fig = Figure(figsize=(10, 0.5 * len(wanted) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / max(1, len(others))
    y = np.arange(len(wanted))
    for i, name in enumerate(others):
        rows = table[table["scenario"] == name].set_index(["kind", "quantity"]).reindex(wanted)
        ax.barh(
            y + i * height,
            rows["difference"],
            height,
            xerr=1.96 * rows["standard_error"],
            label=name,
            color=EVENT_COLOURS[i % len(EVENT_COLOURS)],
            capsize=2,
        )
    ax.set_yticks(
        y + height * (len(others) - 1) / 2,
        [f"{q.replace('_', ' ')} ({'in ' + horizon if k.startswith('level') else 'by ' + horizon})" for k, q in wanted],
    )
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"difference in probability from {reference}, in percentage points (95% interval, paired worlds)")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:+.0f}" if round(v * 100) else "0"))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(
        f"{', '.join(others)} against {reference}: change in each probability\n"
        f"level in and events by {horizon}{_worlds(runs, seed)}",
        x=0.01,
        ha="left",
    )
    return fig


def backtest_record(
    name: str,
    levels: pd.DataFrame,
    phases: pd.DataFrame,
    observed_levels: np.ndarray,
    observed_phases: np.ndarray,
    trust: pd.DataFrame,
) -> Figure:
    """Model against the record: expected level, Giles phases (coded strip beneath), trust against polls."""
    fig = Figure(figsize=(12, 10), layout="constrained")
    top, middle, bottom = fig.subplots(3, 1, height_ratios=[1, 1.2, 0.9])
    x = np.arange(len(levels))
    codes = np.arange(len(LEVELS))
    top.plot(x, levels[list(LEVELS)].to_numpy() @ codes, color="#08519c", label="model: expected level")
    top.plot(x, observed_levels @ codes, color="black", drawstyle="steps-mid", label="record: coded level")
    top.set_yticks(codes, _labels(LEVELS))
    top.set_ylim(-0.2, 4.2)
    top.legend(frameon=False, loc="lower left")
    top.set_title(f"{name}: the model against the coded record")
    _month_axis(top, levels["month"])

    _stack(middle, phases, PHASES, PHASE_COLOURS)
    coded = np.argmax(observed_phases, axis=1)
    middle.scatter(x, np.full(len(x), -0.06), c=[PHASE_COLOURS[c] for c in coded], marker="s", s=8, clip_on=False)
    middle.set_ylim(-0.1, 1)
    middle.set_ylabel("model's phase (coded phase below)")
    _legend_outside(middle)

    bottom.plot(x, trust["model_trust"].to_numpy() * 100, color="#08519c", label="model: mean trust x 100")
    bottom.plot(x, trust["gallup_favourable_pct"], "o", color="#d62728", label="Gallup: % Americans favourable")
    bottom.plot(x, trust["levada_good_pct"], "s", color="#2ca02c", label="Levada: % Russians good attitude")
    bottom.set_ylim(0, 100)
    _month_axis(bottom, levels["month"])
    bottom.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    bottom.grid(alpha=0.3)
    return fig


def reliability(calibration: pd.DataFrame, title: str) -> Figure:
    """Reliability diagram: each bin's observed frequency against its mean forecast, sized by its questions."""
    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    shown = calibration.dropna(subset=["mean_forecast"])
    ax.scatter(shown["mean_forecast"], shown["observed_frequency"], s=30 * shown["questions"], label="model")
    for row in shown.itertuples():
        ax.annotate(str(row.questions), (row.mean_forecast, row.observed_frequency), ha="center", va="center")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="forecast probability", ylabel="share that came true", title=title)
    _percent_axis(ax.xaxis)
    _percent_axis(ax.yaxis)
    ax.legend(loc="upper left")
    return fig
