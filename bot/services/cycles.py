"""Which review cycles count as settled: completed ones, and those due before Tandem scheduled
the review (a review imported today must not announce last quarter's restore test as overdue).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.matrix.model import Matrix, Review
from bot.ports import Store
from bot.reviews.schedule import parse_schedule


def settle(matrix: Matrix, review: Review, done: frozenset[datetime], since: datetime) -> frozenset[datetime]:
    """Completed cycles, plus the last cycle due before Tandem first scheduled the review."""
    before = parse_schedule(review.schedule).last_at_or_before(since - timedelta(microseconds=1), matrix.timezone)
    return done | {before} if before else done


def settled_cycles_of(store: Store, matrix: Matrix, review: Review, now: datetime) -> frozenset[datetime]:
    """`settle` for one review, reading only its own completions and timer."""
    start = store.timer_start(matrix.organisation, "review", review.key) or now
    return settle(matrix, review, store.completions(matrix.organisation, review.key), start)


def settled_cycles(store: Store, matrix: Matrix, now: datetime) -> dict[str, frozenset[datetime]]:
    """`settle` for every review; a review not scheduled yet counts from `now`."""
    done = store.all_completions(matrix.organisation)
    starts = store.timer_starts(matrix.organisation)
    return {
        r.key: settle(matrix, r, done.get(r.key, frozenset()), starts.get(("review", r.key), now))
        for r in matrix.reviews
    }
