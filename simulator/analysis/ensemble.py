"""Weighting the thesis scenarios by how well they forecast 1992-2016: stacking on the question set.

A thesis is a set of assumptions that differ from the baseline's (the first
member of the ensemble). Some of them say something about how the world
works in any decade -- the structural clock of the Giles cycle, how often
shocks strike, how the Kremlin and Congress behave -- and those are carried
to the historical forecast scenarios; the rest are facts of 2025 (the war in
Ukraine, the president in office, the 2026 midterms, the state at the start)
and have no counterpart in 1992-2016 (``CARRY``). How each kind is carried:

- ``set``: structural parameters (``structure.*``) are the same parameters in
  both eras, so the thesis's value replaces the historical one;
- ``scale``: a shock hazard is carried as its ratio to the baseline's, applied
  to the record's base rate ("shocks three times as often");
- ``shift``: a behavioural weight is carried as its difference from the
  baseline's, added to the historical value and kept within its domain.

Each thesis is then scored out of sample on the rolling-origin test's
questions (``rolling_probabilities``, what ``sim ensemble`` fits on): from
every origin of ``baselines.origins()`` (1994-2023) the forecast a forecaster
could have run then (``rolling.origin_spec``, from the record as of the
origin), the thesis's carried values on top, each question answered as the
backtest answers it. The older question set of 1992-2016
(``thesis_probabilities``: three origins, 42 questions, each forecast with the
values fitted on the record as known before its cycle, ``leave_out`` in
``configs/calibrated_folds.yaml``) is kept for comparison. A thesis none of whose
changes carries has no historical evidence: it keeps its prior weight, 1/K
of K members, and the others share the rest.

Weights are fitted by stacking: the weights of the mixture of the theses'
question probabilities that maximise its log score (an EM iteration, which
climbs the concave log likelihood to its maximum). Their uncertainty is a
bootstrap: on the rolling-origin questions, whole years of origins resampled
(as the backtest's intervals are); on the 1992-2016 set, questions resampled
within each origin. Bayesian model
averaging (weights proportional to the product of each thesis's
likelihoods) is reported beside it: with some forty questions it puts almost
all the weight on one thesis.
"""

import fnmatch
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simulator.analysis import baselines, history, questions, rolling
from simulator.analysis.skill import forecast_spec
from simulator.api import run as run_scenario
from simulator.files import atomically
from simulator.record import packaged_record
from simulator.results.outputs import write_files
from simulator.results.result import RunResult
from simulator.scenario import Scenario, assumptions, override
from simulator.scenario.distributions import Fixed
from simulator.scenario.domains import domains
from simulator.version import __version__

SET, SCALE, SHIFT = "set", "scale", "shift"

#: How each assumption a thesis changes carries to 1992-2016 (first matching pattern), and why.
CARRY: tuple[tuple[str, str | None, str], ...] = (
    ("structure.*", SET, "the Giles cycle's clock and the gates: the same parameters in every decade"),
    ("shocks.*.hazard", SCALE, "how often shocks strike, as a multiple of the baseline's"),
    ("kremlin.concession_*", None, "reads US concessions (aid pauses), which 1992-2016 did not have"),
    ("kremlin.war_aims", None, "the war in Ukraine"),
    ("kremlin.aims_weight", None, "the war in Ukraine"),
    ("kremlin.cost_weight", None, "the war in Ukraine"),
    ("kremlin.escalation_value", None, "the war in Ukraine"),
    ("kremlin.deterrence", None, "the war in Ukraine"),
    ("kremlin.successor_aims_shift", None, "the war in Ukraine"),
    ("kremlin.*", SHIFT, "how the Kremlin weighs talks, status, relief and hostility"),
    ("congress.hawkishness", None, "the 2025 Congress's make-up"),
    ("congress.midterm_shift", None, "the 2026 midterms"),
    ("congress.aid_*", None, "military aid to Ukraine"),
    ("congress.*", SHIFT, "how Congress legislates on sanctions"),
    ("bureaucracy.*", SHIFT, "how the bureaucracy carries out policy"),
    ("publics.*", SHIFT, "how trust and opposition move"),
    ("president.*", None, "the president in office in 2025 (1992-2016 had three others)"),
    ("allies.*", None, "Ukraine's terms, Europe's sanctions and aid in the war"),
    ("china.*", None, "the 2025 triangle with China"),
    ("initial.*", None, "the state in January 2025"),
    ("*", None, "a fact of 2025"),
)

