"""``sim ensemble``: weighting the thesis scenarios by how well they forecast history out of sample.

A thesis is a set of assumptions that differ from the baseline's (the first
member of the ensemble). ``fit_ensemble_rolling`` carries each thesis's
changes that say something of any decade to history (``thesis_carry``),
scores it on the rolling-origin test's questions of 1994-2023
(``thesis_scores``) and fits the stacking weights with their bootstrap
intervals and Bayesian model averaging beside them (``ensemble_weights``);
``fit_ensemble`` does the same on the older 1992-2016 question set, kept for
comparison. With some forty questions BMA puts almost all the weight on one
thesis. ``write_tables`` and ``write_weights`` write the outcome: the tables
into the output folder, the weights where ``weights: fitted`` reads them.
"""

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from simulator.analysis.ensemble_weights import COVERAGE, REPLICATES, YEAR_REPLICATES, Weights, fit
from simulator.analysis.thesis_carry import Change, evidence_of, thesis_changes
from simulator.analysis.thesis_scores import forecast_specs, rolling_probabilities, thesis_probabilities
from simulator.files import atomically
from simulator.results.outputs import write_files
from simulator.scenario import Scenario
from simulator.version import __version__


def fit_ensemble(
    members: list[Scenario],
    leaders: dict[str, Scenario],
    folds: dict[str, dict[str, float]] | None,
    runs: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, list[Change]], Weights]:
    """Score every member on the question set out of sample and fit the stacking weights.

    Args:
        members: the scenarios, the baseline first.
        leaders: the leaders-only historical scenarios (``backtest.load_history``).
        folds: values fitted on the record before each cycle (``calibrate.read_folds``); in sample if None.
        runs: worlds per historical run.
        seed: the seed of every run and of the bootstrap.
        progress: called with a thesis's name as its runs finish.
    """
    found = thesis_changes(members)
    probabilities = thesis_probabilities(found, members[0], forecast_specs(leaders, folds), runs, seed, progress)
    return found, fit(probabilities, evidence_of(found), seed)


def fit_ensemble_rolling(
    members: list[Scenario],
    runs: int,
    seed: int,
    origins: list[str] | None = None,
    processes: int = 1,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, list[Change]], Weights]:
    """Score every member on the rolling-origin questions out of sample and fit the stacking weights.

    Args:
        members: the scenarios, the baseline first.
        runs: worlds per origin.
        seed: the seed of every run and of the bootstrap.
        origins: some origins of the grid only (default: all 120).
        processes: processes that run origins; the results never depend on it.
        progress: called with a thesis's name as its runs finish.
    """
    found = thesis_changes(members)
    frame, probabilities = rolling_probabilities(found, members[0], runs, seed, origins, processes, progress)
    return found, fit(probabilities, evidence_of(found), seed, frame)


def write_tables(found: dict[str, list[Change]], weights: Weights, out: Path) -> list[Path]:
    """The weights, the scores, each question's probabilities and what each thesis carries, as CSV files."""
    carried = pd.DataFrame([asdict(c) for items in found.values() for c in items])
    carried["rule"] = carried["rule"].fillna("not carried") if len(carried) else carried.get("rule")
    writers: dict[str, Callable[[Path], object]] = {
        "weights.csv": lambda p: weights.table.to_csv(p, index=False),
        "scores.csv": lambda p: weights.scores.to_csv(p, index=False),
        "questions.csv": lambda p: weights.probabilities.to_csv(p, index=False),
        "carried.csv": lambda p: carried.to_csv(p, index=False),
    }
    return write_files(out, writers)


# Writing ------------------------------------------------------------------------------------


def write_weights(
    weights: Weights,
    target: Path,
    runs: int,
    seed: int,
    folds: bool,
    members: dict[str, str],
    rolling_set: bool = False,
) -> None:
    """Write the fitted weights, with a header saying how they were made, where ``weights: fitted`` reads them."""
    table = weights.table
    stacked = next(s for s in weights.scores.itertuples() if s.forecast.startswith("ensemble, stacked, leave"))
    sample = (
        "out of sample (structural values fitted without the question's cycle)"
        if folds
        else "in sample (no leave-one-cycle-out fits were found)"
    )
    if rolling_set:
        origins = weights.probabilities["origin"]
        made = (
            f"# on the {len(weights.probabilities):,} rolling-origin questions of sim backtest ({origins.nunique()} "
            f"origins, {origins.min()} to {origins.max()}).\n"
            "# Each thesis's forecasts ran out of sample: from each origin, from the record as known then\n"
            "# (docs/skill.md), the thesis's carried changes on top,\n"
            f"# {runs:,} worlds per origin, seed {seed}. Intervals: {COVERAGE:.0%} bootstrap over whole years of\n"
            f"# origins ({YEAR_REPLICATES} replicates). A thesis none of whose changes carries\n"
            f"# to 1994-2023 keeps its prior weight, 1/{len(table)}. With weights fitted without each year\n"
        )
    else:
        made = (
            f"# on the {len(weights.probabilities)} questions of 1992-2016 (data/history/questions_1992_2016.csv).\n"
            f"# Each thesis's forecasts ran {sample},\n"
            f"# {runs:,} worlds per origin, seed {seed}. Intervals: {COVERAGE:.0%} bootstrap over the questions,\n"
            f"# resampled within each origin ({REPLICATES} replicates). A thesis none of whose changes carries\n"
            f"# to 1992-2016 keeps its prior weight, 1/{len(table)}. With weights fitted without each cycle\n"
        )
    header = (
        f"# Written by `sim ensemble` (sim {__version__}) on {datetime.now(UTC):%Y-%m-%d}: stacking weights of\n"
        "# the thesis scenarios, fitted to maximise the log score of the mixture of their probabilities\n"
        + made
        + f"# scored, the blend scores Brier {stacked.brier:.3f}, log score {stacked.log:.3f}.\n"
        "# An ensemble scenario with `weights: fitted` reads `weights`.\n"
    )
    body = {
        "method": "stacking",
        "weights": {r.thesis: round(float(r.weight), 4) for r in table.itertuples()},
        "intervals": {r.thesis: [round(float(r.low), 4), round(float(r.high), 4)] for r in table.itertuples()},
        "bma": {r.thesis: round(float(r.bma), 4) for r in table.itertuples()},
        "evidence": {r.thesis: r.evidence for r in table.itertuples()},
        "files": members,
        "runs": runs,
        "seed": seed,
    }
    text = header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    atomically(target, lambda p: p.write_text(text, encoding="utf-8"))
