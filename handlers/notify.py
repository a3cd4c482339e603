"""`Notifier` for the shared channel: renders with the views, posts through a `Conversation`."""

from __future__ import annotations

from bot.ports import Conversation
from handlers.views.handoff import changed_thread_text, opened_thread_text, root_blocks, root_text


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
