"""sim validity: each argument of the five documents moves the forecast the way its sentence argues."""

import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.analysis.validity import FAILING, SIGMAS, applicable, measure
from simulator.analysis.validity_table import MECHANISMS, ValidityError, load_table
from simulator.api import run
from simulator.cli.app import app
from simulator.scenario import load_scenario
from simulator.scenario.provenance import SOURCES
from tests.conftest import BASELINE, ROOT

#: Rows the model gets backwards (or leaves inert) today, kept out of the default test; the
#: repairs of issue 20 are to fix them. Each must still fail: a row that agrees again
#: fails ``test_known_backwards_rows_still_fail`` until it is taken off this list.
KNOWN_BACKWARDS_TODAY: tuple[str, ...] = ()

#: Worlds on each side of a pair in the tests: the whole table in well under a minute.
TEST_WORLDS = 8000
SEED = 20250101

TABLE = load_table()
AGREEING = [row.id for row in TABLE.rows if row.id not in KNOWN_BACKWARDS_TODAY and not row.disagrees]

runner = CliRunner()


@pytest.fixture(scope="module")
def measured(baseline):
    return {m.row.id: m for m in measure(baseline, TABLE.rows, TEST_WORLDS, SEED)}


def test_the_table_covers_every_mechanism_and_document():
    assert len(TABLE.rows) >= 30
    assert {row.mechanism for row in TABLE.rows} == set(MECHANISMS)
    assert {row.source for row in TABLE.rows} == set(SOURCES)
    assert set(KNOWN_BACKWARDS_TODAY) <= {row.id for row in TABLE.rows}
    assert not [row.id for row in TABLE.rows if row.id in KNOWN_BACKWARDS_TODAY and row.disagrees]


@pytest.mark.parametrize("row_id", AGREEING)
def test_each_argument_moves_as_its_document_argues(measured, row_id):
    m = measured[row_id]
    argued = m.row.sign * m.effect
    assert argued > SIGMAS * m.se and argued >= m.row.smallest, (
        f"{row_id} ({m.row.source}: {m.row.quote!r}): expected {m.row.direction}, "
        f"measured {m.base:.4f} -> {m.variant:.4f}, effect {m.effect:+.4f} ± {m.se:.4f}"
    )
    assert m.verdict == "agrees"


@pytest.mark.parametrize("row_id", KNOWN_BACKWARDS_TODAY)
def test_known_backwards_rows_still_fail(measured, row_id):
    m = measured[row_id]
    assert m.verdict in FAILING, f"{row_id} now agrees with its document: take it off KNOWN_BACKWARDS_TODAY"


def test_common_random_numbers_make_the_pair_far_tighter_than_two_independent_runs(measured):
    m = measured["structure_defies_leaders"]  # a share: its unpaired standard error is known from the means
    unpaired = math.sqrt((m.base * (1 - m.base) + m.variant * (1 - m.variant)) / m.worlds)
    assert 0 < m.se < unpaired / 2


def test_an_event_before_another_counts_the_worlds_where_it_came_first(tmp_path, baseline):
    text = GOOD_ROW.replace("{count: reversals}", "{event: aid_cut, before: president_turns_tough}")
    text = text.replace("base: {set: {president.volatility: 0}}", "base: {}")  # the base is the baseline
    (row,) = load_table(table_file(tmp_path, text)).rows
    (m,) = measure(baseline, [row], worlds=3000, seed=7)
    worlds = run(baseline, runs=3000, seed=7).worlds
    cut, tough = worlds["first_month_aid_cut"], worlds["first_month_president_turns_tough"]
    first = cut.notna() & (tough.isna() | (cut < tough))
    assert m.base == pytest.approx(first.mean()) and 0 < m.base < 1


def test_rows_whose_months_a_later_scenario_lacks_are_left_out_with_the_reason():
    later = load_scenario(ROOT / "tests" / "data" / "asof_start_2025_04.yaml")
    kept, left_out = applicable(later, TABLE.rows)
    assert {row.id for row, _ in left_out} >= {"meeting_completes_contact", "reset_runs_its_course"}
    for _, reason in left_out:
        assert reason.startswith("month 2025-0") and "outside the scenario's 2025-04" in reason
    assert len(kept) + len(left_out) == len(TABLE.rows) and "ceasefire_opens_cooperation" in {r.id for r in kept}


# The table's validation ----------------------------------------------------------------------

GOOD_ROW = """\
rows:
  - id: reversals_are_his
    mechanism: president
    source: "000"
    quote: "Trump's decisions are swift, sudden, and sharp—but so are his reversals."
    argument: An erratic president reverses course more often.
    base: {set: {president.volatility: 0}}
    variant: {set: {president.volatility: 0.2}}
    outcome: {count: reversals}
    direction: up
"""


