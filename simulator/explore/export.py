"""What the explorer hands back: the edited scenario as YAML, and the figures of its forecast.

The scenario is written whole (no ``extends``), so the file stands alone
wherever it is saved and ``sim validate`` and ``sim run`` read it as they read
any scenario. Every changed value carries a comment saying what it was, and
every event added to the schedule says so.
"""

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from simulator.explore.draft import Draft, as_text
from simulator.results import plots
from simulator.results.result import RunResult


def scenario_yaml(draft: Draft, now: datetime | None = None) -> str:
    """The edited scenario as commented YAML that ``sim validate`` accepts."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    notes = {path: f"changed in sim explore; was {was}" for path, was, _ in draft.changes()}
    header = [
        f"# Scenario {draft.spec.name}, from {draft.source}, edited in sim explore on {when}.",
        "# Written whole: it extends nothing and stands alone.",
    ]
    header += [f"#   {path}: {was} -> {now_}" for path, was, now_ in draft.changes()]
    header += [f"#   schedule: added {as_text(_compact(event))}" for event in draft.added]
    data = draft.spec.model_dump(mode="json")
    added_from = len(draft.loaded.spec.schedule)
    return "\n".join(header + _mapping(data, "", 0, notes, added_from)) + "\n"


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
