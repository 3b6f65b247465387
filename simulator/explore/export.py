"""What the explorer hands back: the edited scenario as YAML, and the figures of its forecast.

The scenario is written whole, so the file stands alone wherever it is saved
and ``sim validate`` and ``sim run`` read it as they read any scenario; only
the calibrated parameters its worlds drew from the posterior sample are left
to ``calibrated.yaml`` in the configs folder (``extends``), so that ``sim run``
draws them as the page did. Every changed value carries a comment saying what
it was, and every event added to the schedule says so.
"""

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from simulator.api import posterior_design
from simulator.explore.draft import Draft, as_text
from simulator.results import plots
from simulator.results.result import RunResult
from simulator.scenario import Scenario


def scenario_yaml(draft: Draft, now: datetime | None = None) -> str:
    """The edited scenario as commented YAML that ``sim validate`` accepts."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    notes = {path: f"changed in sim explore; was {was}" for path, was, _ in draft.changes()}
    header = [f"# Scenario {draft.spec.name}, from {draft.source}, edited in sim explore on {when}."]
    data = draft.spec.model_dump(mode="json")
    drawn = _drawn(draft.spec)
    if drawn:
        header.append("# Written whole, but for the calibrated parameters each world draws from the posterior")
        header.append(f"# sample ({', '.join(drawn)}): those come from {_CALIBRATED} in the configs folder.")
        for path in drawn:
            _remove(data, path)
        data = {"extends": _CALIBRATED, **data}
    else:
        header.append("# Written whole: it extends nothing and stands alone.")
    header += [f"#   {path}: {was} -> {now_}" for path, was, now_ in draft.changes()]
    header += [f"#   schedule: added {as_text(_compact(event))}" for event in draft.added]
    added_from = len(draft.loaded.spec.schedule)
    return "\n".join(header + _mapping(data, "", 0, notes, added_from)) + "\n"


#: The configs file of the calibrated parameters' point values, which the posterior sample replaces world by world.
_CALIBRATED = "calibrated.yaml"


def _drawn(spec: Scenario) -> list[str]:
    """The key paths each world of a run of ``spec`` draws from the posterior sample."""
    design = posterior_design(spec, seed=0)
    return [] if design is None else sorted(design.paths)


def _remove(data: dict[str, Any], path: str) -> None:
    """Take the value at a dotted key path out of nested mappings."""
    *parents, last = path.split(".")
    for key in parents:
        data = data[key]
    data.pop(last, None)


def figures_zip(result: RunResult, differences: pd.DataFrame | None) -> bytes:
    """The forecast's figures (PNG) and the tables behind them (CSV), in one zip file."""
    spec = result.spec
    drawings: dict[str, Callable[[], Figure]] = {
        "levels_over_time.png": lambda: plots.levels_over_time(result.levels_by_month, spec.name),
        "level_at_horizon.png": lambda: plots.level_at_horizon(
            result.final_level_probabilities(), result.max_level_probabilities(), str(spec.horizon), spec.name
        ),
        "events_over_time.png": lambda: plots.events_over_time(result.events_by_month, spec.name),
    }
    tables = {
        "levels_by_month.csv": result.levels_by_month,
        "events_by_month.csv": result.events_by_month,
        "questions.csv": pd.DataFrame.from_dict(result.questions(), orient="index").rename_axis("id").reset_index(),
    }
    if differences is not None:
        tables["differences_from_loaded.csv"] = differences
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, draw in drawings.items():
            image = io.BytesIO()
            draw().savefig(image, format="png", dpi=120)
            archive.writestr(name, image.getvalue())
        for name, table in tables.items():
            archive.writestr(name, table.to_csv(index=False))
    return buffer.getvalue()


def _mapping(data: dict[str, Any], prefix: str, depth: int, notes: dict[str, str], added_from: int) -> list[str]:
    pad = "  " * depth
    lines = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        comment = f"  # {notes[path]}" if path in notes else ""
        if key == "effects" and isinstance(value, dict):
            lines.append(f"{pad}{key}: {as_text(value)}{comment}")  # without the zeros: nothing happens there
        elif isinstance(value, dict) and value:
            lines.append(f"{pad}{key}:{comment}")
            lines += _mapping(value, f"{path}.", depth + 1, notes, added_from)
        elif isinstance(value, list) and value:
            lines.append(f"{pad}{key}:{comment}")
            for i, item in enumerate(value):
                added = "  # added in sim explore" if path == "schedule" and i >= added_from else ""
                lines.append(f"{pad}  - {as_text(_compact(item))}{added}")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}{comment}")
    return lines


def _compact(item: Any) -> Any:
    """A schedule event or question without the keys left at their defaults (nothing, zero, false)."""
    if not isinstance(item, dict):
        return item
    kept = {k: _compact(v) for k, v in item.items() if v is not None and v is not False}
    if isinstance(kept.get("effects"), dict):
        kept["effects"] = {k: v for k, v in kept["effects"].items() if not (type(v) in (int, float) and v == 0)}
    return {k: v for k, v in kept.items() if v not in ({}, "")}


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()
