"""The event log: the first month each event happens in each world (docs/sources.md, Events).

For the events a scenario's questions count (``again``, ``times``), it also counts the months each
happened in, in each world: only those, so a run whose questions count nothing pays nothing.
"""

import numpy as np

from simulator.vocabulary import EVENT_INDEX, EVENTS

NEVER = -1

#: ``NEVER`` read as an unsigned 16-bit number: later than any month.
_LAST = np.uint16(np.array(NEVER, dtype=np.int16).view(np.uint16))


class EventLog:
    """First month (index from the start) of every event in every world; ``NEVER`` if not yet.

    Attributes:
        counts: for each counted event, the number of months it has happened in, per world.
        last: for each counted event, the last month it happened in, per world (``NEVER`` if not yet).
    """

    def __init__(self, worlds: int, counted: tuple[str, ...] = ()) -> None:
        self.first = np.full((len(EVENTS), worlds), NEVER, dtype=np.int16)
        self.month = 0
        self.counts = {event: np.zeros(worlds, dtype=np.int16) for event in counted}
        self.last = {event: np.full(worlds, NEVER, dtype=np.int16) for event in counted}

    def _count(self, event: str, worlds: np.ndarray) -> None:
        """Count this month for ``event`` in ``worlds`` (a mask or indices) where it was not counted yet."""
        last = self.last[event]
        fresh = worlds[last[worlds] != self.month] if worlds.dtype != bool else worlds & (last != self.month)
        self.counts[event][fresh] += 1
        last[fresh] = self.month

    def select(self, index: np.ndarray) -> None:
        """Keep worlds ``index`` (with repeats): each becomes a copy of the world it names."""
        self.first = self.first[:, index]
        for table in (self.counts, self.last):
            for event, values in table.items():
                table[event] = values[index]

    def record(self, event: str, happened: np.ndarray) -> None:
        """Note that ``event`` happened this month where ``happened`` is true."""
        # Months are counted up, so the first month is the smallest: with NEVER read as the
        # largest unsigned number, one elementwise minimum keeps it (no branch per world).
        row = self.first[EVENT_INDEX[event]].view(np.uint16)
        skip = np.multiply(happened, np.uint16(_LAST - self.month), dtype=np.uint16)
        np.minimum(row, np.subtract(_LAST, skip, dtype=np.uint16), out=row)
        if event in self.counts:
            self._count(event, np.asarray(happened, dtype=bool))

    def record_at(self, event: str, worlds: np.ndarray) -> None:
        """Note that ``event`` happened this month in ``worlds`` (indices): cheaper when they are few."""
        row = self.first[EVENT_INDEX[event]]
        row[worlds[row[worlds] == NEVER]] = self.month
        if event in self.counts:
            self._count(event, np.asarray(worlds, dtype=np.intp))

    def happened(self, event: str) -> np.ndarray:
        """Where ``event`` has happened by now."""
        return self.first[EVENT_INDEX[event]] != NEVER


class WatchedEventLog(EventLog):
    """An event log that also keeps, for some events, the worlds where each happened this month.

    For conditioning on evidence (docs/evidence.md): a month's observation of a
    summit speaks of the summits of that month, not of the first one. Only a
    conditioned run uses it; a run without evidence keeps the plain log.

    Attributes:
        now: by watched event, the worlds where it happened since ``clear``.
    """

    def __init__(self, log: EventLog, watched: tuple[str, ...]) -> None:
        super().__init__(log.first.shape[1])
        self.first, self.month = log.first, log.month
        self.counts, self.last = log.counts, log.last
        self.now = {event: np.zeros(log.first.shape[1], dtype=bool) for event in watched}

    def clear(self) -> None:
        """Start a new month: no watched event has happened in it yet."""
        for happened in self.now.values():
            happened[:] = False

    def record(self, event: str, happened: np.ndarray) -> None:
        """Note that ``event`` happened this month where ``happened`` is true."""
        super().record(event, happened)
        if event in self.now:
            self.now[event] |= happened

    def record_at(self, event: str, worlds: np.ndarray) -> None:
        """Note that ``event`` happened this month in ``worlds`` (indices)."""
        super().record_at(event, worlds)
        if event in self.now:
            self.now[event][worlds] = True

    def select(self, index: np.ndarray) -> None:
        """Keep worlds ``index`` (with repeats), and what each of them saw this month."""
        super().select(index)
        for event, happened in self.now.items():
            self.now[event] = happened[index]
