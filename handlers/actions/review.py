"""The Mark done button on a review post, and the evidence modal behind it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.errors import TandemError
from bot.services import reviews as review_service
from bot.services.deps import Deps
from handlers import inputs
from handlers.inputs import Press, ReviewRef, Submission
from handlers.views.reminders import done_reply, review_done_modal


def _review(ref: ReviewRef | None) -> ReviewRef:
    if ref is None:  # ReadInputs sets it for Mark done and its modal
        raise TypeError("no review in this request")
    return ref


def review_done_button(client: WebClient, context: dict[str, Any]) -> None:
    deps: Deps = context["tandem"]
    press = inputs.of(context, Press)
    ref = _review(press.review)
    with deps.units(read_only=True) as store:
        matrix = deps.matrices.for_request(store, press.channel, press.user).matrix
        review = review_service.completable(matrix, ref.key, press.user)
    client.views_open(
        trigger_id=press.trigger_id, view=review_done_modal(review, ref.due_at, press.channel, press.message_ts)
    )


def review_done_submitted(client: WebClient, context: dict[str, Any]) -> None:
    deps: Deps = context["tandem"]
    submission = inputs.of(context, Submission)
    ref = _review(submission.review)
    user, channel = submission.user, submission.channel
    evidence = submission.text("evidence")
    with deps.units() as store:
        matrix = deps.matrices.for_request(store, channel, user).matrix
        done = review_service.complete(store, matrix, ref.key, user, evidence, deps.clock.now(), ref.due_at)
    reply = done_reply(done, matrix, user, evidence)
    where = channel or matrix.channel
    if where is None:
        raise TandemError(f"Done and recorded, but the matrix of {matrix.name} names no shared channel to say so in.")
    client.chat_postMessage(channel=where, thread_ts=submission.message_ts, text=reply.text, blocks=reply.blocks)
