"""Notes on a valid scenario: what it may not mean, said once, without refusing it.

Two kinds: choice weights that do not sum to one (they are normalised, which
is what the analyst almost always meant, but should be said), and a date of the
US calendar (``schedule.calendar_due``: midterms, elections, inaugurations, New
START's expiry) that falls in the scenario's span but that its schedule does not
hold: the model holds no elections of its own, so that run would silently have
none. A scenario that means to hold only the dates it lists (the backtests, which
schedule the record's own) says ``calendar: listed``; an inherited date a variant
removes (``remove: true``) is its own choice, and not noted either.
"""

import math
from collections.abc import Collection, Iterator

from simulator.scenario.distributions import Choice
from simulator.scenario.schedule import CALENDAR_SLACK, calendar_due
from simulator.scenario.schema import Scenario, assumptions


def scenario_notes(spec: Scenario, removed: Collection[tuple[str, str]] = ()) -> Iterator[tuple[str, str]]:
    """(key path, note) for each thing in ``spec`` worth saying before it runs.

    ``removed``: the (month, event) of inherited schedule entries the scenario removed on purpose.
    """
    yield from _weight_notes(spec)
    yield from _calendar_notes(spec, removed)


def _weight_notes(spec: Scenario) -> Iterator[tuple[str, str]]:
    for path, value in assumptions(spec):
        if isinstance(value, Choice) and value.stated_weights:
            total = math.fsum(value.weights)
            if not math.isclose(total, 1.0, rel_tol=1e-9):
                shares = ", ".join(f"{w / total:.3g}" for w in value.weights)
                yield path, f"choice weights sum to {total:g}, not 1; they were normalised to [{shares}]"


def _calendar_notes(spec: Scenario, removed: Collection[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    if spec.calendar != "us":
        return
    for month, event, what in calendar_due(spec.start, spec.horizon):
        held = any(item.event == event and abs(item.month.minus(month)) <= CALENDAR_SLACK for item in spec.schedule)
        if held or (str(month), event) in removed:
            continue
        yield (
            "schedule",
            f"{spec.start} to {spec.horizon} spans {what} ({month}), which the schedule does not hold, so the run"
            f" will have none; add {{month: {month}, event: {event}}}, or write calendar: listed if the scenario"
            " holds only the dates it lists",
        )
