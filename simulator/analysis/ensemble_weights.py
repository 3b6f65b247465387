"""The ensemble's weights: stacking the theses' question probabilities, with bootstrap intervals and BMA beside.

Weights are fitted by stacking: the weights of the mixture of the theses'
question probabilities that maximise its log score (``stack``, an EM
iteration, which climbs the concave log likelihood to its maximum). Their
uncertainty is a bootstrap: on the rolling-origin questions, whole years of
origins resampled (as the backtest's intervals are); on the 1992-2016 set,
questions resampled within each origin. Bayesian model averaging (``bma``,
weights proportional to the product of each thesis's likelihoods) is reported
beside it. A thesis without historical evidence keeps its prior weight, 1/K of
K members (``with_prior``); ``fit`` scores every thesis and blend.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.analysis import questions

#: Bootstrap replicates and the intervals' coverage.
REPLICATES = 1000
COVERAGE = 0.9


#: What each set of questions is called where the weights say what they were fitted on.
QUESTION_SET, ROLLING_SET = "1992-2016 question set", "rolling-origin questions 1994-2023"


def likelihoods(p: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Each forecast's probability of what happened, kept 1e-4 from 0 and 1 as ``questions.log_score`` does."""
    q = np.clip(p, 1e-4, 1 - 1e-4)
    return np.where(outcome[..., :, None], q, 1 - q)


def stack(like: np.ndarray, iterations: int = 5000, tolerance: float = 1e-10) -> np.ndarray:
    """Mixture weights maximising the mean log of ``like @ w`` over the simplex (the last axis is the theses).

    EM: each step gives each thesis the average share of each question's mixture likelihood
    it holds; the log likelihood is concave in the weights, so this climbs to its maximum.
    ``like`` may carry leading axes (bootstrap replicates), each fitted on its own.
    """
    weights = np.full(like.shape[:-2] + like.shape[-1:], 1 / like.shape[-1])
    for _ in range(iterations):
        share = weights[..., None, :] * like
        share /= share.sum(axis=-1, keepdims=True)
        updated = share.mean(axis=-2)
        if np.max(np.abs(updated - weights)) < tolerance:
            return updated
        weights = updated
    return weights


def bma(like: np.ndarray) -> np.ndarray:
    """Bayesian model averaging weights from equal priors: proportional to each thesis's likelihood."""
    total = np.log(like).sum(axis=-2)
    total -= total.max(axis=-1, keepdims=True)
    weights = np.exp(total)
    return weights / weights.sum(axis=-1, keepdims=True)


def with_prior(free: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """Weights over every thesis: those without evidence keep 1/K each, the others share the rest as ``free`` says."""
    k = evidence.size
    weights = np.full(free.shape[:-1] + (k,), 1 / k)
    weights[..., evidence] = free * evidence.sum() / k
    return weights


@dataclass(frozen=True)
class Weights:
    """The fitted weights and how well the blend forecasts."""

    table: pd.DataFrame  #: thesis, evidence, weight, low, high, bma, brier, log
    scores: pd.DataFrame  #: forecast, brier, log: each thesis, the blends, always 50 %, base rate
    probabilities: pd.DataFrame  #: question, origin, outcome, each thesis's probability and the blend's


def fit(
    probabilities: pd.DataFrame, evidence: dict[str, bool], seed: int, frame: pd.DataFrame | None = None
) -> Weights:
    """Stacking weights with bootstrap intervals, BMA beside them, and every forecast's scores.

    ``frame`` is the questions (``id``, ``origin``, ``outcome``) in the rows' order: the rolling-origin ones
    (``rolling_probabilities``), whose intervals resample whole years and whose blend is scored leaving
    each year out; None is the 1992-2016 set, resampled within each origin and scored leaving each cycle out.
    """
    rolling_set = frame is not None
    frame = questions.questions() if frame is None else frame
    outcome = frame["outcome"].to_numpy(dtype=bool)
    origins = frame["origin"].to_numpy()
    names = list(probabilities.columns)
    has = np.array([evidence[n] for n in names])
    like = likelihoods(probabilities.to_numpy(), outcome)
    weights = with_prior(stack(like[:, has]), has)
    rng = np.random.default_rng(seed)
    years = frame["origin"].str[:4].to_numpy()
    replicates = _year_bootstrap(like, has, years, rng) if rolling_set else _bootstrap(like, has, origins, rng)
    tail = (1 - COVERAGE) / 2
    low, high = np.quantile(replicates, [tail, 1 - tail], axis=0)
    bma_weights = with_prior(bma(like[:, has]), has)
    held_out = _leave_one_origin_out(probabilities.to_numpy(), like, has, years if rolling_set else origins)
    blends = {
        "ensemble, stacked (in sample)": probabilities.to_numpy() @ weights,
        f"ensemble, stacked, leave-one-{'year' if rolling_set else 'cycle'}-out": held_out,
        "ensemble, BMA (in sample)": probabilities.to_numpy() @ bma_weights,
        "ensemble, equal weights": probabilities.to_numpy().mean(axis=1),
    }
    forecasts = {name: probabilities[name].to_numpy() for name in names} | blends
    forecasts |= {"always 50%": np.full(len(outcome), 0.5), "base rate": np.full(len(outcome), outcome.mean())}
    scores = pd.DataFrame([{"forecast": n, **_scores(p, outcome)} for n, p in forecasts.items()])
    table = pd.DataFrame(
        {
            "thesis": names,
            "evidence": [(ROLLING_SET if rolling_set else QUESTION_SET) if e else "none: prior weight" for e in has],
            "weight": weights,
            "low": low,
            "high": high,
            "bma": bma_weights,
        }
    ).merge(scores.rename(columns={"forecast": "thesis"}), on="thesis")
    per_question = frame[["id", "origin", "outcome"]].assign(
        **{n: probabilities[n].to_numpy() for n in names}, ensemble=blends["ensemble, stacked (in sample)"]
    )
    return Weights(table=table, scores=scores, probabilities=per_question)


def _scores(p: np.ndarray, outcome: np.ndarray) -> dict[str, float]:
    return {"brier": float(((p - outcome) ** 2).mean()), "log": float(questions.log_score(p, outcome).mean())}


def _bootstrap(like: np.ndarray, has: np.ndarray, origins: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stacking weights refitted on questions resampled with replacement within each origin."""
    picks = [
        rng.choice(np.flatnonzero(origins == origin), size=(REPLICATES, int((origins == origin).sum())))
        for origin in dict.fromkeys(origins)
    ]
    index = np.concatenate(picks, axis=1)
    return with_prior(stack(like[index][..., has]), has)


#: Bootstrap replicates of the rolling-origin fit: each refits the weights on some ten thousand questions.
YEAR_REPLICATES = 200


def _year_bootstrap(like: np.ndarray, has: np.ndarray, years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stacking weights refitted on whole years of origins drawn with replacement, one replicate at a time."""
    unique = np.unique(years)
    members = [np.flatnonzero(years == year) for year in unique]
    draws = rng.integers(0, len(unique), size=(YEAR_REPLICATES, len(unique)))
    fitted = [stack(like[np.concatenate([members[i] for i in draw])][:, has], tolerance=1e-8) for draw in draws]
    return with_prior(np.array(fitted), has)


def _leave_one_origin_out(p: np.ndarray, like: np.ndarray, has: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Each question's blend probability with weights fitted on the other origins' questions only."""
    blend = np.empty(p.shape[0])
    for origin in dict.fromkeys(origins):
        inside = origins == origin
        blend[inside] = p[inside] @ with_prior(stack(like[~inside][:, has]), has)
    return blend
