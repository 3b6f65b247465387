"""A scenario's schedule across ``extends``: what a variant inherits, adds, replaces and removes; the US calendar.

A variant's ``schedule:`` is merged into the one it inherits, entry by entry:

- an entry with the month and event (and, for ``event: shock``, the shock) of an
  inherited one replaces it, in its place;
- any other entry is added, and the merged schedule is kept in month order (an
  inherited entry first within a month);
- ``{month: 2026-02, event: treaty_expiry, remove: true}`` removes the inherited
  entry it names (naming one that is not inherited is an error);
- ``schedule: {replace: [...]}`` drops everything inherited: only the listed entries hold.

Inherited entries whose month lies outside the variant's own start to horizon are
left out (they fall outside its run); its own entries there are an error, as always.

``calendar_due`` lists the dates a forecast's span should hold: the US federal
calendar (midterms, elections, inaugurations) and New START's expiry, for the
notes to say which the schedule does not hold.
"""

from collections.abc import Iterator
from typing import Any

from simulator.months import Month
from simulator.scenario.reading import ScenarioError
from simulator.scenario.schema import month_or_none

#: An entry's identity when a variant's schedule is merged into the inherited one: month, event, shock.
Key = tuple[str, str, str]

#: The keys a removal may carry: what names the entry, ``remove`` itself, and a note saying why.
REMOVAL_KEYS = frozenset({"month", "event", "shock", "remove", "note"})

#: New START's expiry (2026-02-05), without a follow-on treaty.
NEW_START_EXPIRY = Month(2026, 2)

#: Months either side of a calendar date within which a scheduled event of its kind counts as holding it.
CALENDAR_SLACK = 2


#: A schedule entry as written, with where each key path below it was set (``""``: the entry itself).
Entry = tuple[Any, dict[str, str]]


def merge_schedule(merged: dict, origins: dict[str, str], written: Any, file_origins: dict[str, str]) -> set[Key]:
    """Merge one file's ``schedule`` value into ``merged`` (the chain so far, base first), in place.

    ``origins`` (key path -> ``file:line``) is updated to the merged list's indices.

    Returns:
        The keys of the inherited entries the file removed.

    Raises:
        ScenarioError: for a schedule written neither as a list nor as ``{replace: [...]}``, or a
            removal that names no inherited entry; naming the file and line.
    """
    where = file_origins.get("schedule", "")
    entries, prefix, replace = _written_form(written, where)
    if entries is None:  # not a list at all: left for the schema to name
        _reset(origins)
        merged["schedule"] = written
        origins.update({p: o for p, o in file_origins.items() if p == "schedule" or p.startswith("schedule.")})
        return set()
    inherited = merged.get("schedule")
    kept = [] if replace or not isinstance(inherited, list) else _entries(inherited, origins)
    own = [(entry, _entry_origins(file_origins, f"{prefix}{j}")) for j, entry in enumerate(entries)]
    removed = _remove(kept, own, replace, where)
    added = []
    for entry, entry_origins in own:
        if isinstance(entry, dict) and "remove" in entry:
            continue
        key = _key(entry)
        match = next((i for i, (e, _) in enumerate(kept) if key is not None and _key(e) == key), None)
        if match is None:
            added.append((entry, entry_origins))
        else:
            kept[match] = (entry, entry_origins)
    result = kept + added
    if kept and added:
        result.sort(key=lambda pair: _month_order(pair[0]))  # stable: inherited first within a month
    _reset(origins)
    if where:
        origins["schedule"] = where
    _store(merged, origins, result)
    return removed


def inherited_outside(data: dict, origins: dict[str, str], own_file: str) -> None:
    """Leave out the inherited schedule entries that fall outside the scenario's start to horizon, in place.

    An entry is inherited when no key of it was set in ``own_file`` or by ``--set``.
    """
    schedule = data.get("schedule")
    start, horizon = month_or_none(data.get("start")), month_or_none(data.get("horizon"))
    if not isinstance(schedule, list) or start is None or horizon is None:
        return
    entries = _entries(schedule, origins)
    kept = []
    for entry, own in entries:
        month = month_or_none(entry.get("month")) if isinstance(entry, dict) else None
        inherited = all(not o.startswith("--set ") and o.rpartition(":")[0] != own_file for o in own.values())
        if month is not None and inherited and own and not start <= month <= horizon:
            continue
        kept.append((entry, own))
    if len(kept) < len(entries):
        _reset(origins, entries_only=True)
        _store(data, origins, kept)