#: Bootstrap replicates and the intervals' coverage.
REPLICATES = 1000
COVERAGE = 0.9


@dataclass(frozen=True)
class Change:
    """One assumption a thesis changes from the baseline, and how (or whether) it carries to 1992-2016."""

    thesis: str
    path: str
    value: str
    baseline: str
    rule: str | None  #: SET, SCALE, SHIFT, or None: not carried
    reason: str


def carry_rule(path: str) -> tuple[str | None, str]:
    """How the assumption at ``path`` carries to 1992-2016, and why."""
    return next((rule, why) for pattern, rule, why in CARRY if fnmatch.fnmatchcase(path, pattern))


def changes(thesis: Scenario, baseline: Scenario) -> list[Change]:
    """Every assumption ``thesis`` sets differently from ``baseline``, with its carry rule.

    A plain number is needed on both sides to scale or shift; a change to or from a
    distribution is carried only where the rule is ``set``. Changes to the schedule are
    the 2025 calendar, never carried.
    """
    mine, theirs = dict(assumptions(thesis)), dict(assumptions(baseline))
    found = []
    for path, value in mine.items():
        base = theirs.get(path)
        if base == value:
            continue
        rule, reason = carry_rule(path)
        plain = isinstance(value, Fixed) and isinstance(base, Fixed)
        if rule in (SCALE, SHIFT) and not plain:
            rule, reason = None, f"{reason}; a distribution has no single {rule} to carry"
        elif rule == SCALE and isinstance(base, Fixed) and base.value == 0:
            rule, reason = None, f"{reason}; the baseline's is 0, so no multiple"
        found.append(Change(thesis.name, path, str(value), str(base), rule, reason))
    if thesis.schedule != baseline.schedule:
        found.append(Change(thesis.name, "schedule", "changed", "", None, "the 2025 calendar"))
    return found


def historical(spec: Scenario, carried: list[Change], baseline: Scenario) -> Scenario:
    """A historical forecast scenario with a thesis's carried changes applied."""
    here, base = dict(assumptions(spec)), dict(assumptions(baseline))
    bounds = domains(spec)
    values: dict[str, object] = {}
    for change in carried:
        if change.rule == SET:
            values[change.path] = change.value
            continue
        old, reference, new = here[change.path].value, base[change.path].value, float(change.value)  # type: ignore[union-attr]
        moved = old * new / reference if change.rule == SCALE else old + new - reference
        low, high = bounds[change.path]
        values[change.path] = round(float(np.clip(moved, low, high)), 6)
    return override(spec, values, source=f"thesis {carried[0].thesis}") if values else spec


# Scoring the theses on the question set ---------------------------------------------------


def forecast_specs(
    leaders: dict[str, Scenario], folds: dict[str, dict[str, float]] | None, rows: pd.DataFrame | None = None
) -> dict[str, Scenario]:
    """Each origin's forecast-mode scenario, out of sample where ``folds`` has its cycle; keyed by origin month."""
    specs = {}
    for key in history.HISTORY_STARTS:
        spec = leaders[f"history_{key}_leaders"]
        if folds and key in folds:
            spec = override(spec, folds[key], source="calibration on the record before this cycle")
        specs[str(spec.start)] = forecast_spec(spec, rows)
    return specs


