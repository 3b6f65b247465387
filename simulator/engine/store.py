"""Where finished chunks are kept: in memory, or in the output folder so that a run can be resumed.

While a run with an output folder is under way, the folder holds only its
lock (``folder.LOCK``) and:

    .chunks/manifest.json          what the run is (``RunPlan.identity``); a resumed run must match it
    .chunks/checksums              the manifest's second part: a line per finished chunk, with the
                                   SHA-256 of each of its files; chunk 3 is done once its line is there
    .chunks/00003.worlds.arrow     chunk 3's per-world rows (an Arrow IPC stream)
    .chunks/00003.paths.parquet    chunk 3's month-by-month paths (with --save-trajectories)
    .chunks/00003.tally.npz        chunk 3's tally
    .chunks/worlds.parquet         every chunk's per-world rows so far, in world order (``STREAM``)

Each file is written atomically (``files``), so a file that exists is
complete, and its checksum line is appended only once all of a chunk's files
are in place. The checksums are kept in a file of their own, appended to, so
that saving a chunk costs the same whether it is the first or the millionth.
As chunks finish, the store appends each one that is next in world order to
``worlds.parquet``, so the run's ``runs.parquet`` is ready when the last chunk
is: the rows are put together while the helpers are still busy, not after.
Resuming checks every finished chunk against its checksums: a damaged or
missing file (a disk error, a power cut before the data reached the disk, a
hand edit) makes its chunk run again, with a note. Once the run's outputs are
written, ``.chunks`` is removed.
"""

import contextlib
import hashlib
import io
import json
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.engine.rows import from_arrow, from_parquet, parquet_options
from simulator.engine.runner import ChunkResult, RunPlan
from simulator.engine.tally import Tally
from simulator.files import sha256_of, write_bytes

#: Folder inside an output folder holding finished chunks until the run's outputs are written.
CHUNKS = ".chunks"

#: File in ``CHUNKS`` that says what the run is.
MANIFEST = "manifest.json"

#: File in ``CHUNKS`` with a line per finished chunk: its files and their SHA-256.
CHECKSUMS = "checksums"

#: The run's per-world rows, streamed into one Parquet file in world order as chunks finish.
STREAM = "worlds.parquet"

_CHUNK_FILE = re.compile(r"^(\d+)\.(worlds\.arrow|paths\.parquet|tally\.npz)$")

log = logging.getLogger(__name__)


class ResumeError(ValueError):
    """An output folder that cannot be resumed, with the reason."""


class SaveFailed(RuntimeError):
    """A finished chunk could not be saved (a full disk, say); the chunks saved before are kept."""

    def __init__(self, index: int, folder: Path, error: OSError) -> None:
        super().__init__(f"cannot save chunk {index} in {folder}: {error.strerror or error}")
        self.error = error


class MemoryStore:
    """Finished chunks kept in memory: for runs without an output folder."""

    def __init__(self) -> None:
        self._chunks: dict[int, ChunkResult] = {}

    def done(self) -> set[int]:
        """Indices of the chunks kept."""
        return set(self._chunks)

    def save(self, chunk: ChunkResult) -> None:
        """Keep a finished chunk."""
        self._chunks[chunk.index] = chunk

    def tallies(self) -> Iterator[Tally]:
        """Each chunk's tally, in world order."""
        return (self._chunks[i].tally for i in sorted(self._chunks))

    def world_tables(self) -> Iterator[pa.Table]:
        """Each chunk's per-world rows, in world order."""
        return (from_arrow(self._chunks[i].worlds) for i in sorted(self._chunks))

    def trajectory_tables(self) -> Iterator[pa.Table]:
        """Each chunk's month-by-month paths, in world order (none unless asked for)."""
        chunks = (self._chunks[i] for i in sorted(self._chunks))
        return (from_parquet(chunk.trajectories) for chunk in chunks if chunk.trajectories is not None)


