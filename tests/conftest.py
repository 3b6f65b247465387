"""Shared fixtures: the shipped scenarios, found relative to this file."""

from pathlib import Path

import pytest

import simulator

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))
BASELINE = ROOT / "scenarios" / "trump2025.yaml"


@pytest.fixture(scope="session")
def baseline() -> simulator.Scenario:
    return simulator.load_scenario(BASELINE)
