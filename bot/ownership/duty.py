"""Who is on duty for an area at this moment, and the full answer to "who owns X?".

The matrix says who is responsible; duty says who to actually ping now: the responsible
party in business hours, the after-hours party outside them, with people on leave
replaced by whoever covers for them. When nobody can be reached the answer says so and
names the escalation contacts instead of pretending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.calendar import AlwaysOpen, BusinessCalendar
from bot.matrix.model import CLOCK_24X7, SHARED, Area, Matrix, SlaTarget


@dataclass(frozen=True)
class LeavePeriod:
    person: str
    starts_at: datetime
    ends_at: datetime
    cover: str | None = None

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Duty:
    in_hours: bool
    parties: tuple[str, ...]  # party refs on duty now
    people: tuple[str, ...]  # Slack ids to ping now
    away: tuple[LeavePeriod, ...]  # people who would be on duty but are on leave
    next_open: datetime | None  # when nobody is on duty: when business hours resume
    note: str | None = None


@dataclass(frozen=True)
class OwnerAnswer:
    area: Area
    responsible: tuple[str, ...]  # party refs
    accountable: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    escalation: tuple[str, ...]
    duty: Duty
    priority: str
    sla: SlaTarget | None


def business_calendar(matrix: Matrix) -> BusinessCalendar:
    hours = matrix.business_hours
    return BusinessCalendar(matrix.timezone, hours.days, hours.start, hours.end, frozenset(matrix.holidays))


def sla_calendar(matrix: Matrix, target: SlaTarget | None) -> BusinessCalendar | AlwaysOpen:
    """The calendar a priority's clock counts on: 24x7, or the organisation's business hours."""
    if target is not None and target.clock == CLOCK_24X7:
        return AlwaysOpen()
    return business_calendar(matrix)


def _primary(matrix: Matrix, area: Area) -> tuple[str, ...]:
    """Who to ping in hours: for shared responsibility, the lead if there is one."""
    if area.is_shared and area.lead:
        return (area.lead,)
    return tuple(p for p in area.responsible if p != SHARED) or area.responsible


def on_duty(matrix: Matrix, area: Area, now: datetime, leave: list[LeavePeriod] | tuple[LeavePeriod, ...] = ()) -> Duty:
    calendar = business_calendar(matrix)
    in_hours = calendar.is_open(now)
    if in_hours:
        parties = _primary(matrix, area)
    elif area.after_hours:
        parties = area.after_hours
    else:
        return Duty(
            False,
            (),
            (),
            (),
            calendar.next_open(now),
            "Outside business hours and the matrix names nobody for after hours.",
        )
    current = {p.person: p for p in leave if p.covers(now)}
    expected = matrix.expand_all(parties)
    people = reachable(expected, leave, now)
    away = tuple(current[p] for p in expected if p in current)
    note = None
    if not people:
        people = tuple(e for e in matrix.expand_all(area.escalation) if e not in current)
        note = "Everyone on duty is away and nobody covers: escalation contacts instead."
    return Duty(in_hours, parties, people, away, None, note)


def reachable(
    people: tuple[str, ...], leave: list[LeavePeriod] | tuple[LeavePeriod, ...], now: datetime
) -> tuple[str, ...]:
    """Who to ping for `people` now: anyone away replaced by whoever covers (if not away too)."""
    current = {p.person: p for p in leave if p.covers(now)}
    out: dict[str, None] = {}
    for person in people:
        period = current.get(person)
        if period is None:
            out.setdefault(person)
        elif period.cover and period.cover not in current:
            out.setdefault(period.cover)
    return tuple(out)


def who_owns(
    matrix: Matrix, area: Area, now: datetime, leave: list[LeavePeriod] | tuple[LeavePeriod, ...] = ()
) -> OwnerAnswer:
    priority = area.priority or matrix.sla.default
    return OwnerAnswer(
        area=area,
        responsible=area.responsible,
        accountable=area.accountable,
        consulted=area.consulted,
        informed=area.informed,
        escalation=area.escalation,
        duty=on_duty(matrix, area, now, leave),
        priority=priority,
        sla=matrix.sla.target(priority),
    )
