"""A sensitivity analysis's files: the indices as CSV, a tornado chart per outcome, the design's outputs.

Files written to the output folder:

    indices.csv        outcome, assumption, measure, value, conf (half-width of the 95 % interval),
                       direction (+1: a higher value makes the outcome likelier, -1 less likely, 0 unclear)
    ranges.csv         design methods: each assumption varied: its low, high and where the range came from
    points.parquet     design methods: each design point's assumption values and outcome shares
    sensitivity.json   settings, warnings, in-world noise share per outcome (design methods), PAWN's noise floor
    tornado_<outcome>.png  the assumptions that move the outcome most, largest on top
"""

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from simulator.analysis.outcomes import Outcome
from simulator.analysis.sensitivity import MAIN_MEASURE, Analysis, Factor
from simulator.results.outputs import write_files, write_json

#: Assumptions shown in a tornado chart.
TOP = 15

#: Measure drawn as the inner bar, per method (the main one is the outer bar).
INNER = {"sobol": "S1", "pawn": None, "delta": None, "morris": None}

LABELS = {
    "ST": "total-order Sobol index (all effects)",
    "S1": "first-order Sobol index (alone)",
    "mu_star": "Morris \u03bc* (mean absolute elementary effect)",
    "median": "PAWN index (median KS distance)",
    "delta": "delta moment-independent index",
}


#: Bar colours by the direction of an assumption's effect (``indices.csv``'s ``direction``).
DIRECTION_COLOURS = {1: "#4daf4a", -1: "#e41a1c", 0: "#bdbdbd"}
DIRECTION_WORDS = {
    1: "higher value makes it likelier",
    -1: "higher value makes it less likely",
    0: "no clear direction",
}


def tornado(analysis: Analysis, outcome: Outcome, subtitle: str) -> Figure:
    """Horizontal bars of the assumptions that move ``outcome`` most, largest on top, with 95 % intervals.

    Each bar's colour says which way a higher value of the assumption moves the outcome. Values are
    labelled to 2 decimals, or 3 when every index is below 0.2 (PAWN's are small); an index that
    rounds to zero, or falls below it by noise, is drawn as no bar and labelled 0, never "-0.00".
    """
    ranking = analysis.ranking(outcome.name).head(TOP).iloc[::-1]
    main = MAIN_MEASURE[analysis.method]
    inner = INNER[analysis.method]
    rows = analysis.indices[analysis.indices["outcome"] == outcome.name]
    signs = rows.groupby("assumption")["direction"].first() if "direction" in rows else pd.Series(dtype=float)
    direction = [int(np.sign(np.nan_to_num(signs.get(path, 0.0)))) for path in ranking.index]
    fig = Figure(figsize=(9.5, 0.38 * len(ranking) + 2.2), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(ranking))
    decimals = 3 if np.nanmax(ranking[main].to_numpy()) < 0.2 else 2
    values = _shown(ranking[main].to_numpy(), decimals)
    ax.barh(y, values, color=[DIRECTION_COLOURS[d] for d in direction], xerr=_errors(ranking, main, values), capsize=2)
    if inner is not None:
        inside = _shown(ranking[inner].to_numpy(), decimals)
        ax.barh(
            y, inside, height=0.35, color="#252525", alpha=0.55, xerr=_errors(ranking, inner, inside), ecolor="#555"
        )
    reach = (
        _reach(ranking, main, values)
        if inner is None
        else np.maximum(_reach(ranking, main, values), _reach(ranking, inner, inside))
    )
    for yi, value, end in zip(y, values, reach, strict=True):
        ax.annotate(
            f"{value:.{decimals}f}" if value else "0",
            (end, yi),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            zorder=4,
        )
    ax.set_yticks(y, ranking.index)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlim(0, max(0.05, float(np.max(reach)) * 1.15))
    ax.set_xlabel("share of the outcome's variance" if analysis.method == "sobol" else LABELS[main])
    ax.set_title(f"What drives: {outcome.text}\n{subtitle}", loc="left", fontsize=11)
    handles: list[Artist] = [
        Patch(color=DIRECTION_COLOURS[d], label=DIRECTION_WORDS[d]) for d in (1, -1, 0) if d in direction
    ]
    if inner is not None:
        handles.append(Patch(color="#252525", alpha=0.55, label=LABELS[inner]))
    floor = (analysis.floor or {}).get(outcome.name, {}).get(main)
    if floor is not None:
        handles.append(
            ax.axvline(
                floor, color="#555", linestyle="--", linewidth=1, zorder=1, label="noise floor: random assumptions"
            )
        )
    ax.legend(handles=handles, title=LABELS[main], loc="lower right", frameon=False, fontsize=8, title_fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _shown(values: np.ndarray, decimals: int) -> np.ndarray:
    """Indices as drawn: those that round to zero at ``decimals``, or fall below it by noise, as 0."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    return np.where(values < 0.5 * 10.0**-decimals, 0.0, values)


def _errors(ranking: pd.DataFrame, measure: str, shown: np.ndarray) -> np.ndarray | None:
    """The 95 % interval around each drawn bar, (below, above), cut off at zero."""
    conf = _conf(ranking, measure)
    if conf is None:
        return None
    conf = np.nan_to_num(conf)
    upper = np.clip(ranking[measure].to_numpy() + conf, 0, None)
    return np.vstack([np.minimum(conf, shown), np.clip(upper - shown, 0, None)])


def _reach(ranking: pd.DataFrame, measure: str, shown: np.ndarray) -> np.ndarray:
    """How far right a measure's bar and its interval go: where its label can start."""
    errors = _errors(ranking, measure, shown)
    return shown + (0.0 if errors is None else errors[1])


def _conf(ranking: pd.DataFrame, measure: str) -> np.ndarray | None:
    column = f"{measure}_conf"
    return ranking[column].to_numpy() if column in ranking else None


def file_name(outcome: str) -> str:
    """A file-name-safe form of an outcome's name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", outcome)


def write_analysis(
    analysis: Analysis,
    outcomes: list[Outcome],
    chosen: list[Factor],
    out: Path,
    subtitle: str,
    settings: dict[str, Any],
) -> list[Path]:
    """Write the analysis's files to ``out``; return their paths."""
    files: dict[str, Callable[[Path], object]] = {
        "indices.csv": lambda p: analysis.indices.to_csv(p, index=False, float_format="%.4f")
    }
    if chosen:
        ranges = pd.DataFrame(
            [(f.path, f.low, f.high, f.how, str(f.assumption)) for f in chosen],
            columns=["assumption", "low", "high", "range_from", "scenario_value"],
        )
        files["ranges.csv"] = lambda p: ranges.to_csv(p, index=False)
    outputs = analysis.outputs
    if outputs is not None:
        files["points.parquet"] = lambda p: outputs.to_parquet(p, index=False)
    summary = settings | {"method": analysis.method, "warnings": analysis.warnings, "noise_share": analysis.noise}
    if analysis.floor is not None:
        summary["noise_floor"] = analysis.floor
    files["sensitivity.json"] = lambda p: write_json(p, summary)
    shown = set(analysis.indices["outcome"])
    for outcome in outcomes:
        if outcome.name in shown:
            fig = tornado(analysis, outcome, subtitle)
            files[f"tornado_{file_name(outcome.name)}.png"] = partial(fig.savefig, dpi=120, format="png")
    return write_files(out, files)
