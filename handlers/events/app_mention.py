"""`@tandem …` in a channel: the same grammar as the slash commands, answered in the thread."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.grammar import parse_mention
from handlers import inputs
from handlers.conversation import SlackConversation
from handlers.dispatch import answer
from handlers.inputs import Mention
from handlers.middleware.once import finish_event


def app_mention(client: WebClient, context: dict[str, Any]) -> None:
    mention = inputs.of(context, Mention)
    team = context["origin"].team
    reply = answer(context["tandem"], lambda: parse_mention(mention.text), mention.user, mention.channel, team)
    if reply.private:
        payload = reply.payload()
        payload.pop("response_type")
        client.chat_postEphemeral(channel=mention.channel, user=mention.user, **payload)
    else:  # keyed by the event, so a reply whose connection broke is looked for before it is sent again
        key = f"reply:{context.get('event_id') or mention.ts}"
        SlackConversation(client).post(
            mention.channel,
            reply.text,
            reply.blocks,
            thread_ts=mention.thread_ts or mention.ts,
            metadata={"occurrence": key},
            look_first=bool(context.get("inbox_resumed")),  # its process may have died after the reply landed
        )
    finish_event(context)
