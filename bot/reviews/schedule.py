"""When a recurring review falls due.

A cadence is written once in the matrix file, as an RFC 5545 RRULE or a 5-field cron
expression, and read as wall-clock time in the organisation's time zone: a 10:00 review stays
at 10:00 local across daylight-saving changes, because that is when people expect it. Local
times become instants with PEP 495 `fold=0`, which is the rule we want on both awkward days: a
time skipped by the spring-forward gap takes the offset from before the gap, so it moves
forward by the gap (01:30 becomes 02:30 BST), and a time repeated in autumn takes its first
occurrence. Pure: the caller supplies every instant and the zone; nothing here reads a clock.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from math import gcd
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter
from dateutil.rrule import rrulestr

ANCHOR = datetime(2026, 1, 1)
"""Where an RRULE without DTSTART starts. INTERVAL counts periods from the start, so a fixed
start makes a schedule mean the same thing whenever it is imported: INTERVAL=3 months is
January, April, July and October, not "every third month from whenever the file was loaded"."""

_MARGIN = timedelta(days=2)  # wider than any UTC-offset jump (Samoa skipped a whole day in 2011)
_FLOOR = datetime(1970, 1, 1)  # how far back a cron timeline looks for an earlier due time
_EXAMPLES = (
    "an RRULE such as FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE;BYHOUR=10 or a 5-field cron expression such as 0 9 * * 1"
)
_PERIODS_IN_400_YEARS = {"YEARLY": 400, "MONTHLY": 4800, "WEEKLY": 20871, "DAILY": 146097}
_DTSTART = re.compile(r"DTSTART(?:;VALUE=DATE(?:-TIME)?)?:(\d{8})(T\d{6})?")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")  # cron's numbering
_MONTHS = (
    None,
    *[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
)


class _Timeline:
    """One schedule's due times in local wall-clock time, each computed once and kept sorted.

    Every tick asks every review when it is due, but a recurrence never changes, so points are
    computed on first need and later questions are bisects. Wall-clock points do not depend on
    the zone, so organisations sharing a schedule share its timeline. `source(origin)` yields
    the points after `origin`: an RRULE is read from its own start (origin `datetime.min`); cron
    has no start, so its timeline begins just before the first question and restarts further
    back when asked about earlier times.
    """

    def __init__(self, source: Callable[[datetime], Iterator[datetime]], origin: datetime | None = None):
        self._source = source
        self._lock = threading.Lock()  # ticks and Slack handlers may ask from several threads
        self._restart(origin)

    def _restart(self, origin: datetime | None) -> None:
        self._origin: datetime | None = origin
        self._points: list[datetime] = []
        self._more = None if origin is None else self._source(origin)

    def _cover(self, at: datetime) -> None:  # compute points until one lies after `at`, or none are left
        if self._origin is None or at < self._origin:
            self._restart(at - _MARGIN)
        while self._more is not None and (not self._points or self._points[-1] <= at):
            if (point := next(self._more, None)) is None:
                self._more = None
            else:
                self._points.append(point)

    def after(self, at: datetime, inclusive: bool = False) -> datetime | None:
        with self._lock:
            self._cover(at)
            i = (bisect_left if inclusive else bisect_right)(self._points, at)
            return self._points[i] if i < len(self._points) else None

    def before(self, at: datetime, inclusive: bool = False) -> datetime | None:
        with self._lock:
            self._cover(at)
            while (
                (i := (bisect_right if inclusive else bisect_left)(self._points, at) - 1) < 0
                and (origin := self._origin) is not None
                and origin > _FLOOR
            ):
                self._restart(origin - min(2 * (at - origin), origin - _FLOOR))
                self._cover(at)
            return self._points[i] if i >= 0 else None

    def walk(self, at: datetime, forward: bool = True) -> Iterator[datetime]:
        """The points from `at` (inclusive) onwards, or backwards."""
        step = self.after if forward else self.before
        point = step(at, inclusive=True)
        while point is not None:
            yield point
            point = step(point)


class _Compiled(NamedTuple):
    timeline: _Timeline
    describe: Callable[[], str]


@dataclass(frozen=True)
class Schedule:
    """A review cadence; build it with `parse_schedule`, which says what is wrong with bad text."""

    text: str  # as written in the matrix file
    _compiled: _Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise ValueError(f"{self.text!r} is not a schedule: write {_EXAMPLES}.")
        object.__setattr__(self, "_compiled", _compile(self.text))

    def __reduce__(self):  # copy and pickle by text: the compiled timeline holds a lock
        return (Schedule, (self.text,))

    def occurrences(self, start: datetime, end: datetime, tz: str) -> list[datetime]:
        """Due instants in [start, end), in UTC."""
        zone, found = _zone(tz), list[datetime]()
        stop = _local(end, zone) + _MARGIN
        for point in self._compiled.timeline.walk(_local(start, zone) - _MARGIN):
            if point > stop:
                break
            at = _instant(point, zone)
            if start <= at < end and (not found or at > found[-1]):  # a skipped day can repeat an instant
                found.append(at)
        return found

    def next_after(self, after: datetime, tz: str) -> datetime | None:
        """The first due instant strictly after `after`, or None when the schedule has ended."""
        zone = _zone(tz)
        points = self._compiled.timeline.walk(_local(after, zone) - _MARGIN)
        return next((due for point in points if (due := _instant(point, zone)) > after), None)

    def last_at_or_before(self, at: datetime, tz: str) -> datetime | None:
        """The latest due instant at or before `at`, or None before the first."""
        zone = _zone(tz)
        points = self._compiled.timeline.walk(_local(at, zone) + _MARGIN, forward=False)
        return next((due for point in points if (due := _instant(point, zone)) <= at), None)

    def describe(self) -> str:
        """Short English for people, e.g. "every 3 months on the 1st Wednesday at 10:00"."""
        try:
            return self._compiled.describe()
        except Exception:  # noqa: BLE001 - a description is a courtesy: never let it break a reply
            return self.text


def parse_schedule(text: str) -> Schedule:
    """Read an RRULE or 5-field cron expression; raise ValueError saying what is wrong and what is accepted."""
    return Schedule(text)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"{tz!r} is not an IANA time zone name such as Europe/London") from None


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    if instant.utcoffset() is None:
        raise ValueError("schedules need timezone-aware datetimes, not naive ones")
    return instant.astimezone(zone).replace(tzinfo=None)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=4096)  # room for every distinct schedule of a large provider's clients
def _compile(text: str) -> _Compiled:
    if not (body := text.strip()):
        raise ValueError(f"The schedule is empty: write {_EXAMPLES}.")
    if re.search(r"FREQ=|RRULE|DTSTART", body, re.IGNORECASE):
        return _compile_rrule(text, body.upper())
    return _compile_cron(text, body)


def _compile_rrule(text: str, body: str) -> _Compiled:
    start, dated, timed, rule = ANCHOR, False, False, None
    for line in re.split(r"\s+(?=DTSTART|RRULE)", body):
        line = "".join(line.split())
        if line.startswith("DTSTART"):
            start, dated, timed = _dtstart(line), True, "T" in line.partition(":")[2]
        elif rule is None:
            rule = line.removeprefix("RRULE:")
        else:
            raise ValueError(f"{text!r} has more than one rule: write one RRULE, optionally after a DTSTART line.")
    parts = dict(part.partition("=")[::2] for part in (rule or "").split(";") if part)
    freq, interval = parts.get("FREQ"), parts.get("INTERVAL", "1")
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise ValueError(
            f"FREQ={freq} is too frequent: a review falls due at most once a day, so use DAILY, WEEKLY, MONTHLY or YEARLY."
        )
    if freq not in _PERIODS_IN_400_YEARS:
        raise ValueError(f"{text!r} needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY: write {_EXAMPLES}.")
    if not interval.isdigit() or int(interval) < 1:
        raise ValueError(f"INTERVAL={interval} is not a whole number of periods: write e.g. INTERVAL=3.")
    for key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if "," in parts.get(key, ""):
            raise ValueError(
                f"{key}={parts[key]} makes the review fall due more than once a day: give one value, e.g. {key}=10."
            )
    if parts.get("UNTIL", "").endswith("Z"):
        raise ValueError(
            f"UNTIL={parts['UNTIL']} is in UTC, but the rule is read in the organisation's time zone: drop the Z."
        )
    if not timed:  # a review with no stated time falls due at the start of the working day
        parts.setdefault("BYHOUR", "9")
        parts.setdefault("BYMINUTE", "0")
    try:
        recurrence = rrulestr(";".join(f"{key}={value}" for key, value in parts.items()), dtstart=start)
    except (ValueError, TypeError, OverflowError) as err:
        raise ValueError(
            f"{text!r} is not a valid RRULE ({err}): write e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE;BYHOUR=10."
        ) from None
    if not _ever_due(recurrence, start, freq, int(interval)):
        raise ValueError(
            f"{text!r} never falls due: no date matches all of its BY... parts (e.g. BYMONTH=2;BYMONTHDAY=30), "
            "or INTERVAL always steps over the dates that do."
        )
    return _Compiled(
        _Timeline(lambda _origin: iter(recurrence), datetime.min), lambda: _describe_rrule(parts, start, dated)
    )


def _dtstart(line: str) -> datetime:
    try:
        match = _DTSTART.fullmatch(line)
        if match is None:
            raise ValueError(line)
        return datetime.strptime("".join(match.groups("T000000")), "%Y%m%dT%H%M%S")
    except (AttributeError, ValueError):  # no match, or no such date
        raise ValueError(
            f"{line} is not a start Tandem reads: write DTSTART:20260107T100000, a local time "
            "in the organisation's time zone, without Z or TZID."
        ) from None


def _ever_due(recurrence, start: datetime, freq: str, interval: int) -> bool:
    """Whether an RRULE produces any date at all.

    dateutil gives up on an impossible rule (30 February) only at year 9999, which can take
    seconds, so ask a copy moved to 400-800 years before that limit: it finds the same dates
    shifted, or gives up quickly. The Gregorian calendar repeats every 400 years and the move
    is a whole number of INTERVALs, so the copy is exact; where no such move fits, the copy
    runs at INTERVAL=1, which falls due at least as often.
    """
    step = interval // gcd(interval, _PERIODS_IN_400_YEARS[freq])  # 400-year moves keeping the phase
    room = max(0, 9999 - 400 - start.year) // 400
    if room < step:
        step, interval = 1, 1
    shifted = start.replace(year=start.year + 400 * (room - room % step))
    probe = recurrence.replace(dtstart=shifted, interval=interval, count=None, until=None)
    return next(iter(probe), None) is not None


def _compile_cron(text: str, body: str) -> _Compiled:
    if len(fields := body.split()) != 5:
        raise ValueError(
            f"{text!r} is not a schedule: write {_EXAMPLES}. A cron expression has exactly 5 fields "
            f"(minute hour day-of-month month day-of-week); this has {len(fields)}."
        )
    expression = " ".join(fields)
    try:
        cron = croniter(expression, ANCHOR)
    except ValueError as err:
        raise ValueError(
            f"{text!r} is not a valid cron expression ({err}): write e.g. 0 9 * * 1 for Mondays at 09:00."
        ) from None
    minute, hour = cron.expanded[:2]
    if len(minute) != 1 or len(hour) != 1 or "*" in minute + hour:
        raise ValueError(f"{text!r} falls due more than once a day: give one minute and one hour, e.g. 0 9 * * 1.")
    try:
        cron.get_next(datetime)
    except CroniterError:
        raise ValueError(f"{text!r} never falls due: no date matches its day-of-month and month.") from None
    timeline = _Timeline(lambda origin: croniter(expression, origin).all_next(datetime))
    return _Compiled(timeline, lambda: _describe_cron(cron.expanded, cron.nth_weekday_of_month))


def _describe_rrule(parts: dict[str, str], start: datetime, dated: bool) -> str:
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    months = [int(m) for m in parts.get("BYMONTH", "").split(",") if m]
    monthdays = [_monthday(int(d)) for d in parts.get("BYMONTHDAY", "").split(",") if d]
    weekdays = [_rrule_day(d) for d in parts.get("BYDAY", "").split(",") if d]
    if not any(key in parts for key in ("BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO")):
        if freq == "WEEKLY":  # dateutil's defaults: the start's weekday, day of month and month
            weekdays = [_DAYS[(start.weekday() + 1) % 7]]
        elif freq != "DAILY":
            monthdays, months = [_monthday(start.day)], months or ([start.month] if freq == "YEARLY" else [])
    unit, until = {"YEARLY": "year", "MONTHLY": "month", "WEEKLY": "week", "DAILY": "day"}[freq], parts.get("UNTIL", "")
    pieces = [
        f"every {unit}" if interval == 1 else f"every {interval} {unit}s",
        "in " + _join(_MONTHS[m] for m in months) if months else "",
        "on " + " ".join(filter(None, [_join(weekdays), _join(monthdays)])) if monthdays or weekdays else "",
        f"(position {parts['BYSETPOS']})" if "BYSETPOS" in parts else "",
        f"at {int(parts.get('BYHOUR', start.hour)):02d}:{int(parts.get('BYMINUTE', start.minute)):02d}",
        f"from {start:%Y-%m-%d}" if dated else "",
        f"for {parts['COUNT']} times" if "COUNT" in parts else "",
        f"until {until[:4]}-{until[4:6]}-{until[6:8]}" if until else "",
    ]
    return " ".join(p for p in pieces if p)


def _describe_cron(expanded: list, nth: dict) -> str:
    minute, hour, monthdays, months, weekdays = expanded
    days = [_monthday(-1 if d == "l" else d) for d in monthdays if d != "*"]
    days += [f"the {_ordinal(-1 if n == 'l' else n)} {_DAYS[d]}" for d in nth for n in sorted(nth[d], key=str)]
    plain = [_DAYS[d] for d in weekdays if d != "*" and d not in nth]
    # with both day fields restricted, cron falls due on either
    when = f"on {_join(days + plain, ' or ')}" if days else f"every {_join(plain)}" if plain else "every day"
    return " ".join(
        filter(
            None,
            [when, months != ["*"] and "in " + _join(_MONTHS[m] for m in months), f"at {hour[0]:02d}:{minute[0]:02d}"],
        )
    )


def _rrule_day(token: str) -> str:
    match = re.fullmatch(r"([+-]?\d*)(MO|TU|WE|TH|FR|SA|SU)", token)
    if match is None:  # the loader checked BYDAY already; this is only a description
        return token
    number, code = match.groups()
    name = _DAYS["SUMOTUWETHFRSA".index(code) // 2]
    return f"the {_ordinal(int(number))} {name}" if number else name


def _monthday(day: int) -> str:
    return "the last day" if day == -1 else f"the {_ordinal(day)}" + (" day" if day < 0 else "")


def _ordinal(n: int) -> str:
    if n < 0:
        return "last" if n == -1 else f"{_ordinal(-n)} last"
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _join(items, last: str = " and ") -> str:
    items = list(items)
    return ", ".join(items[:-1]) + last + items[-1] if len(items) > 1 else "".join(items)
