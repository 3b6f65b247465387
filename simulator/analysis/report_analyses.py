"""The report's sections from analyses computed beside a run: what drives it, what must be true, what to watch.

Each folder holding ``indices.csv`` (``sim sensitivity``), ``discovery.json`` (``sim discover``) or
``signposts.csv`` (``sim signposts``) becomes a section, and the drivers and signposts each give the
bottom line a sentence. A damaged table is a ``ReportError`` naming its folder.
"""

import json
import re
from pathlib import Path

import pandas as pd

from simulator.analysis.outcomes import OutcomeError, parse_outcome
from simulator.analysis.report_html import _e, _image, _table, _words
from simulator.analysis.sensitivity import direction_words
from simulator.results.plots import percent
from simulator.scenario.loader import Resolved
from simulator.scenario.provenance import describe

#: What each sensitivity measure is, as a column heading.
MEASURE_NAMES = {
    "S1": "effect alone (first-order Sobol)",
    "ST": "with interactions (total Sobol)",
    "mu_star": "mean effect (Morris \u03bc*)",
    "sigma": "spread of effect (Morris \u03c3)",
    "median": "typical shift (PAWN median)",
    "maximum": "largest shift (PAWN maximum)",
    "direction": "a higher value",
}


#: How each method reads, for a drivers section's heading.
METHOD_NAMES = {
    "sobol": "Sobol indices from a designed experiment",
    "morris": "a Morris screen from a designed experiment",
    "pawn": "PAWN indices from this run's worlds",
}


class ReportError(ValueError):
    """An analysis folder the report shows whose files cannot be read."""


def _read_analyses(folders: list[Path], resolved: Resolved) -> list[tuple[dict, str]]:
    """(what the bottom line says of it, its section) for each sensitivity, discovery and signposts folder.

    Raises:
        ReportError: naming the folder, if one of its tables or settings is damaged.
    """
    meanings = {row.path: row.meaning for row in describe(resolved)}
    found = []
    for folder in folders:
        try:
            if (folder / "indices.csv").is_file():
                found.append(_drivers(folder, resolved, meanings))
            elif (folder / "discovery.json").is_file():
                found.append(({"kind": "discovery"}, _discovery(folder)))
            elif (folder / "signposts.csv").is_file():
                found.append(_signposts(folder, resolved))
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
            raise ReportError(
                f"{folder}: its tables cannot be read ({type(error).__name__}: {error}); run the analysis again"
            ) from None
    return found


def _outcome_text(name: str, resolved: Resolved) -> str:
    """An outcome's sentence (its question's text, or the event and month in words), else its name."""
    try:
        return parse_outcome(resolved.spec, name).text
    except (OutcomeError, ValueError):
        return name


def _assumption(path: str, meanings: dict[str, str]) -> str:
    """An assumption in a sentence: the first clause of its meaning, then its key."""
    meaning = re.split(r"[:;]", meanings.get(path, ""))[0].strip()
    return f"{meaning} ({path})" if meaning else path


