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
