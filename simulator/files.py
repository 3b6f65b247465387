"""Writing files atomically: a file that exists under its name is complete.

Each file is written beside itself under a temporary name and moved into
place with ``os.replace``, so a reader never finds a half-written file where
a finished one is expected, and an interrupted write leaves the earlier file
(if any) intact.
"""

import os
from collections.abc import Callable
from pathlib import Path


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
