"""The model's forecast from each origin of the record's grid, built from the record as known then.

For an origin T (``baselines.origins()``) ``origin_spec`` writes the scenario
a forecaster at T could have run, from ``record.as_of(T)`` alone:

- **start** T+1, from the state at T (``initial_values``): the coded level and
  Giles phase; the war (``none`` before 2022-02, no war at all); the US
  sanctions grade, Europe's and US aid to Ukraine as the shares of ``GRADES``;
  the sanctions-review law; whether the presidents in office at T have met
  (``initial.met``); whether the US president still seeks rapprochement
  (``engaged``: not if he turned tough since taking office, with no reset
  since). Trust and domestic opposition are not in the record: trust follows
  the level (``TRUST_BY_LEVEL``), opposition keeps the historical base's 0.3.
- **calendar**: the US midterms, elections and inaugurations after T, as the
  model's own calendar entries; no shock is scheduled. The model's
  inauguration is a successor who continues the policy with
  ``president.successor_continuity`` (c). A president in his second term
  cannot run again (the 22nd Amendment), so his successor is one; a
  first-term president is re-elected with the chance p counted from the
  record's elections decided by T (``reelection_chance``), and a re-elected
  president continues his own policy, so the origin's continuity is
  p + (1 - p) c (``us_change``). In the model a continuing successor is the
  incumbent staying on: ``President.inauguration`` changes nothing where he
  continues.
- **chance shocks** at base rates counted up to T (``shock_rates``): the
  record's scandals, military incidents, escalations and black swans, the
  changes of Russian president in ``months.csv``, and for the shocks the record
  does not code (shared threats, colour revolutions, economic shocks, NATO
  enlargements) the package's 1991-2016 timeline rows dated by T, over the
  months it covers by T; each (count + 1/2) / months, the Jeffreys rate.
- **fitted parameters** (the structural five and the behaviour weights of
  ``calibrate.PARAMETERS``) as fitted on the record as known at the latest fit
  point at or before T (``calibrate.fit_as_of``: the medians of the
  ``as_of`` section of ``configs/calibrated_folds.yaml``, which ``sim
  calibrate`` writes), or the prior's centre before the first fit point; never
  the shipped fit (``configs/calibrated.yaml``), fitted on the record to 2024-12.

``forecast_origin`` runs the worlds and answers each question of
``baselines.questions()`` asked at T by counting what it asks in the worlds:
an event in (T, T+h] (its first month in the run, which starts at T+1), the
level at T+h at or above k, the level falling below its level at T by T+h, a
rise to level k or above in the window. The record's ``summit`` is any
in-person meeting of the presidents, as is the model's (the first of a pair, a
new president's, or a later one). The record's ``leadership_change`` is a new
president in either capital: 1 - (1 - K)(1 - U), where K is the share of worlds
with the model's Kremlin ``leadership_change`` in the window and U the chance of
a new US president there (``us_change``: 1 at a term-limited president's
successor's inauguration, 1 - p at a first-term president's, 0 with no
inauguration in the window). The model does not draw who wins in each world
(a re-elected president and a continuing successor are the same world), so the
two capitals are taken as independent. No question is left unanswered
(``UNANSWERED`` names any the vocabulary cannot answer).
"""

import itertools
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import cache

import numpy as np
import pandas as pd

from simulator.analysis import history
from simulator.analysis.calibrate import FOLDS_FILE, fit_as_of, read_folds
from simulator.api import member_seed
from simulator.files import packaged
from simulator.model.model import RelationsModel
from simulator.months import Month
from simulator.record import FIRST, IN_OFFICE_SINCE, LAST, Record, packaged_record
from simulator.scenario import Scenario, load_scenario, override
from simulator.scenario.distributions import Assumption, Fixed
from simulator.scenario.schedule import calendar_due
from simulator.vocabulary import EVENT_INDEX, LEVELS

