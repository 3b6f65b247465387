"""Questions generated from the record, and the baselines from each origin: resolved right, blind to the future."""

import numpy as np
import pandas as pd
import pytest

from simulator import record
from simulator.analysis import baselines
from simulator.months import Month
from simulator.record import CODED_EVENTS, UNCODED_EVENTS
from simulator.vocabulary import EVENTS, LEVELS

RECORD = record.load()
QUESTIONS = baselines.questions(RECORD)


def _forecast(full: record.Record, origin: str) -> pd.DataFrame:
    """The baselines for the questions asked at ``origin``, computed on ``full``."""
    frame = QUESTIONS[QUESTIONS["origin"] == origin].reset_index(drop=True)
    return baselines.forecasts(frame, full)[list(baselines.BASELINES)]


def _scrambled_after(origin: str, seed: int) -> record.Record:
    """The record with every month after ``origin`` shuffled and every later event moved, renamed and added to."""
    rng = np.random.default_rng(seed)
    months = RECORD.months.copy()
    after = np.flatnonzero(months["month"] > origin)
    content = [c for c in months.columns if c != "month"]
    months.loc[after, content] = months.loc[rng.permutation(after), content].to_numpy()
    events = RECORD.events.copy()
    later = events["month"] > origin
    labels = months.loc[after, "month"].to_numpy()
    events.loc[later, "month"] = rng.choice(labels, int(later.sum()))
    events.loc[later, "event"] = rng.choice([e for e in EVENTS if not e.startswith("level")], int(later.sum()))
    extra = events[later].head(20).assign(event="summit")
    return record.Record(months=months, events=pd.concat([events, extra], ignore_index=True))


def test_questions_cover_the_grid_with_windows_the_record_closes():
    assert len(QUESTIONS) > 1000 and QUESTIONS["id"].is_unique
    assert QUESTIONS["origin"].nunique() == 120
    assert QUESTIONS["origin"].min() == "1994-01" and QUESTIONS["origin"].max() == "2023-10"
    assert (QUESTIONS["end"] <= "2024-12").all()
    assert set(QUESTIONS["horizon"]) == {3, 6, 12, 24}
    assert not ((QUESTIONS["origin"] == "2023-10") & (QUESTIONS["horizon"] == 24)).any()
    kinds = QUESTIONS.groupby("kind")["target"].nunique().to_dict()
    assert kinds == {"event": len(CODED_EVENTS), "level_at_least": len(LEVELS) - 1, "falls_below": 1}
    assert not set(UNCODED_EVENTS) & set(QUESTIONS["target"])  # nothing the record cannot answer


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("2018-04+3:event:summit", True),  # Helsinki, 2018-07
        ("2019-07+12:event:summit", False),  # Osaka was 2019-06; none then to Geneva 2021-06
        ("2021-04+3:event:summit", True),
        ("2022-04+12:event:working_level_deal", True),  # Reed (Apr) is not after the origin; Griner-Bout (Dec) is
        ("2022-04+6:event:working_level_deal", False),
        ("2008-07+3:level_at_least:selective_cooperation", False),  # contact in 2008-10
        ("2009-01+3:level_at_least:normalization", True),  # the reset, 2009-03
        ("2008-04+6:falls_below", True),  # Georgia, 2008-08
        ("2022-01+3:falls_below", True),  # the invasion, 2022-02
        ("2022-04+24:falls_below", False),  # nothing below suspended
        ("2001-07+3:event:level>=3", True),  # normalization after 9/11
    ],
)
def test_questions_are_resolved_from_the_record(question, outcome):
    assert QUESTIONS.set_index("id").at[question, "outcome"] == outcome


@pytest.mark.parametrize(("origin", "seed"), [("1999-01", 1), ("2009-01", 2), ("2017-04", 3)])
def test_scrambling_every_month_after_the_origin_leaves_every_baseline_identical(origin, seed):
    scrambled = _scrambled_after(origin, seed)
    assert not scrambled.equals(RECORD)
    pd.testing.assert_frame_equal(_forecast(scrambled, origin), _forecast(RECORD, origin), check_exact=True)


def test_deleting_every_month_after_the_origin_leaves_every_baseline_identical():
    origin = "2009-01"
    cut = RECORD.as_of(origin)
    pd.testing.assert_frame_equal(_forecast(cut, origin), _forecast(RECORD, origin), check_exact=True)


