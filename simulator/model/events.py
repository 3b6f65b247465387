"""The event log: the first month each event happens in each world (docs/sources.md, Events)."""

import numpy as np

from simulator.vocabulary import EVENT_INDEX, EVENTS

NEVER = -1

#: ``NEVER`` read as an unsigned 16-bit number: later than any month.
_LAST = np.uint16(np.array(NEVER, dtype=np.int16).view(np.uint16))


class EventLog:
    """First month (index from the start) of every event in every world; ``NEVER`` if not yet."""

    def __init__(self, worlds: int) -> None:
        self.first = np.full((len(EVENTS), worlds), NEVER, dtype=np.int16)
        self.month = 0

    def record(self, event: str, happened: np.ndarray) -> None:
        """Note that ``event`` happened this month where ``happened`` is true."""
        # Months are counted up, so the first month is the smallest: with NEVER read as the
        # largest unsigned number, one elementwise minimum keeps it (no branch per world).
        row = self.first[EVENT_INDEX[event]].view(np.uint16)
        skip = np.multiply(happened, np.uint16(_LAST - self.month), dtype=np.uint16)
        np.minimum(row, np.subtract(_LAST, skip, dtype=np.uint16), out=row)

    def record_at(self, event: str, worlds: np.ndarray) -> None:
        """Note that ``event`` happened this month in ``worlds`` (indices): cheaper when they are few."""
        row = self.first[EVENT_INDEX[event]]
        row[worlds[row[worlds] == NEVER]] = self.month

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
