"""The Mark done button on a review post, and the evidence modal behind it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.errors import TandemError
from bot.services import reviews as review_service
from bot.services.deps import Deps
from handlers.errors import view_metadata
from handlers.views.reminders import done_reply, review_done_modal


def review_done_button(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: dict[str, Any]
) -> None:
    deps: Deps = context["tandem"]
    key, _, due = action["value"].partition("|")
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("message") or {}).get("ts")
    with deps.units() as store:
        matrix = deps.matrices.for_request(store, channel, body["user"]["id"]).matrix
        review = review_service.completable(matrix, key, body["user"]["id"])
    client.views_open(
        trigger_id=body["trigger_id"], view=review_done_modal(review, datetime.fromisoformat(due), channel, ts)
    )


def review_done_submitted(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, context: dict[str, Any]
) -> None:
    deps: Deps = context["tandem"]
    user = body["user"]["id"]
    meta = view_metadata(body)
    channel, ts = meta.get("channel"), meta.get("ts")
    evidence = view["state"]["values"]["evidence"]["evidence"].get("value") or ""
    with deps.units() as store:
        matrix = deps.matrices.for_request(store, channel, user).matrix
        review, due_at = review_service.complete(
            store, matrix, meta["review"], user, evidence, deps.clock.now(), datetime.fromisoformat(meta["due_at"])
        )
    reply = done_reply(review, due_at, matrix, user, evidence)
    where = channel or matrix.channel
    if where is None:
        raise TandemError(f"Done and recorded, but the matrix of {matrix.name} names no shared channel to say so in.")
    client.chat_postMessage(channel=where, thread_ts=ts or None, text=reply.text, blocks=reply.blocks)
