"""The question set of the record: resolvable questions on 1992-2016, each asked from a historical origin.

``simulator/data/history/questions_1992_2016.csv`` holds questions in the
scenarios' own form (an event or a level, and a month ``by``), each asked at
one of the historical scenarios' origins (1992-01, 2001-09, 2009-03) about
the months after it, with its outcome and the row of the history data that
resolves it (empty when the outcome is that no row qualifies).

Which rows count for which event is written down here (``EVENT_ROWS``) so a
test can resolve every question again from the data. A question is scored on
the forecast-mode run from its origin: the probability that the event first
happens, or the level is first reached, after the origin and by ``by``.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from simulator.analysis import history
from simulator.files import packaged
from simulator.results.result import RunResult
from simulator.vocabulary import LEVELS, level_event

#: Timeline rows that resolve each event: their categories, less rows that are not that event.
EVENT_ROWS: dict[str, tuple[set[str], set[str]]] = {
    "summit": ({"summit"}, {"2013-08"}),  # 2013-08: the Moscow summit was cancelled
    # Treaties signed or ratified, not withdrawals, moratoria or suspensions (2001-12, 2007-12, 2016-10).
    "arms_control_deal": ({"arms_control"}, {"2001-12", "2007-12", "2016-10"}),
    "cooperation_deal": ({"cooperation_deal"}, set()),
    # US measures only: the 2012-12 row is Russia's counter-measure (the adoption ban).
    "new_sanctions": ({"sanctions_imposed"}, {"2012-12"}),
    # The Magnitsky Act (2012-12) and the Ukraine Freedom Support Act (2014-12); the others are aid and a treaty.
    "congress_sanctions_act": ({"congress_act"}, {"1992-10", "2010-12"}),
    # Cold War restrictions removed (1992-10) and Jackson-Vanik repealed (2012-12).
    "sanctions_relief": ({"congress_act"}, {"2010-12", "2014-12"}),
    # Military crises less those the history scenarios map elsewhere (history.SHOCK_EXCEPTIONS).
    "military_incident": ({"military_crisis"}, {"1998-08", "2003-03", "2007-02"}),
}
#: Bins of the calibration table and reliability diagram.
BINS = np.linspace(0, 1, 6)


@cache
def questions() -> pd.DataFrame:
    """The question set, one row per question."""
    frame = pd.read_csv(packaged("history", "questions_1992_2016.csv"), dtype=str, keep_default_na=False)
    return frame.assign(outcome=frame["outcome"] == "true")


def _after(month: str, origin: str, by: str) -> bool:
    return origin < month <= by


def resolving_rows(question: pd.Series) -> list[str]:
    """The rows of the history data that make a question come true, as its CSV names them."""
    origin, by = question["origin"], question["by"]
    if question["level"]:
        wanted = LEVELS.index(question["level"])
        return [
            row.start
            for row in history.periods().itertuples()
            if int(row.zhao_ordinal_0to4) >= wanted and row.start <= by and row.end > origin
        ]
    if question["event"] == "crisis":
        return [
            row.start
            for row in history.periods().itertuples()
            if row.giles_phase.startswith("crisis") and _after(row.start, origin, by)
        ]
    categories, excluded = EVENT_ROWS[question["event"]]
    return [
        f"{row.date} {row.category}"
        for row in history.timeline().itertuples()
        if row.category in categories and row.date not in excluded and _after(row.date, origin, by)
    ]


def probability(result: RunResult, question: pd.Series) -> float:
    """The run's probability that the question's event first happens after the origin and by its month."""
    events = result.events_by_month.set_index("month")
    column = question["event"] or level_event(LEVELS.index(question["level"]))
    origin = question["origin"]
    before = float(events.at[origin, column]) if origin in events.index else 0.0
    return float(events.at[question["by"], column]) - before


@dataclass(frozen=True)
class QuestionScores:
    """The question set scored: per question, overall beside the baselines, and the calibration table."""

    table: pd.DataFrame
    overall: pd.DataFrame
    calibration: pd.DataFrame


def log_score(p: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Negative log likelihood of the outcomes (0 best), probabilities kept 1e-4 from 0 and 1."""
    q = np.clip(p, 1e-4, 1 - 1e-4)
    return -np.log(np.where(outcome, q, 1 - q))


def score(results: dict[str, RunResult], frame: pd.DataFrame | None = None) -> QuestionScores:
    """Score every question on the run from its origin (``results`` keyed by origin month)."""
    frame = questions() if frame is None else frame
    p = np.array([probability(results[q["origin"]], q) for _, q in frame.iterrows()])
    outcome = frame["outcome"].to_numpy(dtype=bool)
    table = frame[["id", "origin", "event", "level", "by", "outcome"]].assign(probability=p)
    baselines = {"model": p, "always 50%": np.full(len(p), 0.5), "base rate": np.full(len(p), outcome.mean())}
    overall = pd.DataFrame(
        [
            {
                "forecast": name,
                "brier": float(((q - outcome) ** 2).mean()),
                "log": float(log_score(q, outcome).mean()),
            }
            for name, q in baselines.items()
        ]
    )
    return QuestionScores(table=table, overall=overall, calibration=calibration_table(p, outcome))


def calibration_table(p: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """Forecasts binned by probability: how many, their mean, and how often they came true."""
    bins = np.clip(np.digitize(p, BINS[1:-1]), 0, len(BINS) - 2)
    rows = []
    for b in range(len(BINS) - 1):
        inside = bins == b
        rows.append(
            {
                "bin": f"{BINS[b]:.0%}-{BINS[b + 1]:.0%}",
                "questions": int(inside.sum()),
                "mean_forecast": float(p[inside].mean()) if inside.any() else np.nan,
                "observed_frequency": float(outcome[inside].mean()) if inside.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)
