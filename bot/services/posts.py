"""Turning a claimed outbox item into a post: gather what it needs, hand it to the notifier.

Content is read when the post is made, not when it was claimed, so a digest or reminder
posted late says how things stand now. What is gathered is a typed value per kind of post;
the database transaction closes before the notifier talks to Slack.

A handoff's root message is refreshed (not posted) at each SLA threshold, so what people
look at shows the clock as it stands. It is rendered from the handoff as stored when the
update is made, and read again after: if a step landed meanwhile, its own update may have
reached Slack first, so the root is rendered again and an older version never stays on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.contract.signoff import ChangeSet
from bot.digests.content import DailyDigest, WeeklyDigest
from bot.handoffs.model import Handoff
from bot.matrix.model import Matrix, Review
from bot.outbox import OutboxItem
from bot.ownership.duty import alerted, reviewers
from bot.ports import Notifier, Store
from bot.services import changes, digests
from bot.services.deps import Deps
from bot.services.tick_matrices import TickMatrices


@dataclass(frozen=True)
class SlaPost:
    handoff: Handoff
    payload: dict[str, Any]
    people: tuple[str, ...]  # who the alert pings
    escalation: tuple[str, ...]  # named at breach


@dataclass(frozen=True)
class ReviewPost:
    review: Review
    due_at: datetime
    stage: str
    owners: tuple[str, ...]  # whom the post pings: the owner now, leave, cover and rotas applied
    escalate_to: tuple[str, ...]


@dataclass(frozen=True)
class DigestPost:
    digest: DailyDigest | WeeklyDigest


@dataclass(frozen=True)
class RootRefresh:
    handoff: Handoff


@dataclass(frozen=True)
class SignoffPost:
    change: ChangeSet


Post = SlaPost | ReviewPost | DigestPost | RootRefresh | SignoffPost
ROOT = "root"  # the outbox kind of a root message refresh
REFRESHES = 3  # renders of a root message per delivery while steps keep landing under it


def _gather(store: Store, matrix: Matrix, item: OutboxItem, now: datetime) -> Post | None:
    """What the post says now; None when it has become moot (resolved handoff, removed review)."""
    if item.kind == ROOT:
        handoff = store.get_handoff(item.organisation, item.payload["handoff"])
        return RootRefresh(handoff) if handoff and handoff.channel and handoff.ts else None
    if item.kind == "sla":
        handoff = store.get_handoff(item.organisation, item.payload["handoff"])
        if handoff is None or not handoff.is_open:
            return None
        people, escalation = alerted(matrix, handoff, now, store.leave_at(matrix.organisation, now))
        return SlaPost(handoff, item.payload, people, escalation)
    if item.kind == "review":
        review = matrix.review(item.payload["review"])
        if review is None:
            return None
        owners, escalate_to = reviewers(matrix, review, now, store.leave_at(matrix.organisation, now))
        due_at = datetime.fromisoformat(item.payload["due_at"])
        return ReviewPost(review, due_at, item.payload["stage"], owners, escalate_to)
    if item.kind == changes.OUTBOX_KIND:
        change = store.get_change_set(item.organisation, item.payload["change"])
        return SignoffPost(change) if change is not None and change.confirmed_at is None else None
    build = digests.weekly if item.payload["kind"] == "weekly" else digests.daily
    digest = build(store, matrix, now)
    if isinstance(digest, DailyDigest) and digest.quiet and matrix.digest_quiet == "skip":
        return None  # nothing to report, and the organisation asked for silence then
    return DigestPost(digest)


def _send(notifier: Notifier, matrix: Matrix, post: Post, key: str, now: datetime) -> tuple[str, str]:
    if isinstance(post, RootRefresh):
        return notifier.handoff_refreshed(matrix, post.handoff, now)
    if isinstance(post, SlaPost):
        return notifier.sla_alert(matrix, post.handoff, post.payload, post.people, post.escalation, key, now)
    if isinstance(post, ReviewPost):
        return notifier.review_post(matrix, post.review, post.due_at, post.stage, post.owners, post.escalate_to, key)
    if isinstance(post, SignoffPost):
        return notifier.signoff_requested(matrix, post.change, key)
    return notifier.digest_post(matrix, post.digest, key)


def post_occurrence(
    deps: Deps, item: OutboxItem, now: datetime, matrices: TickMatrices | None = None
) -> tuple[str | None, str | None]:
    """Post one occurrence; return where it went (channel, ts), or (None, None) if moot now."""
    matrices = matrices or TickMatrices(deps.matrices)
    for _ in range(REFRESHES if item.kind == ROOT else 1):
        with deps.units(read_only=True) as store:
            matrix = matrices.get(store, item.organisation)
            post = _gather(store, matrix, item, now)
        if post is None:
            return None, None
        where = _send(deps.notifier, matrix, post, item.key, now)
        if not isinstance(post, RootRefresh) or _unchanged(deps, post.handoff):
            break
    return where


def _unchanged(deps: Deps, handoff: Handoff) -> bool:
    """Whether `handoff` is still the stored version (no step landed while it was being shown)."""
    with deps.units(read_only=True) as store:
        now_stored = store.get_handoff(handoff.organisation, handoff.number)
    return now_stored is None or now_stored.version == handoff.version


def already_posted(deps: Deps, item: OutboxItem, matrices: TickMatrices) -> tuple[str, str] | None:
    """Where an interrupted send already landed, if it did (found by its metadata key).

    A root refresh leaves nothing to find: it is simply made again."""
    if item.kind == ROOT:
        return None
    with deps.units(read_only=True) as store:
        matrix = matrices.get(store, item.organisation)
        thread = None
        channel = matrix.channel
        if item.kind == "sla":
            handoff = store.get_handoff(item.organisation, item.payload["handoff"])
            channel, thread = (handoff.channel, handoff.ts) if handoff else (channel, None)
    if not channel:
        return None
    ts = deps.notifier.find_posted(channel, item.key, thread_ts=thread)
    return (channel, ts) if ts else None