@pytest.mark.parametrize("change", ["levels", "summit"])
def test_changing_a_month_before_the_origin_moves_the_baselines(change):
    origin = "2009-01"
    months, events = RECORD.months.copy(), RECORD.events.copy()
    if change == "levels":
        months.loc[months["month"].between("2003-01", "2006-12"), "level"] = "contact"
    else:
        events.loc[(events["event"] == "summit") & (events["month"] < "2008-01"), "event"] = "scandal"
    changed = _forecast(record.Record(months=months, events=events), origin)
    same = _forecast(RECORD, origin)
    moved = {name for name in baselines.BASELINES if not changed[name].equals(same[name])}
    assert moved >= ({"climatology", "reference_class", "markov"} if change == "levels" else {"climatology"})


def test_baselines_are_probabilities_and_markov_only_for_levels():
    origins = ["1994-01", "2001-10", "2014-04", "2022-07"]
    frame = QUESTIONS[QUESTIONS["origin"].isin(origins)].reset_index(drop=True)
    result = baselines.forecasts(frame, RECORD)
    for name in ("climatology", "reference_class", "persistence"):
        assert result[name].between(0, 1).all(), name
    is_event = result["kind"] == "event"
    assert result.loc[is_event, "markov"].isna().all()
    assert result.loc[~is_event, "markov"].between(0, 1).all()
    assert set(result["persistence"]) <= {0.0, 1.0}
    # nothing lies below suspended: from 2022-07 neither the chain nor persistence sees a fall
    falls = result[(result["origin"] == "2022-07") & (result["kind"] == "falls_below")]
    assert (falls["markov"] == 0).all() and (falls["persistence"] == 0).all()


def test_climatology_grows_with_the_horizon():
    result = baselines.forecasts(QUESTIONS[QUESTIONS["origin"] == "2005-01"].reset_index(drop=True), RECORD)
    for target, rows in result[result["kind"] == "event"].groupby("target"):
        assert rows.sort_values("horizon")["climatology"].is_monotonic_increasing, target


def test_the_transition_matrix_is_stochastic_and_counts_the_moves():
    known = baselines.Known.of(RECORD.as_of("2009-01"))
    matrix = baselines.transition_matrix(known)
    assert np.allclose(matrix.sum(axis=1), 1)
    stays = int((known.levels[1:] == 2)[known.levels[:-1] == 2].sum())
    leaves = int((known.levels[:-1] == 2).sum()) - stays
    assert matrix[2, 2] == pytest.approx((stays + 0.5) / (stays + leaves + 2.5))
    assert np.allclose(matrix[0], 0.2)  # never suspended before 2009: the prior alone


def test_the_jeffreys_formulas_on_a_record_with_a_summit_every_month():
    """A record built for the purpose: the counts are known, so the baselines are too."""
    months = RECORD.as_of("2000-01").months
    events = pd.DataFrame(
        {
            "month": months["month"],
            "date": months["month"],
            "event": "summit",
            "grade": "",
            "description": "a meeting",
            "source": "a source",
            "source_check": "cited",
            "note": "",
        }
    )
    known = baselines.Known.of(record.Record(months=months, events=events))
    n = len(months)
    assert baselines.climatology(known, "event", "summit", 3) == pytest.approx(1 - (1 - (n + 0.5) / (n + 1)) ** 3)
    assert baselines.climatology(known, "event", "scandal", 3) == pytest.approx(1 - (1 - 0.5 / (n + 1)) ** 3)
    closed = [m for m in range(3, n, 3) if Month.parse("2000-01").plus(-m) >= record.FIRST]
    comparable = [m for m in closed if known.phases[n - 1 - m] == known.phases[-1]]  # realism, as in 2000-01
    assert baselines.MIN_COMPARABLE <= len(comparable) < len(closed)
    assert baselines.reference_class(known, "event", "summit", 3) == pytest.approx(
        (len(comparable) + 0.5) / (len(comparable) + 1)
    )
    assert baselines.reference_class(known, "event", "scandal", 3) == pytest.approx(0.5 / (len(comparable) + 1))
    assert baselines.persistence(known, "event", "summit", 6) == 1.0
    assert baselines.persistence(known, "event", "scandal", 6) == 0.0
