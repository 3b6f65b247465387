"""Files: the data shipped inside the package, and atomic writes.

The package carries its own data under ``simulator/data/`` (the default
configs, the historical scenarios, the 1992-2016 record and the source
texts), found with ``importlib.resources`` wherever the package is installed.

Each output file is written beside itself under a temporary name and moved
into place with ``os.replace``, so a reader never finds a half-written file
where a finished one is expected, and an interrupted write leaves the earlier
file (if any) intact.
"""

import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path


def packaged(*parts: str) -> Path:
    """A file or folder under the package's ``data/`` folder, e.g. ``packaged("configs", "engine.yaml")``.

    The package is installed as plain files (from a wheel, or editable), so the
    resource is an ordinary path that scenarios can ``extends`` and messages can name.
    """
    return Path(str(resources.files("simulator").joinpath("data", *parts)))


def atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` with a temporary path beside ``path``, then move the result to ``path``."""
    temporary = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


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
