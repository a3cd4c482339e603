"""What the App Home tab shows a person: their handoffs, breaches, who is away, matrix gaps.

A provider's engineer is on the provider side of many clients' matrices: their Home is one
entry per client (`ClientHome`), worst first, with the counts `/tandem fleet` shows and what
is assigned to them there, instead of one organisation's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.digests.fleet import ClientLine
from bot.handoffs.clocks import clocks
from bot.handoffs.model import Handoff
from bot.matrix.audit import Gap
from bot.matrix.model import Matrix, Person
from bot.ownership.cover import LeavePeriod
from bot.ports import Store
from bot.reviews.cadence import ReviewStatus
from bot.services import reviews, signoff
from bot.services.fleet import on_provider_side, serving, worst_first
from bot.services.matrices import MatrixCache


@dataclass(frozen=True)
class Home:
    matrix: Matrix
    viewer: Person | None
    away: tuple[LeavePeriod, ...]
    gaps: tuple[Gap, ...]
    now: datetime
    assigned: tuple[Handoff, ...] = ()
    opened: tuple[Handoff, ...] = ()
    breached: tuple[Handoff, ...] = ()
    reviews: tuple[ReviewStatus, ...] = ()


def _breached(handoff: Handoff, matrix: Matrix, now: datetime) -> bool:
    state = clocks(handoff, matrix, now)
    return state is not None and any(c.breached and not c.stopped for c in (state.respond, state.resolve))


def build(store: Store, matrix: Matrix, user: str, now: datetime, limit: int = 10) -> Home:
    mine = store.handoffs_involving(matrix.organisation, user, limit * 2)
    urgent = store.most_urgent_handoffs(matrix.organisation, limit)
    return Home(
        matrix=matrix,
        viewer=matrix.people.get(user),
        away=tuple(store.leave_at(matrix.organisation, now)),
        gaps=tuple(signoff.gaps(store, matrix, now)),
        now=now,
        assigned=tuple(h for h in mine if h.assignee == user)[:limit],
        opened=tuple(h for h in mine if h.requester == user)[:limit],
        breached=tuple(h for h in urgent if _breached(h, matrix, now)),
        reviews=tuple(reviews.statuses(store, matrix, now)),
    )


@dataclass(frozen=True)
class ClientHome:
    matrix: Matrix
    line: ClientLine
    assigned: tuple[Handoff, ...]


@dataclass(frozen=True)
class FleetHome:
    clients: tuple[ClientHome, ...]  # worst first
    now: datetime


def fleet_home(store: Store, matrices: MatrixCache, user: str, now: datetime, limit: int = 3) -> FleetHome | None:
    """The Home of someone on the provider side of several organisations; None for anyone else,
    whose Home is their one organisation's (`build`)."""
    listing = store.organisations_of(user)
    if len(listing) < 2:  # counted before any matrix is read
        return None
    found = serving(store, matrices, user, on_provider_side, listing)
    if len(found) < 2:  # counted before any client's numbers are
        return None
    entries = []
    for matrix, line in worst_first(store, found, now):
        mine = store.handoffs_involving(matrix.organisation, user, limit * 2)
        entries.append(ClientHome(matrix, line, tuple(h for h in mine if h.assignee == user)[:limit]))
    return FleetHome(tuple(entries), now)
