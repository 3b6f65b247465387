"""Notes on a valid scenario: what it may not mean, said once, without refusing it.

Two kinds: choice weights that do not sum to one (they are normalised, which
is what the analyst almost always meant, but should be said), and a horizon
that runs past the next election after the last one the schedule holds (the
model holds no elections of its own, so that run would silently have none).
"""

import math
from collections.abc import Iterator

from simulator.scenario.distributions import Choice
from simulator.scenario.schema import Scenario, assumptions

#: Months between two elections of the same kind.
ELECTION_CYCLE = 48

#: Scheduled events that recur every ``ELECTION_CYCLE`` months.
ELECTIONS = ("election", "midterms")


def scenario_notes(spec: Scenario) -> Iterator[tuple[str, str]]:
    """(key path, note) for each thing in ``spec`` worth saying before it runs."""
    yield from _weight_notes(spec)
    yield from _election_notes(spec)


def _weight_notes(spec: Scenario) -> Iterator[tuple[str, str]]:
    for path, value in assumptions(spec):
        if isinstance(value, Choice) and value.stated_weights:
            total = math.fsum(value.weights)
            if not math.isclose(total, 1.0, rel_tol=1e-9):
                shares = ", ".join(f"{w / total:.3g}" for w in value.weights)
                yield path, f"choice weights sum to {total:g}, not 1; they were normalised to [{shares}]"


def _election_notes(spec: Scenario) -> Iterator[tuple[str, str]]:
    for kind in ELECTIONS:
        held = [(i, item.month) for i, item in enumerate(spec.schedule) if item.event == kind]
        if not held:
            continue
        index, last = max(held, key=lambda pair: pair[1])
        due = last.plus(ELECTION_CYCLE)
        if spec.horizon >= due:
            yield (
                f"schedule.{index}",
                f"the horizon {spec.horizon} runs past the next {kind} ({due}), which the schedule does not hold; "
                f"add {{month: {due}, event: {kind}}} or the run will have none",
            )
