"""Business calendars: is the business open now, and how much open time lies between two instants.

SLA clocks, duty look-ups and reminders all ask these questions, so the answers live here,
pure and exact. Opening hours are wall-clock times in the organisation's zone, so a day on
which the clocks change still opens 08:00–18:00 local. Business time is the real time that
passes while the business is open: were a clock change ever to fall inside the opening
window, that day would hold an hour more or less of business time.

Every instant is computed per opening window (a day may have several), never minute by
minute. The windows of the dates asked about are laid out once, with the business time
before each, so adding or measuring any span is two binary searches (a report measures a
hundred thousand clocks).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
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
    if at.tzinfo is UTC:
        return at
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


Opening = tuple[frozenset[int], time, time]  # weekdays (0 = Monday), opens, closes: one line of a week's hours


def format_week(openings: Iterable[Opening]) -> str:
    """`mon-fri 08:00–18:00, sat 09:00–13:00`: a week's hours for people to read."""
    return ", ".join(f"{format_days(days)} {start:%H:%M}–{end:%H:%M}" for days, start, end in openings)


def _check_opening(days: frozenset[int], start: time, end: time) -> None:
    if not days or not days <= frozenset(range(7)):
        raise ValueError("business days must be a non-empty set of weekdays from 0 (Monday) to 6 (Sunday)")
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError("opening hours are local wall-clock times: give them without a time zone")
    if end <= start:
        raise ValueError("business hours must end after they start on the same day")


