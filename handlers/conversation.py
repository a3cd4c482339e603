"""`Conversation` over the Slack Web API.

The client retries 429s (Slack took nothing), except for posts keyed by an occurrence: the
outbox's raise `RateLimited` at once, and the outbox pauses the workspace and puts the post
back rather than holding a tick up; a reply to a mention waits out `Retry-After` here. A post whose connection broke is not retried: it may have landed,
so the outbox checks the channel before sending it again. A channel Slack will not let the
bot post in becomes `ChannelUnavailable`, which holds the post until the bot joins.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.outbox import ChannelUnavailable, RateLimited
from handlers.views.blocks import FALLBACK_TEXT, cap_blocks
from handlers.views.markup import truncate


class SlackConversation:
    def __init__(self, client: WebClient, outbox: bool = False) -> None:
        """`outbox`: the outbox's own posts, whose 429 it handles; any other post keyed by an
        occurrence (a reply to a mention) waits out the `Retry-After` here, as the client would."""
        self.client = client
        self.outbox = outbox

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict],
        thread_ts: str | None = None,
        metadata: dict | None = None,
        look_first: bool = False,
    ) -> str:
        """Post, and when the connection breaks mid-way, look for the post (by the occurrence
        key in its metadata) before trying again: a post that landed is never made twice.
        `look_first`: an earlier run may have made it (the work is run again after its process
        died), so look before the first try too."""
        key = (metadata or {}).get("occurrence")
        if look_first and key is not None and (landed := self.find_posted(channel, key, thread_ts)):
            return landed
        for attempt in range(RETRIES + 1):
            try:
                return self._post(channel, text, blocks, thread_ts, metadata)
            except SlackApiError as error:
                if key is None or error.response is None or error.response.status_code != 429:
                    raise
                if self.outbox:
                    raise RateLimited(retry_after(error.response.headers)) from error
                if attempt == RETRIES:
                    raise
                time.sleep(retry_after(error.response.headers))
                continue
            except (OSError, HTTPException):
                if key is None or attempt == RETRIES:
                    raise
                landed = self.find_posted(channel, key, thread_ts)
                if landed:
                    return landed
        raise AssertionError("unreachable")

    def _post(self, channel: str, text: str, blocks: list[dict], thread_ts: str | None, metadata: dict | None) -> str:
        with _refusals(channel):
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
        with _refusals(channel):
            self.client.chat_update(
                channel=channel, ts=ts, text=truncate(text, FALLBACK_TEXT), blocks=cap_blocks(blocks) or None
            )

    def upload(self, channel: str, filename: str, content: str, comment: str) -> None:
        self.client.files_upload_v2(channel=channel, filename=filename, content=content, initial_comment=comment)

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """The ts of a recent message carrying occurrence `key` in its metadata, if any."""
        if thread_ts:
            try:
                response = self.client.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
                )
            except SlackApiError as error:
                if error.response is not None and error.response.get("error") == "thread_not_found":
                    return None  # no thread yet: nothing was posted in it
                raise
        else:
            response = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
        messages: list[dict[str, Any]] = response.get("messages") or []
        for message in messages:
            if ((message.get("metadata") or {}).get("event_payload") or {}).get("occurrence") == key:
                return str(message["ts"])
        return None


def retry_after(headers: dict[str, Any]) -> float:
    """Slack's `Retry-After` in seconds (a second when it gives none we can read)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    text = str(value[0] if isinstance(value, list) and value else value)
    try:
        return max(float(text), 1.0)
    except ValueError:
        return 1.0


RETRIES = 2  # after a broken connection, once the post is known not to have landed
HELD = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


@contextmanager
def _refusals(channel: str) -> Iterator[None]:
    try:
        yield
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        if code in HELD:
            raise ChannelUnavailable(channel, str(code)) from error
        raise
