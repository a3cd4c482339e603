"""The service review from the store: read one organisation's history and compute its figures.

`tandem report` and `/tandem report` both come through here; the page itself is drawn by
the composition root, which hands its renderer to `share_review`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.contract.signoff import area_signoffs
from bot.errors import TandemError
from bot.matrix import rights
from bot.matrix.model import Matrix
from bot.ports import Notifier, Store
from bot.report.figures import ServiceReview, service_review
from bot.report.history import History
from bot.report.outlook import AHEAD
from bot.report.period import ReviewPeriod, parse_period
from bot.reviews.cadence import Completed
from bot.reviews.schedule import parse_schedule

Render = Callable[[ServiceReview], str]  # the review as one HTML page


def period_for(matrix: Matrix, text: str, now: datetime) -> ReviewPeriod:
    """The period a person names, read against the organisation's own calendar."""
    return parse_period(text, now.astimezone(ZoneInfo(matrix.timezone)).date())


def history(store: Store, matrix: Matrix, period: ReviewPeriod, now: datetime) -> History:
    org = matrix.organisation
    start, end = period.instants(matrix.timezone)
    earliest, _ = period.previous().instants(matrix.timezone)
    handoffs = tuple(h for h in store.handoffs_since(org, earliest) if as_utc(h.opened_at) < end)
    changes = tuple(e for e in store.audit_events(org, "matrix.", since=start) if as_utc(e.at) < end)
    leave = tuple(store.leave_overlapping(org, now, now + AHEAD))
    return History(
        matrix=matrix,
        period=period,
        now=now,
        handoffs=handoffs,
        completions=_completions(store, matrix, start, min(end, as_utc(now))),
        hours=tuple(store.hours_logged(org, None, end)),
        changes=changes,
        leave=leave,
        confirmed={
            key: state.confirmed_at
            for key, state in area_signoffs(matrix, store.change_sets(org), now).items()
            if state.confirmed_at is not None
        },
    )


def _completions(store: Store, matrix: Matrix, start: datetime, end: datetime) -> dict[tuple[str, datetime], Completed]:
    found: dict[tuple[str, datetime], Completed] = {}
    done = store.all_completions(matrix.organisation)
    for review in matrix.reviews:
        for due_at in parse_schedule(review.schedule).occurrences(start, end, matrix.timezone):
            if due_at in done.get(review.key, frozenset()):
                completed = store.completion(matrix.organisation, review.key, due_at)
                if completed is not None:
                    found[(review.key, due_at)] = completed
    return found


def review(store: Store, matrix: Matrix, period: ReviewPeriod, now: datetime) -> ServiceReview:
    return service_review(history(store, matrix, period, now))


def share_review(
    store: Store,
    matrix: Matrix,
    user: str,
    text: str,
    channel: str | None,
    now: datetime,
    notifier: Notifier,
    render: Render,
) -> str:
    """`/tandem report [period]`: an admin shares the review page in the conversation; returns its comment."""
    rights.require_admin(matrix, user, "share the service review")
    where = channel or matrix.channel
    if where is None:
        raise TandemError(f"The matrix of {matrix.name} names no shared channel to share the review in.")
    figures = review(store, matrix, period_for(matrix, text, now), now)
    name = f"tandem-review-{matrix.organisation}-{figures.period.start:%Y%m%d}-{figures.period.end - timedelta(days=1):%Y%m%d}.html"
    comment = f"Service review for {matrix.name}, {figures.period.label}: {figures.summary}"
    notifier.share_file(matrix, where, name, render(figures), comment)
    return f"Service review for {matrix.name}, {figures.period.label}."
