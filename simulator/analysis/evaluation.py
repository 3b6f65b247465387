"""Scores of forecasts on the record's questions: Brier, log, RPS, skill with year-block intervals, CORP reliability.

The table is one row per question (``baselines.questions()``) with a column of
probabilities per forecast (``baselines.forecasts()`` adds the four baselines;
a model's column is scored the same way). A forecast left empty for a question
(the Markov chain on event questions) is scored on the questions it answers.

- ``scores``: mean Brier and log score by any grouping (horizon, kind, event).
- ``rps``: the ranked probability score of the level forecasts. The four
  questions "at or above level k at T+h", k = 1..4, asked at one origin and
  horizon are one forecast of the five-level distribution; its RPS is the mean
  of their Brier scores (the squared gaps of the cumulative distributions).
- ``skill``: 1 - mean loss / the baseline's mean loss on the same questions,
  with a bootstrap interval that resamples whole years of origins (every
  question asked from an origin in that year goes together), so questions
  that share an origin and its news are not counted as independent.
- ``murphy``: the CORP decomposition of the Brier score (Dimitriadis, Gneiting
  and Jordan, "Stable reliability diagrams for probabilistic classifiers",
  PNAS 2021): the forecasts recalibrated by isotonic regression (the
  pool-adjacent-violators algorithm) give Brier = miscalibration -
  discrimination + uncertainty, exactly.
- ``reliability``: the CORP reliability curve (each distinct forecast value
  against its recalibrated value) with consistency bands: the range the
  recalibrated curve would take if the forecasts were calibrated, from
  outcomes redrawn as Bernoulli(forecast).
"""

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression

from simulator.analysis.questions import log_score
from simulator.vocabulary import LEVELS

#: The central share of the bootstrap replicates an interval covers.
COVERAGE = 0.9
REPLICATES = 1000
LOSSES = ("brier", "log")


def _check(loss: str) -> None:
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")