def week_of(openings: Iterable[Opening]) -> tuple[tuple[tuple[time, time], ...], ...]:
    """Each weekday's opening windows, in order; ValueError when two of one day's overlap."""
    week: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for days, start, end in openings:
        _check_opening(frozenset(days), start, end)
        for day in days:
            week[day].append((start, end))
    for day, windows in enumerate(week):
        windows.sort()
        for (_, closes), (opens, _) in itertools.pairwise(windows):
            if opens < closes:
                raise ValueError(
                    f"the business hours of {DAY_NAMES[day]} overlap ({opens:%H:%M} is before {closes:%H:%M}): "
                    "give each part of a day once"
                )
    return tuple(tuple(windows) for windows in week)


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours on working weekdays in one time zone, closed on holidays.

    `days`, `start` and `end` are the main opening; `more` holds any others (a Saturday
    morning, the afternoon of a split day), so a day may open more than once."""

    timezone: str
    days: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date] = frozenset()
    more: tuple[Opening, ...] = ()
    _week: tuple[tuple[tuple[time, time], ...], ...] = field(init=False, repr=False, compare=False)
    _day_length: timedelta = field(init=False, repr=False, compare=False)
    # Each local date's windows once computed: a clock walks the same days again and again.
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _index: list[_Laid] = field(init=False, repr=False, compare=False, default_factory=list)  # [] or [the one]

    @classmethod
    def weekly(cls, timezone: str, openings: Iterable[Opening], holidays: Iterable[date] = ()) -> BusinessCalendar:
        """A calendar from a week's openings (the matrix's `business_hours` entries)."""
        first, *rest = openings
        return cls(timezone, first[0], first[1], first[2], frozenset(holidays), tuple(rest))

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.timezone!r} is not a time zone: use an IANA name such as Europe/London") from None
        # Accept any iterable (the matrix holds holidays as a tuple) but store frozensets, so equal
        # calendars compare and hash equal.
        object.__setattr__(self, "days", frozenset(self.days))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "more", tuple((frozenset(d), s, e) for d, s, e in self.more))
        object.__setattr__(self, "_week", week_of(((self.days, self.start, self.end), *self.more)))
        object.__setattr__(self, "_day_length", self._nominal_day())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def day_length(self) -> timedelta:
        return self._day_length

    def _nominal_day(self) -> timedelta:
        """The nominal length of one working day: what a `d` in an SLA target means here.

        With different hours on different days, it is the length most working days have (the
        longer on a tie): with mon-fri 08:00–18:00 and sat 09:00–13:00, a `d` is 10 hours."""
        lengths = [
            sum((datetime.combine(date.min, e) - datetime.combine(date.min, s) for s, e in windows), _ZERO)
            for windows in self._week
            if windows
        ]
        return max(lengths, key=lambda length: (lengths.count(length), length))

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls in an opening window, local time, on a working day that is not a holiday."""
        at = as_utc(at)
        return any(opens <= at < closes for opens, closes in self._day(at.astimezone(self.tz).date()))

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
        laid = self._index[0] if self._index and self._index[0].holds(start, start) else None
        if laid is None:
            laid = self._laid(self._date(start), self._date(start))
        target = laid.before(start) + span
        while target > laid.total:  # lay out more days until the span fits
            laid = self._laid(self._date(start), laid.last + (laid.last - laid.first))
            target = laid.before(start) + span
        i = bisect.bisect_left(laid.ends, target)
        return laid.opens[i] + (target - laid.cumulative[i])

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """The business time within [start, end); zero when `end` is not after `start`."""
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            return _ZERO
        laid = self._index[0] if self._index else None
        if laid is None or not laid.holds(start, end):
            laid = self._laid(self._date(start), self._date(end))
        return laid.before(end) - laid.before(start)

    def _date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def _laid(self, first: date, last: date) -> _Laid:
        """The windows laid out over local dates from before `first` to after `last`, reusing what is laid."""
        last += timedelta(days=1)
        laid = self._index[0] if self._index else None
        if laid is not None and laid.first <= first and last <= laid.last:
            return laid
        if laid is not None:  # grow it, so a clock walking on past it does not lay days one by one
            first, last = min(first, laid.first), max(last, laid.last)
        first, last = first - timedelta(days=7), last + timedelta(days=31)
        days = (first + timedelta(days=n) for n in range((last - first).days))
        laid = _Laid(first, last, [window for day in days for window in self._day(day)])
        self._index[:] = [laid]
        return laid

    def _day(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The opening windows of a local date, in UTC and in order; none when closed all day.

        Local times are resolved by zoneinfo's fold=0 rule: an ambiguous time is its first
        occurrence, and a time skipped by spring-forward lands just after the gap.
        """
        found = self._days.get(day)
        if found is None:
            tz = self.tz
            found = (
                ()
                if day in self.holidays
                else tuple(
                    (
                        datetime.combine(day, opens, tz).astimezone(UTC),
                        datetime.combine(day, closes, tz).astimezone(UTC),
                    )
                    for opens, closes in self._week[day.weekday()]
                )
            )
            self._days[day] = found
        return found

    def _windows(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening windows from the local date of `since` on, without end.

        Earlier dates can be skipped: their windows close before local midnight, hence before `since`.
        """
        day = since.astimezone(self.tz).date()
        while True:
            yield from self._day(day)
            day += timedelta(days=1)


class _Laid:
    """Opening windows of the local dates [first, last), in order, with the business time before each."""

    def __init__(self, first: date, last: date, windows: list[tuple[datetime, datetime]]) -> None:
        self.first, self.last = first, last
        # Instants well inside the laid dates (a day's margin for any zone's offset): the cheap check.
        self.low = datetime.combine(first + timedelta(days=1), time(), UTC)
        self.high = datetime.combine(last - timedelta(days=1), time(), UTC)
        self.opens = [opens for opens, _ in windows]
        self.closes = [closes for _, closes in windows]
        self.cumulative: list[timedelta] = []  # business time before each window
        self.ends: list[timedelta] = []  # business time by each window's close
        total = _ZERO
        for opens, closes in windows:
            self.cumulative.append(total)
            total += closes - opens
            self.ends.append(total)
        self.total = total

    def holds(self, start: datetime, end: datetime) -> bool:
        return self.low <= start and end < self.high

    def before(self, at: datetime) -> timedelta:
        """Business time from the first laid date up to `at`."""
        i = bisect.bisect_right(self.opens, at) - 1
        if i < 0:
            return _ZERO
        return self.cumulative[i] + min(at, self.closes[i]) - self.opens[i]


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
