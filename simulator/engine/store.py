"""Where finished chunks are kept: in memory, or in the output folder so that a run can be resumed.

While a run with an output folder is under way, the folder holds only:

    .chunks/manifest.json          what the run is (``RunPlan.identity``); a resumed run must match it
    .chunks/00003.worlds.parquet   chunk 3's per-world rows
    .chunks/00003.paths.parquet    chunk 3's month-by-month paths (with --save-trajectories)
    .chunks/00003.tally.npz        chunk 3's tally, written last: chunk 3 is done once it exists

Each file is written atomically (``files``), so a file that exists is
complete. Once the run's outputs are written, ``.chunks`` is removed.
"""

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.engine.rows import from_parquet
from simulator.engine.runner import ChunkResult, RunPlan
from simulator.engine.tally import Tally
from simulator.files import atomically, write_bytes

#: Folder inside an output folder holding finished chunks until the run's outputs are written.
CHUNKS = ".chunks"

#: File in ``CHUNKS`` that says what the run is.
MANIFEST = "manifest.json"

_DONE = re.compile(r"^(\d+)\.tally\.npz$")


class ResumeError(ValueError):
    """An output folder that cannot be resumed, with the reason."""


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
        return (from_parquet(self._chunks[i].worlds) for i in sorted(self._chunks))

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
        identity = plan.identity()
        if resume:
            check_manifest(read_manifest(out), identity, out)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            write_bytes(self.folder / MANIFEST, (json.dumps(identity, indent=2) + "\n").encode())

    def done(self) -> set[int]:
        """Indices of the chunks saved."""
        return self.done_in(self.out)

    @staticmethod
    def done_in(out: Path) -> set[int]:
        """Indices of the chunks saved in the output folder ``out``."""
        folder = out / CHUNKS
        if not folder.is_dir():
            return set()
        return {int(match[1]) for path in folder.iterdir() if (match := _DONE.match(path.name))}

    def save(self, chunk: ChunkResult) -> None:
        """Save a finished chunk; its tally last, so that a chunk with a tally is complete."""
        write_bytes(self._path(chunk.index, "worlds.parquet"), chunk.worlds)
        if chunk.trajectories is not None:
            write_bytes(self._path(chunk.index, "paths.parquet"), chunk.trajectories)

        def write_tally(path: Path) -> None:
            with path.open("wb") as file:
                np.savez(file, **chunk.tally.to_arrays())

        atomically(self._path(chunk.index, "tally.npz"), write_tally)

    def tallies(self) -> Iterator[Tally]:
        """Each chunk's tally, in world order."""
        for index in sorted(self.done()):
            with np.load(self._path(index, "tally.npz")) as arrays:
                yield Tally.from_arrays(dict(arrays))

    def world_tables(self) -> Iterator[pa.Table]:
        """Each chunk's per-world rows, in world order."""
        return (pq.read_table(self._path(index, "worlds.parquet")) for index in sorted(self.done()))

    def trajectory_tables(self) -> Iterator[pa.Table]:
        """Each chunk's month-by-month paths, in world order (none unless asked for)."""
        paths = (self._path(index, "paths.parquet") for index in sorted(self.done()))
        return (pq.read_table(path) for path in paths if path.exists())

    def remove(self) -> None:
        """Delete the saved chunks, once the run's outputs are written."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _path(self, index: int, kind: str) -> Path:
        return self.folder / f"{index:05d}.{kind}"


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
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ResumeError(f"cannot resume {out}: {path} is unreadable ({error})") from None


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