def thesis_probabilities(
    theses: dict[str, list[Change]],
    baseline: Scenario,
    origins: dict[str, Scenario],
    runs: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Each question's probability under each thesis (columns, in order), from the runs of its origins.

    Theses whose carried changes are the same share their runs (the baseline's, for those with none).
    """
    frame = questions.questions()
    cache: dict[tuple, dict[str, RunResult]] = {}
    columns = {}
    for name, found in theses.items():
        carried = [c for c in found if c.rule is not None]
        key = tuple((c.path, c.value) for c in carried)
        if key not in cache:
            cache[key] = {
                origin: run_scenario(historical(spec, carried, baseline) if carried else spec, runs=runs, seed=seed)
                for origin, spec in origins.items()
            }
        if progress is not None:
            progress(name)
        results = cache[key]
        columns[name] = [questions.probability(results[q["origin"]], q) for _, q in frame.iterrows()]
    return pd.DataFrame(columns, index=frame["id"])


#: What each set of questions is called where the weights say what they were fitted on.
QUESTION_SET, ROLLING_SET = "1992-2016 question set", "rolling-origin questions 1994-2023"


def _rolling_one(task: tuple) -> np.ndarray:
    origin, asked, runs, seed, carried, baseline = task
    spec = rolling.origin_spec(origin)
    spec = historical(spec, carried, baseline) if carried else spec
    known = packaged_record().as_of(origin)
    return rolling.answers(spec, asked, runs, seed, int(known.levels[-1]), rolling.us_change(known))


def rolling_probabilities(
    theses: dict[str, list[Change]],
    baseline: Scenario,
    runs: int,
    seed: int,
    origins: list[str] | None = None,
    processes: int = 1,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rolling-origin questions the model answers, and each one's probability under each thesis.

    Each origin's forecast is the backtest's (``rolling.origin_spec``, its own seed from ``api.member_seed``)
    with the thesis's carried changes applied; theses whose carried changes are the same share their runs.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from simulator.api import member_seed
    from simulator.months import Month
    from simulator.record import FIRST

    frame = baselines.questions()
    if origins is not None:
        frame = frame[frame["origin"].isin(origins)]
    frame = frame[~frame["target"].isin(rolling.UNANSWERED)].reset_index(drop=True)
    starts = list(dict.fromkeys(frame["origin"]))
    cache: dict[tuple, np.ndarray] = {}
    columns = {}
    for name, found in theses.items():
        carried = [c for c in found if c.rule is not None]
        key = tuple((c.path, c.value) for c in carried)
        if key not in cache:
            tasks = [
                (
                    o,
                    frame[frame["origin"] == o],
                    runs,
                    member_seed(seed, Month.parse(o).minus(FIRST)),
                    carried,
                    baseline,
                )
                for o in starts
            ]
            if processes > 1:
                with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
                    answered = list(pool.map(_rolling_one, tasks))
            else:
                answered = [_rolling_one(task) for task in tasks]
            cache[key] = np.full(len(frame), np.nan)
            for origin, values in zip(starts, answered, strict=True):
                cache[key][np.flatnonzero(frame["origin"].to_numpy() == origin)] = values
        if progress is not None:
            progress(name)
        columns[name] = cache[key]
    questions_asked = frame[["origin", "horizon", "kind", "target", "outcome"]].assign(
        id=[f"{r.origin}:{r.horizon}:{r.kind}:{r.target}" for r in frame.itertuples()]
    )
    return questions_asked, pd.DataFrame(columns)


# Stacking ---------------------------------------------------------------------------------


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


def thesis_changes(members: list[Scenario]) -> dict[str, list[Change]]:
    """Each member's changes from the first member, the baseline (which has none), keyed by scenario name."""
    baseline = members[0]
    return {spec.name: changes(spec, baseline) for spec in members}


def evidence_of(found: dict[str, list[Change]]) -> dict[str, bool]:
    """Whether each thesis carries historical evidence: the baseline does; a thesis does if any change carries."""
    first = next(iter(found))
    return {name: name == first or any(c.rule for c in items) for name, items in found.items()}


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
