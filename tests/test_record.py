"""The record, 1991-12 to 2024-12: its coverage, its events and sources, the checks on damaged files, and as_of."""

import csv
import shutil

import numpy as np
import pytest

from simulator import record
from simulator.analysis import history
from simulator.months import Month, month_labels
from simulator.vocabulary import EVENTS, LEVELS, PHASES

RECORD = record.load()


def _read(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path, rows, columns):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def copy(tmp_path):
    """A copy of the packaged record's files to alter."""
    for name in ("months.csv", "events.csv"):
        shutil.copy(record.FOLDER / name, tmp_path / name)
    return tmp_path


def test_the_record_covers_every_month_from_1991_12_to_2024_12_once():
    months = RECORD.months["month"].tolist()
    assert months == month_labels(Month(1991, 12), 397)
    assert months[-1] == "2024-12" and RECORD.through == "2024-12"


def test_every_event_is_in_the_vocabulary_dated_in_the_record_and_sourced():
    events = RECORD.events
    assert len(events) > 150
    assert set(events["event"]) <= set(EVENTS)
    assert (events["source"].str.len() > 20).all()
    assert set(events["source_check"]) <= set(record.SOURCE_CHECKS)
    assert events["month"].between("1991-12", "2024-12").all()
    assert (events.loc[events["event"] == "new_sanctions", "grade"] != "").all()


def test_crises_and_resets_are_the_months_the_phase_enters_them():
    months, phases = RECORD.months["month"].tolist(), RECORD.months["phase"].tolist()
    for phase in ("crisis", "reset"):
        entered = [months[i] for i in range(1, len(months)) if phases[i] == phase and phases[i - 1] != phase]
        assert RECORD.happened(phase) == entered, phase


def test_1992_to_2016_is_the_package_period_table_month_by_month():
    """The coded level and phase, and the level alternatives, are those simulator.analysis.history reads."""
    labels = month_labels(Month(1992, 1), 300)
    levels, phases, covered = history.observed(labels)
    frame = RECORD.months.set_index("month").loc[labels]
    assert covered.all()
    assert [LEVELS[i] for i in levels.argmax(axis=1)] == frame["level"].tolist()
    assert [PHASES[i] for i in phases.argmax(axis=1)] == frame["phase"].tolist()
    for label, row, alternatives in zip(labels, levels, frame["level_alternatives"], strict=True):
        coded = int(row.argmax())
        written = set(filter(None, alternatives.split(";")))
        assert {LEVELS[i] for i in np.flatnonzero(row) if i != coded} == written, label


def test_presidents_change_only_in_a_month_with_a_leadership_change():
    months = RECORD.months
    changes = {
        months["month"].iloc[i]
        for i in range(1, len(months))
        for column in ("us_president", "russian_president")
        if months[column].iloc[i] != months[column].iloc[i - 1]
    }
    assert changes == {"1993-01", "1999-12", "2001-01", "2008-05", "2009-01", "2012-05", "2017-01", "2021-01"}
    assert changes <= set(RECORD.happened("leadership_change"))


def test_each_rise_in_the_sanctions_grade_has_a_sanctions_round_of_that_grade_that_month():
    months, events = RECORD.months, RECORD.events
    rounds = events[events["event"] == "new_sanctions"]
    for i in range(1, len(months)):
        grade = months["sanctions"].iloc[i]
        if grade > months["sanctions"].iloc[i - 1]:
            month = months["month"].iloc[i]
            assert str(grade) in set(rounds.loc[rounds["month"] == month, "grade"]), month


def test_the_war_is_active_from_the_invasion_and_absent_before():
    war = RECORD.months.set_index("month")["war"]
    assert set(war.loc[:"2022-01"]) == {"none"} and set(war.loc["2022-02":]) == {"active"}
    assert RECORD.happened("russian_escalation").count("2022-02") == 1


@pytest.mark.parametrize(
    ("event", "months"),
    [
        # every presidential pairing, not only the first meeting
        ("summit", ["1992-02", "1993-04", "1995-10", "2000-06", "2001-06", "2001-11", "2009-07", "2010-04"]),
        ("summit", ["2012-06", "2015-09", "2017-07", "2018-07", "2019-06", "2021-06"]),
        ("working_level_deal", ["2010-07", "2022-04", "2022-12", "2024-08"]),
        ("arms_control_deal", ["1993-01", "2002-05", "2010-04", "2021-02"]),
        ("congress_sanctions_act", ["2012-12", "2014-12", "2017-08", "2024-04"]),
        ("russian_escalation", ["2008-08", "2014-02", "2022-02"]),
        ("sanctions_relief", ["2012-12", "2019-01"]),
    ],
)
def test_the_landmarks_are_in_the_record(event, months):
    assert set(months) <= set(RECORD.happened(event))


