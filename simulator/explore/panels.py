"""The explorer's panels: assumptions, the schedule, one world month by month, downloads.

Each panel gets the tab's draft and ``change``, which applies a function to
the latest draft (so two quick edits never undo each other).
"""

import html
import math
import typing
from collections.abc import Callable

import pandas as pd
import solara
import yaml

from simulator.explore.draft import SCHEDULE, Draft, actors, as_text, bounds
from simulator.explore.export import figures_zip, scenario_yaml
from simulator.explore.story import OneWorld
from simulator.results.result import RunResult
from simulator.scenario import Scenario
from simulator.scenario.provenance import Row
from simulator.scenario.schema import Scheduled
from simulator.vocabulary import FORCEABLE

#: Applies a change to the latest draft.
Change = Callable[[Callable[[Draft], Draft]], None]

#: Slider positions across a number's range.
_STEPS = 200


def _choices(annotation: object) -> list[str]:
    """The words a ``Literal`` (possibly optional) field allows, in order."""
    words: list[str] = []
    for arg in typing.get_args(annotation):
        words += [arg] if isinstance(arg, str) else _choices(arg)
    return words


SCHEDULED_KINDS = _choices(Scheduled.model_fields["event"].annotation)
SHOCKS = _choices(Scheduled.model_fields["shock"].annotation)


# Assumptions ---------------------------------------------------------------------------------


def slider_step(low: float, high: float, value: float) -> float:
    """About 1/200 of the range, fine enough that ``value`` is on the slider's grid.

    A slider snaps to its grid when drawn; a value off the grid would be moved, and changed.
    """
    step = (high - low) / _STEPS
    for exponent in range(math.floor(math.log10(step)), -10, -1):
        if _on_grid(value - low, step):
            return step
        step = 10.0**exponent
    return step


def _on_grid(offset: float, step: float) -> bool:
    return abs(round(offset / step) * step - offset) < 1e-9


@solara.component
def Assumptions(current: Draft, change: Change) -> None:
    """The scenario's assumptions, one block at a time, each with what it means and where it comes from."""
    groups = actors(current.rows())
    group, set_group = solara.use_state("president")
    shown = group if group in groups else next(iter(groups))
    changed = {path for path, _ in current.sets}
    with solara.Column(classes=["assumptions"]):
        solara.HTML(tag="h3", unsafe_innerHTML=f"Assumptions of {html.escape(current.spec.name)}")
        solara.ToggleButtonsSingle(
            value=shown,
            values=list(groups),
            on_value=set_group,
            dense=True,
            classes=["groups"],
            style={"flex-wrap": "wrap", "height": "auto"},
        )
        for row in groups[shown]:
            AssumptionField(current, row, row.path in changed, change).key(row.path)


@solara.component
def AssumptionField(current: Draft, row: Row, changed: bool, change: Change) -> None:
    """One assumption: its provenance, a slider if it is a plain number, and its value as YAML."""
    path = row.path
    error = current.errors.get(path)
    text = current.refused.get(path, "") if error else current.text(path)
    number = current.number(path)
    span = bounds(path) if number is not None else None
    quote = f"<br><i>{html.escape(row.shown_quote())}</i> \u2014 {html.escape(row.source)}" if row.quote else ""
    where = "changed here" if changed else f"set in {html.escape(row.set_in)}"
    with solara.Column(
        gap="0px",
        style={"border-bottom": "1px solid #e0e0e0", "padding": "6px 0"},
        classes=[f"assumption-{path.replace('.', '-')}"],
    ):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<b>{html.escape(path)}</b> <small>{html.escape(row.unit)} \u00b7 {where}</small><br>"
                f"{html.escape(row.meaning)}{quote}"
            ),
            style={"font-size": "13px"},
        )
        with solara.Row(style={"align-items": "center"}):
            if span is not None and number is not None:
                low, high = span

                def slid(value: float) -> None:
                    if abs(value - number) > 1e-12:  # a slider reports its value when drawn, too
                        change(lambda d: d.edit(path, f"{value:.6g}"))

                with solara.Column(style={"min-width": "180px", "flex": "1"}):
                    solara.SliderFloat(
                        "", value=number, min=low, max=high, step=slider_step(low, high, number), on_value=slid
                    )
            solara.InputText(
                path,
                value=text,
                on_value=lambda t: change(lambda d: d.edit(path, t or "")),
                error=error or False,
                style={"flex": "1", "min-width": "220px"},
            )
            if changed or error:
                solara.Button("undo", text=True, on_click=lambda: change(lambda d: d.reset(path)))