def _loss(name: str, p: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    _check(name)
    return (p - outcome) ** 2 if name == "brier" else log_score(p, outcome)


def scores(table: pd.DataFrame, forecasts: tuple[str, ...], by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Mean Brier and log score of each forecast, overall or by the columns ``by``; one row per group and forecast."""
    rows = []
    groups = table.groupby(list(by), sort=True) if by else [((), table)]
    for key, group in groups:
        labels = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        outcome = group["outcome"].to_numpy(dtype=float)
        for name in forecasts:
            p = group[name].to_numpy(dtype=float)
            answered = ~np.isnan(p)
            if not answered.any():
                continue
            rows.append(
                {
                    **labels,
                    "forecast": name,
                    "questions": int(answered.sum()),
                    "brier": float(_loss("brier", p[answered], outcome[answered]).mean()),
                    "log": float(_loss("log", p[answered], outcome[answered]).mean()),
                }
            )
    return pd.DataFrame(rows)


def rps(table: pd.DataFrame, forecasts: tuple[str, ...]) -> pd.DataFrame:
    """The ranked probability score of each forecast of the level, one row per origin and horizon."""
    levels = table[table["kind"] == "level_at_least"]
    counts = levels.groupby(["origin", "horizon"]).size()
    if (counts != len(LEVELS) - 1).any():
        raise ValueError(f"each origin and horizon needs its {len(LEVELS) - 1} level questions")
    outcome = levels["outcome"].to_numpy(dtype=float)
    squared = {name: (levels[name].to_numpy(dtype=float) - outcome) ** 2 for name in forecasts}
    frame = levels[["origin", "horizon"]].assign(**squared)
    return frame.groupby(["origin", "horizon"], as_index=False, sort=True)[list(forecasts)].mean()


def _year_blocks(years: np.ndarray, replicates: int, seed: int) -> list[np.ndarray]:
    """Rows of each bootstrap replicate: whole years of origins drawn with replacement."""
    unique, inverse = np.unique(years, return_inverse=True)
    members = [np.flatnonzero(inverse == i) for i in range(len(unique))]
    draws = np.random.default_rng(seed).integers(0, len(unique), size=(replicates, len(unique)))
    return [np.concatenate([members[i] for i in draw]) for draw in draws]


def skill(
    loss: np.ndarray,
    baseline: np.ndarray,
    years: np.ndarray,
    replicates: int = REPLICATES,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Skill 1 - mean(loss) / mean(baseline) and its interval from resampling whole years; > 0 beats the baseline."""
    point = 1 - loss.mean() / baseline.mean()
    rows = _year_blocks(np.asarray(years), replicates, seed)
    replicated = np.array([1 - loss[r].mean() / baseline[r].mean() for r in rows])
    tail = (1 - COVERAGE) / 2
    low, high = np.quantile(replicated, [tail, 1 - tail])
    return float(point), float(low), float(high)


def skill_table(
    table: pd.DataFrame,
    forecasts: tuple[str, ...],
    baseline: str,
    loss: str = "brier",
    by: tuple[str, ...] = ("horizon",),
    seed: int = 0,
) -> pd.DataFrame:
    """Each forecast's skill against ``baseline`` by group, on the questions both answer, with year-block intervals."""
    _check(loss)
    rows = []
    for key, group in table.groupby(list(by), sort=True):
        labels = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        outcome = group["outcome"].to_numpy(dtype=float)
        reference = group[baseline].to_numpy(dtype=float)
        years = group["origin"].str[:4].to_numpy()
        for name in forecasts:
            p = group[name].to_numpy(dtype=float)
            both = ~np.isnan(p) & ~np.isnan(reference)
            if not both.any():
                continue
            point, low, high = skill(
                _loss(loss, p[both], outcome[both]), _loss(loss, reference[both], outcome[both]), years[both], seed=seed
            )
            answered = {"forecast": name, "questions": int(both.sum())}
            rows.append({**labels, **answered, "skill": point, "low": low, "high": high})
    return pd.DataFrame(rows)


def recalibrated(p: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct forecast values and their CORP-recalibrated probabilities (isotonic regression of the outcomes)."""
    values, inverse = np.unique(p, return_inverse=True)
    weights = np.bincount(inverse).astype(float)
    means = np.bincount(inverse, weights=outcome.astype(float)) / weights
    return values, isotonic_regression(means, weights=weights, increasing=True).x


def murphy(p: np.ndarray, outcome: np.ndarray) -> dict[str, float]:
    """The CORP decomposition of the Brier score: ``brier = miscalibration - discrimination + uncertainty``."""
    p, outcome = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    values, fitted = recalibrated(p, outcome)
    recal = fitted[np.searchsorted(values, p)]
    brier, recal_brier = ((p - outcome) ** 2).mean(), ((recal - outcome) ** 2).mean()
    uncertainty = ((outcome.mean() - outcome) ** 2).mean()
    return {
        "brier": float(brier),
        "miscalibration": float(brier - recal_brier),
        "discrimination": float(uncertainty - recal_brier),
        "uncertainty": float(uncertainty),
    }


def reliability(p: np.ndarray, outcome: np.ndarray, replicates: int = REPLICATES, seed: int = 0) -> pd.DataFrame:
    """The CORP reliability curve with consistency bands, one row per distinct forecast value.

    Columns: ``forecast``, ``questions`` (how many have that value),
    ``recalibrated``, and ``low``/``high``, the central ``COVERAGE`` of the
    recalibrated curve under calibration (outcomes redrawn as Bernoulli(p)).
    A forecast is consistent with calibration where the curve lies in its band.
    """
    p, outcome = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    values, fitted = recalibrated(p, outcome)
    rng = np.random.default_rng(seed)
    draws = np.array([recalibrated(p, rng.random(len(p)) < p)[1] for _ in range(replicates)])
    tail = (1 - COVERAGE) / 2
    low, high = np.quantile(draws, [tail, 1 - tail], axis=0)
    counts = np.bincount(np.searchsorted(values, p), minlength=len(values))
    return pd.DataFrame({"forecast": values, "questions": counts, "recalibrated": fitted, "low": low, "high": high})
