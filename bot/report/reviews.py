"""The review cycles that fell due in the period, and how each went.

A cycle is on time when it was marked done by the end of the local day it was due (the
reminders call it overdue from the next day), late when done after that, missed when it was
never done and the next cycle has since fallen due, and overdue when it is still the one to
do. Cycles not due yet at the time of the review are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.matrix.model import Matrix, Review
from bot.report.period import ReviewPeriod
from bot.reviews.cadence import Completed
from bot.reviews.schedule import parse_schedule

STATES = ("on time", "late", "missed", "overdue")


@dataclass(frozen=True)
class Cycle:
    review: Review
    due_at: datetime  # UTC
    state: str  # one of STATES
    done: Completed | None


@dataclass(frozen=True)
class ReviewFigures:
    cycles: tuple[Cycle, ...]  # by due time

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(c.state for c in self.cycles)
        return {state: found[state] for state in STATES}

    @property
    def due(self) -> int:
        return len(self.cycles)


def review_figures(
    matrix: Matrix, completions: Mapping[tuple[str, datetime], Completed], period: ReviewPeriod, now: datetime
) -> ReviewFigures:
    start, end = period.instants(matrix.timezone)
    now = as_utc(now)
    zone = ZoneInfo(matrix.timezone)
    cycles = []
    for review in matrix.reviews:
        schedule = parse_schedule(review.schedule)
        for due_at in schedule.occurrences(start, min(end, now), matrix.timezone):
            done = completions.get((review.key, due_at))
            if done is not None:
                late = as_utc(done.done_at).astimezone(zone).date() > due_at.astimezone(zone).date()
                state = "late" if late else "on time"
            else:
                following = schedule.next_after(due_at, matrix.timezone)
                state = "missed" if following is not None and following <= now else "overdue"
            cycles.append(Cycle(review, due_at, state, done))
    return ReviewFigures(tuple(sorted(cycles, key=lambda c: (c.due_at, c.review.key))))
