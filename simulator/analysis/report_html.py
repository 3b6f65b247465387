"""The report's HTML pieces: escaped text, a probability cell, a headed table, a table of a frame, an image.

Nothing in a run folder is markup: every value passes through ``_e`` on its way into the page. Values read
from a scenario are written as a reader writes them (yes and no, "none", mappings as "key: value").
Used by ``simulator.analysis.report`` and the modules of its sections.
"""

import ast
import base64
import re
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

#: z for a two-sided 95 % interval.
Z95 = 1.96


def _e(value: object) -> str:
    """Any value as text safe inside an element or a quoted attribute: nothing in a run folder is markup."""
    return escape(str(value), quote=True)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _pct(p: float, runs: float | None = None) -> str:
    """A probability cell carrying its exact value, with its 95 % interval when ``runs`` is given."""
    text = f"{p:.1%}"
    if runs:
        half = Z95 * np.sqrt(p * (1 - p) / runs)
        text += f" \u00b1 {half:.1%}"
    return f"<td class=n data-value='{_e(repr(p))}'>{_e(text)}</td>"


def _section(title: str, table_id: str, headers: tuple[str, ...], rows: str) -> str:
    """A headed section holding one table with these column headers and rows."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<h2>{_e(title)}</h2><table id={table_id}><tr>{head}</tr>{rows}</table>"


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img alt='{_e(alt)}' src='data:image/png;base64,{data}'>"


def _table(
    frame: pd.DataFrame,
    in_percent: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
    ratio: tuple[str, ...] = (),
) -> str:
    """A table of ``frame`` under human ``headers``: ``in_percent`` columns in %, ``ratio`` ones as "2.5x"."""
    names = headers or {}
    head = "".join(f"<th>{_e(names.get(str(c), str(c)))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, values, strict=True):
            if isinstance(value, float | np.floating):
                text = (
                    "\u2013"
                    if value != value
                    else f"{value:.1%}"
                    if column in in_percent
                    else f"{value:.1f}\u00d7"
                    if column in ratio
                    else f"{value:.3f}"
                )
                cells.append(f"<td class=n>{_e(text)}</td>")
            elif isinstance(value, int | np.integer) and not isinstance(value, bool):
                cells.append(f"<td class=n>{value:,}</td>")
            else:
                cells.append(f"<td>{_e(_reader_value(str(value)))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _reader_value(value: str) -> str:
    """A value as a reader writes it: yes and no, "none" for an empty or missing one, mappings as "key: value"."""
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        parsed = value
    if parsed is None or parsed == {} or parsed == [] or parsed == ():
        return "none"
    if isinstance(parsed, bool):
        return "yes" if parsed else "no"
    if isinstance(parsed, dict):
        return "; ".join(f"{_words(str(k))}: {_reader_value(repr(v))}" for k, v in parsed.items())
    if isinstance(parsed, list | tuple):
        return ", ".join(_reader_value(repr(v)) for v in parsed)
    text = str(parsed)
    return re.sub(r"\b(True|False|None)\b", lambda m: {"True": "yes", "False": "no", "None": "none"}[m[0]], text)