def _drivers(folder: Path, resolved: Resolved, meanings: dict[str, str]) -> tuple[dict, str]:
    settings = json.loads((folder / "sensitivity.json").read_text()) if (folder / "sensitivity.json").is_file() else {}
    method = str(settings.get("method", ""))
    indices = pd.read_csv(folder / "indices.csv")
    parts = [f"<h2>What drives the outcomes: {_e(METHOD_NAMES.get(method, 'sensitivity indices'))}</h2>"]
    if method == "pawn":
        parts.append(
            "<p class=small>PAWN sorts the worlds into ten slices by an assumption's value and measures how far the "
            "outcome's chance in each slice lies from its chance over all worlds (the Kolmogorov\u2013Smirnov "
            "distance; for a yes-or-no outcome, the difference in chance). The <i>typical shift</i> is the median "
            "over the slices, the <i>largest shift</i> the maximum. The <i>noise floor</i> is what an assumption "
            "that moves nothing scores with this many worlds: values near it are noise.</p>"
        )
    sentences = []
    floors = settings.get("noise_floor") or {}
    for outcome, table in indices.groupby("outcome", sort=False):
        text = _outcome_text(str(outcome), resolved)
        wide = table.pivot(index="assumption", columns="measure", values="value")
        main = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}.get(method, wide.columns[-1])
        main = main if main in wide.columns else wide.columns[-1]
        wide = wide.sort_values(main, ascending=False).head(10)
        shown = wide.map(_index_value).reset_index()
        shown.insert(1, "what it is", [meanings.get(path, "") for path in wide.index])
        if "direction" in table.columns:
            direction = table.groupby("assumption")["direction"].first()
            shown["direction"] = [direction_words(float(direction.get(path, float("nan")))) for path in wide.index]
        heading = f"<h3>{_e(text)}</h3>"
        floor = floors.get(str(outcome))
        if isinstance(floor, dict) and floor:
            heading += (
                "<p class=small>Noise floor (a random assumption that moves nothing): "
                + ", ".join(f"{_e(MEASURE_NAMES.get(k, k))} {float(v):.3f}" for k, v in floor.items())
                + ".</p>"
            )
        parts.append(heading + _table(shown, headers=MEASURE_NAMES))
        top = [path for path, value in wide[main].items() if value > float((floor or {}).get(main, 0.0))][:3]
        if top:
            ways = shown.set_index("assumption")["direction"] if "direction" in shown else {}
            named = [
                _assumption(path, meanings)
                + (f" \u2013 more of it {ways[path]}" if path in ways and ways[path] != "no clear direction" else "")
                for path in top
            ]
            then = f"; then {_e('; '.join(named[1:]))}" if named[1:] else ""
            sentences.append(f"\u201c{_e(text)}\u201d turns most on {_e(named[0])}{then}.")
    parts += [_image(png, _words(png.stem)) for png in sorted(folder.glob("tornado_*.png"))]
    warnings = settings.get("warnings", [])
    if warnings:
        parts.append("<ul class=small>" + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul>")
    return {"kind": "drivers", "sentence": " ".join(sentences)}, "\n".join(parts)


def _index_value(value: float) -> str:
    """A sensitivity index as a reader writes it: below zero is estimation noise around 0, not a negative effect."""
    if value != value:
        return "\u2013"
    return f"{value:.3f}" if value >= 0.0005 else "0 (noise)" if value < 0 else "0"


def _discovery(folder: Path) -> str:
    found = json.loads((folder / "discovery.json").read_text())
    box = found.get("box") or {}
    where = str(found["box_in_words"]).split(":")[0]
    parts = [f"<h2>What must be true: {_e(found.get('text') or found['outcome'])}</h2>"]
    if "coverage" in box and "density" in box:
        parts.append(
            f"<p>Where it is likeliest (PRIM's chosen box): {_e(where)}. That box holds {box['coverage']:.0%} of "
            f"the worlds where it comes true, and in it the chance is {box['density']:.0%}, against "
            f"{found['base_rate']:.1%} over all worlds.</p>"
        )
    else:
        parts.append(f"<p>PRIM box: {_e(found['box_in_words'])} (in {found['base_rate']:.1%} of all worlds).</p>")
    if (folder / "cart_rules.csv").is_file():
        rules = pd.read_csv(folder / "cart_rules.csv")
        headers = {
            "rule": "where",
            "worlds": "worlds",
            "density": "share of them with the outcome",
            "coverage": "share of the outcome's worlds",
        }
        parts.append("<p>A shallow tree's leaves:</p>" + _table(rules, ("density", "coverage"), headers))
    if (folder / "prim_trajectory.png").is_file():
        parts.append(_image(folder / "prim_trajectory.png", "PRIM peeling trajectory"))
    return "\n".join(parts)


#: Columns of ``signposts.csv`` the report shows, with their headings.
SIGNPOST_COLUMNS = {
    "signpost": "signpost",
    "share_seen": "seen in (share of worlds)",
    "p_if_seen": "chance if seen",
    "p_if_not_seen": "chance if not seen",
    "lift": "lift (chance if seen \u00f7 overall chance)",
    "hit_rate": "hit rate (seen in the outcome's worlds)",
    "false_alarm_rate": "false alarms (seen in the other worlds)",
}


def _signposts(folder: Path, resolved: Resolved) -> tuple[dict, str]:
    table = pd.read_csv(folder / "signposts.csv").head(10)
    if table.empty:
        return {"kind": "signposts", "sentence": ""}, ""
    about = json.loads((folder / "signposts.json").read_text()) if (folder / "signposts.json").is_file() else {}
    named = re.fullmatch(r"signposts-(.+)-(\d{4}-\d{2})", folder.name)
    outcome = str(about.get("outcome") or (named.group(1) if named else ""))
    by = str(about.get("by") or (named.group(2) if named else ""))
    text = _outcome_text(outcome, resolved) if outcome else "the outcome"
    shown = table[[column for column in SIGNPOST_COLUMNS if column in table.columns]]
    shares = ("share_seen", "p_if_seen", "p_if_not_seen", "hit_rate", "false_alarm_rate")
    heading = f"What to watch by {by}: {text}" if by else f"What to watch: {text}"
    base = float(table["p_outcome"].iloc[0])
    section = (
        f"<h2>{_e(heading)}</h2><p>Over all worlds the chance is {base:.1%}. The signposts that move it most, "
        "strongest first:</p>" + _table(shown, shares, SIGNPOST_COLUMNS, ratio=("lift",))
    )
    best = table.iloc[0]
    direction = "rises" if best["p_if_seen"] > base else "falls"
    sentence = (
        f"Watch for {_e(best['signpost'])}: if it is seen, the chance that {_e(_lower_first(text))} {direction} "
        f"from {percent(base)} to {percent(best['p_if_seen'])} (it is seen in {percent(best['hit_rate'])} "
        f"of the worlds where it comes true, and in {percent(best['false_alarm_rate'])} of the others)."
    )
    return {"kind": "signposts", "sentence": sentence}, section


def _lower_first(text: str) -> str:
    """A question as the object of a sentence: "Will a ceasefire be agreed ...?" reads "a ceasefire be agreed ..."."""
    text = text.rstrip("?").strip()
    asked = re.match(r"(?i)will (.+)", text)
    return asked.group(1) if asked else text
