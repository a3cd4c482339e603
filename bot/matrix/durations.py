"""Durations and percentages as the matrix file writes them: `15m`, `4h`, `3d`, `75%`.

A day is deliberately not a fixed `timedelta`: on a 24x7 clock it is 24 hours, on a
business-hours clock it is one working day, so the caller supplies the day's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$", re.IGNORECASE)
_PERCENT = re.compile(r"^\s*(\d{1,3})\s*%\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True, order=True)
class Duration:
    amount: int
    unit: str  # "m", "h" or "d"

    @classmethod
    def parse(cls, text: object) -> Duration:
        """Parse `15m`, `4h` or `3d`; raise ValueError saying what is accepted."""
        match = _DURATION.match(str(text))
        if not match or int(match.group(1)) <= 0:
            raise ValueError(
                f"{text!r} is not a duration: write a positive whole number and m, h or d, e.g. 15m, 4h, 3d"
            )
        return cls(int(match.group(1)), match.group(2).lower())

    @property
    def text(self) -> str:
        return f"{self.amount}{self.unit}"

    def to_timedelta(self, day: timedelta = timedelta(hours=24)) -> timedelta:
        """The length of this duration, where one `d` lasts `day`."""
        if self.unit == "m":
            return timedelta(minutes=self.amount)
        if self.unit == "h":
            return timedelta(hours=self.amount)
        return day * self.amount

    def describe(self) -> str:
        word = UNITS[self.unit]
        return f"{self.amount} {word[:-1] if self.amount == 1 else word}"


def parse_percent(text: object) -> int:
    """Parse `75%` (or a bare 75) into 75; raise ValueError outside 1–100."""
    raw = str(text)
    match = _PERCENT.match(raw) or re.match(r"^\s*(\d{1,3})\s*$", raw)
    if not match or not 1 <= int(match.group(1)) <= 100:
        raise ValueError(f"{text!r} is not a percentage: write a whole number from 1 to 100 followed by %, e.g. 75%")
    return int(match.group(1))
