"""Approve and Decline on a held overflow request, and the decline reason's form.

Each runs after its acknowledgement; a refusal (not an approver, decided already) is told
to the person who pressed by `handlers.errors.guarded`, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.services import overflow
from handlers import inputs
from handlers.inputs import Press, Submission
from handlers.views.approval import decline_modal


def _number(value: int | None) -> int:
    if value is None:  # ReadInputs sets it for these buttons and this form
        raise TypeError("no overflow request in this request")
    return value


def approve_button(context: dict[str, Any]) -> None:
    press = inputs.of(context, Press)
    overflow.decision(context["tandem"], _number(press.request), "approve", press.user, press.channel)


def decline_button(client: WebClient, context: dict[str, Any]) -> None:
    """Check first, so nobody writes a reason only to be told they may not decline."""
    press = inputs.of(context, Press)
    number = _number(press.request)
    overflow.check_decision(context["tandem"], number, press.user, press.channel)
    client.views_open(trigger_id=press.trigger_id, view=decline_modal(number, press.channel, press.message_ts))


def decline_submitted(context: dict[str, Any]) -> None:
    submission = inputs.of(context, Submission)
    number = _number(submission.request)
    overflow.decision(
        context["tandem"], number, "decline", submission.user, submission.channel, submission.text("reason")
    )
