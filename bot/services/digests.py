"""Digest content from the store: the daily state of play and the weekly SLA record.

Counts come straight from indexed SQL; only the most urgent handoffs are loaded to list,
so a digest stays quick however many handoffs an organisation has.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.contract.rules import approvers_at
from bot.digests.content import AGE_BUCKETS, TREND_WEEKS, DailyDigest, WeeklyDigest, daily_digest, weekly_digest
from bot.errors import TandemError
from bot.matrix import rights
from bot.matrix.audit import find_gaps
from bot.matrix.model import SIDES, Matrix
from bot.ports import Store
from bot.reviews.cadence import review_statuses
from bot.services import hours, signoff
from bot.services.cycles import settled_cycles

LISTED = 500  # most urgent open handoffs read to find breached and at-risk ones


def daily(store: Store, matrix: Matrix, now: datetime) -> DailyDigest:
    org = matrix.organisation
    unsigned = signoff.signoff_gaps_now(store, matrix, now)
    digest = daily_digest(
        matrix,
        store.most_urgent_handoffs(org, LISTED),
        review_statuses(matrix, settled_cycles(store, matrix, now), now),
        store.leave_at(org, now) + store.leave_starting(org, now, timedelta(days=1)),
        find_gaps(matrix) + list(unsigned),
        now,
    )
    by_side, by_age = store.open_handoff_counts(org, now, list(AGE_BUCKETS))
    banked = matrix.contract is not None and matrix.contract.hours is not None
    awaiting = tuple(store.pending_overflow_requests(org))
    return replace(
        digest,
        open_by_side={side: by_side.get(side, 0) for side in SIDES},
        age_buckets=by_age,
        hours=hours.report(store, matrix, None, now) if banked else None,
        signoff=unsigned,
        awaiting=awaiting,
        deciders=approvers_at(matrix, now, store.leave_at(org, now)) if awaiting else (),
    )


def weekly(store: Store, matrix: Matrix, now: datetime) -> WeeklyDigest:
    start = now - timedelta(weeks=TREND_WEEKS + 1)
    digest = weekly_digest(matrix, store.handoffs_touched_since(matrix.organisation, start), now)
    return replace(digest, burn=hours.burn(store, matrix, now))


KINDS = ("daily", "weekly")


def kind_named(text: str) -> str:
    """`/tandem digest [daily | weekly]`: which digest to post; anything else is refused by name."""
    word = text.strip().lower() or "daily"
    if word not in KINDS:
        raise TandemError(
            f"There is no '{text.strip()}' digest: `/tandem digest` posts the daily one, "
            "`/tandem digest weekly` the weekly SLA digest, `/tandem digest fleet` the provider's fleet digest."
        )
    return word


def post_now(store: Store, matrix: Matrix, user: str, kind: str, now: datetime) -> tuple[str, str]:
    """`/tandem digest [weekly]`: an admin asks for a digest in the shared channel now. It is
    queued (posted once the request's unit commits); returns (channel, outbox key)."""
    rights.require_admin(matrix, user, "post a digest")
    if not matrix.channel:
        raise TandemError(f"The matrix of {matrix.name} names no shared channel to post the digest in.")
    key = f"asked:{matrix.organisation}:{kind}:{now.isoformat()}:{user}"
    store.enqueue(matrix.organisation, key, "digest", {"kind": kind, "at": now.isoformat(), "asked": True}, now)
    return matrix.channel, key
