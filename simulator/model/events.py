"""The event log: the first month each event happens in each world (docs/sources.md, Events)."""

import numpy as np

from simulator.vocabulary import EVENT_INDEX, EVENTS

NEVER = -1


class EventLog:
    """First month (index from the start) of every event in every world; ``NEVER`` if not yet."""

    def __init__(self, worlds: int) -> None:
        self.first = np.full((len(EVENTS), worlds), NEVER, dtype=np.int16)
        self.month = 0

    def record(self, event: str, happened: np.ndarray) -> None:
        """Note that ``event`` happened this month where ``happened`` is true."""
        row = self.first[EVENT_INDEX[event]]
        row[happened & (row == NEVER)] = self.month

    def record_at(self, event: str, worlds: np.ndarray) -> None:
        """Note that ``event`` happened this month in ``worlds`` (indices): cheaper when they are few."""
        row = self.first[EVENT_INDEX[event]]
        row[worlds[row[worlds] == NEVER]] = self.month

    def happened(self, event: str) -> np.ndarray:
        """Where ``event`` has happened by now."""
        return self.first[EVENT_INDEX[event]] != NEVER
