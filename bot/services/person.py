"""`/owner @priya`: what a person answers for, and their leave or cover now.

The areas where they are responsible, accountable, after hours or an escalation contact
(named themselves, or through a side, a group or a rota), the rotas they take turns on, and,
now, whether they are away (and who stands in), booked to be, or standing in for someone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import TandemError, Who
from bot.matrix.model import Area, Matrix, Person, Rota
from bot.ownership.cover import Absences, LeavePeriod, StandIn
from bot.ownership.rota import Turn, turns
from bot.ports import Store

ROLES = ("responsible", "accountable", "after_hours", "escalation")


@dataclass(frozen=True)
class Held:
    """One role in one area, and the party it comes through (None: named themselves)."""

    area: Area
    role: str
    through: str | None


@dataclass(frozen=True)
class OnRota:
    rota: Rota
    turn: Turn | None  # their turn: the one under way, else their next one


@dataclass(frozen=True)
class PersonDuties:
    person: Person
    held: tuple[Held, ...]  # in ROLES order, then the matrix's area order
    rotas: tuple[OnRota, ...]
    away: StandIn | None  # their leave now, and who stands in
    booked: tuple[LeavePeriod, ...]  # their leave ahead
    covering: tuple[str, ...]  # people away now whose work reaches them
    now: datetime


def _held(matrix: Matrix, slack: str) -> tuple[Held, ...]:
    found = []
    for role in ROLES:
        for area in matrix.areas:
            refs = [ref for ref in getattr(area, role) if slack in matrix.expand(ref)]
            if refs:
                through = None if slack in refs else refs[0]
                found.append(Held(area, role, through))
    return tuple(found)


def _their_turn(matrix: Matrix, rota: Rota, slack: str, now: datetime) -> Turn | None:
    return next((t for t in turns(rota, matrix.timezone, now, len(rota.people)) if t.person == slack), None)


def duties(store: Store, matrix: Matrix, slack: str, now: datetime) -> PersonDuties:
    person = matrix.people.get(slack)
    if person is None:
        raise TandemError(
            Who(slack),
            f" is not in the matrix of {matrix.name}, so they hold no role in it: `/tandem matrix` lists its people.",
        )
    leave = store.leave_overlapping(matrix.organisation, now)
    absences = Absences(leave, now)
    covering = tuple(other for other in absences.current if other != slack and absences.stand_in(other) == slack)
    return PersonDuties(
        person=person,
        held=_held(matrix, slack),
        rotas=tuple(OnRota(r, _their_turn(matrix, r, slack, now)) for r in matrix.rotas if slack in r.people),
        away=absences.explain(slack),
        booked=tuple(p for p in leave if p.person == slack and p.starts_at > now),
        covering=covering,
        now=now,
    )
