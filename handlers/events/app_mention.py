"""`@tandem …` in a channel: the same grammar as the slash commands, answered in the thread."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.grammar import parse_mention
from handlers.dispatch import answer
from handlers.middleware.once import finish_event


def app_mention(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    channel = event["channel"]
    reply = answer(context["tandem"], lambda: parse_mention(event.get("text", "")), event.get("user", ""), channel)
    payload = reply.payload()
    payload.pop("response_type")
    client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"), **payload)
    finish_event(context)
