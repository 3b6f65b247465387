"""Recalibration kept apart: a stack of the model and the reference class, fitted on earlier origins only.

The raw model is overconfident (docs/skill.md: miscalibration 0.023 against the
reference class's 0.006). ``recalibrate`` gives each question a second forecast
beside the model's, never instead of it: a logistic regression of the outcome
on the model's logit and the reference class's logit, with an intercept
(stacking, or logistic recalibration; Gneiting and Ranjan 2013 for combining
probability forecasts through the logit),

    logit p = a + b logit(model) + c logit(reference class),

fitted for the questions of origin T only on the questions that were resolved
by T: a question from origin T' with horizon h is used at T only if T' + h <= T
(its window has closed, so its outcome was known). The fit is redone at every
origin, so each origin's stack uses exactly what a forecaster at T had: the
earlier origins' forecasts and their outcomes. A question resolved after T
cannot move the stack at T (tests/analysis/test_stacking.py).

Details:

- The logits are taken of probabilities clipped to [``EDGE``, 1 - ``EDGE``]:
  a model of finitely many worlds gives 0 % and 100 %, whose logits are
  infinite.
- The fit has a small ridge penalty (``RIDGE`` on the two slopes) so that
  a few early questions with no event cannot send the weights to infinity.
- With fewer than ``FEWEST`` resolved questions, or none of them true or none
  false, there is nothing to fit: the stack passes the model through
  (clipped), and ``fitted`` says so for the origin.
- The stack's answer is kept within [``FLOOR``, 1 - ``FLOOR``]: no confident
  zeros (issue 22 asks every event that happened to get at least 1 %).
  ``confident_misses`` counts the questions below 1 % that came true, for the
  model and the stack before that floor.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from simulator.months import Month

#: The column the stack's forecasts take in the backtest's table.
STACKED = "model_recalibrated"
#: What the stack combines: the model's forecast and the reference class's.
INPUTS = ("model", "reference_class")
#: Probabilities are clipped to [EDGE, 1 - EDGE] before their logits are taken.
EDGE = 1e-3
#: The stack's answers stay within [FLOOR, 1 - FLOOR]: no event that happened gets less than 1 %.
FLOOR = 0.01
#: Fewer resolved questions than this and the stack passes the model through.
FEWEST = 100
#: The ridge penalty on the slopes (not the intercept), per question.
RIDGE = 1e-3


def logit(p: np.ndarray) -> np.ndarray:
    """The log-odds of ``p`` clipped to [EDGE, 1 - EDGE]."""
    return special.logit(np.clip(np.asarray(p, dtype=float), EDGE, 1 - EDGE))


def design(table: pd.DataFrame, inputs: tuple[str, ...] = INPUTS) -> np.ndarray:
    """The regressors: an intercept and each input's logit, one row per question."""
    return np.column_stack([np.ones(len(table)), *(logit(table[name].to_numpy(dtype=float)) for name in inputs)])


def fit(x: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """The coefficients of a logistic regression of ``outcome`` on ``x`` (its first column the intercept)."""
    y = np.asarray(outcome, dtype=float)
    penalty = np.r_[0.0, np.full(x.shape[1] - 1, RIDGE * len(y))]

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = x @ beta
        value = np.sum(np.logaddexp(0, eta) - y * eta) + 0.5 * np.sum(penalty * beta**2)
        gradient = x.T @ (special.expit(eta) - y) + penalty * beta
        return float(value), gradient

    start = np.zeros(x.shape[1])
    return optimize.minimize(loss, start, jac=True, method="L-BFGS-B").x


def resolved_by(table: pd.DataFrame) -> np.ndarray:
    """The month (as an ordinal) by which each question's outcome is known: its origin plus its horizon."""
    origins = {origin: Month.parse(origin).ordinal for origin in table["origin"].unique()}
    return table["origin"].map(origins).to_numpy() + table["horizon"].to_numpy(dtype=int)


@dataclass(frozen=True)
class Stack:
    """The stack's forecast for every question, and its fit at every origin."""

    forecast: np.ndarray
    unfloored: np.ndarray
    fits: pd.DataFrame


def recalibrate(table: pd.DataFrame, inputs: tuple[str, ...] = INPUTS) -> Stack:
    """The stack's forecast for each question, fitted at its origin on the questions resolved by then.

    Only questions every input answers are fitted and forecast; the others are left NaN.
    """
    answered = table[list(inputs)].notna().all(axis=1).to_numpy()
    x = design(table, inputs)
    y = table["outcome"].to_numpy(dtype=float)
    known = resolved_by(table)
    forecast = np.full(len(table), np.nan)
    rows = []
    for origin in sorted(table["origin"].unique()):
        asked = (table["origin"] == origin).to_numpy() & answered
        usable = answered & (known <= Month.parse(origin).ordinal)
        positives = y[usable].sum()
        fitted = bool(usable.sum() >= FEWEST and 0 < positives < usable.sum())
        if fitted:
            beta = fit(x[usable], y[usable])
            forecast[asked] = special.expit(x[asked] @ beta)
        else:
            beta = np.r_[0.0, 1.0, np.zeros(len(inputs) - 1)]  # the model passed through
            forecast[asked] = np.clip(table.loc[asked, inputs[0]].to_numpy(dtype=float), EDGE, 1 - EDGE)
        names = ["intercept", *(f"on_{name}" for name in inputs)]
        rows.append({"origin": origin, "resolved": int(usable.sum()), "fitted": fitted,
                     **dict(zip(names, np.round(beta, 4).tolist(), strict=True))})  # fmt: skip
    return Stack(np.clip(forecast, FLOOR, 1 - FLOOR), forecast, pd.DataFrame(rows))


def confident_misses(table: pd.DataFrame, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """For each forecast, how many questions that came true it gave less than ``FLOOR``."""
    happened = table["outcome"].to_numpy(dtype=float) == 1
    rows = []
    for name, p in columns.items():
        p = np.asarray(p, dtype=float)
        kept = ~np.isnan(p)
        rows.append({"forecast": name, "happened": int((happened & kept).sum()),
                     "below_1_percent": int((happened & kept & (p < FLOOR)).sum())})  # fmt: skip
    return pd.DataFrame(rows)
