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

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """The ts of a recent post whose metadata carries `key` (checked before re-sending)."""


class Notifier(Protocol):
    """What services announce in the shared channel; handlers/notify.py renders and posts it."""

    def handoff_opened(self, matrix, handoff, on_duty: tuple[str, ...], now) -> tuple[str, str]:
        """Post the root message and the first thread reply; return (channel, ts)."""

    def handoff_changed(self, matrix, handoff, transition, now) -> None:
        """Update the root message and say in the thread who did what."""

    def share_file(self, channel: str, filename: str, content: str, comment: str) -> None:
        """Share an export where it was asked for."""

    def sla_alert(self, matrix, handoff, payload: dict, people, escalation, key: str, now) -> tuple[str, str]:
        """A warning in the handoff's thread; at breach also a channel post naming escalation."""

    def review_post(self, matrix, review, due_at, stage: str, escalate_to, key: str) -> tuple[str, str]:
        """A review reminder, due-day post (with Mark done) or overdue notice."""

    def digest_post(self, matrix, digest, key: str | None) -> tuple[str, str]:
        """A daily or weekly digest in the shared channel."""

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """Where an interrupted post already landed, if it did."""

    def matrix_changed(self, matrix, changes: list[str], actor: str) -> str:
        """Announce an import's changes in the shared channel."""
