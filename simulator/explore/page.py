"""The explorer's page (Solara): pick a scenario, change its assumptions, watch the forecast move.

Each browser tab has its own draft (``draft.Draft``). Every accepted change
re-runs the worlds on the server's warm engine with the same seed, so the
forecast shown beside the scenario as loaded differs only where the change
makes it differ; the differences come with their standard errors.
"""

import functools
import html
from pathlib import Path

import pandas as pd
import solara
import solara.lab

from simulator.analysis.revisions import Revisions, revisions_of
from simulator.explore import charts, server
from simulator.explore.draft import Draft
from simulator.explore.engine import Forecast, differences
from simulator.explore.panels import Assumptions, Downloads, OneWorldPanel, SchedulePanel
from simulator.files import SIMULATION_ERROR, out_of_sample_record
from simulator.model.randomness import BLOCK
from simulator.scenario import ScenarioError

#: Tables of numbers that read as tables.
_CSS = """
.sim-table { border-collapse: collapse; font-size: 13px; margin-bottom: 12px; }
.sim-table th, .sim-table td { padding: 2px 10px; border-bottom: 1px solid #e0e0e0; text-align: left; }
.sim-table td[id] { font-weight: bold; }
.chapter ul { margin: 0 0 8px 0; }
"""

#: What the forecast panels show: the scenario as loaded, as edited, and their paired differences.
Shown = tuple[Forecast, Forecast, pd.DataFrame]

#: The most worlds a page may ask for: the server holds each world's outcomes in memory.
MAX_WORLDS = 1_000_000

draft: solara.Reactive[Draft | None] = solara.reactive(None)
problem = solara.reactive("")
runs = solara.reactive(0)
seed = solara.reactive(0)


def open_scenario(path: str | None) -> None:
    """Open the scenario at ``path`` in this tab, or say why it cannot be opened (none chosen: nothing changes)."""
    if path is None:
        return
    try:
        opened = Draft.open(Path(path), server.settings().config_dir)
    except ScenarioError as error:
        problem.set(str(error))
        return
    problem.set("")
    draft.set(opened)


def change(edit) -> None:
    """Apply ``edit`` (a function of a draft) to this tab's latest draft."""
    if draft.value is not None:
        draft.set(edit(draft.value))


def _start() -> None:
    options = server.settings()
    runs.set(options.runs)
    seed.set(options.seed)
    first = options.scenario or server.first_scenario(options.scenarios_dir)
    if first is None:
        problem.set(f"no scenarios in {options.scenarios_dir}: type the path of a scenario file above")
    else:
        open_scenario(str(first))


@solara.component
def Page() -> None:
    """The whole page."""
    solara.use_effect(lambda: _start() if draft.value is None else None, [])
    solara.Title("sim explore")
    solara.Style(_CSS)
    with solara.Column(style={"padding": "12px 20px", "max-width": "1600px"}):
        solara.HTML(tag="h2", unsafe_innerHTML="sim explore: scenario forecasting of US\u2013Russia relations")
        ScenarioPicker()
        if problem.value:
            solara.Error(problem.value, classes=["scenario-problem"])
        if draft.value is not None:
            Workspace(draft.value)


@solara.component
def ScenarioPicker() -> None:
    """Shipped scenarios, your own file, and the number of worlds and the seed."""
    options = server.settings()
    shipped = [_shown(p) for p in server.shipped_scenarios(options.scenarios_dir)]
    current = _shown(draft.value.source) if draft.value is not None else None
    if current is not None and current not in shipped:
        shipped.append(current)
    with solara.Row(style={"align-items": "center", "gap": "16px", "flex-wrap": "wrap"}):
        solara.Select("Scenario", values=shipped, value=current, on_value=open_scenario, style={"min-width": "320px"})
        solara.InputText("Or your own scenario file", value="", on_value=open_scenario, classes=["own-scenario"])
        solara.InputInt("Worlds", value=runs, classes=["runs"], style={"max-width": "120px"})
        solara.InputInt("Seed", value=seed, classes=["seed"], style={"max-width": "140px"})


def _shown(path: Path) -> str:
    """A path relative to the working directory where it is under it."""
    return str(path.resolve().relative_to(Path.cwd())) if path.resolve().is_relative_to(Path.cwd()) else str(path)


