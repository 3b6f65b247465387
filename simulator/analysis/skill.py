"""Forecast skill, honestly measured: two kinds of backtest, two baselines, bootstrap intervals.

Two kinds of test are kept apart:

- **hindcast given the shocks**: the historical scenarios as shipped, with the
  timeline's shocks (Kosovo, 9/11, Georgia, Crimea, ...) scheduled at their real
  months. It measures how well the mechanisms respond to events placed at their
  real dates, not forecasting: the dates carry the answer.
- **forecast**: from each origin, only what was known then. The timeline's
  shocks are removed and every chance shock strikes at the record's base rate
  (``history.shock_base_rates``: how often, never when); the calendar of new
  US presidents stays, as the one scheduled assumption.

Each mode's monthly scores (level RPS, phase Brier) are compared with two
baselines: the record's own time-ignoring average over the scored span
("climatology") and persistence (the record's distribution at the origin, held
for ever). Skill is ``1 - score / baseline``, above zero when the model beats
the baseline, with a moving-block bootstrap interval over months (blocks of a
year, because neighbouring months are not independent).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.analysis import history
from simulator.results.result import RunResult
from simulator.scenario import Scenario, override

HINDCAST = "hindcast given the shocks"
FORECAST = "forecast"
IN_SAMPLE = "in-sample"
OUT_OF_SAMPLE = "out-of-sample"
ROLLING = "rolling origin"

#: Months per bootstrap block, replicates, and the interval's coverage.
BLOCK = 12
REPLICATES = 1000
COVERAGE = 0.9


def forecast_spec(leaders: Scenario, rows: pd.DataFrame | None = None) -> Scenario:
    """A forecast-mode scenario: the leaders-only scenario with chance shocks at the record's base rates.

    Args:
        leaders: a historical scenario driven by the leadership calendar alone.
        rows: the timeline in its CSV's form (default: the shipped one); only its counts are used.
    """
    rates = history.shock_base_rates(rows)
    values: dict[str, object] = {f"shocks.{shock}.hazard": round(rate, 6) for shock, rate in rates.items()}
    values["name"] = leaders.name.removesuffix("_leaders") + "_forecast"
    return override(leaders, values, source="record base rates")


def hindcast_spec(leaders: Scenario, rows: pd.DataFrame | None = None) -> Scenario:
    """A hindcast-mode scenario: the leaders-only scenario with the timeline's shocks at their dates."""
    start = str(leaders.start)
    schedule = history.history_schedule(start, with_timeline=True, end=str(leaders.horizon), rows=rows)
    name = leaders.name.removesuffix("_leaders")
    return override(leaders, {"schedule": schedule, "name": name}, source="timeline")


def rps(forecast: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Ranked probability score of ordinal forecasts (rows are months), 0 best."""
    gap = np.cumsum(forecast, axis=1) - np.cumsum(observed, axis=1)
    return (gap[:, :-1] ** 2).sum(axis=1) / (forecast.shape[1] - 1)


def brier(forecast: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Brier score of categorical forecasts (rows are months), 0 best."""
    return ((forecast - observed) ** 2).sum(axis=1)


def block_bootstrap(model: np.ndarray, baseline: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """Interval of the skill ``1 - mean(model) / mean(baseline)`` by resampling year-long blocks of months."""
    n = len(model)
    block = min(BLOCK, n)
    blocks = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(REPLICATES, blocks))
    index = (starts[:, :, None] + np.arange(block)).reshape(REPLICATES, -1)[:, :n]
    skills = 1 - model[index].mean(axis=1) / baseline[index].mean(axis=1)
    tail = (1 - COVERAGE) / 2
    low, high = np.quantile(skills, [tail, 1 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class Skill:
    """One scenario's scores in one mode against both baselines, with bootstrap intervals."""

    origin: str
    mode: str
    sample: str
    level_rps: float
    level_vs_climatology: tuple[float, float, float]  #: skill, low, high
    level_vs_persistence: tuple[float, float, float]
    phase_brier: float
    phase_vs_climatology: tuple[float, float, float]
    phase_vs_persistence: tuple[float, float, float]


def _versus(model: np.ndarray, baseline: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    return (float(1 - model.mean() / baseline.mean()), *block_bootstrap(model, baseline, rng))


def skill(result: RunResult, mode: str, sample: str, seed: int) -> Skill:
    """Score one historical run month by month against the record and both baselines."""
    levels_obs, phases_obs, covered = history.observed(result.months)
    levels = result.levels_by_month.drop(columns="month").to_numpy()[covered]
    phases = result.phases_by_month.drop(columns="month").to_numpy()[covered]
    levels_obs, phases_obs = levels_obs[covered], phases_obs[covered]
    scores = {
        "level": (rps, levels, levels_obs),
        "phase": (brier, phases, phases_obs),
    }
    rng = np.random.default_rng(seed)
    out: dict[str, object] = {}
    for what, (rule, forecast, observed) in scores.items():
        model = rule(forecast, observed)
        climatology = rule(np.broadcast_to(observed.mean(axis=0), observed.shape), observed)
        persistence = rule(np.broadcast_to(observed[0], observed.shape), observed)
        out[f"{what}_vs_climatology"] = _versus(model, climatology, rng)
        out[f"{what}_vs_persistence"] = _versus(model, persistence, rng)
        out[f"{what}_{'rps' if what == 'level' else 'brier'}"] = float(model.mean())
    return Skill(origin=str(result.months[0]), mode=mode, sample=sample, **out)  # type: ignore[arg-type]


def skill_table(skills: list[Skill]) -> pd.DataFrame:
    """One row per origin, mode and sample, each skill with its interval in three columns."""
    rows = []
    for s in skills:
        row: dict[str, object] = {"origin": s.origin, "mode": s.mode, "sample": s.sample}
        row["level_rps"], row["phase_brier"] = s.level_rps, s.phase_brier
        for name in ("level_vs_climatology", "level_vs_persistence", "phase_vs_climatology", "phase_vs_persistence"):
            value, low, high = getattr(s, name)
            row[name], row[f"{name}_low"], row[f"{name}_high"] = value, low, high
        rows.append(row)
    return pd.DataFrame(rows)