# The schedule --------------------------------------------------------------------------------


@solara.component
def SchedulePanel(current: Draft, change: Change) -> None:
    """The dated events of the scenario, and a form to add an intervention, a forced event or a change."""
    month, set_month = solara.use_state(str(current.spec.start.plus(12)))
    kind, set_kind = solara.use_state("intervention")
    shock, set_shock = solara.use_state(SHOCKS[0])
    effects, set_effects = solara.use_state("{sanctions: -0.3}")
    note, set_note = solara.use_state("")
    typo, set_typo = solara.use_state("")

    def add() -> None:
        parsed, problem = _effects(effects)
        set_typo(problem)
        if problem:
            return
        event: dict[str, object] = {"month": month.strip(), "event": kind, "note": note}
        event["set" if kind == "change" else "effects"] = parsed
        if kind == "shock":
            event["shock"] = shock
        if kind in FORCEABLE:
            event["force"] = True  # the event happens in every world that month, acted out by the actors
        change(lambda d: d.schedule(event))

    solara.HTML(tag="div", unsafe_innerHTML=_schedule_html(current), classes=["schedule"])
    for index, event in enumerate(current.added):
        solara.Button(
            f"remove added {event['event']} of {event['month']}",
            text=True,
            on_click=lambda index=index: change(lambda d: d.unschedule(index)),
        )
    solara.HTML(tag="h4", unsafe_innerHTML="Add a dated event")
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.InputText("Month (YYYY-MM)", value=month, on_value=set_month, continuous_update=True)
        solara.Select("Event", values=SCHEDULED_KINDS, value=kind, on_value=set_kind)
        if kind == "shock":
            solara.Select("Shock", values=SHOCKS, value=shock, on_value=set_shock)
        solara.InputText(
            "New values" if kind == "change" else "Effects",
            value=effects,
            on_value=set_effects,
            continuous_update=True,
        )
        solara.InputText("Note", value=note, on_value=set_note, continuous_update=True)
        solara.Button("Add to the schedule", on_click=add, color="primary")
    # Plain HTML, not solara.Markdown: Markdown loads KaTeX from a CDN, and the explorer serves only what it ships.
    solara.HTML(
        tag="p",
        unsafe_innerHTML="An <b>intervention</b> has effects: <code>trust</code>, <code>opposition</code>, "
        "<code>sanctions</code>, <code>aid</code>, <code>frustration</code>, <code>emboldened</code>, "
        "<code>hawkishness</code> (added, within 0\u20131), <code>level</code> (levels gained or lost), "
        "<code>phase</code>, <code>advance_phase</code>, <code>war</code>. An event's own name (<code>summit</code>, "
        "<code>ceasefire</code>, ...) <b>forces</b> it in every world that month. A <b>change</b> gives assumptions "
        "new values from that month on: <code>{president.volatility: 0.2}</code>.",
        classes=["schedule-help"],
    )
    message = typo or current.errors.get(SCHEDULE)
    if message:
        solara.Error(message, classes=["schedule-problem"])


def _effects(text: str) -> tuple[dict, str]:
    """The effects typed in the form, or why they cannot be read."""
    try:
        parsed = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        return {}, f"effects: not valid YAML ({getattr(error, 'problem', error)})"
    if not isinstance(parsed, dict):
        return {}, "effects: write a mapping, e.g. {sanctions: -0.3, trust: 0.05}"
    return parsed, ""


