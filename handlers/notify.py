"""`Notifier` for the shared channel: renders with the views, posts through a `Conversation`."""

from __future__ import annotations

from bot.ports import Conversation
from bot.digests.content import DailyDigest
from handlers.views.matrix import matrix_changed_blocks
from handlers.views.handoff import changed_thread_text, opened_thread_text, root_blocks, root_text
from handlers.views.reminders import (
    daily_digest_blocks, review_blocks, sla_alert_text, sla_breach_blocks, weekly_digest_blocks,
)


class ChannelNotifier:
    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def handoff_opened(self, matrix, handoff, on_duty, now) -> tuple[str, str]:
        channel = matrix.channel
        ts = self.conversation.post(channel, root_text(handoff), root_blocks(matrix, handoff, now),
                                    metadata={"handoff": handoff.id})
        text = opened_thread_text(matrix, handoff, on_duty, now)
        self.conversation.post(channel, text, [], thread_ts=ts)
        return channel, ts

    def handoff_changed(self, matrix, handoff, transition, now) -> None:
        self.conversation.update(handoff.channel, handoff.ts, root_text(handoff), root_blocks(matrix, handoff, now))
        self.conversation.post(handoff.channel, changed_thread_text(handoff, transition), [], thread_ts=handoff.ts)

    def share_file(self, channel: str, filename: str, content: str, comment: str) -> None:
        self.conversation.upload(channel, filename, content, comment)

    def sla_alert(self, matrix, handoff, payload, people, escalation, key, now) -> tuple[str, str]:
        meta = {"occurrence": key}
        ts = self.conversation.post(handoff.channel, sla_alert_text(handoff, payload, people), [],
                                    thread_ts=handoff.ts, metadata=meta)
        if payload["breach"]:
            text, blocks = sla_breach_blocks(matrix, handoff, payload, people, escalation, now)
            self.conversation.post(matrix.channel, text, blocks, metadata=meta)
        return handoff.channel, ts

    def review_post(self, matrix, review, due_at, stage, escalate_to, key) -> tuple[str, str]:
        text, blocks = review_blocks(matrix, review, due_at, stage, escalate_to)
        return matrix.channel, self.conversation.post(matrix.channel, text, blocks, metadata={"occurrence": key})

    def digest_post(self, matrix, digest, key) -> tuple[str, str]:
        render = daily_digest_blocks if isinstance(digest, DailyDigest) else weekly_digest_blocks
        text, blocks = render(matrix, digest)
        return matrix.channel, self.conversation.post(matrix.channel, text, blocks, metadata={"occurrence": key} if key else None)

    def find_posted(self, channel, key, thread_ts=None) -> str | None:
        return self.conversation.find_posted(channel, key, thread_ts)

    def matrix_changed(self, matrix, changes: list[str], actor: str) -> str:
        text, blocks = matrix_changed_blocks(matrix, changes, actor)
        return self.conversation.post(matrix.channel, text, blocks)
