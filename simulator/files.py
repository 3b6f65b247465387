"""Files: the data shipped inside the package, and safe writes.

The package carries its own data under ``simulator/data/`` (the default
configs, the historical scenarios, the 1992-2016 record and the source
texts), found with ``importlib.resources`` wherever the package is installed.

Every output file is written beside itself under a temporary name and moved
into place with ``os.replace``, so a reader never finds a half-written file
where a finished one is expected, and an interrupted write leaves the earlier
file (if any) intact. The temporary file is created exclusively under a random
name (``.NAME.<random>.partial.EXT``), so nothing planted beside the target
(a link to another file, say) is ever opened or followed; ``os.replace``
replaces a link at the target itself, never the file it points to. Files that
belong together are replaced together, only once all of them are written
(``together``).
"""

import errno
import hashlib
import os
import secrets
from collections.abc import Callable
from importlib import resources
from pathlib import Path

#: How a temporary file is opened: created here and now, never through a link, not inherited by children.
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def packaged(*parts: str) -> Path:
    """A file or folder under the package's ``data/`` folder, e.g. ``packaged("configs", "engine.yaml")``.

    The package is installed as plain files (from a wheel, or editable), so the
    resource is an ordinary path that scenarios can ``extends`` and messages can name.
    """
    return Path(str(resources.files("simulator").joinpath("data", *parts)))


def temporary_beside(path: Path) -> Path:
    """A new empty file beside ``path``, created exclusively under a random name that keeps ``path``'s suffix.

    Raises:
        OSError: if the folder cannot be written into.
    """
    while True:
        candidate = path.with_name(f".{path.stem}.{secrets.token_hex(6)}.partial{path.suffix}")
        try:
            os.close(os.open(candidate, _EXCLUSIVE, 0o666))  # the usual permissions, as the umask allows
        except FileExistsError:
            continue
        return candidate


def atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` with a new temporary file beside ``path``, then move the result to ``path``."""
    together({path: write})


def together(writers: dict[Path, Callable[[Path], object]]) -> None:
    """Write each file to a temporary file beside it; replace them all only once every one is written.

    A write that fails (a full disk, a folder that refuses) leaves every target as it was.
    """
    temporaries: list[tuple[Path, Path]] = []
    try:
        for path, write in writers.items():
            temporaries.append((temporary_beside(path), path))
            write(temporaries[-1][0])
        for _, path in temporaries:  # what os.replace would refuse, found before any target is replaced
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "a folder, not a file", str(path))
        for temporary, path in temporaries:
            os.replace(temporary, path)
    finally:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time.

    Raises:
        OSError: if the file cannot be read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    atomically(path, lambda temporary: temporary.write_bytes(data))


#: The model's out-of-sample record, written by ``sim backtest --update-skill`` (docs/skill.md).
SKILL_FILE = "skill.json"
#: What the ± beside a run's probabilities is, wherever it is shown beside the skill line.
SIMULATION_ERROR = "± is simulation error (the worlds' Monte Carlo error), not the forecast's accuracy"


def out_of_sample_record() -> dict | None:
    """The packaged out-of-sample record (its ``line`` is what readers see), or None if missing or unreadable."""
    import json

    try:
        data = json.loads(packaged(SKILL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("line"), str) else None
