"""Time, injected.

Every SLA, duty and cadence decision takes "now" from a `Clock` handed in by the caller,
never from `datetime.now()`, so tests can set the time to the minute, in any time zone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until told otherwise: for tests, `tick --at` and the console."""

    at: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.at.astimezone(UTC)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta


class Stopwatch(Protocol):
    """Elapsed real time, for what must really wait (posts paced a second apart per channel):
    the domain's "now" may stand still (tests, `tick --at`, the console) while Slack counts."""

    def elapsed(self) -> float:
        """Seconds since an arbitrary fixed start, never going back."""

    def wait(self, seconds: float) -> None:
        """Let `seconds` pass."""


class RealStopwatch:
    def elapsed(self) -> float:
        return time.monotonic()

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)
