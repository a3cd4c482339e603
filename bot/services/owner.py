""" "Who owns X?": resolve the words to an area, then say who is on duty for it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.matrix.model import Person
from bot.ownership.duty import OwnerAnswer, who_owns
from bot.ownership.resolve import Resolution
from bot.ports import Store
from bot.services.matrices import LoadedMatrix


@dataclass(frozen=True)
class OwnerResult:
    resolution: Resolution
    answer: OwnerAnswer | None  # set when exactly one area was found
    admins: tuple[Person, ...]  # who to ask when the matrix has no answer


def ask(store: Store, loaded: LoadedMatrix, query: str, now: datetime, asker: str | None = None) -> OwnerResult:
    """The area the words name and who owns it; who a handoff would ping is told as `asker`'s
    handoff would ping (across the gap, never someone of the asker's own side)."""
    matrix = loaded.matrix
    resolution = loaded.index.resolve(query)
    answer = None
    if resolution.area is not None:
        leave = store.leave_at(matrix.organisation, now)
        answer = who_owns(matrix, resolution.area, now, leave, matrix.side_of(asker) if asker else None)
    return OwnerResult(resolution, answer, tuple(matrix.admins()))
