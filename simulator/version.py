"""The package's version, read once from its installed metadata.

Engine, results and outputs record it (in a run's identity, ``summary.json``
and ``metadata.json``); they import it from here rather than from the package
root, so no module reaches up to ``simulator/__init__.py``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
