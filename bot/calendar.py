"""Business calendars: is the business open now, and how much open time lies between two instants.

SLA clocks, duty look-ups and reminders all ask these questions, so the answers live here,
pure and exact. Opening hours are wall-clock times in the organisation's zone, so a day on
which the clocks change still opens 08:00–18:00 local. Business time is the real time that
passes while the business is open: were a clock change ever to fall inside the opening
window, that day would hold an hour more or less of business time.

Every instant is computed per working day (one opening window each), never minute by
minute, so adding or measuring months of business time costs a few hundred steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_INDEX = {name: i for names in (DAY_NAMES, _FULL_NAMES) for i, name in enumerate(names)}
_ALIASES = {
    "daily": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_ZERO = timedelta(0)


def parse_days(text: str) -> frozenset[int]:
    """Parse `mon-fri`, `mon,wed,fri`, `sat-sun`, `daily`, `weekdays`... into weekdays, 0 = Monday.

    Ranges may wrap round the weekend (`fri-mon`), since some teams work Friday to Monday.
    """
    days: set[int] = set()
    for part in str(text).strip().lower().split(","):
        part = part.strip()
        if part in _ALIASES:
            days |= _ALIASES[part]
            continue
        ends = [end.strip() for end in part.split("-")]
        if len(ends) > 2 or not all(end in _INDEX for end in ends):
            raise ValueError(
                f"{text!r} is not a set of days: write day names (mon, tue, wed, thu, fri, sat, sun), "
                "a range such as mon-fri, a list such as mon,wed,fri, or daily, weekdays or weekends"
            )
        first, last = _INDEX[ends[0]], _INDEX[ends[-1]]
        days.update((first + step) % 7 for step in range((last - first) % 7 + 1))
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    """The compact text for a set of weekdays, the way the matrix file writes it back.

    Runs of three or more days become ranges (`mon-fri`); shorter runs are listed (`sat,sun`).
    """
    ordered = sorted(set(days))
    if not ordered or ordered[0] < 0 or ordered[-1] > 6:
        raise ValueError("days must be a non-empty set of weekdays from 0 (Monday) to 6 (Sunday)")
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}" if len(run) >= 3 else ",".join(DAY_NAMES[d] for d in run)
        for run in runs
    )


def as_utc(at: datetime) -> datetime:
    """`at` in UTC; a naive datetime is refused because its instant is a guess."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone: pass a timezone-aware datetime")
    return at.astimezone(UTC)


class Calendar(Protocol):
    """What SLA clocks need from a calendar: BusinessCalendar and AlwaysOpen both fit."""

    @property
    def day_length(self) -> timedelta: ...

    def is_open(self, at: datetime) -> bool: ...

    def next_open(self, at: datetime) -> datetime: ...

    def add(self, start: datetime, span: timedelta) -> datetime: ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta: ...


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours on working weekdays in one time zone, closed on holidays."""

    timezone: str
    days: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.timezone!r} is not a time zone: use an IANA name such as Europe/London") from None
        # Accept any iterable (the matrix holds holidays as a tuple) but store frozensets, so equal
        # calendars compare and hash equal.
        object.__setattr__(self, "days", frozenset(self.days))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("business days must be a non-empty set of weekdays from 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("opening hours are local wall-clock times: give them without a time zone")
        if self.end <= self.start:
            raise ValueError("business hours must end after they start on the same day")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def day_length(self) -> timedelta:
        """The nominal length of one working day: what a `d` in an SLA target means here."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls in [start, end) local time on a working day that is not a holiday."""
        at = as_utc(at)
        window = self._window(at.astimezone(self.tz).date())
        return window is not None and window[0] <= at < window[1]

    def next_open(self, at: datetime) -> datetime:
        """`at` (in UTC) if the business is open then, else the instant it next opens."""
        at = as_utc(at)
        return next(max(opens, at) for opens, closes in self._windows(at) if at < closes)

    def add(self, start: datetime, span: timedelta) -> datetime:
        """The earliest instant (UTC) by which `span` of business time has passed since `start`.

        Earliest, so one hour from 17:00 is 18:00 the same day, not 08:00 the next morning:
        a reply at 18:00 meets a target due at 18:00. A zero span is `start` itself.
        """
        start = as_utc(start)
        if span < _ZERO:
            raise ValueError("business time cannot be negative")
        if not span:
            return start
        left, windows = span, self._windows(start)
        while True:
            opens, closes = next(windows)
            available = max(_ZERO, closes - max(opens, start))
            if left <= available:
                return max(opens, start) + left
            left -= available

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """The business time within [start, end); zero when `end` is not after `start`."""
        start, end = as_utc(start), as_utc(end)
        total = _ZERO
        if end <= start:
            return total
        windows = self._windows(start)
        while True:
            opens, closes = next(windows)
            if opens >= end:
                return total
            total += max(_ZERO, min(closes, end) - max(opens, start))

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """The opening window of a local date, in UTC, or None when closed all day.

        Local times are resolved by zoneinfo's fold=0 rule: an ambiguous time is its first
        occurrence, and a time skipped by spring-forward lands just after the gap.
        """
        if day.weekday() not in self.days or day in self.holidays:
            return None
        tz = self.tz
        return (
            datetime.combine(day, self.start, tz).astimezone(UTC),
            datetime.combine(day, self.end, tz).astimezone(UTC),
        )

    def _windows(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening windows from the local date of `since` on, without end.

        Earlier dates can be skipped: their windows close before local midnight, hence before `since`.
        """
        day = since.astimezone(self.tz).date()
        while True:
            window = self._window(day)
            if window is not None:
                yield window
            day += timedelta(days=1)


@dataclass(frozen=True)
class AlwaysOpen:
    """The 24x7 clock: always open, business time is real time, and a `d` is 24 hours."""

    @property
    def day_length(self) -> timedelta:
        return timedelta(hours=24)

    def is_open(self, at: datetime) -> bool:
        as_utc(at)
        return True

    def next_open(self, at: datetime) -> datetime:
        return as_utc(at)

    def add(self, start: datetime, span: timedelta) -> datetime:
        if span < _ZERO:
            raise ValueError("business time cannot be negative")
        return as_utc(start) + span

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(_ZERO, as_utc(end) - as_utc(start))
