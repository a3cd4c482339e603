"""Keeping the scheduler's cues in step with the matrix: review and digest timers, handoff alerts.

An import or a completed review changes when things next fall due; these functions write
the new instants so the next tick wakes at the right moment (and only then).
"""

from __future__ import annotations

from datetime import datetime

from bot.alerts.sla import next_alert_at
from bot.handoffs.clocks import next_due
from bot.matrix.model import Matrix, Review
from bot.ports import Store
from bot.reviews.cadence import due_occurrence
from bot.reviews.cadence import next_at as review_next_at
from bot.services.cycles import settled_cycles, settled_cycles_of

DIGEST_TIMER = "digest"


def sync_timers(store: Store, matrix: Matrix, now: datetime) -> None:
    """One timer per review and one for the digests, each set to when it next needs a look.

    The digest timer is set to now: the next tick works out what is due, so a digest that
    fell due just before a re-import is still posted (and none from before the first import).
    """
    settled = settled_cycles(store, matrix, now)
    timers: dict[tuple[str, str], datetime | None] = {("digest", DIGEST_TIMER): now}
    for review in matrix.reviews:
        timers[("review", review.key)] = _review_cue(matrix, review, settled.get(review.key, frozenset()), now)
    store.replace_timers(matrix.organisation, timers, now)


def sync_review_timer(store: Store, matrix: Matrix, review: Review, now: datetime) -> None:
    """After one review was completed only its own timer moves: with ten thousand reviews,
    recomputing all of them made `/tandem done` take seconds."""
    cue = _review_cue(matrix, review, settled_cycles_of(store, matrix, review, now), now)
    store.set_timers(matrix.organisation, {("review", review.key): cue}, now)


def _review_cue(matrix: Matrix, review: Review, done: frozenset[datetime], now: datetime) -> datetime | None:
    """Now when a cycle is due, else when the review next needs a look."""
    return now if due_occurrence(matrix, review, done, now) else review_next_at(matrix, review, done, now)


def reschedule_handoffs(store: Store, matrix: Matrix, now: datetime) -> None:
    """Recompute every open handoff's due and alert instants (after the SLA or calendar changed)."""
    after = 0
    while page := store.open_handoffs_after(matrix.organisation, after, 500):
        for handoff in page:
            store.reschedule_handoff(
                handoff.number, due_at=next_due(handoff, matrix, now), alert_at=next_alert_at(handoff, matrix, now)
            )
        after = page[-1].id or after