def _remove(kept: list[Entry], own: list[Entry], replace: bool, where: str) -> set[Key]:
    """Take out of ``kept`` (in place) each inherited entry a removal in ``own`` names; the keys removed.

    Raises:
        ScenarioError: naming every removal that is malformed or names no inherited entry.
    """
    removed, problems = set(), []
    for j, (entry, entry_origins) in enumerate(own):
        if not (isinstance(entry, dict) and "remove" in entry):
            continue
        key = _key(entry)
        problem = _removal_problem(entry, key, kept, replace)
        if problem or key is None:  # a removal without a key has its problem
            problems.append(f"{entry_origins.get('', where)}: schedule.{j}: {problem}")
            continue
        kept[:] = [(e, o) for e, o in kept if _key(e) != key]
        removed.add(key)
    if problems:
        raise ScenarioError("\n".join(problems))
    return removed


def _entries(schedule: list, origins: dict[str, str]) -> list[Entry]:
    return [(entry, _entry_origins(origins, f"schedule.{i}")) for i, entry in enumerate(schedule)]


def _store(data: dict, origins: dict[str, str], entries: list[Entry]) -> None:
    """Put ``entries`` in ``data["schedule"]`` and their origins under their new indices."""
    data["schedule"] = [entry for entry, _ in entries]
    for i, (_, own) in enumerate(entries):
        origins.update({f"schedule.{i}{'.' + rest if rest else ''}": o for rest, o in own.items()})


def calendar_due(start: Month, horizon: Month) -> Iterator[tuple[Month, str, str]]:
    """The US calendar's dates after ``start`` up to ``horizon``: (month, event, what it is).

    Midterms in November of even years not divisible by four, presidential elections in
    November of years divisible by four and inaugurations the January after, and New
    START's expiry. The start month's own state is the scenario's ``initial`` block.
    """
    for year in range(start.year, horizon.year + 1):
        due = []
        if year % 4 == 1:
            due.append((Month(year, 1), "inauguration", f"the {year} inauguration"))
        if year == NEW_START_EXPIRY.year:
            due.append((NEW_START_EXPIRY, "treaty_expiry", "New START's expiry"))
        if year % 4 == 2:
            due.append((Month(year, 11), "midterms", f"the {year} midterms"))
        if year % 4 == 0:
            due.append((Month(year, 11), "election", f"the {year} presidential election"))
        yield from ((month, event, what) for month, event, what in due if start < month <= horizon)


def _written_form(written: Any, where: str) -> tuple[list | None, str, bool]:
    """The entries a file's ``schedule`` lists, the key path they sit under, and whether they replace."""
    if isinstance(written, list):
        return written, "schedule.", False
    if isinstance(written, dict):
        if set(written) == {"replace"} and isinstance(written["replace"], list):
            return written["replace"], "schedule.replace.", True
        raise ScenarioError(
            f"{where or 'schedule'}: schedule: write a list of entries (merged into the inherited schedule),"
            " or {replace: [entries]} to drop the inherited ones"
        )
    return None, "", False


def _removal_problem(entry: dict, key: Key | None, kept: list, replace: bool) -> str:
    """What is wrong with a removal entry, or ``""``."""
    if entry["remove"] is not True:
        return "remove: write remove: true to remove the inherited entry of that month and event"
    stray = sorted(str(k) for k in entry if k not in REMOVAL_KEYS)
    if stray:
        return f"a removal names its entry by month and event (and shock) only, not {', '.join(stray)}"
    if key is None:
        return "a removal names the month (YYYY-MM) and event of the inherited entry it removes"
    if replace:
        return "replace already drops every inherited entry; there is nothing to remove"
    if any(_key(e) == key for e, _ in kept):
        return ""
    month, event, shock = key
    named = f"{{month: {month}, event: {event}{', shock: ' + shock if shock else ''}}}"
    same_event = [str(e.get("month")) for e, _ in kept if (_key(e) or ("", ""))[1] == event]
    inherited = f"; {event} is inherited in {', '.join(same_event)}" if same_event else ""
    return f"removes {named}, which is not inherited{inherited}"


def _key(entry: Any) -> Key | None:
    if not isinstance(entry, dict):
        return None
    month, event, shock = month_or_none(entry.get("month")), entry.get("event"), entry.get("shock")
    if month is None or not isinstance(event, str):
        return None
    return str(month), event, shock if isinstance(shock, str) else ""


def _month_order(entry: Any) -> tuple[int, int]:
    month = month_or_none(entry.get("month")) if isinstance(entry, dict) else None
    return (month.year, month.month) if month is not None else (10_000, 0)  # an unreadable month last


def _entry_origins(origins: dict[str, str], path: str) -> dict[str, str]:
    """The origins of one entry, by key path below it (``""`` for the entry itself)."""
    found = {"": origins[path]} if path in origins else {}
    found.update({p[len(path) + 1 :]: o for p, o in origins.items() if p.startswith(path + ".")})
    return found


def _reset(origins: dict[str, str], entries_only: bool = False) -> None:
    """Forget the origins of the schedule's entries (and of ``schedule`` itself unless ``entries_only``)."""
    for stale in [p for p in origins if p.startswith("schedule.") or (p == "schedule" and not entries_only)]:
        del origins[stale]
