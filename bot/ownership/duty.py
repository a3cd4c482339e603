"""Who is on duty at an instant, who to ping instead when nobody is, and "who owns X?".

The matrix says who is responsible; duty says who to actually ping now: the responsible
party in business hours, the after-hours party outside them, with people on leave replaced
by whoever covers for them (through cover chains, `bot.ownership.cover`).

When nobody can be reached, the answer says why and who is pinged instead: the escalation
contacts, else the admins of the side on duty, else the accountable person, and as a last
resort that side's admins even though they are away. A ping is never empty, so no reply or
post can say it pinged nobody. A P1 outside business hours pings the escalation contacts too.

A handoff asked by one side of the other is never paged to someone of the asking side: they may
not stop the other side's clock (`bot.handoffs.transitions.may_pick_up`), so paging them at
night would wake someone who cannot act while the side that can sleeps on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.calendar import AlwaysOpen, BusinessCalendar, as_utc
from bot.handoffs.model import Handoff
from bot.matrix.model import CLOCK_24X7, ROTA, SHARED, Area, Matrix, Review, SlaTarget
from bot.ownership.cover import Absences, LeavePeriod, StandIn
from bot.ownership.rota import turn_at

NO_AFTER_HOURS = "no_after_hours"  # outside business hours, and the matrix names nobody for after hours
ALL_AWAY = "all_away"  # everyone on duty is away, and nobody who covers is in
ASKER = "asker"  # whoever is on duty (or covers) is the person asking, who is not pinged about it
URGENT = "P1"  # the priority that pings the escalation contacts too when it arrives out of hours

Leave = Iterable[LeavePeriod]


@dataclass(frozen=True)
class Fallback:
    """Who is pinged when nobody is on duty, and in what role."""

    kind: str  # "escalation" | "admins" | "accountable" | "away" (admins pinged though they are away)
    people: tuple[str, ...]  # who is pinged: the role's holders, or whoever covers those away
    side: str | None  # whose admins, for "admins" and "away"
    holders: tuple[str, ...] = ()  # who holds the role, when some of them are away and covered

    @property
    def covered(self) -> tuple[str, ...]:
        """The role's holders who are away, whose cover is pinged instead."""
        return tuple(h for h in self.holders if h not in self.people)


@dataclass(frozen=True)
class Duty:
    at: datetime  # the instant this answer is for
    in_hours: bool
    closed: str | None  # outside business hours: "holiday" or "hours"; None when open
    parties: tuple[str, ...]  # party refs on duty now
    people: tuple[str, ...]  # who is on duty and in, leave and cover applied; empty when nobody is
    away: tuple[StandIn, ...]  # people who would be on duty but are on leave, and who stands in
    next_open: datetime | None  # when nobody is on duty after hours: when business hours resume
    side: str | None  # the side on duty (None for shared work with no lead)
    reason: str | None = None  # NO_AFTER_HOURS, ALL_AWAY or ASKER when nobody is on duty
    fallback: Fallback | None = None  # who is pinged instead when nobody is on duty

    @property
    def ping(self) -> tuple[str, ...]:
        """Who to ping now: whoever is on duty, else the fallback."""
        return self.people or (self.fallback.people if self.fallback else ())


@dataclass(frozen=True)
class Ping:
    """Who a new handoff pings, and why, so the reply and the thread can say it."""

    duty: Duty
    urgent: tuple[str, ...] = ()  # a P1 outside business hours: the escalation contacts, pinged too

    @property
    def people(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.duty.ping, *self.urgent)))


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
    return matrix.calendar


def sla_calendar(matrix: Matrix, target: SlaTarget | None) -> BusinessCalendar | AlwaysOpen:
    """The calendar a priority's clock counts on: 24x7, or the organisation's business hours."""
    if target is not None and target.clock == CLOCK_24X7:
        return AlwaysOpen()
    return business_calendar(matrix)


def members_now(matrix: Matrix, refs: Iterable[str], at: datetime) -> tuple[str, ...]:
    """Who the parties stand for at `at`, each once: on a rota, whoever's turn it is; any other
    party, everyone the matrix lists for it. Leave is not applied here."""
    out: dict[str, None] = {}
    for ref in refs:
        rota = matrix.rota(ref) if ref.startswith(ROTA) else None
        for person in (turn_at(rota, matrix.timezone, at).person,) if rota else matrix.expand(ref):
            out.setdefault(person)
    return tuple(out)