#: The historical base scenario: era behaviour, no chance shocks, no schedule (its values are overridden here).
BASE = packaged("scenarios", "history") / "base.yaml"
#: The longest horizon asked; every origin's run covers it, or up to the record's end.
LONGEST = 24
#: Record grades as the model's shares (0 none .. 1 maximal; docs/model.md, "State"): US sanctions by grade
#: 0 none (as the record defines the grade), 1 targeted, 2 sectoral, 3 sweeping (trump2025's 0.9).
SANCTIONS_SHARE = {0: 0.0, 1: 0.2, 2: 0.5, 3: 0.9}
#: Europe's own sanctions followed the US grade in 2014 and 2022; before 2014 it had none of its own.
EUROPE_SHARE = {0: 0.0, 1: 0.1, 2: 0.5, 3: 0.8}
#: US military aid to Ukraine: none, limited (non-lethal, small sales), large (drawdowns; trump2025's 0.8).
AID_SHARE = {"none": 0.0, "limited": 0.1, "large": 0.8}
GRADES = {"sanctions": SANCTIONS_SHARE, "europe_sanctions": EUROPE_SHARE, "aid": AID_SHARE}
#: Trust at the start, which the record does not code, by the level at T: the historical scenarios' starts
#: (0.6 at partnership in 1992, 0.5 in 2001, 0.4 in 2009) and trump2025's 0.1 at suspension.
TRUST_BY_LEVEL = (0.1, 0.3, 0.4, 0.5, 0.6)
#: Chance shocks counted from the record's events, by the event each records.
RECORD_SHOCKS = {
    "scandal": "scandal",
    "military_incident": "military_incident",
    "ukraine_escalation": "russian_escalation",
    "black_swan": "black_swan",
}
#: Chance shocks the record does not code: counted from the package's timeline, which stops at 2016-12.
TIMELINE_SHOCKS = ("shared_threat", "colour_revolution", "economic_shock", "nato_enlargement")
TIMELINE_END = "2016-12"
#: Events the model records with another meaning than the record's, with why: left out of its scoring.
UNANSWERED: dict[str, str] = {}


def _rate(count: int, months: int) -> float:
    return (count + 0.5) / months


def shock_rates(known: Record) -> dict[str, float]:
    """Each chance shock's monthly hazard, counted from the record as known at its last month."""
    months = len(known.months)
    rates = {shock: _rate(len(known.happened(event)), months) for shock, event in RECORD_SHOCKS.items()}
    presidents = known.months["russian_president"].to_numpy()
    rates["leadership_change"] = _rate(int((presidents[1:] != presidents[:-1]).sum()), months)
    cut = min(known.through, TIMELINE_END)
    counted = Month.parse(cut).minus(Month.parse(str(known.months["month"].iloc[0]))) + 1
    struck = [entry["shock"] for entry in history.timeline_shocks(str(known.months["month"].iloc[0]), cut)]
    rates.update({shock: _rate(struck.count(shock), counted) for shock in TIMELINE_SHOCKS})
    return rates


def pair_met(known: Record) -> bool:
    """Whether the presidents in office at the record's last month have met in person by then."""
    first = max(tenure_start(known, "us_president"), tenure_start(known, "russian_president"))
    return any(month >= first for month in known.happened("summit"))


def tenure_start(known: Record, column: str = "us_president") -> str:
    """The first month of the current holder's unbroken run in office, as the record knows it."""
    holders = known.months[column].to_numpy()
    since = len(holders) - 1
    while since > 0 and holders[since - 1] == holders[-1]:
        since -= 1
    return str(known.months["month"].iloc[since])