class FolderStore:
    """Finished chunks kept in an output folder's ``.chunks``, each saved as soon as it finishes.

    Args:
        out: the output folder.
        plan: the run; written to the manifest, or checked against it when resuming.
        resume: keep the chunks already in ``out`` (their manifest must match ``plan``);
            otherwise any chunks left there by an earlier run are discarded.

    Raises:
        ResumeError: if resuming and ``out`` holds no interrupted run, or one that differs from ``plan``.
    """

    def __init__(self, out: Path, plan: RunPlan, resume: bool = False) -> None:
        self.out = out
        self.folder = out / CHUNKS
        self._chunks = len(plan.chunks)
        self._streamed = 0  # chunks appended to the stream, in world order; -1 once it is abandoned
        self._stream: pq.ParquetWriter | None = None
        identity = plan.identity()
        if resume:
            check_manifest(read_manifest(out), identity, out)
            self._sums = self._verified(_read_checksums(self.folder))
            (self.folder / STREAM).unlink(missing_ok=True)  # streamed again from the first chunk
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            write_bytes(self.folder / MANIFEST, (json.dumps(identity, indent=2) + "\n").encode())
            self._sums = {}
            write_bytes(self.folder / CHECKSUMS, b"")

    def done(self) -> set[int]:
        """Indices of the chunks saved."""
        return set(self._sums)

    @staticmethod
    def done_in(out: Path) -> set[int]:
        """Indices of the chunks saved in the output folder ``out`` (before their files are checked)."""
        return set(_read_checksums(out / CHUNKS))

    def save(self, chunk: ChunkResult) -> None:
        """Save a finished chunk: its files, then its line of checksums, so that a chunk with a line is complete.

        Raises:
            SaveFailed: if the file system refuses (no space, say); nothing saved before is touched.
        """
        files = {"worlds.arrow": chunk.worlds, "tally.npz": _npz(chunk.tally)}
        if chunk.trajectories is not None:
            files["paths.parquet"] = chunk.trajectories
        try:
            for kind, data in files.items():
                write_bytes(self._path(chunk.index, kind), data)
            sums = {kind: hashlib.sha256(data).hexdigest() for kind, data in files.items()}
            with (self.folder / CHECKSUMS).open("a", encoding="utf-8") as file:
                file.write("\n" + json.dumps({"chunk": chunk.index, "sha256": sums}))  # a torn line stands alone
        except OSError as error:
            raise SaveFailed(chunk.index, self.folder, error) from error
        self._sums[chunk.index] = sums
        self._stream_in_order()

    def _stream_in_order(self) -> None:
        """Append to ``STREAM`` every saved chunk that is next in world order; close it after the last."""
        try:
            while 0 <= self._streamed < self._chunks and self._streamed in self._sums:
                table = from_arrow(self._path(self._streamed, "worlds.arrow").read_bytes())
                if self._stream is None:
                    self._stream = pq.ParquetWriter(self.folder / STREAM, table.schema, **parquet_options(table.schema))
                self._stream.write_table(table)
                self._streamed += 1
            if self._streamed == self._chunks and self._stream is not None:
                self._stream.close()
                self._stream = None
        except OSError as error:  # a full disk, say: the chunks are safe, and the rows are put together at the end
            log.warning("%s: per-world rows not streamed (%s); they are written at the end", self.folder, error)
            self._abandon_stream()

    def _abandon_stream(self) -> None:
        self._streamed = -1
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.close()
            self._stream = None
        (self.folder / STREAM).unlink(missing_ok=True)

    def stop_streaming(self) -> None:
        """Drop the stream if it is not complete: a run that stopped early streams again when resumed."""
        if self._stream is not None:
            self._abandon_stream()

    def streamed_worlds(self) -> Path | None:
        """The run's per-world rows as one Parquet file, once every chunk has been streamed into it; else ``None``."""
        complete = self._streamed == self._chunks and self._stream is None
        return self.folder / STREAM if complete and (self.folder / STREAM).is_file() else None

    def _verified(self, sums: dict[int, dict[str, str]]) -> dict[int, dict[str, str]]:
        """The chunks whose files match their checksums; the others are removed, to run again."""
        good = {}
        for index in sorted(sums):
            damaged = [kind for kind, expected in sums[index].items() if _sha256(self._path(index, kind)) != expected]
            if not damaged:
                good[index] = sums[index]
                continue
            log.warning(
                "%s: chunk %d is damaged (%s does not match its checksum); it will be computed again",
                self.folder,
                index,
                ", ".join(f"{index:05d}.{kind}" for kind in damaged),
            )
            for kind in sums[index]:
                self._path(index, kind).unlink(missing_ok=True)
        if good != sums:
            lines = "".join("\n" + json.dumps({"chunk": i, "sha256": good[i]}) for i in sorted(good))
            write_bytes(self.folder / CHECKSUMS, lines.encode())
        return good

    def tallies(self) -> Iterator[Tally]:
        """Each chunk's tally, in world order."""
        for index in sorted(self.done()):
            with np.load(self._path(index, "tally.npz")) as arrays:
                yield Tally.from_arrays(dict(arrays))

    def world_tables(self) -> Iterator[pa.Table]:
        """Each chunk's per-world rows, in world order."""
        return (from_arrow(self._path(index, "worlds.arrow").read_bytes()) for index in sorted(self.done()))

    def trajectory_tables(self) -> Iterator[pa.Table]:
        """Each chunk's month-by-month paths, in world order (none unless asked for)."""
        paths = (self._path(index, "paths.parquet") for index in sorted(self.done()))
        return (pq.read_table(path) for path in paths if path.exists())

    def remove(self) -> None:
        """Delete the saved chunks, once the run's outputs are written."""
        self.stop_streaming()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _path(self, index: int, kind: str) -> Path:
        return self.folder / f"{index:05d}.{kind}"


