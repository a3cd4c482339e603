"""What the App Home tab shows a person: their handoffs, breaches, who is away, matrix gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.handoffs.clocks import clocks
from bot.handoffs.model import Handoff
from bot.matrix.audit import Gap
from bot.matrix.model import Matrix, Person
from bot.ownership.cover import LeavePeriod
from bot.ports import Store
from bot.reviews.cadence import ReviewStatus
from bot.services import reviews, signoff


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
