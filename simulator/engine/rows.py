"""Per-world rows as Arrow tables: each world's assumptions and outcomes, and on request its path.

A chunk's rows are built where the chunk ran and travel, and wait for the
run's files, as an Arrow IPC stream (``to_arrow``): written and read in a few
milliseconds, where Parquet takes tens, with each event's first month as a
small dictionary column. Read back (``from_arrow``), the months are text,
``YYYY-MM``, as in ``runs.parquet``, which is streamed from them chunk by chunk
and never held whole in memory. Levels, phases and war states are ordered
categories with their names from ``vocabulary``. Month-by-month paths, which
are large and compress well, travel as Parquet.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from simulator.model.events import NEVER
from simulator.model.recorder import PATH_CODES
from simulator.months import month_labels
from simulator.scenario.questions import FIRST_MONTH_KINDS
from simulator.vocabulary import EVENT_INDEX, EVENTS, LEVELS, PHASES, level_event

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


def first_month_columns() -> dict[str, str]:
    """Column of ``runs.parquet`` holding each event's first month, by event name."""
    columns = {level_event(k): f"first_month_{level}" for k, level in enumerate(LEVELS[1:], start=1)}
    return columns | {event: f"first_month_{event}" for event in EVENTS if event not in columns}


def categories(codes: np.ndarray, names: Iterable[str], ordered: bool = True) -> pa.DictionaryArray:
    """Integer codes as an Arrow categorical column; negative codes are missing."""
    indices = pa.array(codes.astype(np.int16), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names)), ordered=ordered)


def world_table(model: RelationsModel, varying: Iterable[str]) -> pa.Table:
    """One row per world of a model at the horizon: its sampled assumptions (those in ``varying``) and outcomes."""
    first = model.first_world
    months = month_labels(model.spec.start, model.spec.months)
    columns: dict[str, pa.Array] = {"world": pa.array(np.arange(first, first + model.worlds, dtype=np.int64))}
    for path in varying:
        columns[path] = pa.array(np.asarray(model.draws[path], dtype=np.float64))
    columns["final_level"] = categories(model.state.level, LEVELS)
    columns["max_level"] = categories(model.recorder.max_level, LEVELS)
    columns["final_phase"] = categories(model.state.phase, PHASES, ordered=False)
    for actor in model.actors:  # what each actor keeps of a world at the horizon (``Actor.rows``)
        for name in actor.rows:
            columns[name] = pa.array(getattr(actor, name))
    for event, column in first_month_columns().items():
        columns[column] = categories(model.events.first[EVENT_INDEX[event]], months)
    answered = model.answers.worlds()
    for question in model.spec.questions:
        if question.kind not in FIRST_MONTH_KINDS:  # those are read from the first months
            columns[answer_column(question.id)] = pa.array(answered[question.id])
    return pa.table(columns)


def answer_column(question: str) -> str:
    """The column of ``runs.parquet`` holding each world's answer to a question not read from first months."""
    return f"answer_{question}"


def months_as_text(worlds: pa.Table) -> pa.Table:
    """The rows with each event's first month as text (``YYYY-MM``, or missing), as ``runs.parquet`` has it."""
    for column in first_month_columns().values():
        if column in worlds.column_names and pa.types.is_dictionary(worlds.schema.field(column).type):
            index = worlds.column_names.index(column)
            worlds = worlds.set_column(index, column, worlds.column(column).cast(pa.string()))
    return worlds


#: Compression of the rows' Arrow streams: LZ4 is fast either way and halves the bytes a chunk keeps on disk.
_ARROW_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4")


def to_arrow(worlds: pa.Table) -> bytes:
    """A chunk's rows as the bytes of an Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, worlds.schema, options=_ARROW_OPTIONS) as writer:
        writer.write_table(worlds)
    return sink.getvalue().to_pybytes()


def from_arrow(data: bytes) -> pa.Table:
    """The rows in the bytes of ``to_arrow``, months as text."""
    return months_as_text(pa.ipc.open_stream(data).read_all())


def trajectory_table(model: RelationsModel) -> pa.Table:
    """One row per world and month: level, phase, war and the tracked state, world by world."""
    paths = model.recorder.paths
    if paths is None:
        raise ValueError("this model did not keep its worlds' paths; build it with paths=True")
    months, worlds = model.spec.months, model.worlds
    first = model.first_world
    columns: dict[str, pa.Array] = {
        "world": pa.array(np.repeat(np.arange(first, first + worlds, dtype=np.int64), months)),
        "month": categories(np.tile(np.arange(months), worlds), month_labels(model.spec.start, months)),
    }
    for name, names in PATH_CODES.items():
        columns[name] = categories(paths[name].T.ravel(), names, ordered=name != "phase")
    for name in model.recorder.tracked:
        columns[name] = pa.array(paths[name].T.ravel())
    return pa.table(columns)


def parquet_options(schema: pa.Schema) -> dict[str, list[str]]:
    """How to write rows to Parquet: dictionary-encode the text columns only (floats do not repeat).

    Statistics (each row group's least and greatest value) are kept for the numbers,
    where a reader filtering on them skips row groups, and not for the text, whose
    least and greatest month or level would skip none and cost a fifth of the writing.
    """
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_dictionary(f.type)]
    return {"use_dictionary": text, "write_statistics": [f.name for f in schema if f.name not in text]}


def to_parquet(table: pa.Table) -> bytes:
    """A table as the bytes of a Parquet file."""
    sink = io.BytesIO()
    pq.write_table(table, sink, **parquet_options(table.schema))
    return sink.getvalue()


def from_parquet(data: bytes) -> pa.Table:
    """The table in the bytes of a Parquet file."""
    return pq.read_table(io.BytesIO(data))


def first_months_of(worlds: pa.Table, months: list[str]) -> np.ndarray:
    """(events, worlds) month index of each event's first occurrence, or ``NEVER``, read back from rows."""
    first = np.full((len(EVENTS), worlds.num_rows), NEVER, dtype=np.int16)
    labels = pa.array(months)
    for event, column in first_month_columns().items():
        index = pc.index_in(worlds.column(column).cast(pa.string()), value_set=labels)
        first[EVENT_INDEX[event]] = index.fill_null(NEVER).to_numpy()
    return first
