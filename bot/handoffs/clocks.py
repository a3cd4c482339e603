"""A handoff's two SLA clocks, whether it met its targets, and how urgent it is now.

The respond clock runs from opening until the other side first responds; the resolve clock
runs until resolution and stands still while the handoff waits on the requester. Both count
on the calendar the priority's target names (24x7 or business hours), so `/tandem sla`, the
reminders and reports all read the same numbers from the same pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.calendar import as_utc
from bot.handoffs.model import Handoff
from bot.matrix.model import Matrix, SlaTarget
from bot.ownership.duty import sla_calendar
from bot.sla.clock import ClockState, evaluate, instant_at_fraction

_NEVER = datetime.max.replace(tzinfo=UTC)
# How long before an instant computed as the next change an answer stops being kept: the
# fraction shown is a float of business time, so rounding may move that change by microseconds.
MARGIN = timedelta(milliseconds=1)


@dataclass(frozen=True)
class HandoffClocks:
    respond: ClockState
    resolve: ClockState
    target: SlaTarget


@dataclass(frozen=True)
class Attainment:
    """Met, breached or not yet known, per clock, with the business time each took.

    A `*_met` is None while its clock still runs within target, False as soon as it breaches
    (a late reply cannot undo that), True once it stopped in time. Times are None until stopped.
    """

    respond_met: bool | None
    resolve_met: bool | None
    time_to_respond: timedelta | None
    time_to_resolve: timedelta | None


def clocks(handoff: Handoff, matrix: Matrix, now: datetime) -> HandoffClocks | None:
    """Both clocks at `now`; None when the handoff's priority has no SLA target to measure against."""
    target = matrix.sla.target(handoff.priority)
    if target is None:
        return None
    calendar = sla_calendar(matrix, target)
    respond = evaluate(calendar, handoff.opened_at, target.respond, now, stopped_at=handoff.responded_at)
    resolve = evaluate(calendar, handoff.opened_at, target.resolve, now, handoff.pauses, stopped_at=handoff.resolved_at)
    return HandoffClocks(respond, resolve, target)


def shown_until(handoff: Handoff, matrix: Matrix, now: datetime) -> datetime | None:
    """How long the clock a listing shows for the handoff at `now` (respond until it stops,
    then resolve: `handlers.views.handoff.handoff_line`) reads the same: its state (met,
    paused, breached, due) and its whole percent used hold at every instant from `now` until
    just before the returned one. None: for as long as the handoff itself is unchanged."""
    state = clocks(handoff, matrix, now)
    if state is None:
        return None
    now = as_utc(now)
    running = state.resolve if state.respond.stopped else state.respond
    if running.stopped:
        return None  # it stays as it stopped
    turns = [as_utc(edge) for p in handoff.pauses for edge in (p.start, p.end) if edge is not None]
    bounds = [edge for edge in turns if edge > now]  # a pause beginning or ending: "paused" shows first
    if not running.paused and not running.breached:  # breached: its due instant is past and fixed
        target = state.target.resolve if running is state.resolve else state.target.respond
        pauses = handoff.pauses if running is state.resolve else ()
        percent = int(running.fraction * 100)
        calendar = sla_calendar(matrix, state.target)
        if percent >= 100:  # all of it used, out of hours: it breaches as business time next runs
            bounds.append(calendar.add(now, MARGIN) - MARGIN)
        else:  # the next whole percent, the last one reached at the due instant
            nxt = instant_at_fraction(calendar, handoff.opened_at, target, (percent + 1) / 100, pauses)
            bounds += [at for at in (nxt, running.due_at) if at is not None and at >= now]
    if not bounds:
        return None
    return min(bounds) - MARGIN


def attainment(handoff: Handoff, matrix: Matrix, now: datetime) -> Attainment:
    """How the handoff stands against its targets at `now`; all unknown when there is no target."""
    state = clocks(handoff, matrix, now)
    if state is None:
        return Attainment(None, None, None, None)
    return Attainment(_met(state.respond), _met(state.resolve), _taken(state.respond), _taken(state.resolve))


def next_due(handoff: Handoff, matrix: Matrix, now: datetime) -> datetime | None:
    """The earliest due instant of the clocks still running (past if breached); None if none is.

    Stored with the handoff, it lets the database list the most urgent handoffs by index
    instead of evaluating every clock.
    """
    state = clocks(handoff, matrix, now)
    running = (
        [] if state is None or not handoff.is_open else [c for c in (state.respond, state.resolve) if not c.stopped]
    )
    return min((c.due_at for c in running if c.due_at is not None), default=None)


def urgency_key(handoff: Handoff, matrix: Matrix, now: datetime) -> tuple:
    """Sort key for `/tandem sla`: breached first, then soonest due, then oldest.

    Only running clocks count, so an acknowledged handoff is ranked by its resolve clock.
    Open handoffs with nothing due (paused, or no SLA target) follow every dated one, and
    resolved handoffs come last of all.
    """
    state = clocks(handoff, matrix, now)
    running = [] if state is None else [c for c in (state.respond, state.resolve) if not c.stopped]
    due = next_due(handoff, matrix, now)
    return (
        not handoff.is_open,
        not any(c.breached for c in running),
        due is None,
        due or _NEVER,
        as_utc(handoff.opened_at),
    )


def _met(clock: ClockState) -> bool | None:
    if clock.breached:
        return False
    return True if clock.stopped else None


def _taken(clock: ClockState) -> timedelta | None:
    return clock.used if clock.stopped else None
