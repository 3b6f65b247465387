"""sim describe: every assumption with its meaning, unit, source, a quote that is really in the source."""

import json
import re
import unicodedata

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.files import packaged
from simulator.scenario.loader import resolve_scenario
from simulator.scenario.provenance import SOURCES, describe
from simulator.scenario.schema import ASSUMED, assumptions
from tests.conftest import BASELINE, ROOT

runner = CliRunner()


def normalized(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for fancy, plain in {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
    }.items():
        text = text.replace(fancy, plain)
    return re.sub(r"\s+", " ", text).lower()


@pytest.fixture(scope="module")
def rows():
    return describe(resolve_scenario(BASELINE))


def test_every_assumption_is_described(rows, baseline):
    described = {row.path for row in rows}
    assert {path for path, _ in assumptions(baseline)} <= described
    assert {"initial.level", "initial.review_law", "structure.gates.war_over", "shocks.scandal.effects"} <= described
    for row in rows:
        assert row.meaning and row.unit and row.source and row.quote, row


def test_every_quote_is_in_the_cited_document_or_is_the_analysts_own_note(rows):
    seeds = {key: normalized(packaged("seeds", file).read_text()) for key, (file, _) in SOURCES.items()}
    every_seed = " ".join(seeds.values())
    for row in rows:
        key = row.source.split()[0]
        if row.quote.startswith(ASSUMED):
            assert len(row.quote) > len(ASSUMED) + 20, row.path  # it says why
            for words in re.findall("\u201c(.+?)\u201d", row.quote):  # what a note quotes is in a seed too
                assert normalized(words) in every_seed, f"{row.path}: {words!r} is in no seed"
        else:
            assert normalized(row.quote) in seeds[key], f"{row.path}: {row.quote!r} is not in {SOURCES[key][0]}"


def test_values_no_sentence_supports_say_so_plainly(rows):
    by_path = {row.path: row for row in rows}
    for path in ("initial.europe_sanctions", "president.pause_months", "allies.europe_replacement"):
        assert by_path[path].quote.startswith(ASSUMED), path
        assert by_path[path].shown_quote() == by_path[path].quote  # a note, not in quotation marks
    assert "NATO" not in by_path["initial.europe_sanctions"].quote
    assert "Will funding continue" not in by_path["president.pause_months"].quote
    assert by_path["initial.aid"].shown_quote() == "\u201cThe US is Ukraine\u2019s largest donor\u201d"


def test_describe_formats(tmp_path):
    as_json = runner.invoke(app, ["describe", str(BASELINE), "--format", "json", "--set", "kremlin.caution=0.6"])
    assert as_json.exit_code == 0, as_json.output
    rows = {row["path"]: row for row in json.loads(as_json.output)}
    assert rows["kremlin.caution"]["value"] == "0.6"
    assert rows["kremlin.caution"]["set_in"] == "--set kremlin.caution=0.6"
    assert rows["president.volatility"]["source_file"] == "000_716dd243e59d1fe2.txt"
    markdown = runner.invoke(app, ["describe", str(BASELINE), "--format", "markdown"])
    assert markdown.exit_code == 0 and markdown.output.startswith("| key | value |")
    assert "`structure.erosion`" in markdown.output
    table = runner.invoke(app, ["describe", str(BASELINE)])
    assert table.exit_code == 0 and "president.volatility" in table.output
    assert runner.invoke(app, ["describe", str(BASELINE), "--format", "xml"]).exit_code == 2


def test_calibrated_parameters_are_shown_as_the_runs_use_them():
    drawn = {row.path: row for row in describe(resolve_scenario(BASELINE))}
    erosion = drawn["structure.erosion"]
    assert erosion.value.startswith("posterior draws: median") and erosion.set_in.endswith("posterior.csv")
    point = {row.path: row for row in describe(resolve_scenario(BASELINE, ["calibration=point"]))}
    assert "calibrated.yaml" in point["structure.erosion"].set_in
    assert float(point["structure.erosion"].value) > 0
    own = {row.path: row for row in describe(resolve_scenario(BASELINE, ["structure.erosion=0.01"]))}
    assert own["structure.erosion"].value == "0.01"  # a value the scenario sets itself is not drawn
    assert own["structure.reset_chance"].value.startswith("posterior draws")


def test_every_sentence_the_shipped_files_quote_beside_a_number_is_in_a_seed():
    """A comment that quotes a seed beside a value quotes it as written: no paraphrase in quotation marks."""
    seeds = normalized(" ".join(packaged("seeds", file).read_text() for file, _ in SOURCES.values()))
    files = sorted(ROOT.glob("scenarios/*.yaml")) + sorted(packaged("configs").glob("*.yaml"))
    checked = 0
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            comment = line.partition("#")[2]
            for quoted in re.findall(r'"([^"]+)"', comment):
                for words in re.split(r"\.\.\.|\[[^\]]*\]", quoted):
                    words = words.strip(" .,;")
                    if len(words.split()) < 3:  # a term ("per month"), not a sentence of a seed
                        continue
                    checked += 1
                    assert normalized(words) in seeds, f"{file.name}:{number}: {words!r} is in no seed"
    assert checked > 40
