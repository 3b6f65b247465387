"""Writing a run to disk: tables, summary, provenance and plots, each file atomically.

Every file is written beside itself under a temporary name and moved into
place (``files.atomically``), so a reader never finds a half-written file
where a finished one is expected, and an interrupted write leaves earlier
files intact. The per-world files are streamed chunk by chunk, one Parquet
row group per chunk, never held whole in memory.
"""

import contextlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from simulator.engine.design import read_sample
from simulator.engine.folder import LOCK, FolderError, held_by, holder
from simulator.engine.rows import parquet_options
from simulator.engine.store import CHUNKS, FolderStore
from simulator.files import atomically, sha256_of
from simulator.model.randomness import BLOCK
from simulator.results.result import TRAJECTORIES_FILE, RunResult
from simulator.scenario import Scenario
from simulator.version import __version__

#: Files a finished run folder holds.
OUTPUT_FILES = (
    "summary.json",
    "levels_by_month.csv",
    "phases_by_month.csv",
    "events_by_month.csv",
    "war_by_month.csv",
    "state_by_month.csv",
    "runs.parquet",
    "scenario.resolved.yaml",
    "metadata.json",
    "levels_over_time.png",
    "level_at_horizon.png",
    "phases_over_time.png",
    "events_over_time.png",
    "levels_reached.png",
)


#: Files of the analysis commands (compare, backtest, calibrate, sensitivity, discover, signposts,
#: report, ensemble) and of temporary writes, by pattern; with the tuples above, all ``sim`` writes.
_WRITTEN_PATTERNS = re.compile(
    r"^(comparison\.csv|compare_\w+\.png|revisions\.csv|revision_[\w.-]+\.png"
    r"|backtest\.csv|skill\.csv|trust_\w+\.csv|history_\w+\.png"
    r"|questions(_\w+)?\.csv|reliability_\w+\.(csv|png)|sensitivity\.json|indices\.csv|ranges\.csv"
    r"|points\.parquet|tornado_[\w.-]+\.png|discovery\.json|prim_\w+\.(csv|png)|cart_rules\.csv"
    r"|signposts\.(csv|json|png)|report\.html|weights\.csv|scores\.csv|carried\.csv|posterior\w*\.(csv|png|yaml)"
    r"|calibrated(_folds)?\.yaml|ensemble\.yaml"
    r"|\..+\.partial(\.\w+)?)$"
)


#: The files of a run the analysis commands read; ``metadata.json`` records each one's SHA-256.
RUN_DATA = ("summary.json", "runs.parquet", TRAJECTORIES_FILE, "scenario.resolved.yaml")


class OutputError(ValueError):
    """An output folder that cannot be used."""


class RunFolderError(ValueError):
    """A run folder whose files do not belong together or are damaged."""


class WriteFailed(RuntimeError):
    """An output file could not be written (a full disk, say); files written before are intact."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"cannot write {path}: {error.strerror or error}")
        self.error = error


def written_by_sim(name: str) -> bool:
    """Whether a file or folder of this name in an output folder is one ``sim`` writes."""
    known = {*OUTPUT_FILES, TRAJECTORIES_FILE, CHUNKS, LOCK}
    return name in known or bool(_WRITTEN_PATTERNS.match(name))


def check_output_dir(out: Path, force: bool) -> None:
    """Refuse a folder in use, or a non-empty one unless ``force``, before any work is done.

    Raises:
        OutputError: naming the folder and the way out.
        FolderError: if another run holds the folder, naming it.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if not out.is_dir():
        return
    running = held_by(out)
    if running is not None:
        raise FolderError(f"{out} is in use by another run: {running}; wait for it to finish, or stop it")
    _check_contents(out, force)


def check_writable(folder: Path) -> None:
    """Refuse, before any work, a folder that cannot be created or written into.

    The folder (and any missing parent) is made, a file is written in it and removed,
    and the folders made for the check are removed again: a command refused later
    leaves nothing behind.

    Raises:
        OutputError: naming the folder and the reason.
    """
    made = [path for path in (folder, *folder.parents) if not path.exists()]  # deepest first
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OutputError(f"cannot write to {folder}: {error.strerror or error}") from None
    finally:
        for path in made:
            with contextlib.suppress(OSError):
                path.rmdir()


def check_writable_file(path: Path, force: bool = True, make_folder: bool = True) -> None:
    """Refuse, before any work, a file that cannot be written (a folder, or in a folder that cannot be written).

    A file that exists is refused too, unless ``force``; so is a missing folder, unless ``make_folder``
    (the command then makes it when it writes).

    Raises:
        OutputError: naming the file and the reason.
    """
    if path.is_dir():
        raise OutputError(f"{path} is a folder; name a file")
    if path.exists() and not force:
        raise OutputError(f"{path} exists; pass --force to replace it")
    if not make_folder and not path.parent.is_dir():
        raise OutputError(f"cannot write to {path}: the folder {path.parent} does not exist")
    check_writable(path.parent)