def us_terms(known: Record) -> np.ndarray:
    """The US president's term at each month of the record: 1 in his first, 2 once inaugurated again.

    Terms begin in the January after a presidential election (years 1 after a multiple of four, as
    ``schedule.calendar_due``): a new holder begins his first, the same holder his next. The president in
    office at the record's start counts the Januaries since he took office (``record.IN_OFFICE_SINCE``).
    """
    months = [Month.parse(month) for month in known.months["month"]]
    holders = known.months["us_president"].tolist()
    since = IN_OFFICE_SINCE.get(holders[0], months[0])
    term = max(1, sum(year % 4 == 1 for year in range(since.year, months[0].year + 1)))
    terms = [term]
    for month, (before, now) in zip(months[1:], itertools.pairwise(holders), strict=True):
        term = 1 if now != before else term + (month.month == 1 and month.year % 4 == 1)
        terms.append(term)
    return np.array(terms, dtype=int)


def reelection_chance(known: Record) -> float:
    """The chance a first-term US president is re-elected, from the elections the record has decided.

    An election is decided in the record once it holds the January the winner takes office; it counts
    where the president then in office was in his first term (the one who could run again), re-elected
    where he holds office after it. The Jeffreys estimate: (re-elected + 1/2) / (elections + 1).
    """
    terms, holders = us_terms(known), known.months["us_president"].to_numpy()
    januaries = [
        i for i, month in enumerate(known.months["month"]) if i and month.endswith("-01") and int(month[:4]) % 4 == 1
    ]
    eligible = [i for i in januaries if terms[i - 1] == 1]
    return (sum(holders[i] == holders[i - 1] for i in eligible) + 0.5) / (len(eligible) + 1)


def us_change(known: Record) -> float:
    """The chance the next US inauguration brings a new president: 1 after a second term, else 1 - p (re-election)."""
    return 1.0 if us_terms(known)[-1] >= 2 else 1 - reelection_chance(known)


def engaged(known: Record) -> bool:
    """Whether the US president seeks rapprochement at the record's last month.

    Each new president seeks a reset (001); he has turned away if he turned tough since he took office
    and no reset has followed (the record's ``president_turns_tough`` and ``reset`` events).
    """
    since = tenure_start(known)
    tough = [month for month in known.happened("president_turns_tough") if month >= since]
    resets = [month for month in known.happened("reset") if month >= since]
    return not tough or (bool(resets) and max(resets) > max(tough))


def initial_values(known: Record) -> dict[str, object]:
    """The scenario's ``initial`` block for a start just after the record's last month, as key paths."""
    row = known.state(known.through)
    level = LEVELS.index(row["level"])
    return {
        "initial.level": row["level"],
        "initial.phase": row["phase"],
        "initial.war": row["war"],  # the record codes the model's war states, ``none`` before 2022-02
        "initial.sanctions": SANCTIONS_SHARE[int(row["sanctions"])],
        "initial.europe_sanctions": EUROPE_SHARE[int(row["sanctions"])],
        "initial.aid": AID_SHARE[row["us_aid_ukraine"]],
        "initial.review_law": row["sanctions_review_law"] == "yes",
        "initial.trust": TRUST_BY_LEVEL[level],
        "initial.met": level > 0 and pair_met(known),  # the model holds no meeting while ties are suspended
        "president.engaged_at_start": 1.0 if engaged(known) else 0.0,
    }


def window(origin: str) -> tuple[Month, Month]:
    """The months a forecast from ``origin`` runs: the month after it to 24 months on, or the record's end."""
    start = Month.parse(origin).plus(1)
    return start, min(Month.parse(origin).plus(LONGEST), LAST)


@cache
def packaged_fits() -> dict[str, dict[str, float]] | None:
    """The fits as of each fit point that ``sim calibrate`` wrote into the package's configs (``as_of``)."""
    return read_folds(packaged("configs") / FOLDS_FILE, section="as_of")


