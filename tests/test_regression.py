"""The regression baseline: every shipped scenario's headline numbers at a fixed seed are as stored.

A change that should keep behaviour must pass this as it is. A change that alters
behaviour on purpose runs ``make regression`` and commits the rewritten
``tests/regression/baseline.json`` with it, so the diff shows what moved.
"""

import json

from tests.regression.baseline import BASELINE, differences, measure


def test_every_shipped_scenario_matches_the_stored_baseline():
    stored = json.loads(BASELINE.read_text())
    moved = differences(stored, measure())
    assert not moved, "the model's results moved; if meant, run `make regression` and commit:\n" + "\n".join(moved[:40])


def test_the_comparison_names_what_moved():
    old = {"a": {"p": 0.5, "q": 1}, "gone": 1}
    new = {"a": {"p": 0.25, "q": 1}, "added": 2}
    assert differences(old, new) == ["a.p: 0.5 -> 0.25", "added: (absent) -> 2", "gone: 1 -> (absent)"]