def replaced(paths: list[Path]) -> str:
    """What writing ``paths`` will replace, in words for a command's last line ("" if nothing); ask before writing."""
    from simulator.files import packaged

    shipped = packaged().resolve()
    there = [path for path in paths if path.exists() or path.is_symlink()]
    named = [f"{path} (shipped with sim)" if shipped in path.resolve().parents else str(path) for path in there]
    return f"Replaced {', '.join(named)}." if named else ""


def prepare_output_dir(out: Path, force: bool) -> None:
    """Make ``out`` ready for a new run (the caller holds it): refuse as ``check_output_dir`` does, else clear it.

    Only what ``sim`` writes is removed, so no file of an earlier run (a ``trajectories.parquet``,
    say) is left beside the new run's.

    Raises:
        OutputError: if ``out`` holds what may not be replaced.
    """
    _check_contents(out, force)
    for name in _contents(out):
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _check_contents(out: Path, force: bool) -> None:
    contents = _contents(out)
    if contents and not force:
        if (out / CHUNKS).is_dir():
            stale = holder(out)
            ended = f" (its run, {stale}, ended without finishing)" if stale else ""
            raise OutputError(
                f"{out} holds an interrupted run{ended}; finish it with --resume {out}, or pass --force to start over"
            )
        raise OutputError(f"{out} is not empty; choose another --out or pass --force to overwrite")
    foreign = sorted(name for name in contents if not written_by_sim(name))
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise OutputError(
            f"{out} holds files sim did not write ({shown}); --force replaces only sim's own files: "
            "choose another --out"
        )


def _contents(out: Path) -> list[str]:
    """Names in ``out`` other than its lock file."""
    try:
        return [path.name for path in out.iterdir() if path.name != LOCK]
    except FileNotFoundError:
        return []


def new_run_dir(root: Path, scenario: str) -> Path:
    """A fresh timestamped folder name under ``root`` (not yet created)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidate = root / f"{scenario}-{stamp}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = root / f"{scenario}-{stamp}-{n}"
    return candidate


def write_run(
    result: RunResult,
    out: Path,
    *,
    scenario_path: Path | None = None,
    command: list[str] | None = None,
    elapsed: float | None = None,
) -> list[Path]:
    """Write every output of ``result`` into ``out`` (and its paths, if kept); return the paths written."""
    from simulator.results import (
        plots,  # matplotlib is slow to import, and worker processes, which import this, never plot
    )

    spec = result.spec
    caption = plots.Caption(
        spec.name, result.runs, result.seed, tuple(overrides_in(command or [])), _markers(spec), result.effective_runs
    )
    writers: dict[str, Callable[[Path], object]] = {
        "summary.json": lambda p: write_json(p, result.summary()),
        "levels_by_month.csv": lambda p: result.levels_by_month.to_csv(p, index=False),
        "phases_by_month.csv": lambda p: result.phases_by_month.to_csv(p, index=False),
        "events_by_month.csv": lambda p: result.events_by_month.to_csv(p, index=False),
        "war_by_month.csv": lambda p: result.war_by_month.to_csv(p, index=False),
        "state_by_month.csv": lambda p: result.state_by_month.to_csv(p, index=False),
        "runs.parquet": lambda p: _world_rows(p, result.rows),
        "scenario.resolved.yaml": lambda p: p.write_text(
            yaml.safe_dump(spec.model_dump(mode="json"), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        ),
        "metadata.json": lambda p: write_json(
            p, _metadata(result, scenario_path, command, elapsed) | {"files": _hashes(out)}
        ),
        "levels_over_time.png": lambda p: plots.save(plots.levels_over_time(result.levels_by_month, caption), p),
        "level_at_horizon.png": lambda p: plots.save(
            plots.level_at_horizon(
                result.final_level_probabilities(), result.max_level_probabilities(), str(spec.horizon), caption
            ),
            p,
        ),
        "phases_over_time.png": lambda p: plots.save(plots.phases_over_time(result.phases_by_month, caption), p),
        "events_over_time.png": lambda p: plots.save(plots.events_over_time(result.events_by_month, caption), p),
        "levels_reached.png": lambda p: plots.save(plots.levels_reached(result.events_by_month, caption), p),
    }
    names = list(OUTPUT_FILES)
    if next(iter(result.rows.trajectory_tables()), None) is not None:
        writers[TRAJECTORIES_FILE] = lambda p: _parquet(p, result.rows.trajectory_tables())
        names.insert(names.index("runs.parquet") + 1, TRAJECTORIES_FILE)
    return write_files(out, {name: writers[name] for name in names})


def write_files(out: Path, writers: Mapping[str, Callable[[Path], object]]) -> list[Path]:
    """Write each named file into ``out`` atomically, in the given order; return the paths written.

    Raises:
        WriteFailed: at the first file the file system refuses; those written before stay.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteFailed(out, error) from None
    written = []
    for name, write in writers.items():
        try:
            atomically(out / name, write)
        except OSError as error:
            raise WriteFailed(out / name, error) from None
        written.append(out / name)
    return written


