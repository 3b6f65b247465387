"""Shared fixtures: the shipped scenarios, found relative to this file and inside the package."""

from pathlib import Path

import pytest

import simulator
from simulator.files import packaged
from simulator.scenario.ensemble import is_ensemble

ROOT = Path(__file__).resolve().parent.parent
#: The forecast scenarios, and the historical ones the package ships (``scenarios/history`` links to them).
SCENARIOS = [
    path
    for path in sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(packaged("scenarios", "history").glob("*.yaml"))
    if not is_ensemble(path)
]
#: The shipped ensemble files: blends of the scenarios above.
ENSEMBLES = [path for path in sorted((ROOT / "scenarios").glob("*.yaml")) if is_ensemble(path)]
BASELINE = ROOT / "scenarios" / "trump2025.yaml"


@pytest.fixture(scope="session")
def baseline() -> simulator.Scenario:
    return simulator.load_scenario(BASELINE)


def write_engine(path, text: str):
    """An engine.yaml at ``path`` in a configs folder that also holds the shipped parameter sets."""
    import shutil

    path.write_text(text)
    for name in ("structure.yaml", "calibrated.yaml", "posterior.csv"):
        shutil.copy(ROOT / "configs" / name, path.parent / name)
    return path