def table_file(tmp_path: Path, text: str = GOOD_ROW, **replace: str) -> Path:
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "table.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_table_loads(tmp_path):
    (row,) = load_table(table_file(tmp_path)).rows
    assert row.id == "reversals_are_his" and row.variant.set == {"president.volatility": 0.2}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    direction: up", "    directoin: up", r"rows\.0 \(reversals_are_his\)\.directoin: unknown key"),
        ("{count: reversals}", "{event: summitt}", r"rows\.0 \(reversals_are_his\)\.outcome\.event: 'summitt' is not"),
        (
            "{set: {president.volatility: 0.2}}",
            "{schedule: [{month: 2025-06, event: truce, force: true}]}",
            r"rows\.0 \(reversals_are_his\)\.variant\.schedule\.0\.event: 'truce' is not allowed",
        ),
        (
            '    quote: "Trump\'s decisions are swift, sudden, and sharp—but so are his reversals."\n',
            "",
            r"rows\.0 \(reversals_are_his\)\.quote: missing key",
        ),
        ("so are his reversals", "so are his advisers", r"quote: not found in 000"),
        ("president.volatility: 0.2", "president.volatilty: 0.2", r"no key 'volatilty' at president"),
        ("president.volatility: 0.2", "president.volatility: 0", r"base and variant are the same scenario"),
        ("{count: reversals}", "{level: contact, by: 2026-01}", r"'by' goes with an event or a phase"),
    ],
)
def test_a_bad_row_is_named_with_what_is_wrong(tmp_path, old, new, message):
    with pytest.raises(ValidityError, match=message) as refused:
        load_table(table_file(tmp_path, **{old: new}))
    assert str(refused.value).startswith(str(tmp_path / "table.yaml"))


def test_a_pair_the_scenario_cannot_take_is_named_by_its_row(tmp_path, baseline):
    (row,) = load_table(table_file(tmp_path, **{"volatility: 0.2": "volatility: 2"})).rows
    with pytest.raises(ValidityError, match=r"row reversals_are_his, variant: .*president\.volatility"):
        measure(baseline, [row], worlds=10)
    (late,) = load_table(table_file(tmp_path, **{"{count: reversals}": "{event: summit, by: 2031-01}"})).rows
    with pytest.raises(ValidityError, match=r"row reversals_are_his: month 2031-01 lies outside"):
        measure(baseline, [late], worlds=10)


# The command --------------------------------------------------------------------------------


def sim(*args):
    return runner.invoke(app, ["validity", *[str(a) for a in args]])


def test_the_command_exits_0_when_every_row_agrees_and_writes_csv_and_markdown(tmp_path):
    table = table_file(tmp_path)
    result = sim(BASELINE, "--table", table, "--worlds", 300, "--out", tmp_path / "v.csv")
    assert result.exit_code == 0, result.output
    assert "agrees" in result.output
    lines = (tmp_path / "v.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,mechanism,source,quote") and lines[1].startswith("reversals_are_his,president,000")
    assert sim(BASELINE, "--table", table, "--worlds", 300, "--out", tmp_path / "v.md").exit_code == 0
    page = (tmp_path / "v.md").read_text(encoding="utf-8")
    assert "| 1 | `reversals_are_his` (president)" in page and "**agrees**" in page


def test_the_command_exits_1_when_a_row_contradicts_its_document(tmp_path):
    backwards = table_file(tmp_path, **{"direction: up": "direction: down"})
    result = sim(BASELINE, "--table", backwards, "--worlds", 300)
    assert result.exit_code == 1
    assert "backwards" in result.output and "1 contradict their documents: reversals_are_his" in result.output


def test_a_marked_disagreement_is_shown_and_fails_nothing(tmp_path):
    reason = "the model's president reverses only by its volatility, which this row sets the other way round"
    marked = table_file(tmp_path, **{"direction: up": f"direction: down\n    disagrees: {reason}"})
    result = sim(BASELINE, "--table", marked, "--worlds", 300)
    assert result.exit_code == 0, result.output
    assert "marked" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--row", "no_such_row"], "--row no_such_row: no such row"),
        (["--out", "table.txt"], "write a .csv or a .md file"),
        (["--set", "president.volatilty=0.1"], "president.volatilty: unknown key"),
        (["--table", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_input_exits_2_with_one_message(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = sim(BASELINE, "--worlds", 300, *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_bad_table_or_scenario_exits_2(tmp_path):
    bad = table_file(tmp_path, **{"direction: up": "direction: sideways"})
    result = sim(BASELINE, "--table", bad)
    assert result.exit_code == 2 and "direction: 'sideways' is not allowed" in result.output
    assert sim(tmp_path / "nowhere.yaml", "--table", table_file(tmp_path)).exit_code == 2


def test_write_docs_writes_the_page_only_from_a_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = table_file(tmp_path)
    refused = sim(BASELINE, "--table", table, "--worlds", 300, "--write-docs")
    assert refused.exit_code == 2 and "no docs/ folder here" in refused.output
    (tmp_path / "docs").mkdir()
    assert sim(BASELINE, "--table", table, "--worlds", 300, "--write-docs").exit_code == 0
    assert "Generated by `sim validity" in (tmp_path / "docs" / "validity.md").read_text(encoding="utf-8")


def test_the_committed_page_is_the_command_s_output_for_the_packaged_table():
    page = (ROOT / "docs" / "validity.md").read_text(encoding="utf-8")
    assert page.startswith("# Face validity") and "--write-docs`; do not edit by hand" in page
    assert re.findall(r"^\| \d+ \| `([a-z0-9_]+)`", page, flags=re.MULTILINE) == [row.id for row in TABLE.rows]
