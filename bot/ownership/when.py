"""Reading when leave starts and ends, as people write it: `2026-12-24 17:00`, `24 Dec`,
`today`, `tomorrow`, `friday`, `next monday`, `in 3 days`, each with an optional time.

Pure and on the organisation's wall clock: the service turns a `When` into an instant in
its time zone. The words are read the way a colleague would read them:
* a weekday is the next one after today (`friday` said on a Friday is a week away), or, for
  the end of leave that starts on a given day, the first one on or after that day, so
  `from monday until friday` is one working week;
* `next monday` is the Monday of next week (said on a Wednesday: in five days);
* a date without a year that has passed this year is next year's (`5 Jan` said in December);
* a day without a time starts at midnight and ends at the end of that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil import parser as dateparser

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(
    r"^(?:at\s+)?(?:(?P<h>[01]?\d|2[0-3])[:.h](?P<m>[0-5]\d)|(?P<h12>1[0-2]|0?[1-9])(?::(?P<m12>[0-5]\d))?\s*(?P<ampm>am|pm))$",
    re.IGNORECASE,
)
_IN = re.compile(r"^in\s+(?P<n>\d+|a|an|one|two|three)\s+(?P<unit>days?|weeks?)$", re.IGNORECASE)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}
USAGE = (
    "write a date such as 2026-12-24 (with a time if you like: 2026-12-24 17:00), 24 Dec, today, "
    "tomorrow, a weekday, next monday or in 3 days"
)


@dataclass(frozen=True)
class When:
    """A local day, and the local time of day when one was given."""

    day: date
    at: time | None = None


def read_when(text: str, today: date, on_or_after: date | None = None) -> When:
    """The day (and time) `text` names, seen from `today`; ValueError with a sentence if unreadable.

    `on_or_after`: read a bare weekday as the first such day on or after this date (the end of
    leave that starts then) rather than the next one after today."""
    words = re.sub(r"^(\d{4}-\d\d-\d\d)t(?=\d)", r"\1 ", text.strip().lower()).split()
    at = None
    for size in (2, 1):  # "5 pm", "17:00", "at 17:00"
        if len(words) >= size and (match := _TIME.match(" ".join(words[-size:]))):
            at, words = _clock(match), words[:-size]
            break
    phrase = " ".join(words)
    if not phrase:
        if at is None:
            raise ValueError(f"'{text.strip()}' is not a day or a time I can read: {USAGE}")
        return When(today, at)
    try:
        return When(_day(phrase, text.strip(), today, on_or_after), at)
    except OverflowError as exc:  # "in 99999999 weeks"
        raise ValueError(f"'{text.strip()}' is further ahead than any calendar: {USAGE}") from exc


def _clock(match: re.Match[str]) -> time:
    if match.group("h") is not None:
        return time(int(match.group("h")), int(match.group("m")))
    hour = int(match.group("h12")) % 12 + (12 if match.group("ampm").lower() == "pm" else 0)
    return time(hour, int(match.group("m12") or 0))


def _weekday(word: str) -> int | None:
    return next((i for i, name in enumerate(WEEKDAYS) if word in (name, name[:3])), None)


def _day(phrase: str, text: str, today: date, on_or_after: date | None) -> date:
    if phrase in ("today", "tonight"):
        return today
    if phrase == "tomorrow":
        return today + timedelta(days=1)
    if (weekday := _weekday(phrase)) is not None:
        if on_or_after is not None:
            return on_or_after + timedelta(days=(weekday - on_or_after.weekday()) % 7)
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    head, _, rest = phrase.partition(" ")
    if head == "next" and (weekday := _weekday(rest)) is not None:
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=weekday)
    if head == "next" and rest == "week":
        return today + timedelta(days=7 - today.weekday())
    if match := _IN.match(phrase):
        count = int(match.group("n")) if match.group("n").isdigit() else _NUMBERS[match.group("n")]
        return today + timedelta(days=count * (7 if match.group("unit").startswith("week") else 1))
    return _calendar_date(phrase, text, today)


def _calendar_date(phrase: str, text: str, today: date) -> date:
    """`2026-12-24`, `24 Dec`, `Dec 24 2026`, `24/12`: day first unless written year first."""
    if not re.search(r"\d", phrase):
        raise ValueError(f"'{text}' is not a date I can read: {USAGE}")
    try:
        parsed = dateparser.parse(
            phrase, default=datetime.combine(today, time()), dayfirst=not re.match(r"^\d{4}-", phrase)
        ).date()
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"'{text}' is not a date I can read: {USAGE}") from exc
    if parsed < today and not re.search(r"\d{4}", phrase):
        try:
            parsed = parsed.replace(year=parsed.year + 1)  # "5 Jan" said in December means next year
        except ValueError as exc:  # 29 Feb, and next year is not a leap year
            raise ValueError(f"'{text}' has passed this year and next year has no such day: write the year") from exc
    return parsed