@solara.component
def Workspace(current: Draft) -> None:
    """Assumptions on the left; forecast, schedule, one world and downloads on the right."""
    worlds, root = runs.value, seed.value
    key = (current.spec.model_dump_json(), worlds, root)

    first_block: tuple[tuple[str, int, int], Shown] | None = None  # the preview of a long run, keyed by what it runs
    preview, set_preview = solara.use_state(first_block)

    def run() -> Shown:
        if not 1 <= worlds <= MAX_WORLDS or root < 0:
            raise ValueError(f"give 1 to {MAX_WORLDS:,} worlds and a seed of 0 or more (got {worlds} and {root})")
        loaded = server.forecast_as_loaded(current.loaded.spec, worlds, root)
        if not current.changed:
            return loaded, loaded, differences(loaded, loaded)
        head = server.forecast_as_loaded(current.loaded.spec, BLOCK, root) if worlds > BLOCK else None

        def early(part: Forecast) -> None:
            if head is not None:
                set_preview((key, (head, part, differences(head, part))))

        edited = server.engine().forecast(current.spec, worlds, root, preview=early)
        return loaded, edited, differences(loaded, edited)

    task = solara.lab.use_task(run, dependencies=[key], raise_error=False)
    with solara.Columns([5, 7]):
        Assumptions(current, change)
        with solara.Column():
            solara.ProgressLinear(task.pending)
            if task.error:
                solara.Error(f"could not run the scenario: {task.exception}", classes=["run-problem"])
            early = preview[1] if task.pending and preview is not None and preview[0] == key else None
            shown = early or task.latest
            if shown is None:
                solara.Info("Running the worlds\u2026")
                return
            loaded, edited, table = shown
            with solara.lab.Tabs():
                with solara.lab.Tab("Forecast"):
                    ForecastPanel(loaded, edited, table, worlds if early is not None else None)
                with solara.lab.Tab("Schedule"):
                    SchedulePanel(current, change)
                with solara.lab.Tab("One world"):
                    OneWorldPanel(current.spec)
                with solara.lab.Tab("Download"):
                    Downloads(current, edited, table if current.changed else None)
                with solara.lab.Tab("Revisions"):
                    RevisionsPanel(current, edited)


@solara.component
def ForecastPanel(loaded: Forecast, edited: Forecast, table: pd.DataFrame, running: int | None = None) -> None:
    """Charts and tables of the forecast, against the scenario as loaded.

    ``running``: the number of worlds still being run, when this is the preview of their first block.
    """
    timing = edited.timing
    took = f" in {timing.seconds:.2f} s" if timing is not None else ""
    worlds = f"{edited.runs:,} worlds"
    if running:
        worlds = f"first {edited.runs:,} of {running:,} worlds (the rest are running)"
    solara.Text(
        f"{worlds}, seed {edited.seed}{took}; differences are paired with the scenario as loaded",
        classes=["run-status"],
    )
    record = out_of_sample_record()
    if record:
        solara.Text(f"Out-of-sample record (docs/skill.md): {record['line']}. {SIMULATION_ERROR}.", classes=["skill"])
    solara.FigureEcharts(
        charts.levels_over_time(edited), attributes={"style": "height: 340px", "class": "levels-chart"}
    )
    with solara.Columns([1, 1]):
        solara.FigureEcharts(
            charts.level_at_horizon(loaded, edited), attributes={"style": "height: 300px", "class": "horizon-chart"}
        )
        solara.FigureEcharts(
            charts.key_events(loaded, edited), attributes={"style": "height: 300px", "class": "events-chart"}
        )
    solara.HTML(tag="div", unsafe_innerHTML=_questions_html(edited, table), classes=["questions"])
    solara.HTML(tag="div", unsafe_innerHTML=_outcomes_html(edited, table), classes=["outcomes"])


def _percent(p: float) -> str:
    return f"{p:.1%}"


def _signed(p: float) -> str:
    return f"{p:+.1%}"


def _questions_html(edited: Forecast, table) -> str:
    rows = table[table["kind"] == "question"].set_index("quantity")
    lines = ["<h4>Questions</h4><table class='sim-table'><tr><th>question</th><th>by</th>"]
    lines.append("<th>probability</th><th>\u00b1 s.e. (simulation)</th><th>change</th><th>\u00b1 s.e.</th></tr>")
    for qid, answer in edited.questions().items():
        diff = rows.loc[qid] if qid in rows.index else None
        change = f"{_signed(diff['difference'])}</td><td>{_percent(diff['standard_error'])}" if diff is not None else ""
        lines.append(
            f"<tr><td title='{html.escape(qid)}'>{html.escape(answer['text'] or answer['asks'])}</td>"
            f"<td>{answer['by']}</td>"
            f"<td id='q-{html.escape(qid)}'>{_percent(answer['probability'])}</td>"
            f"<td>{_percent(answer['standard_error'])}</td><td>{change}</td></tr>"
        )
    return "".join(lines) + "</table>"


def _outcomes_html(edited: Forecast, table) -> str:
    events = edited.event_summary()
    lines = ["<h4>Level at the horizon and events by it</h4><table class='sim-table'>"]
    lines.append("<tr><th>outcome</th><th>probability</th><th>change</th><th>\u00b1 s.e.</th>")
    lines.append("<th>median month</th></tr>")
    for row in table[table["kind"] != "question"].itertuples():
        median = events.get(row.quantity, {}).get("median_month") if row.kind == "event by horizon" else None
        slug = f"{'level' if row.kind == 'level at horizon' else 'event'}-{row.quantity}"
        lines.append(
            f"<tr><td>{html.escape(row.kind)}: {html.escape(row.quantity.replace('_', ' '))}</td>"
            f"<td id='{html.escape(slug)}'>{_percent(row.probability)}</td><td>{_signed(row.difference)}</td>"
            f"<td>{_percent(row.standard_error)}</td><td>{median or ''}</td></tr>"
        )
    return "".join(lines) + "</table>"


