"""A sensitivity analysis's files: the indices as CSV, a tornado chart per outcome, the design's outputs.

Files written to the output folder:

    indices.csv        outcome, assumption, measure, value, conf (half-width of the 95 % interval)
    ranges.csv         design methods: each assumption varied: its low, high and where the range came from
    points.parquet     design methods: each design point's assumption values and outcome shares
    sensitivity.json   settings, warnings and in-world noise share per outcome
    tornado_<outcome>.png  the assumptions that move the outcome most, largest on top
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

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


def tornado(analysis: Analysis, outcome: Outcome, subtitle: str) -> Figure:
    """Horizontal bars of the assumptions that move ``outcome`` most, largest on top, with 95 % intervals."""
    ranking = analysis.ranking(outcome.name).head(TOP).iloc[::-1]
    main = MAIN_MEASURE[analysis.method]
    inner = INNER[analysis.method]
    fig = Figure(figsize=(9, 0.38 * len(ranking) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(ranking))
    ax.barh(y, ranking[main], color="#9ecae1", label=LABELS[main], xerr=_conf(ranking, main), capsize=2)
    if inner is not None:
        inner_conf = _conf(ranking, inner)
        ax.barh(y, ranking[inner], height=0.4, color="#08519c", label=LABELS[inner], xerr=inner_conf, ecolor="#555")
    reach = _reach(ranking, main) if inner is None else np.maximum(_reach(ranking, main), _reach(ranking, inner))
    for yi, value, end in zip(y, ranking[main], reach, strict=True):
        ax.annotate(f"{value:.2f}", (max(end, 0), yi), xytext=(6, 0), textcoords="offset points", va="center")
    ax.set_yticks(y, ranking.index)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("share of the outcome's variance" if analysis.method == "sobol" else LABELS[main])
    ax.set_title(f"What drives: {outcome.text}\n{subtitle}", loc="left", fontsize=11)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _reach(ranking: pd.DataFrame, measure: str) -> np.ndarray:
    """How far right a measure's bar and its interval go: where its label can start."""
    conf = _conf(ranking, measure)
    return ranking[measure].to_numpy() + (0.0 if conf is None else np.nan_to_num(conf))


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
    files: dict[str, Callable[[Path], None]] = {
        "indices.csv": lambda p: analysis.indices.to_csv(p, index=False, float_format="%.4f")
    }
    if chosen:
        ranges = pd.DataFrame(
            [(f.path, f.low, f.high, f.how, str(f.assumption)) for f in chosen],
            columns=["assumption", "low", "high", "range_from", "scenario_value"],
        )
        files["ranges.csv"] = lambda p: ranges.to_csv(p, index=False)
    if analysis.outputs is not None:
        files["points.parquet"] = lambda p: analysis.outputs.to_parquet(p, index=False)
    summary = settings | {"method": analysis.method, "warnings": analysis.warnings, "noise_share": analysis.noise}
    files["sensitivity.json"] = lambda p: write_json(p, summary)
    shown = set(analysis.indices["outcome"])
    for outcome in outcomes:
        if outcome.name in shown:
            fig = tornado(analysis, outcome, subtitle)
            files[f"tornado_{file_name(outcome.name)}.png"] = lambda p, fig=fig: fig.savefig(p, dpi=120, format="png")
    return write_files(out, files)
