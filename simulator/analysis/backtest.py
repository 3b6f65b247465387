"""The three-cycle hindcast of 1992-2016 and its leave-one-cycle-out fits, which sim calibrate and sim ensemble use.

``skill_backtest`` runs both kinds of test of ``simulator.analysis.skill`` from
every origin (hindcast given the shocks; forecast at the record's base rates,
in sample and, with the leave-one-cycle-out fits, out of sample) and
``score_questions`` scores the question set on the forecast runs. ``score``
adds the hindcast's details: proper scores against the record's
time-ignoring average ("climatology"), the months from each scenario's start
to the first crisis against the record's cycles (001: roughly 8, 7 and 5
years), the Obama reset's run to disillusionment ("within three years", 001),
and trust against Gallup and Levada by rank correlation. The scores are the
ranked probability score (RPS) for the ordinal levels and the Brier score
for the Giles phases, each month against the coded period table (whose
coders' disagreements make the observation a distribution).
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from simulator.analysis import history, questions
from simulator.analysis.skill import (
    FORECAST,
    HINDCAST,
    IN_SAMPLE,
    OUT_OF_SAMPLE,
    ROLLING,
    Skill,
    brier,
    forecast_spec,
    rps,
    skill,
)
from simulator.api import run as run_scenario
from simulator.files import packaged
from simulator.results.result import RunResult
from simulator.scenario import Scenario, load_scenario, override
from simulator.vocabulary import CRISIS, DISILLUSIONMENT

HISTORY = packaged("scenarios", "history")

#: The historical scenarios: (file stem, the record's months from its start to the crisis that ended its cycle).
SCENARIOS = {
    "history_1992": history.months_between(*history.RECORD_CYCLES["cycle 1 (euphoria 1992 to Kosovo 1999)"]),
    "history_2001": history.months_between(*history.RECORD_CYCLES["cycle 2 (9/11 reset to Georgia 2008)"]),
    "history_2009": history.months_between(*history.RECORD_CYCLES["cycle 3 (Obama reset to Ukraine 2014)"]),
}


@dataclass(frozen=True)
class Score:
    """How one historical run compares with the record."""

    scenario: str
    level_rps: float
    level_rps_climatology: float
    level_skill: float
    phase_brier: float
    phase_brier_climatology: float
    phase_skill: float
    record_months_to_crisis: int
    median_months_to_crisis: float  #: inf when fewer than half the worlds reach a crisis
    p10_months_to_crisis: float
    p90_months_to_crisis: float
    share_reaching_crisis: float
    median_months_to_disillusionment: float
    trust_gallup_rho: float
    trust_gallup_polls: int
    trust_levada_rho: float
    trust_levada_polls: int


def _months_to(entries: np.ndarray, worlds: int, quantile: float) -> float:
    """Month by which ``quantile`` of the worlds had first entered a phase (from its histogram); inf if never."""
    reached = np.cumsum(entries)
    month = int(np.searchsorted(reached, quantile * worlds, side="left"))
    return float(month) if month < len(entries) else float("inf")


def _rank_correlation(trust: pd.Series, polls: pd.Series) -> tuple[float, int]:
    """Spearman correlation of the model's trust with polls in the polls' own months, and how many."""
    common = trust.index.intersection(polls.index)
    if len(common) < 4:
        return float("nan"), len(common)
    return float(stats.spearmanr(trust[common], polls[common]).statistic), len(common)


def score(name: str, result: RunResult) -> Score:
    """Score one historical run against the record."""
    months = result.months
    levels_obs, phases_obs, covered = history.observed(months)
    levels = result.levels_by_month.drop(columns="month").to_numpy()[covered]
    phases = result.phases_by_month.drop(columns="month").to_numpy()[covered]
    levels_obs, phases_obs = levels_obs[covered], phases_obs[covered]
    level_clim = np.broadcast_to(levels_obs.mean(axis=0), levels_obs.shape)
    phase_clim = np.broadcast_to(phases_obs.mean(axis=0), phases_obs.shape)
    level_rps, level_rps_clim = rps(levels, levels_obs).mean(), rps(level_clim, levels_obs).mean()
    phase_brier, phase_brier_clim = brier(phases, phases_obs).mean(), brier(phase_clim, phases_obs).mean()

    entries, worlds = result.tally.phase_entries, result.tally.worlds
    to_crisis, to_disillusionment = entries[CRISIS], entries[DISILLUSIONMENT]
    trust = result.state_by_month.set_index("month")["trust"]
    gallup_rho, gallup_n = _rank_correlation(trust, history.gallup())
    levada_rho, levada_n = _rank_correlation(trust, history.levada())
    stem = name.removesuffix("_leaders")
    return Score(
        scenario=name,
        level_rps=float(level_rps),
        level_rps_climatology=float(level_rps_clim),
        level_skill=float(1 - level_rps / level_rps_clim),
        phase_brier=float(phase_brier),
        phase_brier_climatology=float(phase_brier_clim),
        phase_skill=float(1 - phase_brier / phase_brier_clim),
        record_months_to_crisis=SCENARIOS[stem],
        median_months_to_crisis=_months_to(to_crisis, worlds, 0.5),
        p10_months_to_crisis=_months_to(to_crisis, worlds, 0.1),
        p90_months_to_crisis=_months_to(to_crisis, worlds, 0.9),
        share_reaching_crisis=float(to_crisis.sum() / worlds),
        median_months_to_disillusionment=_months_to(to_disillusionment, worlds, 0.5),
        trust_gallup_rho=gallup_rho,
        trust_gallup_polls=gallup_n,
        trust_levada_rho=levada_rho,
        trust_levada_polls=levada_n,
    )


def load_history(config_dir: Path | None = None, folder: Path = HISTORY) -> dict[str, Scenario]:
    """The historical scenarios, with and without the timeline's shocks."""
    names = [stem + suffix for stem in SCENARIOS for suffix in ("", "_leaders")]
    return {name: load_scenario(folder / f"{name}.yaml", config_dir=config_dir) for name in names}


