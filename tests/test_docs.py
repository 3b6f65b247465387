"""Every relative link in the README and docs/ points at a file that exists, and at a heading that exists in it."""

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text outside code: fenced blocks and inline code spans hold no links and no headings."""
    return _FENCE.sub("", text)


def links(text: str) -> list[str]:
    """Every link and image target, as written."""
    return _LINK.findall(_CODE.sub("", prose(text)))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor in ``page``; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(prose(page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def test_anchors_are_made_as_github_makes_them():
    assert slug("What drives an outcome: `sim sensitivity`") == "what-drives-an-outcome-sim-sensitivity"
    assert slug("Calibration: a posterior, not a point") == "calibration-a-posterior-not-a-point"
    assert links("see [a](b.md#c) and ![d](img/e.png)\n```\n[not](a-link.md)\n```\n`[nor](this.md)`") == [
        "b.md#c",
        "img/e.png",
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    broken = []
    for target in links(page.read_text()):
        if re.match(r"^[a-z]+:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {file.relative_to(ROOT) if file.is_relative_to(ROOT) else file}")
        elif anchor and (file.suffix != ".md" or anchor not in anchors(file)):
            broken.append(f"{target}: no heading with that anchor in {file.name}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_front_door_links_every_page_and_picture():
    targets = set(links((ROOT / "README.md").read_text()))
    pages = {f"docs/{page.name}" for page in PAGES[1:]}
    assert pages <= {target.partition("#")[0] for target in targets}, pages - targets
    pictures = {target for target in targets if target.startswith("docs/img/")}
    assert len(pictures) >= 3 and all((ROOT / target).stat().st_size < 100_000 for target in pictures)
