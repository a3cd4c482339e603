"""Turning a claimed outbox item into a post: gather what it needs, hand it to the notifier.

Content is read when the post is made, not when it was claimed, so a digest or reminder
posted late says how things stand now.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.services import digests
from bot.services.tick_matrices import TickMatrices
from bot.ownership.duty import reachable

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from storage.schedule_repo import OutboxItem


def post_occurrence(runtime: Runtime, item: OutboxItem, now: datetime,
                    matrices: TickMatrices | None = None) -> tuple[str | None, str | None]:
    """Post one occurrence; return where it went (channel, ts), or (None, None) if moot now."""
    notifier = runtime.notifier
    with runtime.unit() as store:
        matrix = (matrices or TickMatrices(runtime.matrices)).get(store, item.organisation)
        if item.kind == "sla":
            handoff = store.get_handoff(item.organisation, item.payload["handoff"])
            if handoff is None or not handoff.is_open:
                return None, None
            people = (handoff.assignee,) if handoff.assignee else reachable(
                matrix.expand(handoff.target), store.leave_at(matrix.organisation, now), now)
            escalation = matrix.expand_all(matrix.area(handoff.area).escalation) if handoff.area and matrix.area(handoff.area) else ()
            escalation = escalation or tuple(p.slack for p in matrix.admins() if p.side == handoff.target_side)
            content = ("sla", handoff, people, escalation)
        elif item.kind == "review":
            review = matrix.review(item.payload["review"])
            if review is None:
                return None, None
            area = matrix.area(review.area) if review.area else None
            escalate_to = matrix.expand_all(area.accountable) if area else tuple(p.slack for p in matrix.admins())
            content = ("review", review, datetime.fromisoformat(item.payload["due_at"]), item.payload["stage"], escalate_to)
        else:
            build = digests.weekly if item.payload["kind"] == "weekly" else digests.daily
            content = ("digest", build(store, matrix, now))
    if content[0] == "sla":
        _, handoff, people, escalation = content
        return notifier.sla_alert(matrix, handoff, item.payload, people, escalation, item.key, now)
    if content[0] == "review":
        _, review, due_at, stage, escalate_to = content
        return notifier.review_post(matrix, review, due_at, stage, escalate_to, item.key)
    return notifier.digest_post(matrix, content[1], item.key)


def already_posted(runtime: Runtime, item: OutboxItem, matrices: TickMatrices) -> tuple[str, str] | None:
    """Where an interrupted send already landed, if it did (found by its metadata key)."""
    with runtime.unit() as store:
        matrix = matrices.get(store, item.organisation)
        thread = None
        channel = matrix.channel
        if item.kind == "sla":
            handoff = store.get_handoff(item.organisation, item.payload["handoff"])
            channel, thread = (handoff.channel, handoff.ts) if handoff else (channel, None)
    if not channel:
        return None
    ts = runtime.notifier.find_posted(channel, item.key, thread_ts=thread)
    return (channel, ts) if ts else None
