"""SLA clocks: how much of a handoff's respond-by or resolve-by target is used, and when it falls due.

A clock counts business time on a calendar (BusinessCalendar or the 24x7 AlwaysOpen) from the
moment the handoff opened until now, or until it stopped (responded, resolved). The resolve
clock pauses while the handoff waits on the requester, so pauses are taken out; they are
merged and clipped first because status changes can overlap, be recorded out of order, or
begin before the handoff itself did.

Pure: "now" is always a parameter, and the same inputs always give the same state, so the
scheduler, `/tandem sla` and `tandem tick --at` agree to the microsecond.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.calendar import Calendar, as_utc
from bot.matrix.durations import Duration

_ZERO = timedelta(0)
# Pauses as sorted, disjoint UTC intervals; an end of None means still paused.
_Spans = list[tuple[datetime, datetime | None]]


@dataclass(frozen=True)
class Pause:
    """A period when the clock does not run; `end` None means it is still paused."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        start = as_utc(self.start)
        if self.end is not None and as_utc(self.end) < start:
            raise ValueError("a pause cannot end before it starts")


@dataclass(frozen=True)
class ClockState:
    """One clock at one instant.

    `breached` is True once the business time used exceeds the target: a clock stopped exactly
    at its due time has met its target. A stopped clock keeps the state it had when it stopped.
    """

    target: timedelta  # business time allowed
    used: timedelta  # business time consumed, pauses excluded, up to now or to the stop
    fraction: float  # used / target
    due_at: datetime | None  # UTC instant the target is (or was) reached; None if an open pause hides it
    paused: bool  # running clock inside a pause at `now`
    stopped: bool  # responded / resolved
    breached: bool  # used > target
    remaining: timedelta  # target - used; negative once breached


def evaluate(
    calendar: Calendar,
    opened_at: datetime,
    target: Duration,
    now: datetime,
    pauses: Iterable[Pause] = (),
    stopped_at: datetime | None = None,
) -> ClockState:
    """The state of a clock at `now`, or as it stood at `stopped_at` if it has stopped.

    A pause still open when the clock stopped ends at the stop. For a clock stopped before its
    target, `due_at` is when it would have fallen due had it kept running from the stop.
    """
    opened_at, now = as_utc(opened_at), as_utc(now)
    stop = None if stopped_at is None else as_utc(stopped_at)
    allowed = target.to_timedelta(calendar.day_length)
    spans = _merge(pauses, opened_at, until=stop)
    used = _used(calendar, opened_at, stop if stop is not None else now, spans)
    paused = stop is None and any(start <= now and (end is None or now < end) for start, end in spans)
    return ClockState(
        target=allowed,
        used=used,
        fraction=used / allowed,
        due_at=_reach(calendar, opened_at, allowed, spans),
        paused=paused,
        stopped=stop is not None,
        breached=used > allowed,
        remaining=allowed - used,
    )


def instant_at_fraction(
    calendar: Calendar,
    opened_at: datetime,
    target: Duration,
    fraction: float,
    pauses: Iterable[Pause] = (),
) -> datetime | None:
    """The UTC instant the clock reaches `fraction` of its target (0.75 for a 75% warning).

    Fraction 1.0 is the due time. None when an open pause starts before that point, since
    nobody knows yet when the clock will resume; a point reached before the pause is known.
    """
    if fraction < 0:
        raise ValueError("a fraction of an SLA target cannot be negative")
    opened_at = as_utc(opened_at)
    span = target.to_timedelta(calendar.day_length) * fraction
    return _reach(calendar, opened_at, span, _merge(pauses, opened_at))


def _merge(pauses: Iterable[Pause], opened_at: datetime, until: datetime | None = None) -> _Spans:
    """Pauses clipped to [opened_at, until) and merged into sorted, disjoint spans.

    Time before the handoff opened never counted, so pausing it changes nothing; with `until`
    (a stopped clock) open pauses end there and later ones are dropped.
    """
    spans: _Spans = []
    for pause in pauses:
        start = max(as_utc(pause.start), opened_at)
        end = None if pause.end is None else as_utc(pause.end)
        if until is not None:
            end = until if end is None else min(end, until)
        if end is None or end > start:
            spans.append((start, end))
    spans.sort(key=lambda span: span[0])
    merged: _Spans = []
    for start, end in spans:
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def _used(calendar: Calendar, opened_at: datetime, until: datetime, spans: _Spans) -> timedelta:
    """Business time in [opened_at, until) outside the pause spans."""
    total, cursor = _ZERO, opened_at
    for start, end in spans:
        if start >= until:
            break
        total += calendar.elapsed(cursor, start)
        if end is None:
            return total
        cursor = end
    return total + calendar.elapsed(cursor, until)


def _reach(calendar: Calendar, opened_at: datetime, span: timedelta, spans: _Spans) -> datetime | None:
    """The earliest instant `span` of unpaused business time has run since `opened_at`."""
    cursor, left = opened_at, span
    for start, end in spans:
        reached = calendar.add(cursor, left)
        if reached <= start:
            return reached
        left -= calendar.elapsed(cursor, start)
        if end is None:
            return None
        cursor = end
    return calendar.add(cursor, left)
