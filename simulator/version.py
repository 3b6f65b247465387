"""The package's version, read once from its installed metadata, and which of its optional parts are installed.

Engine, results and outputs record the version (in a run's identity, ``summary.json``
and ``metadata.json``); they import it from here rather than from the package
root, so no module reaches up to ``simulator/__init__.py``.
"""

from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

try:
    __version__ = version("sim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

#: The optional extras (pyproject.toml) and the modules each brings; `make setup` installs them all.
EXTRAS: dict[str, tuple[str, ...]] = {
    "explore": ("solara", "ipyvue", "ipyvuetify"),  # sim explore
    "analysis": ("SALib", "sklearn", "ema_workbench"),  # sim sensitivity, sim discover
    "dask": ("distributed",),  # --dask: chunks on a Dask cluster
}


def missing_extra(extra: str) -> str | None:
    """One line saying how to install ``extra`` if any of its modules is missing; None if all are there."""
    missing = [name for name in EXTRAS[extra] if find_spec(name) is None]
    if not missing:
        return None
    return (
        f"this needs the optional {extra} packages ({', '.join(missing)} not installed): "
        f"pip install '.[{extra}]' in the sim folder (make setup installs everything)"
    )