def _npz(tally: Tally) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **tally.to_arrays())  # numbers only, as np.load reads them
    return buffer.getvalue()


def _sha256(path: Path) -> str | None:
    """The file's SHA-256, or ``None`` if it cannot be read."""
    try:
        return sha256_of(path)
    except OSError:
        return None


def _read_checksums(folder: Path) -> dict[int, dict[str, str]]:
    """Chunk index to its files' checksums, from the lines that are whole (a torn or mangled one is skipped)."""
    try:
        text = (folder / CHECKSUMS).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    sums = {}
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            index, files = int(entry["chunk"]), dict(entry["sha256"])
        except (ValueError, TypeError, KeyError):
            continue
        if index >= 0 and "worlds.arrow" in files and "tally.npz" in files:
            sums[index] = {str(kind): str(value) for kind, value in files.items() if _CHUNK_FILE.match(f"0.{kind}")}
    return sums


def read_manifest(out: Path) -> dict[str, Any]:
    """What the interrupted run in ``out`` is.

    Raises:
        ResumeError: if ``out`` holds no interrupted run.
    """
    path = out / CHUNKS / MANIFEST
    if not out.is_dir():
        raise ResumeError(f"cannot resume {out}: {'not a folder' if out.exists() else 'no such folder'}")
    if not path.is_file():
        finished = (out / "summary.json").exists()
        reason = "its run already finished" if finished else f"it holds no interrupted run ({CHUNKS}/{MANIFEST})"
        raise ResumeError(f"cannot resume {out}: {reason}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ResumeError(f"cannot resume {out}: {path} is unreadable ({error})") from None
    if not (isinstance(manifest, dict) and all(_fits(manifest.get(key), kind) for key, kind in _MANIFEST_KEYS.items())):
        raise ResumeError(f"cannot resume {out}: {path} is damaged; start the run again with --force")
    return manifest


#: What a manifest must say, for a run to be resumed from it: key and the values it may take.
_MANIFEST_KEYS = {"runs": "count", "seed": "seed", "chunk_worlds": "count", "trajectories": "flag"}


def _fits(value: Any, kind: str) -> bool:
    if kind == "flag":
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and value >= (1 if kind == "count" else 0)


def check_manifest(manifest: dict[str, Any], identity: dict[str, Any], out: Path) -> None:
    """Refuse to resume a run that is not the one in the manifest.

    Raises:
        ResumeError: naming the first thing that differs.
    """
    for key, expected in identity.items():
        found = manifest.get(key)
        if found == expected:
            continue
        if key == "scenario_sha256":
            raise ResumeError(
                f"cannot resume {out}: it was started from a different scenario "
                f"(the scenario, resolved, has changed since; run it into a new folder instead)"
            )
        raise ResumeError(f"cannot resume {out}: it was started with {key} {found!r}, not {expected!r}")
