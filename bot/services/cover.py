"""Leave and cover, managed from Slack: `/tandem cover @who [from WHEN] until WHEN [by @whom]`,
`/tandem cover list` and `/tandem cover end @who`. Every change is an audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import TandemError, Who, Word, Words
from bot.grammar import user_id
from bot.matrix import rights
from bot.matrix.model import Matrix
from bot.ownership.cover import Absences, LeavePeriod, StandIn, find_loop
from bot.ownership.when import When, read_when
from bot.ports import Store

FURTHEST = timedelta(days=2 * 366)  # leave recorded this far ahead at most
EARLIEST_EXPORT = date(1970, 1, 1)


@dataclass(frozen=True)
class Booked:
    """Leave as `/tandem cover list` shows it: the booking and, while it runs, who stands in now."""

    period: LeavePeriod
    stand_in: StandIn | None  # for leave under way: the cover chain followed now


@dataclass(frozen=True)
class Ended:
    """What `/tandem cover end` did: ended leave under way now, or cancelled leave ahead."""

    period: LeavePeriod
    cancelled: bool
    still_booked: tuple[LeavePeriod, ...]  # the person's other leave ahead


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


def _instant(when: When, zone: ZoneInfo, end: bool) -> datetime:
    """A local day's start (or, for the end of leave, the end of the day); a given time exactly."""
    if when.at is not None:
        return datetime.combine(when.day, when.at, tzinfo=zone).astimezone(UTC)
    day = when.day + timedelta(days=1) if end else when.day
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _read(text: str, today: date, on_or_after: date | None = None) -> When:
    try:
        return read_when(text, today, on_or_after)
    except ValueError as exc:
        raise TandemError(str(exc)) from exc


def leave_period(
    matrix: Matrix, person: str, start: str | None, until: str, cover: str | None, now: datetime
) -> LeavePeriod:
    """The period `from START until UNTIL` names, or a sentence saying what is wrong with it.

    No start, or `from now`: from now. A start today without a time: from now. A start that is
    already past is refused, as is an end not after the start or more than two years ahead."""
    if start is not None and start.strip().lower() in ("now", "right now"):
        start = None
    zone = ZoneInfo(matrix.timezone)
    today = now.astimezone(zone).date()
    begins = _read(start, today) if start else When(today)
    if begins.day < today or (begins.at is not None and _instant(begins, zone, False) < now - timedelta(minutes=5)):
        raise TandemError(
            f"'from {start}' is in the past: leave can start now at the earliest; leave out 'from' to start it now."
        )
    ends = _read(until, today, begins.day if start else None)
    for when in (begins, ends):
        if when.day > today + FURTHEST:
            raise TandemError(
                f"{when.day.isoformat()} is too far ahead: leave can be recorded up to two years ahead "
                f"(until {(today + FURTHEST).isoformat()}). Record it again nearer the time."
            )
    starts_at = max(now, _instant(begins, zone, False))
    ends_at = _instant(ends, zone, True)
    if ends_at <= now:
        raise TandemError(f"'until {until}' is in the past: give the last day they are away, or a time still to come.")
    if ends_at <= starts_at:
        raise TandemError(f"'until {until}' is before 'from {start}': the leave must end after it starts.")
    return LeavePeriod(person, starts_at, ends_at, cover)


def set_cover(
    store: Store,
    matrix: Matrix,
    asker: str,
    who: str,
    until: str,
    by: str | None,
    now: datetime,
    start: str | None = None,
) -> LeavePeriod:
    """Book leave for `who` (from now, or from `start`) until `until`, covered by `by`."""
    person = _person(matrix, who, asker, "who is away")
    cover = _person(matrix, by, asker, "who covers") if by else None
    if cover == person:
        raise TandemError("Someone cannot cover for themselves: name a colleague after 'by'.")
    rights.require_leave_rights(matrix, asker, person, "record their leave")
    period = leave_period(matrix, person, start, until, cover, now)
    booked = store.leave_overlapping(matrix.organisation, period.starts_at, period.ends_at)
    clash = next((p for p in booked if p.person == person), None)
    if clash is not None:
        raise TandemError(
            Who(person),
            " already has leave booked that overlaps this one: ",
            *_period_words(clash, matrix.timezone),
            ". End or cancel it first with /tandem cover end @who, then book again.",
        )
    loop = find_loop(period, booked)
    if loop:
        raise TandemError(*loop_words(loop))
    period = replace(period, id=store.add_leave(matrix.organisation, period, asker, now))
    store.audit(
        matrix.organisation,
        now,
        asker,
        "cover.set",
        person,
        {"from": period.starts_at.isoformat(), "until": period.ends_at.isoformat(), "cover": cover},
    )
    return period


def booked(store: Store, matrix: Matrix, now: datetime) -> list[Booked]:
    """Leave under way now and leave ahead, by start, with who stands in now for leave under way."""
    periods = store.leave_overlapping(matrix.organisation, now)
    absences = Absences(periods, now)
    return [Booked(p, absences.explain(p.person) if p.covers(now) else None) for p in periods]


def end_cover(store: Store, matrix: Matrix, asker: str, who: str, now: datetime) -> Ended:
    """End `who`'s leave under way now, or else cancel their next leave ahead."""
    person = _person(matrix, who, asker, "whose leave ends")
    rights.require_leave_rights(matrix, asker, person, "end their leave")
    theirs = [p for p in store.leave_overlapping(matrix.organisation, now) if p.person == person]
    if not theirs:
        raise TandemError(Who(person), " has no leave under way or booked ahead: /tandem cover list shows who is away.")
    period, rest = theirs[0], tuple(theirs[1:])
    if period.id is None:
        raise ValueError("stored leave always has an id")
    cancelled = not period.covers(now)
    if cancelled:
        store.cancel_leave(matrix.organisation, period.id)
    else:
        store.end_leave(matrix.organisation, period.id, now)
    store.audit(
        matrix.organisation,
        now,
        asker,
        "cover.cancel" if cancelled else "cover.end",
        person,
        {"from": period.starts_at.isoformat(), "until": period.ends_at.isoformat(), "cover": period.cover},
    )
    return Ended(period, cancelled, rest)


def _period_words(period: LeavePeriod, timezone: str) -> Words:
    zone = ZoneInfo(timezone)
    starts, ends = period.starts_at.astimezone(zone), period.ends_at.astimezone(zone)
    return (f"{starts:%a %d %b %Y %H:%M} to {ends:%a %d %b %Y %H:%M}",)


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
