"""Leave and cover, set from Slack: `/tandem cover @who until DATE [by @whom]`."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from bot.errors import TandemError, Who, Word, Words
from bot.grammar import user_id
from bot.matrix import rights
from bot.matrix.model import Matrix
from bot.ownership.cover import LeavePeriod, find_loop
from bot.ports import Store

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FURTHEST = timedelta(days=2 * 366)  # leave recorded this far ahead at most
EARLIEST_EXPORT = date(1970, 1, 1)


def parse_until(text: str, today: date) -> date:
    """`2026-12-24`, `24 Dec`, `tomorrow`, `friday` (the next one): the last day away."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            return today + timedelta(days=(index - today.weekday()) % 7 or 7)
    try:
        parsed = dateparser.parse(
            text, default=datetime.combine(today, time()), dayfirst=not re.match(r"^\d{4}-", text)
        ).date()
    except (ValueError, OverflowError) as exc:
        raise TandemError(
            f"'{text}' is not a date I can read: write it as YYYY-MM-DD, e.g. 2026-12-24, or a weekday."
        ) from exc
    if parsed < today and not re.search(r"\d{4}", text):
        parsed = parsed.replace(year=parsed.year + 1)  # "5 Jan" said in December means next year
    if parsed > today + FURTHEST:
        raise TandemError(
            f"{parsed.isoformat()} is too far ahead: leave can be recorded up to two years ahead "
            f"(until {(today + FURTHEST).isoformat()}). Record it again nearer the time."
        )
    return parsed


def _person(matrix: Matrix, token: str | None, asker: str, what: str) -> str:
    slack_id = asker if token and token.lower() in ("me", "myself") else user_id(token or "")
    if slack_id is None:
        raise TandemError(f"Name {what} with an @-mention, e.g. @ben (or 'me').")
    if slack_id not in matrix.people:
        raise TandemError(
            Who(slack_id),
            f" is not in the matrix for {matrix.name}; only people listed on a side can be away or cover.",
        )
    return slack_id


def set_cover(
    store: Store, matrix: Matrix, asker: str, who: str, until: str, by: str | None, now: datetime
) -> LeavePeriod:
    """Record that `who` is away from now until the end of `until` (local), covered by `by`."""
    tz = ZoneInfo(matrix.timezone)
    person = _person(matrix, who, asker, "who is away")
    cover = _person(matrix, by, asker, "who covers") if by else None
    if cover == person:
        raise TandemError("Someone cannot cover for themselves: name a colleague after 'by'.")
    rights.require_leave_rights(matrix, asker, person, "record their leave")
    last_day = parse_until(until, now.astimezone(tz).date())
    if last_day < now.astimezone(tz).date():
        raise TandemError(f"{last_day.isoformat()} is in the past: give the last day they are away.")
    ends = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=tz).astimezone(ZoneInfo("UTC"))
    period = LeavePeriod(person, now, ends, cover)
    loop = find_loop(period, store.leave_overlapping(matrix.organisation, period.starts_at, period.ends_at))
    if loop:
        raise TandemError(*loop_words(loop))
    store.add_leave(matrix.organisation, period, asker, now)
    store.audit(matrix.organisation, now, asker, "cover.set", person, {"until": last_day.isoformat(), "cover": cover})
    return period


def loop_words(loop: tuple[str, ...]) -> Words:
    """`That would close a cover loop: @Alice covered by @Ben, @Ben by @Alice, …`."""
    said: list[Word] = ["That would close a cover loop: "]
    for index, person in enumerate(loop):
        said += [Who(person), " covered by " if index == 0 else " by ", Who(loop[(index + 1) % len(loop)]), ", "]
    said[-1] = (
        ", so nobody in it would be reached. Name someone outside the loop after 'by', "
        "or end one of those covers first (/tandem cover end @who)."
    )
    return tuple(said)


def parse_since(text: str, now: datetime, timezone: str, default_days: int = 90) -> datetime:
    """The start of an export window: `YYYY-MM-DD`, or `30d` (days back); the last 90 days by default."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    text = text.strip()
    days = re.fullmatch(r"(\d+)\s*d(?:ays?)?", text)
    if days and int(days.group(1)) > (today - EARLIEST_EXPORT).days:
        raise TandemError(f"'{text}' reaches back before {EARLIEST_EXPORT.year}: give fewer days, e.g. 365d.")
    if not text or days:
        day = today - timedelta(days=int(days.group(1)) if days else default_days)
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise TandemError(
                f"'{text}' is not a start date: write YYYY-MM-DD, e.g. 2026-01-01, or a number of days such as 30d."
            ) from exc
        if day < EARLIEST_EXPORT:
            raise TandemError(f"'{text}' is before {EARLIEST_EXPORT.year}: give a later start date.")
    return datetime.combine(day, time(), tzinfo=tz)
