"""The Mark done button on a review post, and the evidence modal behind it."""

from __future__ import annotations

from datetime import datetime

from bot.errors import TandemError
from bot.services import reviews as review_service
from handlers.views.reminders import done_reply, review_done_modal


def review_done_button(body, action, client, context):
    runtime = context["tandem"]
    key, _, due = action["value"].partition("|")
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("message") or {}).get("ts")
    try:
        with runtime.unit() as store:
            review = review_service.find(runtime.matrices.for_request(store, channel, body["user"]["id"]).matrix, key)
    except TandemError as error:
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=str(error))
        return
    client.views_open(trigger_id=body["trigger_id"], view=review_done_modal(review, datetime.fromisoformat(due), channel, ts))


def review_done_submitted(body, view, client, context):
    runtime = context["tandem"]
    user = body["user"]["id"]
    key, due, channel, ts = view["private_metadata"].split("|")
    evidence = view["state"]["values"]["evidence"]["evidence"].get("value") or ""
    try:
        with runtime.unit() as store:
            matrix = runtime.matrices.for_request(store, channel or None, user).matrix
            review, due_at = review_service.complete(store, matrix, key, user, evidence, runtime.clock.now(),
                                                     datetime.fromisoformat(due))
    except TandemError as error:
        client.chat_postEphemeral(channel=channel or runtime.default_channel(user), user=user, text=str(error))
        return
    reply = done_reply(review, due_at, matrix, user, evidence)
    client.chat_postMessage(channel=channel or matrix.channel, thread_ts=ts or None, text=reply.text, blocks=reply.blocks)
