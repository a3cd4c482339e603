"""`@tandem …` in a channel: the same grammar as the slash commands, answered in the thread."""

from __future__ import annotations

from bot.errors import TandemError
from bot.grammar import parse_mention
from handlers.middleware.once import finish_event
from handlers.views.matrix import error_reply


def app_mention(event, client, context):
    runtime = context["tandem"]
    channel = event.get("channel")
    try:
        reply = runtime.answer(parse_mention(event.get("text", "")), event.get("user", ""), channel)
    except TandemError as error:
        reply = error_reply(str(error))
    payload = reply.payload()
    payload.pop("response_type")
    client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"), **payload)
    finish_event(context)