def backtest(specs: dict[str, Scenario], runs: int, seed: int) -> tuple[list[Score], dict[str, RunResult]]:
    """Run every historical scenario and score it."""
    results = {name: run_scenario(spec, runs=runs, seed=seed) for name, spec in specs.items()}
    return [score(name, result) for name, result in results.items()], results


def skill_backtest(
    specs: dict[str, Scenario],
    runs: int,
    seed: int,
    folds: dict[str, dict[str, float]] | None = None,
    rows: pd.DataFrame | None = None,
    rolling: dict[str, dict[str, float]] | None = None,
) -> tuple[list[Skill], dict[str, RunResult]]:
    """Both kinds of test for every origin: hindcast given the shocks, and forecast, in and out of sample.

    Args:
        specs: the historical scenarios (``load_history``), with and without the timeline's shocks.
        runs: worlds per run.
        seed: the seed of every run and of the bootstrap.
        folds: for an origin's cycle, structural values fitted without it (``calibrate.read_folds``);
            each gives an out-of-sample forecast row.
        rows: the timeline in its CSV's form (default: the shipped one); only its counts reach a forecast.
        rolling: for an origin's cycle, structural values fitted on the cycles before it only.

    Returns:
        The skills, and the runs by name (``history_1992``, ``history_1992_forecast``, ``..._forecast_out``).
    """
    runs_to_score: list[tuple[str, str, str, Scenario]] = []
    for key in history.HISTORY_STARTS:
        name, leaders = f"history_{key}", specs[f"history_{key}_leaders"]
        runs_to_score.append((name, HINDCAST, IN_SAMPLE, specs[name]))
        runs_to_score.append((f"{name}_forecast", FORECAST, IN_SAMPLE, forecast_spec(leaders, rows)))
        if folds and key in folds:
            held_out = override(leaders, folds[key], source="calibration without this cycle")
            runs_to_score.append((f"{name}_forecast_out", FORECAST, OUT_OF_SAMPLE, forecast_spec(held_out, rows)))
        if rolling and key in rolling:
            before = override(leaders, rolling[key], source="calibration on the cycles before this one")
            runs_to_score.append((f"{name}_forecast_rolling", FORECAST, ROLLING, forecast_spec(before, rows)))
    results, skills = {}, []
    for name, mode, sample, spec in runs_to_score:
        results[name] = run_scenario(spec, runs=runs, seed=seed)
        skills.append(skill(results[name], mode, sample, seed))
    return skills, results


def scores_table(scores: list[Score]) -> pd.DataFrame:
    """The scores as a table, one row per scenario."""
    return pd.DataFrame([asdict(s) for s in scores])


def question_runs(results: dict[str, RunResult], sample: str) -> dict[str, RunResult]:
    """The forecast-mode runs of one sample, keyed by origin month, for scoring the question set."""
    suffix = "_forecast" if sample == IN_SAMPLE else "_forecast_out"
    return {str(r.months[0]): r for name, r in results.items() if name.endswith(suffix)}


def score_questions(results: dict[str, RunResult]) -> dict[str, questions.QuestionScores]:
    """The question set scored on the forecast runs, in sample and, where they ran, out of sample."""
    scored = {}
    for sample in (IN_SAMPLE, OUT_OF_SAMPLE):
        runs = question_runs(results, sample)
        if len(runs) == len(history.HISTORY_STARTS):
            scored[sample] = questions.score(runs)
    return scored
