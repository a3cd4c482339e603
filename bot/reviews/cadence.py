"""Where each recurring review stands: what to post now, when to look again, what `/tandem done` completes.

One cycle of a review, due at D, passes through stages: `remind` (D minus remind_before, when
set), `due` (D), `overdue` (D plus one day) and `escalate` (D plus grace, 3 days unless the
matrix says otherwise; with a grace of a day or less the escalation replaces the overdue
post). Days are counted on the local wall clock, like the schedule itself, so a 14:00 review
is reminded and escalated at 14:00 even across a daylight-saving change; hours are exact.
A stage that falls outside business hours (a weekend, a holiday, the evening) begins at the next
opening instead: a review is work for working hours, so its reminder for a Monday review, or
its escalation three days after a Thursday, pings nobody on the Sunday. A review due when the
business is closed counts its overdue day and its grace from the opening that announces it, so
the owner is told before anyone is escalated to. A stage caught up while the business is closed
(the bot was down at the opening it was due) waits for the next opening too: a late escalation
is no reason to ping anyone at 23:30 on Christmas Day.

Only the latest cycle due so far matters: once the next one falls due, an older one left
undone is superseded rather than nagged about twice. After downtime only the highest stage
reached is returned, so a tick that missed the due post of a review now overdue posts just the
overdue one. Completed cycles are given as the set of their due instants; marking an upcoming
cycle done early silences its reminder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from heapq import merge
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.matrix.durations import Duration
from bot.matrix.model import Matrix, Review
from bot.reviews.schedule import parse_schedule

DEFAULT_GRACE = Duration(3, "d")
_ONE_DAY = Duration(1, "d")


@dataclass(frozen=True)
class ReviewOccurrence:
    key: str  # f"review:{org}:{review_key}:{due_at:%Y%m%dT%H%M}:{stage}", claimed once in the database
    review_key: str
    due_at: datetime  # D of the cycle, UTC
    stage: str  # remind | due | overdue | escalate


@dataclass(frozen=True)
class ReviewStatus:
    review: Review
    due_at: datetime  # UTC
    state: str  # "overdue" | "due" (falls due today, local) | "upcoming"


def due_occurrence(
    matrix: Matrix, review: Review, completed: frozenset[datetime], now: datetime
) -> ReviewOccurrence | None:
    """The highest stage reached at `now` of the cycle that matters now, or None.

    That is the latest cycle due at or before `now` if it is not completed (None while its due
    post waits for business hours); otherwise the reminder of the next cycle once its reminder
    time has come and it is not done already. Every stage begins at an opening, so while the
    business is closed nothing is returned: what was missed waits for the next opening.
    """
    now = as_utc(now)
    if not matrix.calendar.is_open(now):
        return None
    schedule, tz = parse_schedule(review.schedule), matrix.timezone
    latest = schedule.last_at_or_before(now, tz)
    if latest is not None and latest not in completed:
        begun = [name for name, at in _stages(matrix, review, latest) if at <= now]  # none: waits for the opening
        return _occurrence(matrix, review, latest, begun[-1]) if begun else None
    upcoming = schedule.next_after(now, tz)
    if upcoming is None or upcoming in completed or review.remind_before is None:
        return None
    if now >= _reminder(matrix, review, upcoming):
        return _occurrence(matrix, review, upcoming, "remind")
    return None


def next_at(matrix: Matrix, review: Review, completed: frozenset[datetime], after: datetime) -> datetime | None:
    """The earliest instant after `after` at which `due_occurrence` returns something new, or None.

    None only when the schedule has ended and nothing more can fall due.
    """
    after = as_utc(after)
    current = due_occurrence(matrix, review, completed, after)
    points: Iterator[datetime] = _change_points(matrix, review, after)
    if not matrix.calendar.is_open(after):  # what a closed spell holds back comes at the opening
        points = merge([matrix.calendar.next_open(after)], points)
    for at in points:
        found = due_occurrence(matrix, review, completed, at)
        if found is not None and found != current:
            return at
    return None


def current_cycle(matrix: Matrix, review: Review, completed: frozenset[datetime], now: datetime) -> datetime | None:
    """The due instant `/tandem done` completes at `now`: the latest cycle due so far if it is
    not completed, else the next one (done early). None when the schedule has no such cycle."""
    now = as_utc(now)
    schedule = parse_schedule(review.schedule)
    latest = schedule.last_at_or_before(now, matrix.timezone)
    if latest is not None and latest not in completed:
        return latest
    return schedule.next_after(now, matrix.timezone)


@dataclass(frozen=True)
class Completed:
    """One cycle's completion: who marked it done, when, and the evidence given (all of it)."""

    due_at: datetime
    done_at: datetime
    done_by: str
    evidence: str


