"""Provenance: every assumption of a scenario with its meaning, unit, source and where it was set.

The meanings, units, sources and quotes live once, in the schema (``said``);
this module only reads them back for ``sim describe``. A calibrated parameter
that a run draws per world from the posterior sample (``calibration:
posterior``, the default) is shown as those draws, with the sample's file.
"""

from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd
from pydantic import BaseModel

from simulator.scenario.distributions import Assumption
from simulator.scenario.loader import Resolved
from simulator.scenario.schema import ASSUMED, Effects, Scenario
from simulator.scenario.sections import Section

#: The source documents, by the number the schema cites (files in simulator/data/seeds/; key in docs/sources.md).
SOURCES: dict[str, tuple[str, str]] = {
    "000": ("000_716dd243e59d1fe2.txt", "Zhao Huasheng, Valdai Club (2025)"),
    "001": ("001_8e96ec68641df6ee.txt", "John Deni, FPRI (2016)"),
    "002": ("002_44e53119a1b1896f.txt", "Alex de Ramon, American Agora (c. 2018)"),
    "003": ("003_7aae13321ff21712.txt", "GIS Reports (2022)"),
    "004": ("004_4eebdac05a43f491.txt", "news analysis (2025)"),
}


def described(spec: type[BaseModel]) -> tuple[str, ...]:
    """The blocks of a scenario whose values are assumptions about the world, in schema order.

    Every block that is a section of its own: the start state, each actor's parameters
    (``scenario/actors/``), the structure and the shocks. An actor's block added to the
    schema is described with no change here.
    """
    return tuple(
        name
        for name, field in spec.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, Section)
    )


#: The blocks ``sim describe`` shows of a shipped scenario: initial, each actor, structure, shocks.
DESCRIBED = described(Scenario)


@dataclass(frozen=True)
class Row:
    """One assumption, described."""

    path: str
    value: str
    unit: str
    meaning: str
    source: str
    source_file: str
    quote: str
    set_in: str

    def shown_quote(self) -> str:
        """The quote in quotation marks, or the analysts' note as it stands (no sentence of the seeds gives it)."""
        if not self.quote or self.quote.startswith(ASSUMED):
            return self.quote
        return f"\u201c{self.quote}\u201d"


def describe(resolved: Resolved) -> list[Row]:
    """Every assumption of a resolved scenario, in schema order, as its runs use it."""
    rows: list[Row] = []
    for name in described(type(resolved.spec)):
        field = type(resolved.spec).model_fields[name]
        _walk(getattr(resolved.spec, name), name, _meta(field), resolved, rows)
    drawn = _posterior_draws(resolved)
    return [replace(row, **drawn[row.path]) if row.path in drawn else row for row in rows]


def _posterior_draws(resolved: Resolved) -> dict[str, dict[str, str]]:
    """The value and origin shown for each parameter the runs draw from the posterior sample.

    A sample that cannot be read shows nothing here: running the scenario names the problem.
    """
    source = resolved.spec.posterior
    if source is None:
        return {}
    try:
        sample = pd.read_csv(source.sample, comment="#")
    except (OSError, ValueError, pd.errors.ParserError):
        return {}
    # Named as the scenario's own files are, where it lies beside one of them (configs/posterior.csv).
    beside = [
        file.parent / source.sample.name for file in resolved.files if file.resolve().parent == source.sample.parent
    ]
    where = str(beside[0] if beside else source.sample)
    shown = {}
    for path in sample.columns:
        values = pd.to_numeric(sample[path], errors="coerce")
        if source.supplies(path) and values.notna().all() and len(values):
            low, median, high = values.quantile([0.05, 0.5, 0.95])
            value = f"posterior draws: median {median:.3g}, 90 % {low:.3g} to {high:.3g}"
            shown[str(path)] = {"value": value, "set_in": where}
    return shown


def as_dicts(rows: list[Row]) -> list[dict[str, str]]:
    """Rows as plain dictionaries (for JSON)."""
    return [asdict(row) for row in rows]


def as_markdown(rows: list[Row]) -> str:
    """Rows as a Markdown table."""
    lines = ["| key | value | unit | meaning | source | quote | set in |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [
            f"`{r.path}`",
            f"`{r.value}`",
            r.unit,
            r.meaning,
            r.source,
            r.shown_quote(),
            r.set_in,
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _meta(field: Any) -> dict[str, str]:
    extra = field.json_schema_extra or {}
    return {
        "meaning": field.description or "",
        "source": extra.get("source", ""),
        "unit": extra.get("unit", ""),
        "quote": extra.get("quote", ""),
    }


def _walk(value: Any, path: str, inherited: dict[str, str], resolved: Resolved, rows: list[Row]) -> None:
    if isinstance(value, BaseModel) and not isinstance(value, Effects):
        for name, field in type(value).model_fields.items():
            own = _meta(field)
            meta = (
                own
                if own["source"]
                else {**inherited, "unit": own["unit"] or inherited["unit"], "meaning": _qualify(inherited, own, name)}
            )
            _walk(getattr(value, name), f"{path}.{name}", meta, resolved, rows)
        return
    shown = _effects(value) if isinstance(value, Effects) else str(value) if isinstance(value, Assumption) else value
    source = inherited["source"]
    file, author = SOURCES.get(source, ("", ""))
    rows.append(
        Row(
            path=path,
            value=str(shown),
            unit=inherited["unit"],
            meaning=inherited["meaning"],
            source=f"{source} {author}".strip(),
            source_file=file,
            quote=inherited["quote"],
            set_in=resolved.origin(path),
        )
    )


def _qualify(parent: dict[str, str], own: dict[str, str], name: str) -> str:
    if own["meaning"]:
        return f"{parent['meaning']}: {own['meaning']}" if parent["meaning"] else own["meaning"]
    return f"{parent['meaning']} ({name})"


def _effects(effects: Effects) -> str:
    changed = {k: v for k, v in effects.model_dump().items() if v not in (0, 0.0, None)}
    return ", ".join(f"{k}: {v}" for k, v in changed.items()) or "none"
