"""Nothing a user or a run folder controls reaches report.html as markup.

A question's text, a scenario's name and description, a month, a ``--set``
override and a schedule note are written into the run folder; a hostile
``summary.json`` or ``metadata.json`` can carry anything. The report holds no
script: every value is escaped.
"""

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import yaml
from typer.testing import CliRunner

from simulator.analysis.report import render
from simulator.cli.app import app
from tests.conftest import BASELINE

runner = CliRunner()
SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(2)>'
QUOTE = "'><svg onload=alert(3)>"
MARKUP = SCRIPT + IMAGE + QUOTE


class _Tags(HTMLParser):
    """Every tag the browser would build, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _hostile_run(tmp_path: Path) -> Path:
    scenario = tmp_path / "hostile.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "extends": str(BASELINE),
                "name": "hostile",
                "description": MARKUP,
                "questions": [{"id": "q1", "text": MARKUP, "event": "summit", "by": "2026-12"}],
                "schedule": [{"month": "2026-06", "event": "intervention", "note": MARKUP, "effects": {"trust": 0.01}}],
            }
        )
    )
    run = tmp_path / "run"
    args = ["run", str(scenario), "--runs", "300", "--seed", "5", "--out", str(run), "--workers", "1"]
    result = runner.invoke(app, [*args, "--set", "president.volatility=0.2"])
    assert result.exit_code == 0, result.output
    # What the run folder's JSON can carry: markup in every string a field holds.
    summary = json.loads((run / "summary.json").read_text())
    summary |= {"scenario": MARKUP, "start": MARKUP, "horizon": MARKUP, "version": MARKUP, "seed": MARKUP}
    question = summary["questions"].pop("q1")
    summary["questions"][MARKUP] = question | {"by": MARKUP}
    for event in summary["events"].values():
        event["median_month"] = MARKUP
    (run / "summary.json").write_text(json.dumps(summary))
    metadata = json.loads((run / "metadata.json").read_text())
    metadata["command"] += ["--set", f"president.volatility={MARKUP}"]
    metadata["files"]["summary.json"] = hashlib.sha256((run / "summary.json").read_bytes()).hexdigest()
    (run / "metadata.json").write_text(json.dumps(metadata))
    return run


def test_markup_in_every_field_a_user_controls_is_escaped(tmp_path):
    run = _hostile_run(tmp_path)
    result = runner.invoke(app, ["report", str(run)])
    assert result.exit_code == 0, result.output
    page = (run / "report.html").read_text()
    tags = _tags(page)
    assert [tag for tag, _ in tags if tag in ("script", "svg", "iframe", "object")] == []
    assert [(tag, attrs) for tag, attrs in tags if any(name.startswith("on") for name in attrs)] == []
    assert all(attrs.get("src", "").startswith("data:image/png;base64,") for tag, attrs in tags if tag == "img")
    assert SCRIPT not in page and "<img src=x" not in page and "<svg" not in page
    # Shown, as text: the question, the title, the months, the override, the note.
    shown = render(run, []).count("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert shown >= 8, shown
