"""`@tandem …` in a channel: the same grammar as the slash commands, answered in the thread."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.grammar import parse_mention
from handlers import inputs
from handlers.dispatch import answer
from handlers.inputs import Mention
from handlers.middleware.once import finish_event


def app_mention(client: WebClient, context: dict[str, Any]) -> None:
    mention = inputs.of(context, Mention)
    team = context["origin"].team
    reply = answer(context["tandem"], lambda: parse_mention(mention.text), mention.user, mention.channel, team)
    payload = reply.payload()
    payload.pop("response_type")
    if reply.private:
        client.chat_postEphemeral(channel=mention.channel, user=mention.user, **payload)
    else:
        client.chat_postMessage(channel=mention.channel, thread_ts=mention.thread_ts or mention.ts, **payload)
    finish_event(context)
