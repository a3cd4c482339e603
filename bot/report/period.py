"""The span a review covers: a month (`2026-11`), a quarter (`2026-Q4`) or dates (`START..END`).

Days are the organisation's local days, so November is November in its own time zone; the
end date of a range is included, as people mean it ("1 to 15 October"). Each span knows the
one before it of the same length, which the review compares against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.contract.bank import period_of
from bot.errors import TandemError

EARLIEST = date(2000, 1, 1)
LONGEST = timedelta(days=366)
USAGE = "write a month as 2026-11, a quarter as 2026-Q4, or dates as 2026-10-01..2026-12-31"
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class ReviewPeriod:
    """Local days [start, end): `end` is the day after the last day."""

    start: date
    end: date
    kind: str  # month | quarter | range

    @property
    def label(self) -> str:
        if self.kind in ("month", "quarter"):
            return period_of(self.start, self.kind).label
        last = self.end - timedelta(days=1)
        return f"{self.start:%-d %b %Y} to {last:%-d %b %Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> ReviewPeriod:
        """The period just before: the previous month or quarter, or as many days before a range."""
        if self.kind in ("month", "quarter"):
            before = period_of(self.start - timedelta(days=1), self.kind)
            return ReviewPeriod(before.start, before.end, self.kind)
        return ReviewPeriod(self.start - timedelta(days=self.days), self.start, "range")

    def months(self) -> list[ReviewPeriod]:
        """The calendar months the period touches, each clipped to the period."""
        out, day = [], self.start
        while day < self.end:
            month = period_of(day, "month")
            out.append(ReviewPeriod(day, min(month.end, self.end), "month" if day == month.start else "range"))
            day = month.end
        return out

    def instants(self, timezone: str) -> tuple[datetime, datetime]:
        """The period as UTC instants from local midnight to local midnight."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.start, time(), zone).astimezone(UTC)
        return start, datetime.combine(self.end, time(), zone).astimezone(UTC)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end


def parse_period(text: str, today: date) -> ReviewPeriod:
    """`2026-11`, `2026-Q4` (or `Q4 2026`), `START..END`; empty: the last complete month.
    `last` and `this` name the previous and the current month."""
    words = text.strip().lower()
    if words in ("", "last", "last month"):
        return _last_month(today)
    if words in ("this", "this month"):
        month = period_of(today, "month")
        return ReviewPeriod(month.start, month.end, "month")
    if ".." in words:
        return _range(text.strip())
    if match := _MONTH.fullmatch(words):
        year, month_number = int(match.group(1)), int(match.group(2))
        if not 1 <= month_number <= 12:
            raise TandemError(f"'{text.strip()}' has no month {month_number}: {USAGE}.")
        return _checked(text, _of(date(year, month_number, 1), "month"))
    if match := _QUARTER.fullmatch(words):
        year = int(match.group(1) or match.group(4))
        quarter = int(match.group(2) or match.group(3))
        return _checked(text, _of(date(year, (quarter - 1) * 3 + 1, 1), "quarter"))
    raise TandemError(f"'{text.strip()}' is not a period I can read: {USAGE}.")


def _of(day: date, per: str) -> ReviewPeriod:
    found = period_of(day, per)
    return ReviewPeriod(found.start, found.end, per)


def _last_month(today: date) -> ReviewPeriod:
    return _of(period_of(today, "month").start - timedelta(days=1), "month")


def _range(text: str) -> ReviewPeriod:
    first, _, last = text.partition("..")
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError as exc:
        raise TandemError(f"'{text}' is not a range of dates: {USAGE}.") from exc
    if end < start:
        raise TandemError(f"'{text}' ends before it starts: put the earlier date first, e.g. {end}..{start}.")
    return _checked(text, ReviewPeriod(start, end + timedelta(days=1), "range"))


def _checked(text: str, period: ReviewPeriod) -> ReviewPeriod:
    if period.start < EARLIEST:
        raise TandemError(f"'{text.strip()}' is before {EARLIEST.year}: give a later period.")
    if period.end - period.start > LONGEST:
        raise TandemError(f"'{text.strip()}' is longer than a year: review at most a year at a time.")
    return period
