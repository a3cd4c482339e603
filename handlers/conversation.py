"""`Conversation` over the Slack Web API (the client retries 429s and connection errors)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from handlers.views.blocks import FALLBACK_TEXT, cap_blocks
from handlers.views.markup import truncate


class SlackConversation:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(
        self, channel: str, text: str, blocks: list[dict], thread_ts: str | None = None, metadata: dict | None = None
    ) -> str:
        response = self.client.chat_postMessage(
            channel=channel,
            text=truncate(text, FALLBACK_TEXT),
            blocks=cap_blocks(blocks) or None,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": "tandem_post", "event_payload": metadata} if metadata else None,
        )
        return str(response["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: list[dict]) -> None:
        self.client.chat_update(
            channel=channel, ts=ts, text=truncate(text, FALLBACK_TEXT), blocks=cap_blocks(blocks) or None
        )

    def upload(self, channel: str, filename: str, content: str, comment: str) -> None:
        self.client.files_upload_v2(channel=channel, filename=filename, content=content, initial_comment=comment)

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """The ts of a recent message carrying occurrence `key` in its metadata, if any."""
        if thread_ts:
            response = self.client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            response = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
        messages: list[dict[str, Any]] = response.get("messages") or []
        for message in messages:
            if ((message.get("metadata") or {}).get("event_payload") or {}).get("occurrence") == key:
                return str(message["ts"])
        return None