def overrides_in(command: list[str]) -> list[str]:
    """The ``--set`` assignments of the command line that made a run."""
    sets = []
    for i, token in enumerate(command):
        if token == "--set" and i + 1 < len(command):
            sets.append(command[i + 1])
        elif token.startswith("--set="):
            sets.append(token.removeprefix("--set="))
    return sets


def _markers(spec: Scenario) -> tuple[tuple[int, str], ...]:
    """(month index, label) of each scheduled event, for the time axes."""
    return tuple((item.month.minus(spec.start), (item.shock or item.event).replace("_", " ")) for item in spec.schedule)


def _world_rows(path: Path, rows: Any) -> None:
    """``runs.parquet``: the file the store streamed while the run went on, or the chunks' rows put together now."""
    streamed = rows.streamed_worlds() if isinstance(rows, FolderStore) else None
    if streamed is not None:
        os.replace(streamed, path)
    else:
        _parquet(path, rows.world_tables())


def _parquet(path: Path, tables: Iterable[pa.Table]) -> None:
    """Stream tables with one schema into one Parquet file, a row group each."""
    writer = None
    try:
        for table in tables:
            writer = writer or pq.ParquetWriter(path, table.schema, **parquet_options(table.schema))
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def write_json(path: Path, data: Any) -> None:
    """Indented UTF-8 JSON with a final newline, as every JSON output is written."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _posterior_sample(spec: Scenario) -> dict[str, Any] | None:
    """The posterior sample the worlds drew calibrated parameters from: its file, its SHA-256, what they drew.

    ``None`` when they drew none: ``calibration: point``, no sample beside the
    configs, or a scenario that sets every sampled parameter itself.
    """
    source = spec.posterior
    if source is None:
        return None
    drawn = sorted(read_sample(source.sample, source.supplies))
    if not drawn:
        return None
    return {
        "file": str(source.sample),
        "sha256": sha256_of(source.sample),
        "parameters": drawn,
    }


def _hashes(out: Path) -> dict[str, str]:
    """The SHA-256 of each of the run's data files written so far (``metadata.json`` is written after them)."""
    return {name: sha256_of(out / name) for name in RUN_DATA if (out / name).is_file()}


def check_run_folder(folder: Path) -> None:
    """Refuse a run folder whose data files are not those its ``metadata.json`` records, or are not whole.

    Each file ``metadata.json`` lists must be there with the SHA-256 it records (a file copied from
    another run, or changed since, is named); ``summary.json`` must be JSON and each Parquet file whole.
    A folder written before the hashes were recorded is checked for wholeness only.

    Raises:
        RunFolderError: naming the file and what is wrong with it.
    """
    recorded: dict[str, str] = {}
    if (folder / "metadata.json").is_file():
        try:
            metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
            recorded = dict(metadata.get("files") or {})
        except (ValueError, AttributeError, TypeError, UnicodeDecodeError):
            raise RunFolderError(f"{folder / 'metadata.json'}: damaged (not the JSON `sim run` writes)") from None
    for name, expected in recorded.items():
        if name not in RUN_DATA:
            continue
        path = folder / name
        if not path.is_file():
            raise RunFolderError(f"{path}: missing, though metadata.json records it; run the scenario again")
        if sha256_of(path) != expected:
            raise RunFolderError(
                f"{path}: not the file this run wrote (its SHA-256 differs from the one metadata.json records); "
                "was it copied from another run or changed? Run the scenario again"
            )
    if (folder / "summary.json").is_file():
        try:
            json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise RunFolderError(f"{folder / 'summary.json'}: damaged (not JSON); run the scenario again") from None
    for name in ("runs.parquet", TRAJECTORIES_FILE):
        if (folder / name).is_file():
            try:
                pq.read_metadata(folder / name)
            except (pa.ArrowException, OSError) as error:
                raise RunFolderError(
                    f"{folder / name}: damaged or cut short ({error}); run the scenario again"
                ) from None


def _metadata(
    result: RunResult, scenario_path: Path | None, command: list[str] | None, elapsed: float | None
) -> dict[str, Any]:
    packages = ("numpy", "scipy", "pandas", "pyarrow", "mesa", "pydantic", "matplotlib")
    return {
        "scenario": result.spec.name,
        "scenario_file": str(scenario_path) if scenario_path else None,
        "scenario_sha256": sha256_of(scenario_path) if scenario_path else None,
        "seed": result.seed,
        "runs": result.runs,
        "posterior_sample": _posterior_sample(result.spec),
        "evidence": result.evidence(),
        "random_block_worlds": BLOCK,
        "command": command if command is not None else sys.argv,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_seconds": round(elapsed, 3) if elapsed is not None else None,
        "simulation": None
        if result.timing is None
        else {
            "seconds": round(result.timing.seconds, 3),
            "worlds": result.timing.worlds,
            "worlds_per_second": round(result.timing.worlds_per_second),
        },
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {"sim": __version__} | {name: version(name) for name in packages},
    }
