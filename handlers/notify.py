"""`Notifier` for the shared channel: renders with the views, posts through a `Conversation`.

The Slack conversation (`handlers/conversation.py`) and the console's printout both sit
behind it, so a post reads the same in Slack and in a terminal. Each post goes through the
conversation of its matrix's workspace: one and the same with a single token, that
workspace's own token when Tandem is installed by OAuth in many.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.contract.approval import OverflowRequest
from bot.contract.hours import HoursEntry
from bot.contract.signoff import ChangeSet
from bot.digests.content import DailyDigest, WeeklyDigest
from bot.digests.fleet import FleetDigest
from bot.handoffs.model import Handoff, Transition
from bot.matrix.model import Matrix, Review
from bot.ownership.duty import Ping
from bot.ports import Conversation
from handlers.views.approval import approval_blocks, decided_thread_text
from handlers.views.digests import daily_digest_blocks, weekly_digest_blocks
from handlers.views.fleet import fleet_digest_blocks
from handlers.views.handoff import changed_thread_text, opened_thread_text, root_blocks, root_text
from handlers.views.hours import logged_text
from handlers.views.markup import escape
from handlers.views.matrix import matrix_changed_blocks
from handlers.views.reminders import fleet_held_text, held_notice_text, review_blocks, sla_alert_text, sla_breach_blocks
from handlers.views.signoff import confirmed_thread_text, signoff_blocks

Conversations = Callable[[str | None], Conversation]  # the conversation through a workspace (a matrix's `team`)


def one(conversation: Conversation) -> Conversations:
    """Every workspace through the same conversation (one token, or the console)."""
    return lambda _team: conversation


class ChannelNotifier:
    def __init__(self, conversations: Conversations) -> None:
        self.conversations = conversations

    def _of(self, matrix: Matrix) -> Conversation:
        """The conversation through the workspace the matrix's channel lives in."""
        return self.conversations(matrix.team)

    def handoff_root(self, matrix: Matrix, handoff: Handoff, now: datetime, key: str) -> tuple[str, str]:
        channel = handoff.channel or _shared(matrix)
        meta = {"occurrence": key, "handoff": handoff.id}
        return channel, self._of(matrix).post(
            channel, root_text(handoff), root_blocks(matrix, handoff, now), metadata=meta
        )

    def handoff_opened(self, matrix: Matrix, handoff: Handoff, ping: Ping, now: datetime, key: str) -> tuple[str, str]:
        channel, ts = _placed(handoff)
        text = opened_thread_text(matrix, handoff, ping, now)
        return channel, self._of(matrix).post(channel, text, [], thread_ts=ts, metadata={"occurrence": key})

    def handoff_said(self, matrix: Matrix, handoff: Handoff, transition: Transition, key: str) -> tuple[str, str]:
        channel, ts = _placed(handoff)
        text = changed_thread_text(handoff, transition)
        return channel, self._of(matrix).post(channel, text, [], thread_ts=ts, metadata={"occurrence": key})

    def held_notice(self, matrix: Matrix, to: str, channel: str, reason: str, key: str) -> tuple[str, str]:
        text = held_notice_text(matrix, channel, reason)
        return to, self._of(matrix).post(to, text, [], metadata={"occurrence": key})

    def handoff_refreshed(self, matrix: Matrix, handoff: Handoff, now: datetime) -> tuple[str, str]:
        if handoff.channel is None or handoff.ts is None:
            raise ValueError(f"handoff #{handoff.id} has no root message to refresh")
        self._of(matrix).update(handoff.channel, handoff.ts, root_text(handoff), root_blocks(matrix, handoff, now))
        return handoff.channel, handoff.ts

    def share_file(self, matrix: Matrix, channel: str, filename: str, content: str, comment: str) -> None:
        self._of(matrix).upload(channel, filename, content, escape(comment))

    def sla_alert(
        self,
        matrix: Matrix,
        handoff: Handoff,
        payload: dict[str, Any],
        people: tuple[str, ...],
        escalation: tuple[str, ...],
        key: str,
        now: datetime,
    ) -> tuple[str, str]:
        channel, ts = _placed(handoff)
        text = sla_alert_text(matrix, handoff, payload, people, now)
        return channel, self._of(matrix).post(channel, text, [], thread_ts=ts, metadata={"occurrence": key})

    def sla_breach(
        self,
        matrix: Matrix,
        handoff: Handoff,
        payload: dict[str, Any],
        people: tuple[str, ...],
        escalation: tuple[str, ...],
        key: str,
        now: datetime,
    ) -> tuple[str, str]:
        channel = _shared(matrix)
        text, blocks = sla_breach_blocks(matrix, handoff, payload, people, escalation, now)
        return channel, self._of(matrix).post(channel, text, blocks, metadata={"occurrence": key})

    def review_post(
        self,
        matrix: Matrix,
        review: Review,
        due_at: datetime,
        stage: str,
        owners: tuple[str, ...],
        escalate_to: tuple[str, ...],
        key: str,
    ) -> tuple[str, str]:
        channel = _shared(matrix)
        text, blocks = review_blocks(matrix, review, due_at, stage, owners, escalate_to)
        return channel, self._of(matrix).post(channel, text, blocks, metadata={"occurrence": key})

    def digest_post(self, matrix: Matrix, digest: DailyDigest | WeeklyDigest, key: str | None) -> tuple[str, str]:
        channel = _shared(matrix)
        if isinstance(digest, DailyDigest):
            text, blocks = daily_digest_blocks(matrix, digest)
        else:
            text, blocks = weekly_digest_blocks(matrix, digest)
        return channel, self._of(matrix).post(channel, text, blocks, metadata={"occurrence": key} if key else None)

    def fleet_digest_post(self, team: str | None, channel: str, digest: FleetDigest, key: str) -> tuple[str, str]:
        text, blocks = fleet_digest_blocks(digest)
        return channel, self.conversations(team).post(channel, text, blocks, metadata={"occurrence": key})

    def fleet_held_notice(self, team: str | None, to: str, channel: str, reason: str, key: str) -> tuple[str, str]:
        return to, self.conversations(team).post(to, fleet_held_text(channel, reason), [], metadata={"occurrence": key})

    def find_posted(self, team: str | None, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        return self.conversations(team).find_posted(channel, key, thread_ts)

    def hours_logged(
        self, matrix: Matrix, handoff: Handoff, entry: HoursEntry, total: int, key: str
    ) -> tuple[str, str]:
        channel, ts = _placed(handoff)
        text = logged_text(entry, handoff, total)
        return channel, self._of(matrix).post(channel, text, [], thread_ts=ts, metadata={"occurrence": key})

    def approval_requested(self, matrix: Matrix, request: OverflowRequest, key: str) -> tuple[str, str]:
        channel = _shared(matrix)
        text, blocks = approval_blocks(matrix, request)
        metadata = {"occurrence": key, "overflow_request": request.id}
        return channel, self._of(matrix).post(channel, text, blocks, metadata=metadata)

    def approval_decided(self, matrix: Matrix, request: OverflowRequest) -> None:
        if request.channel is None or request.ts is None:
            return
        text, blocks = approval_blocks(matrix, request)
        self._of(matrix).update(request.channel, request.ts, text, blocks)
        self._of(matrix).post(request.channel, decided_thread_text(request), [], thread_ts=request.ts)

    def signoff_requested(self, matrix: Matrix, change: ChangeSet, key: str | None) -> tuple[str, str]:
        channel = _shared(matrix)
        text, blocks = signoff_blocks(matrix, change)
        return channel, self._of(matrix).post(channel, text, blocks, metadata={"occurrence": key} if key else None)

    def signoff_confirmed(self, matrix: Matrix, change: ChangeSet, by: str, where: tuple[str, str] | None) -> None:
        if where is None:
            return
        channel, ts = where
        text, blocks = signoff_blocks(matrix, change)
        self._of(matrix).update(channel, ts, text, blocks)
        self._of(matrix).post(channel, confirmed_thread_text(matrix, change, by), [], thread_ts=ts)

    def matrix_changed(self, matrix: Matrix, changes: list[str], actor: str) -> str:
        text, blocks = matrix_changed_blocks(matrix, changes, actor)
        return self._of(matrix).post(_shared(matrix), text, blocks)


def _shared(matrix: Matrix) -> str:
    if matrix.channel is None:
        raise ValueError(f"the matrix of {matrix.organisation} names no shared channel ('channel:')")
    return matrix.channel


def _placed(handoff: Handoff) -> tuple[str, str]:
    if handoff.channel is None or handoff.ts is None:
        raise ValueError(f"handoff #{handoff.id} has no message in Slack yet")
    return handoff.channel, handoff.ts