def test_level_events_are_the_rises_of_the_coded_level():
    assert RECORD.happened("level>=3") == ["2001-09", "2009-03"]
    assert RECORD.happened("level>=2") == ["2009-03"]
    assert RECORD.happened("level>=1") == [] and RECORD.happened("level>=4") == []


@pytest.mark.parametrize("origin", ["1991-12", "1999-02", "2009-02", "2021-12", "2024-11"])
def test_as_of_holds_only_what_was_known_at_the_month(origin):
    known = record.as_of(origin)
    assert known.through == origin
    assert known.months["month"].tolist() == month_labels(Month(1991, 12), Month.parse(origin).minus(record.FIRST) + 1)
    assert (known.events["month"] <= origin).all()
    assert len(known.events) == int((RECORD.events["month"] <= origin).sum())
    assert known.state(origin) == RECORD.state(origin)
    with pytest.raises(KeyError):
        known.state(str(Month.parse(origin).plus(1)))


def test_as_of_past_the_record_is_the_whole_record_and_before_it_is_refused():
    assert record.as_of("2026-01").equals(RECORD)
    with pytest.raises(ValueError, match="before the record starts"):
        record.as_of("1991-11")


@pytest.mark.parametrize("origin", ["1999-02", "2009-02", "2017-06"])
def test_scrambling_every_row_after_the_origin_leaves_as_of_identical(copy, origin):
    rng = np.random.default_rng(7)
    months = _read(copy / "months.csv")
    after = [i for i, row in enumerate(months) if row["month"] > origin]
    shuffled = rng.permutation(after)
    contents = [{k: v for k, v in months[j].items() if k != "month"} for j in shuffled]
    for i, content in zip(after, contents, strict=True):
        months[i].update(content)
    _write(copy / "months.csv", months, record.MONTH_COLUMNS)
    events = _read(copy / "events.csv")
    later = [row["month"] for row in months if row["month"] > origin]
    for row in events:
        if row["month"] > origin:
            row["month"] = str(rng.choice(later))
            row["date"] = row["month"]
            row["event"] = str(rng.choice(["summit", "scandal", "aid_cut", "crisis"]))
    _write(copy / "events.csv", events, record.EVENT_COLUMNS)

    scrambled = record.load(copy)
    assert not scrambled.equals(RECORD)
    assert scrambled.as_of(origin).equals(RECORD.as_of(origin))


@pytest.mark.parametrize("origin", ["1999-02", "2009-02", "2017-06"])
def test_deleting_every_row_after_the_origin_leaves_as_of_identical(copy, origin):
    months = [row for row in _read(copy / "months.csv") if row["month"] <= origin]
    events = [row for row in _read(copy / "events.csv") if row["month"] <= origin]
    _write(copy / "months.csv", months, record.MONTH_COLUMNS)
    _write(copy / "events.csv", events, record.EVENT_COLUMNS)
    with pytest.raises(record.RecordError, match="the record runs to 2024-12"):
        record.load(copy)
    assert record.load(copy, complete=False).as_of(origin).equals(RECORD.as_of(origin))


@pytest.mark.parametrize("change", ["level", "event"])
def test_changing_a_row_before_the_origin_changes_as_of(copy, change):
    origin = "2009-02"
    if change == "level":
        months = _read(copy / "months.csv")
        row = next(row for row in months if row["month"] == "2005-06")
        row["level"] = "contact"
        _write(copy / "months.csv", months, record.MONTH_COLUMNS)
    else:
        events = _read(copy / "events.csv")
        row = next(row for row in events if row["month"] == "2005-02" and row["event"] == "summit")
        row["month"] = row["date"] = "2005-03"
        _write(copy / "events.csv", events, record.EVENT_COLUMNS)
    assert not record.load(copy).as_of(origin).equals(RECORD.as_of(origin))


DAMAGE = [
    # (file, line to alter (1 = header), column, new value, what the message says)
    ("months.csv", 5, "level", "normalisation", "'normalisation' is not one of suspended"),
    ("months.csv", 5, "phase", "thaw", "'thaw' is not one of euphoria"),
    ("months.csv", 5, "month", "1992-05", "1992-05 skips 1992-03"),
    ("months.csv", 5, "month", "1992-02", "1992-02 repeats or goes back"),
    ("months.csv", 5, "month", "1992/03", "not a month written YYYY-MM"),
    ("months.csv", 5, "sanctions", "4", "'4' is not one of 0, 1, 2, 3"),
    ("months.csv", 5, "level_alternatives", "strategic_partnership", "is the coded level itself"),
    ("months.csv", 5, "us_president", "", "empty"),
    ("events.csv", 4, "event", "handshake", "'handshake' is not one of contact_resumed"),
    ("events.csv", 4, "event", "level>=2", "is read from the levels"),
    ("events.csv", 4, "source", "", "every event has a description and a source"),
    ("events.csv", 4, "date", "1992-13-01", "is not in the row's month"),
    ("events.csv", 4, "month", "2025-01", "lies outside the record's months"),
]


