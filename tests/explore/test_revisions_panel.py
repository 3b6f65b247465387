"""The explorer's revisions: the chart's lines and the tables, read from ``Revisions.table`` (no browser)."""

import pytest

import simulator
from simulator.analysis.revisions import Revisions
from simulator.explore import charts
from simulator.explore.page import _revisions_html
from tests.conftest import BASELINE, ROOT


@pytest.fixture(scope="module")
def revised():
    specs = [simulator.load_scenario(p) for p in (ROOT / "scenarios" / "update_2025_04.yaml", BASELINE)]
    return Revisions.of([s.name for s in specs], [simulator.run(s, runs=500, seed=4) for s in specs])


def test_the_chart_has_a_line_per_question_in_percent_by_the_month_made(revised):
    table = revised.table()
    option = charts.revisions(table)
    assert option["xAxis"]["data"] == ["2025-01", "2025-04"] and option["yAxis"]["max"] == 100
    assert len(option["series"]) == table["question"].nunique()
    summit = next(s for s in option["series"] if s["name"].startswith("Will the presidents meet"))
    expected = [100 * r.questions()["summit_2025"]["probability"] for r in revised.results]
    assert summit["data"] == pytest.approx(expected, abs=0.01)


def test_the_tables_name_each_forecast_what_it_knew_and_each_probability(revised):
    page = _revisions_html(revised, revised.table())
    assert "2025-02 contact_resumed<br>2025-04 level contact" in page
    p = revised.results[1].questions()["ceasefire_2026"]["probability"]
    assert f"<td data-value='{p!r}' data-forecast='update_2025_04'>{p:.1%}" in page