def cycle_to_complete(
    matrix: Matrix, review: Review, recorded: frozenset[datetime], settled: frozenset[datetime], now: datetime
) -> tuple[datetime | None, datetime | None]:
    """What `/tandem done` completes at `now`: (the cycle to complete, or the finished cycle it
    would repeat). At most one is set; both are None when nothing has fallen due yet.

    The cycle due or overdue now (the latest due so far); once that one is done, the next only
    inside its `remind_before` window, never a later one. `recorded`: the cycles marked done;
    `settled`: those due before Tandem scheduled the review, never announced, which a `done`
    still completes unless the next cycle's window is open."""
    now = as_utc(now)
    schedule, tz = parse_schedule(review.schedule), matrix.timezone
    latest = schedule.last_at_or_before(now, tz)
    if latest is not None and latest not in recorded and latest not in settled:
        return latest, None
    upcoming = schedule.next_after(now, tz)
    if (
        upcoming is not None
        and review.remind_before is not None
        and now >= _shift(upcoming, review.remind_before, tz, -1)
    ):
        return (None, upcoming) if upcoming in recorded else (upcoming, None)
    if latest is not None and latest not in recorded:
        return latest, None
    return None, latest


def window_opens(matrix: Matrix, review: Review, due_at: datetime) -> datetime | None:
    """When the cycle due at `due_at` is reminded, and `done` starts taking it early; None
    without `remind_before` (then only once it is due)."""
    return _shift(due_at, review.remind_before, matrix.timezone, -1) if review.remind_before else None


def review_statuses(
    matrix: Matrix,
    completed_by_review: dict[str, frozenset[datetime]],
    now: datetime,
    horizon: timedelta = timedelta(days=7),
) -> list[ReviewStatus]:
    """Each review's current cycle, when it is overdue, due today or due within `horizon`.

    Overdue first (oldest first), then by due time. A cycle due earlier today is "due", not
    yet "overdue": that begins the next local day.
    """
    now = as_utc(now)
    zone = ZoneInfo(matrix.timezone)
    today = now.astimezone(zone).date()
    statuses = []
    for review in matrix.reviews:
        completed = completed_by_review.get(review.key, frozenset())
        due_at = current_cycle(matrix, review, completed, now)
        if due_at is None or due_at in completed or due_at > now + horizon:
            continue
        day = due_at.astimezone(zone).date()
        state = "due" if day == today else "overdue" if day < today else "upcoming"
        statuses.append(ReviewStatus(review, due_at, state))
    return sorted(statuses, key=lambda s: (s.state != "overdue", s.due_at))


def _stages(matrix: Matrix, review: Review, due_at: datetime) -> list[tuple[str, datetime]]:
    """The stages of the cycle due at `due_at` with the instant each begins, in order."""
    tz, grace, opens = matrix.timezone, review.grace or DEFAULT_GRACE, matrix.calendar.next_open
    stages = [("remind", _reminder(matrix, review, due_at))] if review.remind_before else []
    told = opens(due_at)  # grace runs from when the owner is told, so a holiday never eats it
    stages.append(("due", told))
    if grace.to_timedelta() > _ONE_DAY.to_timedelta():
        stages.append(("overdue", opens(_shift(told, _ONE_DAY, tz))))
    stages.append(("escalate", opens(_shift(told, grace, tz))))
    return stages


def _reminder(matrix: Matrix, review: Review, due_at: datetime) -> datetime:
    """When the cycle due at `due_at` is reminded: remind_before ahead, at the next opening from there."""
    assert review.remind_before is not None
    return matrix.calendar.next_open(_shift(due_at, review.remind_before, matrix.timezone, -1))


def _change_points(matrix: Matrix, review: Review, after: datetime) -> Iterator[datetime]:
    """Every instant after `after`, ascending, at which `due_occurrence` may change.

    From one due instant to the next, the answer depends only on the earlier cycle's stages and
    the later cycle's reminder, so each such stretch contributes those instants falling inside it.
    """
    schedule, tz = parse_schedule(review.schedule), matrix.timezone
    cycle = schedule.last_at_or_before(after, tz)
    while True:
        upcoming = schedule.next_after(cycle or after, tz)
        points = {at for _, at in _stages(matrix, review, cycle)} if cycle is not None else set()
        if upcoming is not None and review.remind_before:
            points.add(_reminder(matrix, review, upcoming))
        yield from sorted(
            at for at in points if at > after and (cycle is None or at >= cycle) and (upcoming is None or at < upcoming)
        )
        if upcoming is None:
            return
        cycle = upcoming


def _shift(at: datetime, duration: Duration, tz: str, sign: int = 1) -> datetime:
    """`at` moved by `duration`: days on the local wall clock (fold=0, as schedules are read), hours exactly."""
    if duration.unit != "d":
        return at + sign * duration.to_timedelta()
    zone = ZoneInfo(tz)
    local = at.astimezone(zone).replace(tzinfo=None) + sign * timedelta(days=duration.amount)
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _occurrence(matrix: Matrix, review: Review, due_at: datetime, stage: str) -> ReviewOccurrence:
    due_at = due_at.astimezone(UTC)
    key = f"review:{matrix.organisation}:{review.key}:{due_at:%Y%m%dT%H%M}:{stage}"
    return ReviewOccurrence(key, review.key, due_at, stage)