def _closed(matrix: Matrix, calendar: BusinessCalendar, at: datetime) -> str | None:
    if calendar.is_open(at):
        return None
    return "holiday" if as_utc(at).astimezone(ZoneInfo(matrix.timezone)).date() in matrix.holidays else "hours"


def _primary(area: Area) -> tuple[str, ...]:
    """Who to ping in hours: for shared responsibility, the lead if there is one."""
    if area.is_shared and area.lead:
        return (area.lead,)
    return tuple(p for p in area.responsible if p != SHARED) or area.responsible


def _side(matrix: Matrix, parties: tuple[str, ...]) -> str | None:
    sides = {side for ref in parties for side in matrix.sides_of(ref)}
    return next(iter(sides)) if len(sides) == 1 else None


def on_duty(
    matrix: Matrix,
    area: Area,
    at: datetime,
    leave: Leave = (),
    exclude: Iterable[str] = (),
    asker_side: str | None = None,
) -> Duty:
    """Who is on duty for `area` at `at`, or why nobody is and who is pinged instead.

    `exclude`: people not to count as on duty (the requester of a handoff, who knows already).
    `asker_side`: the requester's side; when the area is the other side's, nobody of the asking
    side is a fallback (they may not pick it up)."""
    calendar = business_calendar(matrix)
    closed = _closed(matrix, calendar, at)
    if closed is None:
        parties = _primary(area)
    else:
        parties = area.after_hours
    side = _side(matrix, parties or _primary(area))
    escalation = (area.escalation, area.accountable)
    if closed is not None and not parties:
        absences = Absences(leave, at)
        fallback = _fallback(matrix, side, escalation, absences, asker_side)
        return Duty(at, False, closed, (), (), (), calendar.next_open(at), side, NO_AFTER_HOURS, fallback)
    return _staffed(matrix, parties, side, at, leave, exclude, closed, escalation, asker_side)


def for_party(
    matrix: Matrix, ref: str, side: str | None, at: datetime, leave: Leave = (), exclude: Iterable[str] = ()
) -> Duty:
    """Who answers for one party (a side, a group, a person) at `at`, whatever the hour:
    a handoff sent to a side or a person goes to them, leave and cover applied."""
    calendar = business_calendar(matrix)
    closed = _closed(matrix, calendar, at)
    return _staffed(matrix, (ref,), side, at, leave, exclude, closed, ((), ()))


def _staffed(
    matrix: Matrix,
    parties: tuple[str, ...],
    side: str | None,
    at: datetime,
    leave: Leave,
    exclude: Iterable[str],
    closed: str | None,
    escalation: tuple[tuple[str, ...], tuple[str, ...]],
    asker_side: str | None = None,
) -> Duty:
    absences = Absences(leave, at)
    skip = frozenset(exclude)
    expected = members_now(matrix, parties, at)
    away = tuple(found for person in expected if (found := absences.explain(person)) is not None)
    reachable = absences.reachable(expected)
    people = tuple(p for p in reachable if p not in skip)
    if people:
        return Duty(at, closed is None, closed, parties, people, away, None, side)
    fallback = _fallback(matrix, side, escalation, absences, asker_side)
    return Duty(at, closed is None, closed, parties, (), away, None, side, ASKER if reachable else ALL_AWAY, fallback)


def _fallback(
    matrix: Matrix,
    side: str | None,
    escalation: tuple[tuple[str, ...], tuple[str, ...]],
    absences: Absences,
    asker_side: str | None = None,
) -> Fallback:
    """Whom to ping when nobody on duty can be: never nobody, as long as the matrix names anyone.

    The requester is not left out here: when they are the escalation contact themselves, the
    reply saying so is the truth, and pinging someone with no part in the area would not be.
    Asked across the gap, the asking side's escalation contacts and accountable people are
    passed over for the side on duty's admins, who may act."""
    contacts, accountable = escalation
    present = absences.reachable
    able = _able(matrix, side, asker_side)

    admins = tuple(p.slack for p in matrix.admins() if side is None or p.side == side)
    for kind, holders in (
        ("escalation", able(members_now(matrix, contacts, absences.at))),
        ("admins", admins),
        ("accountable", able(matrix.expand_all(accountable))),
    ):
        if people := present(holders):
            return Fallback(kind, people, side, holders)
    everyone = admins or tuple(p.slack for p in matrix.people.values() if side is None or p.side == side)
    return Fallback("away", everyone, side)


