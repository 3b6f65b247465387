"""Scoring the theses out of sample: each thesis's probability of every historical question, carried to its origin.

On the rolling-origin test's questions (``rolling_probabilities``, what
``sim ensemble`` fits on): from every origin of ``baselines.origins()``
(1994-2023) the forecast a forecaster could have run then
(``rolling.origin_spec``, from the record as of the origin), the thesis's
carried values (``thesis_carry``) on top, each question answered as the
backtest answers it. On the older question set of 1992-2016
(``thesis_probabilities``: three origins, 42 questions, each forecast with the
values fitted on the record as known before its cycle, ``leave_out`` in
``configs/calibrated_folds.yaml``), kept for comparison. Theses whose carried
changes are the same share their runs.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from simulator.analysis import baselines, history, questions, rolling
from simulator.analysis.skill import forecast_spec
from simulator.analysis.thesis_carry import Change, historical
from simulator.api import run as run_scenario
from simulator.record import packaged_record
from simulator.results.result import RunResult
from simulator.scenario import Scenario, override


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