def origin_spec(
    origin: str,
    record: Record | None = None,
    base: Scenario | None = None,
    values: dict[str, float] | None = None,
    through: Month | None = None,
) -> Scenario:
    """The scenario of a forecast from ``origin``, from the record as known then (module docstring).

    ``values`` sets the fitted parameters (default: the fit as of the latest fit point at or before ``origin``);
    ``through`` the last month it runs (default: ``window``'s).
    """
    fitted = fit_as_of(origin, packaged_fits())[1] if values is None else values
    known = (packaged_record() if record is None else record).as_of(origin)
    if known.through != str(Month.parse(origin)):
        raise ValueError(f"the record ends at {known.through}, before the origin {origin}")
    start, horizon = window(origin)
    horizon = horizon if through is None else through
    base = load_scenario(BASE) if base is None else base
    schedule = [
        {"month": str(month), "event": event, "note": what}
        for month, event, what in calendar_due(start.plus(-1), horizon)
    ]

    overrides: dict[str, object] = {
        "name": f"forecast_{origin}",
        "description": f"Forecast from {origin}, from the record as known then.",
        "start": str(start),
        "horizon": str(horizon),
        "calibration": "point",
        "calendar": "us",
        "schedule": schedule,
        **initial_values(known),
        **{f"shocks.{shock}.hazard": round(rate, 6) for shock, rate in shock_rates(known).items()},
        **{path: round(value, 6) for path, value in fitted.items()},
    }
    change = us_change(known)
    if change < 1 and any(entry["event"] == "election" for entry in schedule):
        # p + (1 - p) c: a first-term president re-elected (chance p) continues his own policy (module docstring).
        continuity: Assumption = base.president.successor_continuity
        if not isinstance(continuity, Fixed):
            raise ValueError(f"{base.name}: president.successor_continuity must be one number here, not {continuity}")
        stays = 1 - continuity.value
        overrides["president.successor_continuity"] = round(1 - change * stays, 6)
    return override(base, overrides, source=f"record as of {origin}")


def answers(
    spec: Scenario, questions: pd.DataFrame, worlds: int, seed: int, start_level: int, us_new: float = 1.0
) -> np.ndarray:
    """The share of ``worlds`` worlds of ``spec`` in which each question (asked at its start's origin) comes true.

    ``us_new`` is the chance a US inauguration on the calendar brings a new president (``us_change``).
    """
    model = RelationsModel(spec, worlds=worlds, seed=seed)
    path = np.empty((spec.months, worlds), dtype=np.int8)
    while model.running:
        model.step()
        path[model.month - 1] = model.state.level
    first = {event: model.events.first[row] for event, row in EVENT_INDEX.items() if event not in UNANSWERED}
    start = Month.parse(str(spec.start))
    inaugurated = [Month.parse(str(e.month)).minus(start) for e in spec.schedule if e.event == "inauguration"]
    own_level = np.full(worlds, start_level, dtype=np.int8)
    return shares(questions, path, own_level, start_level, first, inaugurated, us_new)


def shares(
    questions: pd.DataFrame,
    path: np.ndarray,
    own_level: np.ndarray,
    start_level: int,
    first: dict[str, np.ndarray],
    inaugurated: list[int],
    us_new: float = 1.0,
) -> np.ndarray:
    """The share of worlds in which each question comes true, from the worlds' months after the origin.

    ``path`` is each world's level in each month after the origin; ``own_level`` each world's level at the
    origin; ``start_level`` the record's level then; ``first`` each answered event's first month after the
    origin in each world (counted from 0; negative: never); ``inaugurated`` the months of the US inaugurations
    after the origin, counted the same way, and ``us_new`` the chance one brings a new president
    (``us_change``). NaN for a question of another event.
    """
    before = np.vstack([own_level[None, :], path[:-1]])
    out = np.full(len(questions), np.nan)
    for i, row in enumerate(questions.itertuples()):
        h = int(row.horizon)
        if row.kind == "level_at_least":
            out[i] = (path[h - 1] >= LEVELS.index(row.target)).mean()
        elif row.kind == "falls_below":
            out[i] = (path[:h] < start_level).any(axis=0).mean()
        elif row.target.startswith("level>="):
            k = int(row.target.removeprefix("level>="))
            out[i] = ((path[:h] >= k) & (before[:h] < k)).any(axis=0).mean()
        elif row.target == "leadership_change" and any(month < h for month in inaugurated):
            kremlin = ((first[row.target] >= 0) & (first[row.target] < h)).mean()
            out[i] = 1 - (1 - kremlin) * (1 - us_new)  # either capital, independently (module docstring)
        elif row.target in first:
            months = first[row.target]
            out[i] = ((months >= 0) & (months < h)).mean()
    return out