def _schedule_html(current: Draft) -> str:
    first_added = len(current.loaded.spec.schedule)
    lines = ["<table class='sim-table'><tr><th>month</th><th>event</th><th>effects or new values</th>"]
    lines.append("<th>note</th><th></th></tr>")
    for index, item in enumerate(current.spec.schedule):
        dumped = item.model_dump(mode="json")
        effects = as_text(dumped["set"] or dumped["effects"])
        what = item.event + (f": {item.shock}" if item.shock else "") + (" (forced)" if item.force else "")
        lines.append(
            f"<tr><td>{html.escape(str(item.month))}</td><td>{html.escape(what)}</td><td>{html.escape(effects.strip('{}'))}</td>"
            f"<td>{html.escape(item.note)}</td><td>{'added' if index >= first_added else ''}</td></tr>"
        )
    return "".join(lines) + "</table>"


# One world -----------------------------------------------------------------------------------


@solara.component
def OneWorldPanel(spec: Scenario) -> None:
    """One world, stepped a month at a time: its events and how its state moved."""
    world_seed, set_world_seed = solara.use_state(0)
    world = solara.use_memo(lambda: OneWorld(spec, world_seed), dependencies=[spec.model_dump_json(), world_seed])
    _, set_ticks = solara.use_state(0)

    def advance(months: int) -> None:
        for _ in range(months):
            if world.step() is None:
                break
        set_ticks(lambda ticks: ticks + 1)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputInt("World (its seed)", value=world_seed, on_value=set_world_seed, style={"max-width": "160px"})
        solara.Button("Next month", on_click=lambda: advance(1), disabled=world.done, classes=["next-month"])
        solara.Button("Next year", on_click=lambda: advance(12), disabled=world.done)
        solara.Button("To the horizon", on_click=lambda: advance(spec.months), disabled=world.done)
    solara.HTML(tag="div", unsafe_innerHTML=_state_html(world), classes=["world-state"])
    solara.HTML(tag="div", unsafe_innerHTML=_story_html(world), classes=["story"])


def _state_html(world: OneWorld) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(k.replace('_', ' '))}</td><td>{html.escape(str(v))}</td></tr>"
        for k, v in world.state.items()
    )
    return f"<table class='sim-table'>{cells}</table>"


def _story_html(world: OneWorld) -> str:
    if not world.chapters:
        return "<p>Step the world to read its story.</p>"
    parts = []
    for chapter in reversed(world.chapters):
        items = "".join(f"<li>{html.escape(line)}</li>" for line in chapter.sentences())
        parts.append(f"<div class='chapter'><b>{html.escape(chapter.month)}</b><ul>{items}</ul></div>")
    return "".join(parts)


# Downloads -----------------------------------------------------------------------------------


@solara.component
def Downloads(current: Draft, edited: RunResult, differences: pd.DataFrame | None) -> None:
    """The edited scenario as YAML, and the forecast's figures and tables."""
    name = current.spec.name
    with solara.Row(style={"gap": "16px"}):
        solara.FileDownload(
            lambda: scenario_yaml(current).encode(),
            filename=f"{name}.explored.yaml",
            label="Scenario as YAML",
            mime_type="text/yaml",
        )
        solara.FileDownload(
            lambda: figures_zip(edited, differences),
            filename=f"{name}.figures.zip",
            label="Figures and tables (zip)",
            mime_type="application/zip",
        )
    changes = current.changes()
    escape = html.escape
    lines = [
        f"<li><code>{escape(path)}</code>: <code>{escape(str(was))}</code> \u2192 <code>{escape(str(now))}</code></li>"
        for path, was, now in changes
    ]
    lines += [
        f"<li>schedule: added {escape(str(event['event']))} in {escape(str(event['month']))}</li>"
        for event in current.added
    ]
    listed = f"<ul>{''.join(lines)}</ul>" if lines else "<p>none yet</p>"
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>Changes from the file</b>{listed}", classes=["changes"])
