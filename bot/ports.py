"""The one interface through which services post to a channel.

Slack implements it with the Web API (`handlers/conversation.py`), the console prints
(`bot/console/conversation.py`), and tests use the Slack one against a local stand-in.
"""

from __future__ import annotations

from typing import Protocol


class Conversation(Protocol):
    def post(self, channel: str, text: str, blocks: list[dict], thread_ts: str | None = None,
             metadata: dict | None = None) -> str:
        """Post a message (in a thread when `thread_ts` is given); return its ts."""

    def update(self, channel: str, ts: str, text: str, blocks: list[dict]) -> None:
        """Replace a message the bot posted."""

    def upload(self, channel: str, filename: str, content: str, comment: str) -> None:
        """Share a file in a channel."""


class Notifier(Protocol):
    """What services announce in the shared channel; handlers/notify.py renders and posts it."""

    def handoff_opened(self, matrix, handoff, on_duty: tuple[str, ...], now) -> tuple[str, str]:
        """Post the root message and the first thread reply; return (channel, ts)."""

    def handoff_changed(self, matrix, handoff, transition, now) -> None:
        """Update the root message and say in the thread who did what."""

    def share_file(self, channel: str, filename: str, content: str, comment: str) -> None:
        """Share an export where it was asked for."""
