"""What the App Home tab shows a person: their side, who is away today, and matrix gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.matrix.audit import Gap, find_gaps
from bot.matrix.model import Matrix, Person
from bot.ownership.duty import LeavePeriod

if TYPE_CHECKING:
    from storage.store import Store


@dataclass(frozen=True)
class Home:
    matrix: Matrix
    viewer: Person | None
    away: tuple[LeavePeriod, ...]
    gaps: tuple[Gap, ...]
    now: datetime


def build(store: Store, matrix: Matrix, user: str, now: datetime) -> Home:
    return Home(
        matrix=matrix,
        viewer=matrix.people.get(user),
        away=tuple(store.leave_at(matrix.organisation, now)),
        gaps=tuple(find_gaps(matrix)),
        now=now,
    )
