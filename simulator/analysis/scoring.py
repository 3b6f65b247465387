"""Scoring forecasts: a run's probabilities against how questions resolved.

An answers file lists resolved questions in the scenario's question form plus
an outcome: ``{id: summit_2025, event: summit, by: 2025-12, outcome: true}`` or
``{id: ..., level: normalization, by: 2028-12, outcome: false}``. Each
probability is read from the run's ``events_by_month.csv`` (a level question
reads ``level>=K``). Scores: Brier (0 best) and logarithmic (negative log
likelihood, 0 best), per question and overall, beside two baselines: always
50%, and the answers' own base rate.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from simulator.scenario import ScenarioError
from simulator.scenario.loader import read_yaml
from simulator.scenario.questions import FIRST_MONTH_KINDS
from simulator.scenario.schema import Question
from simulator.vocabulary import EVENTS, LEVELS, level_event

#: Probabilities are kept this far from 0 and 1 in the log score.
EPSILON = 1e-4


class Answer(Question):
    """A resolved question."""

    outcome: bool


class Answers(BaseModel):
    """An answers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    answers: list[Answer]


def load_answers(path: Path) -> list[Answer]:
    """Read and validate an answers file (a list under ``answers:``, or a bare list).

    Raises:
        ScenarioError: naming the file and the entry that is wrong.
    """
    data, node = read_yaml(path, "answers")
    if isinstance(data, dict) and node is not None and not isinstance(data.get("answers"), list):
        raise ScenarioError(
            f"{path}:{node.start_mark.line + 1}: answers: write the resolved questions as a list,"
            " one entry each, not a mapping; e.g.\n"
            "  - {id: summit_2025, event: summit, by: 2025-12, outcome: true}\n"
            "  - {id: normalization_2028, level: normalization, by: 2028-12, outcome: false}"
        )
    try:
        answers = list(Answers.model_validate({"answers": data} if isinstance(data, list) else data).answers)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(f"{path}: {where}: {first['msg'].removeprefix('Value error, ')}") from None
    if not answers:
        raise ScenarioError(f"{path}: answers: no resolved questions to score")
    other = next((i for i, a in enumerate(answers) if a.kind not in FIRST_MONTH_KINDS), None)
    if other is not None:
        raise ScenarioError(
            f"{path}: answers.{other}: {answers[other].id!r} asks {answers[other].kind!r}; sim score reads the"
            " events by month, so it scores event and level questions: score the other kinds with sim ledger"
        )
    ids = [a.id for a in answers]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ScenarioError(f"{path}: answers: id {twice[0]!r} is used twice")
    return answers


def score(run_dir: Path, answers: list[Answer], source: str = "answers") -> pd.DataFrame:
    """Per-question probability, outcome and scores, with the two baselines.

    Raises:
        ScenarioError: if the run folder lacks its tables or a question's month lies outside the run.
    """
    events = read_events(run_dir)
    base_rate = float(np.mean([a.outcome for a in answers]))
    rows = []
    for answer in answers:
        column = answer.event or level_event(LEVELS.index(answer.level))
        month = str(answer.by)
        if month not in events.index:
            raise ScenarioError(
                f"{source}: {answer.id}: month {month} lies outside the run in {run_dir} "
                f"({events.index[0]} to {events.index[-1]})"
            )
        p = float(events.at[month, column])
        rows.append(
            {
                "id": answer.id,
                "question": column,
                "by": month,
                "probability": p,
                "outcome": answer.outcome,
                **_scores(p, answer.outcome, "model"),
                **_scores(0.5, answer.outcome, "half"),
                **_scores(base_rate, answer.outcome, "base_rate"),
            }
        )
    return pd.DataFrame(rows)


def read_events(run_dir: Path) -> pd.DataFrame:
    """A run's ``events_by_month.csv``, indexed by month, checked to be the table ``sim run`` writes.

    Raises:
        ScenarioError: if the folder has no such table, or it is damaged (empty, not text, not numbers).
    """
    path = run_dir / "events_by_month.csv"
    if not path.is_file():
        raise ScenarioError(f"{run_dir}: not a run folder (no events_by_month.csv)")
    try:
        events = pd.read_csv(path, dtype={"month": str}, encoding="utf-8").set_index("month")
    except (UnicodeDecodeError, pd.errors.EmptyDataError, pd.errors.ParserError, KeyError, OSError) as error:
        reason = "it is empty" if isinstance(error, pd.errors.EmptyDataError) else type(error).__name__
        raise ScenarioError(f"{path}: not the table sim run writes ({reason}); run the scenario again") from None
    missing = [event for event in EVENTS if event not in events.columns]
    values = events[[event for event in EVENTS if event in events.columns]].apply(pd.to_numeric, errors="coerce")
    if missing or events.empty or values.isna().any().any() or not values.stack().between(0, 1).all():
        problem = f"no column {missing[0]!r}" if missing else "its values are not probabilities"
        raise ScenarioError(f"{path}: not the table sim run writes ({problem}); run the scenario again")
    return values


def _scores(p: float, outcome: bool, name: str) -> dict[str, float]:
    o = float(outcome)
    q = float(np.clip(p, EPSILON, 1 - EPSILON))
    return {f"brier_{name}": (p - o) ** 2, f"log_{name}": -np.log(q if outcome else 1 - q)}