def given_shocks(origin: str, record: Record | None = None, shift: int = 0) -> list[dict[str, str]]:
    """The record's shocks in a forecast's window as schedule entries, each moved ``shift`` months on (circularly).

    The shocks the record codes: its scandals, military incidents, escalations and black swans, and each
    change of Russian president. A shift of 0 gives their real months (the hindcast); another the placebo's.
    """
    record = packaged_record() if record is None else record
    start, horizon = window(origin)
    length = horizon.minus(start) + 1
    dated = [(month, shock) for shock, event in RECORD_SHOCKS.items() for month in record.happened(event)]
    presidents = record.months[["month", "russian_president"]].to_numpy()
    dated += [
        (month, "leadership_change") for (_, before), (month, now) in itertools.pairwise(presidents) if now != before
    ]
    entries = []
    for month, shock in sorted(dated):
        offset = Month.parse(month).minus(start)
        if 0 <= offset < length:
            moved = start.plus((offset + shift) % length)
            entries.append({"month": str(moved), "event": "shock", "shock": shock, "note": f"{shock} of {month}"})
    return entries


def hindcast_spec(origin: str, record: Record | None = None, shift: int = 0) -> Scenario:
    """The forecast from ``origin`` given the record's shocks in its window (``given_shocks``) instead of by chance.

    Unlike the forecast, this uses months after the origin: it tests whether the mechanisms answer the
    shocks, not what a forecaster knew.
    """
    spec = origin_spec(origin, record)
    given = given_shocks(origin, record, shift)
    schedule = sorted([*spec.model_dump(mode="json")["schedule"], *given], key=lambda entry: entry["month"])
    values: dict[str, object] = {"schedule": schedule, "name": f"hindcast_{origin}"}
    values |= {f"shocks.{shock}.hazard": 0.0 for shock in (*RECORD_SHOCKS, "leadership_change")}
    return override(spec, values, source=f"the record's shocks after {origin}")


def _forecast_one(task: tuple[str, pd.DataFrame, int, int, Record | None, int | None]) -> np.ndarray:
    origin, asked, worlds, seed, record, shift = task
    spec = origin_spec(origin, record) if shift is None else hindcast_spec(origin, record, shift)
    known = (packaged_record() if record is None else record).as_of(origin)
    return answers(spec, asked, worlds, seed, int(known.levels[-1]), us_change(known))


def forecast(
    questions: pd.DataFrame,
    worlds: int,
    seed: int,
    record: Record | None = None,
    processes: int = 1,
    shift: int | None = None,
) -> np.ndarray:
    """The model's probability for each question, from its origin's own forecast (NaN where it cannot answer).

    Each origin runs ``worlds`` worlds with its own seed (``api.member_seed`` of ``seed`` and the origin's
    month in the record), so the answers depend on the seed alone, not on ``processes`` or which origins run.
    With ``shift`` the run is the hindcast given the record's shocks, moved ``shift`` months (``hindcast_spec``).
    """
    origins = list(dict.fromkeys(questions["origin"]))
    tasks = [
        (origin, questions[questions["origin"] == origin], worlds, member_seed(seed, Month.parse(origin).minus(FIRST)),
         record, shift)
        for origin in origins
    ]  # fmt: skip
    out = np.full(len(questions), np.nan)
    results: Iterable[np.ndarray]
    if processes > 1:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_forecast_one, tasks))
    else:
        results = map(_forecast_one, tasks)
    for (origin, *_), values in zip(tasks, results, strict=True):
        out[np.flatnonzero(questions["origin"].to_numpy() == origin)] = values
    return out
