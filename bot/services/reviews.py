"""Recurring reviews: what is due, and recording one as done with its evidence."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import TandemError
from bot.matrix import rights
from bot.matrix.model import Matrix, Review
from bot.ports import Store
from bot.reviews.cadence import Completed, ReviewStatus, cycle_to_complete, review_statuses, window_opens
from bot.reviews.schedule import parse_schedule
from bot.services.cycles import settled_cycles, settled_cycles_of
from bot.services.timers import sync_review_timer


def statuses(store: Store, matrix: Matrix, now: datetime) -> list[ReviewStatus]:
    return review_statuses(matrix, settled_cycles(store, matrix, now), now)


def find(matrix: Matrix, key: str) -> Review:
    """The review by its key; a typo is told the closest keys rather than a list of twenty."""
    review = matrix.review(key)
    if review is None:
        keys = [r.key for r in matrix.reviews]
        close = difflib.get_close_matches(key.lower(), keys, n=3, cutoff=0.7)
        if close:
            raise TandemError(f"There is no review '{key}'. Did you mean {' or '.join(f'`{k}`' for k in close)}?")
        raise TandemError(f"There is no review '{key}'. Reviews: {', '.join(keys) or 'none are defined'}.")
    return review


def completable(matrix: Matrix, key: str, user: str) -> Review:
    """The review, if `user` may mark it done (checked before the evidence form opens)."""
    review = find(matrix, key)
    rights.require_completer(matrix, review, user)
    return review


@dataclass(frozen=True)
class Done:
    """What `/tandem done` did: completed the cycle due at `due_at`, or, when that cycle was
    done already (`before`), added the new evidence to it."""

    review: Review
    due_at: datetime
    before: Completed | None = None


def complete(
    store: Store, matrix: Matrix, key: str, user: str, evidence: str, now: datetime, due_at: datetime | None = None
) -> Done:
    """Mark the cycle due now (or the one a Mark done button names) done, as audit evidence;
    a cycle already done gets the new evidence added and says who did it, and when."""
    review = find(matrix, key)
    rights.require_completer(matrix, review, user)
    recorded = store.completions(matrix.organisation, review.key)
    if due_at is not None:
        cycle, finished = (None, due_at) if due_at in recorded else (due_at, None)
    else:
        settled = settled_cycles_of(store, matrix, review, now)
        cycle, finished = cycle_to_complete(matrix, review, recorded, settled, now)
    if cycle is not None and store.add_completion(matrix.organisation, review.key, cycle, now, user, evidence):
        store.audit(
            matrix.organisation,
            now,
            user,
            "review.done",
            review.key,
            {"due_at": cycle.isoformat(), "evidence": evidence},
        )
        sync_review_timer(store, matrix, review, now)
        return Done(review, cycle)
    finished = finished or cycle  # a second `done` that lost the race to the first
    if finished is None:
        raise TandemError(*_not_due(matrix, review, now))
    before = store.completion(matrix.organisation, review.key, finished)
    if before is None:  # settled before Tandem scheduled it: nothing recorded to add to
        raise TandemError(*_not_due(matrix, review, now))
    if evidence.strip():
        added = (
            f"\n{now.astimezone(ZoneInfo(matrix.timezone)):%Y-%m-%d %H:%M} {_name(matrix, user)}: {evidence.strip()}"
        )
        store.add_evidence(matrix.organisation, review.key, finished, added)
        store.audit(
            matrix.organisation,
            now,
            user,
            "review.evidence",
            review.key,
            {"due_at": finished.isoformat(), "evidence": evidence},
        )
    return Done(review, finished, before)


def _name(matrix: Matrix, user: str) -> str:
    person = matrix.people.get(user)
    return f"{person.name} ({user})" if person else user


def _not_due(matrix: Matrix, review: Review, now: datetime) -> tuple[str, ...]:
    """Nothing to complete yet: when it falls due, and from when `done` takes it."""
    schedule, zone = parse_schedule(review.schedule), ZoneInfo(matrix.timezone)
    upcoming = schedule.next_after(now, matrix.timezone)
    if upcoming is None:
        return (f"'{review.name}' has no cycle left to complete: its schedule has ended.",)
    due, opens = upcoming.astimezone(zone), window_opens(matrix, review, upcoming)
    if opens is None:
        return (f"'{review.name}' is not due until {due:%a %d %b %Y %H:%M}: mark it done then.",)
    return (
        f"'{review.name}' is not due until {due:%a %d %b %Y %H:%M}: it can be marked done from "
        f"{opens.astimezone(zone):%a %d %b %Y}, when its reminder is posted.",
    )
