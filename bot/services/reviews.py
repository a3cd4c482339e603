"""Recurring reviews: what is due, and recording one as done with its evidence."""

from __future__ import annotations

from datetime import datetime

from bot.errors import TandemError
from bot.matrix import rights
from bot.matrix.model import Matrix, Review
from bot.ports import Store
from bot.reviews.cadence import ReviewStatus, current_cycle, review_statuses
from bot.services.cycles import settled_cycles
from bot.services.timers import sync_timers


def statuses(store: Store, matrix: Matrix, now: datetime) -> list[ReviewStatus]:
    return review_statuses(matrix, settled_cycles(store, matrix, now), now)


def find(matrix: Matrix, key: str) -> Review:
    review = matrix.review(key)
    if review is None:
        keys = ", ".join(r.key for r in matrix.reviews) or "none are defined"
        raise TandemError(f"There is no review '{key}'. Reviews: {keys}.")
    return review


def completable(matrix: Matrix, key: str, user: str) -> Review:
    """The review, if `user` may mark it done (checked before the evidence form opens)."""
    review = find(matrix, key)
    rights.require_completer(matrix, review, user)
    return review


def complete(
    store: Store, matrix: Matrix, key: str, user: str, evidence: str, now: datetime, due_at: datetime | None = None
) -> tuple[Review, datetime]:
    """Mark the review's current cycle (or the given one) done, as audit evidence."""
    review = find(matrix, key)
    rights.require_completer(matrix, review, user)
    done = settled_cycles(store, matrix, now)[review.key]
    cycle = due_at or current_cycle(matrix, review, done, now)
    if cycle is None:
        raise TandemError(f"'{review.name}' has no cycle left to complete: its schedule has ended.")
    if cycle in done or not store.add_completion(matrix.organisation, review.key, cycle, now, user, evidence):
        raise TandemError(f"'{review.name}' due {cycle:%Y-%m-%d} is already marked done.")
    store.audit(
        matrix.organisation, now, user, "review.done", review.key, {"due_at": cycle.isoformat(), "evidence": evidence}
    )
    sync_timers(store, matrix, now)
    return review, cycle
