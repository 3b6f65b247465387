"""A US election at an origin: a second-term president's successor takes office, a first-term one may be re-elected."""

import numpy as np
import pytest

from simulator.analysis import rolling
from simulator.model.model import RelationsModel
from simulator.record import IN_OFFICE_SINCE, Record, packaged_record
from simulator.scenario import override
from tests.analysis.test_outofsample import SEED, WORLDS, asked, forecast

#: An origin with the 2012 election and the 2013 inauguration in its 24-month window, Obama in his first term.
ORIGIN = "2011-01"


def other_winner(record: Record, election: int, winner: str) -> Record:
    """The record with ``winner`` in office from the January after ``election`` until the next holder."""
    months = record.months.copy()
    won = months["us_president"] == months.loc[months["month"] == f"{election + 1}-01", "us_president"].iloc[0]
    term = won & (months["month"] >= f"{election + 1}-01") & (months["month"] < f"{election + 5}-01")
    months.loc[term, "us_president"] = winner
    return Record(months=months, events=record.events)


def test_terms_are_counted_from_the_records_presidents():
    record = packaged_record()
    assert IN_OFFICE_SINCE.keys() == {record.months["us_president"].iloc[0]}  # the president at the record's start
    terms = dict(zip(record.months["month"], rolling.us_terms(record), strict=True))
    assert [terms[m] for m in ("1991-12", "1993-01", "1996-12", "1997-01", "2004-12", "2005-01")] == [1, 1, 1, 2, 1, 2]
    assert [terms[m] for m in ("2009-01", "2013-01", "2017-01", "2021-01", "2024-12")] == [1, 2, 1, 1, 1]
    # Bush lost in 1992; Clinton (1996), Bush (2004) and Obama (2012) won; Trump lost in 2020.
    chance = {origin: rolling.reelection_chance(record.as_of(origin)) for origin in ("1996-10", "2004-10", "2023-10")}
    assert chance == pytest.approx({"1996-10": 0.5 / 2, "2004-10": 1.5 / 3, "2023-10": 3.5 / 6})


def test_a_second_term_presidents_successor_is_certain_a_first_term_president_may_stay():
    record = packaged_record()
    assert rolling.us_change(record.as_of("2008-01")) == 1.0  # Bush in his second term
    assert rolling.us_change(record.as_of(ORIGIN)) == pytest.approx(1 - 2.5 / 4)  # Obama in his first
    c = rolling.load_scenario(rolling.BASE).president.successor_continuity.value
    assert rolling.origin_spec("2008-01").president.successor_continuity.value == c
    p = 2.5 / 4
    assert rolling.origin_spec(ORIGIN).president.successor_continuity.value == pytest.approx(p + (1 - p) * c)


def test_a_continuing_successor_is_the_incumbent_staying_on():
    # Same seed: a successor who surely continues the policy leaves every world as a run without the inauguration.
    spec = override(rolling.origin_spec(ORIGIN), {"president.successor_continuity": 1.0}, source="test")
    kept = [entry for entry in spec.model_dump(mode="json")["schedule"] if entry["event"] != "inauguration"]
    without = override(spec, {"schedule": kept}, source="test")
    paths = []
    for run in (spec, without):
        model = RelationsModel(run, worlds=WORLDS, seed=SEED)
        levels = []
        while model.running:
            model.step()
            levels.append(model.state.level.copy())
        paths.append(np.array(levels))
    assert np.array_equal(*paths)


def test_the_chance_of_re_election_moves_the_worlds_where_the_successor_breaks():
    # Same seed, with and without the re-election chance: fewer worlds break with the policy at the inauguration.
    spec = rolling.origin_spec(ORIGIN)
    c = rolling.load_scenario(rolling.BASE).president.successor_continuity.value
    plain = override(spec, {"president.successor_continuity": c}, source="test")
    kept = []
    for run in (spec, plain):
        model = RelationsModel(run, worlds=WORLDS, seed=SEED)
        while model.running:
            model.step()
        kept.append(model.president.continues.mean())
    assert kept[0] > kept[1] + 0.2
    assert kept[0] == pytest.approx(spec.president.successor_continuity.value, abs=0.06)


def test_a_new_president_in_either_capital_combines_the_kremlins_worlds_with_the_us_chance():
    questions = asked(ORIGIN)
    p = forecast(packaged_record(), ORIGIN)
    change = (questions["target"] == "leadership_change").to_numpy()
    short = change & (questions["horizon"] <= 12).to_numpy()  # 2012-01 at the latest: no inauguration
    long = change & (questions["horizon"] == 24).to_numpy()
    assert (p[short] < 0.2).all()
    us = rolling.us_change(packaged_record().as_of(ORIGIN))
    kremlin = p[change & (questions["horizon"] == 12).to_numpy()][0]
    assert us < p[long][0] < 1 and p[long][0] >= 1 - (1 - kremlin) * (1 - us)


def test_a_later_election_leaves_the_forecast_bit_identical_an_earlier_one_moves_it():
    record = packaged_record()
    reference = forecast(record, ORIGIN)
    later = other_winner(record, 2016, "Hillary Clinton")
    assert np.array_equal(forecast(later, ORIGIN), reference, equal_nan=True)
    earlier = other_winner(record, 2004, "John Kerry")
    assert rolling.reelection_chance(earlier.as_of(ORIGIN)) != rolling.reelection_chance(record.as_of(ORIGIN))
    assert not np.array_equal(forecast(earlier, ORIGIN), reference, equal_nan=True)


def test_a_base_whose_continuity_is_drawn_cannot_carry_a_reelection():
    """The origin's continuity is computed from one number: a drawn one is refused by name, not an AttributeError."""
    base = override(
        rolling.load_scenario(rolling.BASE), {"president.successor_continuity": "beta(2, 3)"}, source="test"
    )
    with pytest.raises(ValueError, match=r"president\.successor_continuity must be one number"):
        rolling.origin_spec(ORIGIN, base=base)
