"""Calendar months, the model's unit of time, written ``YYYY-MM``."""

import re
from dataclasses import dataclass
from typing import Self

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read ``YYYY-MM``; raise ``ValueError`` on anything else."""
        match = _MONTH.match(str(text).strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"{text!r} is not a month written YYYY-MM")
        return cls(int(match[1]), int(match[2]))

    @property
    def ordinal(self) -> int:
        """Months since year 0, so that differences count months."""
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> "Month":
        """The month ``months`` later."""
        year, month0 = divmod(self.ordinal + months, 12)
        return Month(year, month0 + 1)

    def minus(self, other: "Month") -> int:
        """Number of months from ``other`` to this month."""
        return self.ordinal - other.ordinal

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_labels(start: Month, count: int) -> list[str]:
    """The ``count`` month labels from ``start`` on."""
    return [str(start.plus(i)) for i in range(count)]