@pytest.mark.parametrize(("name", "line", "column", "value", "says"), DAMAGE)
def test_a_damaged_file_is_named_with_its_line_and_column(copy, name, line, column, value, says):
    columns = record.MONTH_COLUMNS if name == "months.csv" else record.EVENT_COLUMNS
    rows = _read(copy / name)
    rows[line - 2][column] = value
    _write(copy / name, rows, columns)
    with pytest.raises(record.RecordError) as caught:
        record.load(copy)
    message = str(caught.value)
    assert message.startswith(f"{copy / name}, line {line}, column '{column}': ")
    assert says in message


def test_a_new_sanctions_row_without_its_grade_is_refused(copy):
    rows = _read(copy / "events.csv")
    index = next(i for i, row in enumerate(rows) if row["event"] == "new_sanctions")
    rows[index]["grade"] = ""
    _write(copy / "events.csv", rows, record.EVENT_COLUMNS)
    with pytest.raises(record.RecordError, match=rf"line {index + 2}, column 'grade': a sanctions round needs"):
        record.load(copy)


def test_a_missing_column_or_file_is_named(copy):
    rows = _read(copy / "months.csv")
    columns = [c for c in record.MONTH_COLUMNS if c != "war"]
    _write(copy / "months.csv", [{c: row[c] for c in columns} for row in rows], columns)
    with pytest.raises(record.RecordError, match=r"months.csv, line 1: missing column\(s\) war"):
        record.load(copy)
    (copy / "events.csv").unlink()
    shutil.copy(record.FOLDER / "months.csv", copy / "months.csv")
    with pytest.raises(record.RecordError, match="events.csv: no such file"):
        record.load(copy)


def test_each_change_in_us_aid_to_ukraine_has_its_aid_decision_that_month():
    aid = RECORD.months["us_aid_ukraine"].map(record.AID.index).to_numpy()
    months = RECORD.months["month"].to_numpy()
    rises, falls = months[1:][aid[1:] > aid[:-1]], months[1:][aid[1:] < aid[:-1]]
    assert set(rises) <= set(RECORD.happened("aid_increase")) and len(rises) == 3
    assert set(falls) <= set(RECORD.happened("aid_cut")) and len(falls) == 1


def test_the_readme_coverage_table_is_the_record():
    """The folder's README counts events by type and period; the counts are the record's."""
    text = (record.FOLDER / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    header = next(row for row in rows if row[0].strip() == "event" and "1991–2000" in row[1])
    periods = [cell.strip() for cell in header[1:-1]]
    table = {
        row[0].strip(): [int(cell) for cell in row[1:]]
        for row in rows
        if row[0].strip() in {*EVENTS, "all"} and all(cell.strip().isdigit() for cell in row[1:])
    }
    events = RECORD.events
    for name, counts in table.items():
        chosen = events if name == "all" else events[events["event"] == name]
        by_period = [int(chosen["month"].between(f"{p[:4]}-01", f"{p[5:]}-12").sum()) for p in periods]
        assert counts == [*by_period, len(chosen)], name
    assert set(table) == {*set(events["event"]), "all"}


def test_the_readme_counts_of_source_checks_are_the_record():
    """The README says how many sources came from the timeline and how many were checked; the file agrees."""
    text = " ".join((record.FOLDER / "README.md").read_text(encoding="utf-8").split())
    counts = RECORD.events["source_check"].value_counts()
    assert f"{counts['timeline']} come from the package's verified timeline" in text
    assert f"the other {counts['checked']} were checked against stored copies" in text
    assert counts.get("cited", 0) == 0 and counts["timeline"] + counts["checked"] == len(RECORD.events)


def test_first_meetings_are_each_pair_of_presidents_first_summit_on_the_meetings_date():
    firsts = RECORD.first_meetings()
    # Bush-Yeltsin at Camp David; the Moscow summit of 3 Jan 1993 is Bush's, so Clinton-Yeltsin is Vancouver.
    assert firsts == ["1992-02", "1993-04", "2000-06", "2001-06", "2008-07", "2009-04", "2012-06", "2017-07", "2021-06"]
    assert set(firsts) <= set(RECORD.happened("summit"))
    assert RECORD.as_of("2012-05").first_meetings() == firsts[:6]


def test_the_record_ships_in_the_package_data():
    """pyproject.toml lists the record's folder in the package data, so an installed wheel carries it."""
    import tomllib
    from pathlib import Path

    from simulator.files import packaged

    assert {p.name for p in packaged("record").iterdir()} >= {"months.csv", "events.csv", "README.md"}
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/record/*" in pyproject["tool"]["setuptools"]["package-data"]["simulator"]