def _able(matrix: Matrix, side: str | None, asker_side: str | None) -> Callable[[Iterable[str]], tuple[str, ...]]:
    """Keeps the people who may pick up a handoff for `side` asked by `asker_side`: asked across
    the gap, nobody of the asking side; otherwise everyone."""
    across = asker_side is not None and side is not None and side != asker_side

    def keep(people: Iterable[str]) -> tuple[str, ...]:
        return tuple(p for p in people if not across or matrix.side_of(p) != asker_side)

    return keep


def urgent_contacts(
    matrix: Matrix, area: Area | None, duty: Duty, at: datetime, leave: Leave, exclude: Iterable[str] = ()
) -> tuple[str, ...]:
    """The escalation contacts a P1 outside business hours pings besides whoever is on duty:
    the area's, or the admins of the side on duty when there is no area to ask. Both sides'
    contacts hear of it: they are told, on top of whoever on duty may act."""
    absences = Absences(leave, at)
    skip = frozenset(exclude)
    contacts = members_now(matrix, area.escalation, at) if area else ()
    if not contacts:
        contacts = tuple(p.slack for p in matrix.admins() if duty.side is None or p.side == duty.side)
    return tuple(p for p in absences.reachable(contacts) if p not in skip)


def handoff_ping(
    matrix: Matrix,
    duty: Duty,
    area: Area | None,
    priority: str,
    at: datetime,
    leave: Leave,
    exclude: Iterable[str] = (),
) -> Ping:
    """Who a new handoff pings: whoever `duty` says, and for a P1 out of hours the escalation too."""
    if priority != URGENT or duty.in_hours:
        return Ping(duty)
    already = set(duty.ping)
    return Ping(duty, tuple(p for p in urgent_contacts(matrix, area, duty, at, leave, exclude) if p not in already))


def alerted(
    matrix: Matrix, handoff: Handoff, at: datetime, leave: Leave = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Who an SLA alert about `handoff` pings at `at`, and the escalation a breach names.

    The assignee, or whoever covers them while they are away; with nobody assigned, whoever
    is on duty for its area (or its target) now, else the fallback. Escalation: the area's
    contacts, else the admins of the side it is with; neither is ever empty."""
    area = matrix.area(handoff.area) if handoff.area else None
    absences = Absences(leave, at)
    holder = absences.stand_in(handoff.assignee) if handoff.assignee else None
    if holder is not None:
        people: tuple[str, ...] = (holder,)
    elif area is not None and handoff.target != handoff.requester:
        people = on_duty(matrix, area, at, leave, (handoff.requester,), handoff.requester_side).ping
    else:
        people = for_party(matrix, handoff.target, handoff.target_side, at, leave, (handoff.requester,)).ping
    contacts = members_now(matrix, area.escalation, at) if area else ()
    admins = tuple(p.slack for p in matrix.admins() if p.side == handoff.target_side)
    escalation = absences.reachable(contacts) or absences.reachable(admins) or admins or people
    return people, escalation


def reviewers(
    matrix: Matrix, review: Review, at: datetime, leave: Leave = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Who a review post pings at `at` (its owner: the person on turn for a rota, whoever covers
    someone away), and whom an escalation names (the area's accountable person, else the admins)."""
    absences = Absences(leave, at)
    owners: tuple[str, ...] = ()
    if review.owner:
        sides = matrix.sides_of(review.owner)
        side = next(iter(sides)) if len(sides) == 1 else None
        owners = for_party(matrix, review.owner, side, at, leave).ping
    area = matrix.area(review.area) if review.area else None
    accountable = matrix.expand_all(area.accountable) if area else ()
    admins = tuple(p.slack for p in matrix.admins())
    return owners, absences.reachable(accountable) or absences.reachable(admins) or accountable or admins


def who_owns(
    matrix: Matrix, area: Area, now: datetime, leave: Leave = (), asker_side: str | None = None
) -> OwnerAnswer:
    """The matrix's answer for `area`, with who a handoff from someone of `asker_side` pings now."""
    priority = area.priority or matrix.sla.default
    return OwnerAnswer(
        area=area,
        responsible=area.responsible,
        accountable=area.accountable,
        consulted=area.consulted,
        informed=area.informed,
        escalation=area.escalation,
        duty=on_duty(matrix, area, now, leave, asker_side=asker_side),
        priority=priority,
        sla=matrix.sla.target(priority),
    )
