"""When the digests fall due: the daily one each working day, the weekly one on the first working day of each ISO week.

Working days are the matrix's business days that are not holidays, and both digests post at
`digest_time` on the local wall clock, so 08:30 stays 08:30 across daylight-saving changes.
After downtime only the latest occurrence of each kind is due, and only within a week of its
time: a digest reports the present, so a week of missed dailies is worth one, not seven.
A digest caught up late waits for business hours (a bot back at 23:30 on a holiday posts
nothing into the shared channel that night), and is dropped when another of its kind falls
later that same day: two digests half an hour apart would say the same twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.matrix.model import Matrix

KINDS = ("daily", "weekly")
CATCH_UP = timedelta(days=7)
LATE = timedelta(minutes=15)  # a digest posted later than this after its time is a catch-up


@dataclass(frozen=True)
class DigestOccurrence:
    key: str  # f"digest:{org}:daily:{local date}" or f"digest:{org}:weekly:{iso year}-W{week:02d}"
    kind: str  # "daily" | "weekly"
    at: datetime  # UTC


def due_digests(matrix: Matrix, now: datetime, posted_keys: frozenset[str] = frozenset()) -> list[DigestOccurrence]:
    """For each kind, its latest occurrence at or before `now` (and at most a week old), unless already posted."""
    now = as_utc(now)
    today = now.astimezone(ZoneInfo(matrix.timezone)).date()
    latest: dict[str, DigestOccurrence] = {}
    for back in range(CATCH_UP.days + 1):
        for occurrence in _occurrences(matrix, today - timedelta(days=back)):
            if occurrence.at <= now and now - occurrence.at <= CATCH_UP:
                latest.setdefault(occurrence.kind, occurrence)
    return [
        latest[kind]
        for kind in KINDS
        if kind in latest and latest[kind].key not in posted_keys and not _waits(matrix, latest[kind], now, today)
    ]


def _waits(matrix: Matrix, occurrence: DigestOccurrence, now: datetime, today: date) -> bool:
    """A late digest is not due outside business hours, nor when another of its kind comes later today."""
    if now - occurrence.at <= LATE:
        return False
    if not matrix.calendar.is_open(now):
        return True
    return any(o.kind == occurrence.kind and o.at > now for o in _occurrences(matrix, today))


def next_digest_at(matrix: Matrix, after: datetime) -> datetime:
    """The first digest time of either kind strictly after `after` (weekly ones fall on daily times),
    or the business's next opening when that comes first: a catch-up held for business hours is
    looked at again then."""
    after = as_utc(after)
    day = after.astimezone(ZoneInfo(matrix.timezone)).date()
    while not (_working(matrix, day) and _at(matrix, day) > after):  # holidays are finite, so this ends
        day += timedelta(days=1)
    opens = matrix.calendar.next_open(after)
    return min(_at(matrix, day), opens) if opens > after else _at(matrix, day)


def _working(matrix: Matrix, day: date) -> bool:
    return day.weekday() in matrix.working_days and day not in matrix.holidays


def _occurrences(matrix: Matrix, day: date) -> list[DigestOccurrence]:
    """The digests that fall on the local date `day`: none, the daily, or the daily and the weekly."""
    if not _working(matrix, day):
        return []
    at, org = _at(matrix, day), matrix.organisation
    found = [DigestOccurrence(f"digest:{org}:daily:{day.isoformat()}", "daily", at)]
    monday = day - timedelta(days=day.weekday())
    if next(d for d in (monday + timedelta(days=i) for i in range(7)) if _working(matrix, d)) == day:
        year, week, _ = day.isocalendar()
        found.append(DigestOccurrence(f"digest:{org}:weekly:{year}-W{week:02d}", "weekly", at))
    return found


def _at(matrix: Matrix, day: date) -> datetime:
    return datetime.combine(day, matrix.digest_time, ZoneInfo(matrix.timezone)).astimezone(UTC)