@functools.lru_cache(maxsize=64)
def _opened(path: Path, changed: int, config_dir: Path | None) -> Draft:
    """A shipped scenario as loaded, read again only when its file changes (``changed``: its mtime)."""
    return Draft.open(path, config_dir)


def _with_edits(other: Draft, current: Draft) -> Draft:
    """``other`` with the page's changes made to it, each as the page made it."""
    for path, text in current.sets:
        other = other.edit(path, text)
    for event in current.added:
        other = other.schedule(event)
    return other


def _family(current: Draft, edited: Forecast) -> Revisions | None:
    """The edited forecast beside the shipped scenarios that revise the one loaded, with the same changes made.

    ``None`` if no shipped scenario revises it.
    """
    options = server.settings()
    others: list[tuple[str, Draft]] = []
    for path in server.shipped_scenarios(options.scenarios_dir):
        try:
            others.append((path.stem, _opened(path, path.stat().st_mtime_ns, options.config_dir)))
        except (ScenarioError, OSError):
            continue
    found = revisions_of(current.loaded.spec, [(name, draft.loaded.spec) for name, draft in others])
    if not found:
        return None
    drafts = dict(others)
    revised = [_with_edits(drafts[name], current) for name, _ in found]
    suffix = " (edited)" if current.changed else ""
    results = [server.forecast_as_loaded(draft.spec, edited.runs, edited.seed) for draft in revised]
    return Revisions.of([current.spec.name + suffix, *(name + suffix for name, _ in found)], [edited, *results])


@solara.component
def RevisionsPanel(current: Draft, edited: Forecast) -> None:
    """The forecast beside the shipped scenarios that make it at other months: how each question moved, on what."""
    key = (current.spec.model_dump_json(), edited.runs, edited.seed)
    nothing_asked: tuple[str, int, int] | None = None  # the key of the revisions asked for, once asked
    asked, set_asked = solara.use_state(nothing_asked)
    wanted = asked == key
    task = solara.lab.use_task(
        lambda: _family(current, edited) if wanted else None, dependencies=[key, wanted], raise_error=False
    )
    solara.Text(
        f"{current.spec.name}{' as edited' if current.changed else ''} beside the shipped scenarios that make the "
        "same forecast at other months (the same assumptions, another start or evidence), with the page's "
        "changes made to each; the same seed and worlds.",
        classes=["revisions-status"],
    )
    solara.Button("Run the revisions", on_click=lambda: set_asked(key), disabled=wanted, classes=["run-revisions"])
    if not wanted:
        return
    solara.ProgressLinear(task.pending)
    if task.error:
        solara.Error(f"could not run the revisions: {task.exception}", classes=["run-problem"])
        return
    if task.pending or not task.finished:
        solara.Info("Running the other months' forecasts\u2026")
        return
    revised = task.value
    if revised is None:
        solara.Info(
            "No shipped scenario makes this forecast at another month. `sim compare` sets any forecasts of the "
            "same questions side by side (docs/revisions.md)."
        )
        return
    table = revised.table()
    solara.FigureEcharts(charts.revisions(table), attributes={"style": "height: 340px", "class": "revisions-chart"})
    solara.HTML(tag="div", unsafe_innerHTML=_revisions_html(revised, table), classes=["revisions"])


def _revisions_html(revised: Revisions, table: pd.DataFrame) -> str:
    lines = ["<h4>Forecasts, by the month they were made</h4><table class='sim-table'>"]
    lines.append("<tr><th>forecast</th><th>made</th><th>effective worlds</th>")
    lines.append("<th>what it knew that the one before did not</th></tr>")
    for name, rows in table.groupby("forecast", sort=False):
        row = rows.iloc[0]
        worlds = rows["effective_worlds"].dropna()
        lines.append(
            f"<tr><td>{html.escape(str(name))}</td><td>{html.escape(str(row['made']))}</td>"
            f"<td>{f'{worlds.iloc[0]:,.0f}' if len(worlds) else '-'}</td>"
            f"<td>{html.escape(str(row['between'] or '-')).replace('; ', '<br>')}</td></tr>"
        )
    lines.append("</table><h4>How each question moved</h4><table class='sim-table'><tr><th>question</th>")
    lines += [f"<th>{html.escape(name)}</th>" for name in revised.names]
    lines.append("</tr>")
    for _, rows in table.groupby("question", sort=False):
        lines.append(f"<tr><td>{html.escape(str(rows['text'].iloc[0]))}</td>")
        for row in rows.itertuples():
            if row.probability != row.probability:
                lines.append("<td>not asked</td>")
                continue
            change = (
                f" ({_signed(row.change)} \u00b1 {_percent(row.change_standard_error)})"
                if row.change == row.change
                else ""
            )
            forecast = html.escape(row.forecast, quote=True)
            lines.append(
                f"<td data-value='{row.probability!r}' data-forecast='{forecast}'>{_percent(row.probability)} "
                f"\u00b1 {_percent(row.standard_error)}{change}</td>"
            )
        lines.append("</tr>")
    return "".join(lines) + "</table>"
