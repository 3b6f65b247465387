"""Carrying a thesis to history: which of a thesis scenario's assumptions say something of 1992-2023, and how.

A thesis is a set of assumptions that differ from the baseline's (the first
member of the ensemble). Some of them say something about how the world
works in any decade -- the structural clock of the Giles cycle, how often
shocks strike, how the Kremlin and Congress behave -- and those are carried
to the historical forecast scenarios; the rest are facts of 2025 (the war in
Ukraine, the president in office, the 2026 midterms, the state at the start)
and have no counterpart in history (``CARRY``). How each kind is carried:

- ``set``: structural parameters (``structure.*``) are the same parameters in
  both eras, so the thesis's value replaces the historical one;
- ``scale``: a shock hazard is carried as its ratio to the baseline's, applied
  to the record's base rate ("shocks three times as often");
- ``shift``: a behavioural weight is carried as its difference from the
  baseline's, added to the historical value and kept within its domain.

A thesis none of whose changes carries has no historical evidence
(``evidence_of``): ``sim ensemble`` leaves it its prior weight.
"""

import fnmatch
from dataclasses import dataclass

import numpy as np

from simulator.scenario import Scenario, assumptions, override
from simulator.scenario.distributions import Fixed
from simulator.scenario.domains import domains

SET, SCALE, SHIFT = "set", "scale", "shift"

#: How each assumption a thesis changes carries to 1992-2016 (first matching pattern), and why.
CARRY: tuple[tuple[str, str | None, str], ...] = (
    ("structure.*", SET, "the Giles cycle's clock and the gates: the same parameters in every decade"),
    ("shocks.*.hazard", SCALE, "how often shocks strike, as a multiple of the baseline's"),
    ("kremlin.concession_*", None, "reads US concessions (aid pauses), which 1992-2016 did not have"),
    ("kremlin.war_aims", None, "the war in Ukraine"),
    ("kremlin.aims_weight", None, "the war in Ukraine"),
    ("kremlin.cost_weight", None, "the war in Ukraine"),
    ("kremlin.escalation_value", None, "the war in Ukraine"),
    ("kremlin.deterrence", None, "the war in Ukraine"),
    ("kremlin.successor_aims_shift", None, "the war in Ukraine"),
    ("kremlin.*", SHIFT, "how the Kremlin weighs talks, status, relief and hostility"),
    ("congress.hawkishness", None, "the 2025 Congress's make-up"),
    ("congress.midterm_shift", None, "the 2026 midterms"),
    ("congress.aid_*", None, "military aid to Ukraine"),
    ("congress.*", SHIFT, "how Congress legislates on sanctions"),
    ("bureaucracy.*", SHIFT, "how the bureaucracy carries out policy"),
    ("publics.*", SHIFT, "how trust and opposition move"),
    ("president.*", None, "the president in office in 2025 (1992-2016 had three others)"),
    ("allies.*", None, "Ukraine's terms, Europe's sanctions and aid in the war"),
    ("china.*", None, "the 2025 triangle with China"),
    ("initial.*", None, "the state in January 2025"),
    ("*", None, "a fact of 2025"),
)


@dataclass(frozen=True)
class Change:
    """One assumption a thesis changes from the baseline, and how (or whether) it carries to 1992-2016."""

    thesis: str
    path: str
    value: str
    baseline: str
    rule: str | None  #: SET, SCALE, SHIFT, or None: not carried
    reason: str


def carry_rule(path: str) -> tuple[str | None, str]:
    """How the assumption at ``path`` carries to 1992-2016, and why."""
    return next((rule, why) for pattern, rule, why in CARRY if fnmatch.fnmatchcase(path, pattern))


def changes(thesis: Scenario, baseline: Scenario) -> list[Change]:
    """Every assumption ``thesis`` sets differently from ``baseline``, with its carry rule.

    A plain number is needed on both sides to scale or shift; a change to or from a
    distribution is carried only where the rule is ``set``. Changes to the schedule are
    the 2025 calendar, never carried.
    """
    mine, theirs = dict(assumptions(thesis)), dict(assumptions(baseline))
    found = []
    for path, value in mine.items():
        base = theirs.get(path)
        if base == value:
            continue
        rule, reason = carry_rule(path)
        plain = isinstance(value, Fixed) and isinstance(base, Fixed)
        if rule in (SCALE, SHIFT) and not plain:
            rule, reason = None, f"{reason}; a distribution has no single {rule} to carry"
        elif rule == SCALE and isinstance(base, Fixed) and base.value == 0:
            rule, reason = None, f"{reason}; the baseline's is 0, so no multiple"
        found.append(Change(thesis.name, path, str(value), str(base), rule, reason))
    if thesis.schedule != baseline.schedule:
        found.append(Change(thesis.name, "schedule", "changed", "", None, "the 2025 calendar"))
    return found


def historical(spec: Scenario, carried: list[Change], baseline: Scenario) -> Scenario:
    """A historical forecast scenario with a thesis's carried changes applied."""
    here, base = dict(assumptions(spec)), dict(assumptions(baseline))
    bounds = domains(spec)
    values: dict[str, object] = {}
    for change in carried:
        if change.rule == SET:
            values[change.path] = change.value
            continue
        old, reference, new = here[change.path].value, base[change.path].value, float(change.value)  # type: ignore[union-attr]
        moved = old * new / reference if change.rule == SCALE else old + new - reference
        low, high = bounds[change.path]
        values[change.path] = round(float(np.clip(moved, low, high)), 6)
    return override(spec, values, source=f"thesis {carried[0].thesis}") if values else spec


def thesis_changes(members: list[Scenario]) -> dict[str, list[Change]]:
    """Each member's changes from the first member, the baseline (which has none), keyed by scenario name."""
    baseline = members[0]
    return {spec.name: changes(spec, baseline) for spec in members}


def evidence_of(found: dict[str, list[Change]]) -> dict[str, bool]:
    """Whether each thesis carries historical evidence: the baseline does; a thesis does if any change carries."""
    first = next(iter(found))
    return {name: name == first or any(c.rule for c in items) for name, items in found.items()}
