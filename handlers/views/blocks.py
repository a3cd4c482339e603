"""Block Kit building blocks that respect Slack's limits by truncating, never by failing.

Limits: docs.slack.dev block reference (section text 3,000, header 150, context element
2,000 and 10 elements, button text 75 and value 2,000, 50 blocks per message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from bot.errors import Words
from handlers.views.markup import truncate, words

SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_TEXT = 2000
CONTEXT_ELEMENTS = 10
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
FALLBACK_TEXT = 3000


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER_TEXT), "emoji": True}}


def section(text: str, fields: list[str] | None = None) -> dict:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT)}}
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": truncate(f, 2000)} for f in fields[:10]]
    return block


def context(*texts: str) -> dict:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(t, CONTEXT_TEXT)} for t in texts[:CONTEXT_ELEMENTS] if t],
    }


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
    }
    if value:
        element["value"] = value[:BUTTON_VALUE]
    if style:
        element["style"] = style
    return element


def actions(*elements: dict, block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": list(elements[:25])}
    if block_id:
        block["block_id"] = block_id
    return block


def cap_blocks(blocks: list[dict], limit: int = MESSAGE_BLOCKS) -> list[dict]:
    """Keep within the block limit; the last kept block says how much was left out."""
    if len(blocks) <= limit:
        return blocks
    left_out = len(blocks) - (limit - 1)
    return [*blocks[: limit - 1], context(f"…and {left_out} more not shown here.")]


@dataclass
class Reply:
    """What a command answers: fallback text, blocks, and whether the whole channel sees it."""

    text: str
    blocks: list[dict] = field(default_factory=list)
    public: bool = False
    private: bool = False  # only the asker may see it, even when asked by a mention in a channel
    _json: str | None = field(default=None, init=False, repr=False, compare=False)

    def payload(self) -> dict:
        return {
            "text": truncate(self.text, FALLBACK_TEXT),
            "blocks": cap_blocks(self.blocks),
            "response_type": "in_channel" if self.public else "ephemeral",
        }

    def json(self) -> str:
        """`payload()` as JSON, made once: an answer kept in `AnswerCache` is sent many times,
        and serialising its couple of kilobytes cost more than finding it."""
        if self._json is None:
            self._json = json.dumps(self.payload())
        return self._json


def notice_modal(text: str) -> dict:
    """A modal that only says `text`: what a submitted form turns into when it was refused."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Tandem"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }


def with_problem(reply: Reply, why: Words) -> Reply:
    """The reply, with what did not reach the channel said after it."""
    note = f":warning: The message in the channel is waiting: {words(why)}"
    return replace(reply, text=f"{reply.text} {note}", blocks=[*reply.blocks, section(note)])
