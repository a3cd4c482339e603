"""Overflow held for approval: the approvers' message, the requester's answer, the decline form."""

from __future__ import annotations

import json

from bot.contract.approval import OverflowRequest, hold_words
from bot.contract.rules import approvers
from bot.matrix.model import Matrix
from bot.services.overflow import Held, Opened
from handlers import ids
from handlers.views.blocks import Reply, actions, button, context, section
from handlers.views.handoff import opened_reply
from handlers.views.markup import escape, mention, party, truncate, user_text


def _approvers(request: OverflowRequest) -> str:
    """ "<@A>'s approval", or "approval by <@A> or <@B>"."""
    if len(request.approvers) == 1:
        return f"{mention(request.approvers[0])}'s approval"
    return "approval by " + " or ".join(mention(a) for a in request.approvers)


def _asked(matrix: Matrix, request: OverflowRequest) -> str:
    summary = truncate(user_text(request.summary), 500)
    return (
        f"{mention(request.requester)} asks {party(matrix, 'provider')} for overflow help: "
        f"*{summary}* ({request.priority})"
    )


def approval_blocks(matrix: Matrix, request: OverflowRequest) -> tuple[str, list[dict]]:
    """The shared channel's message: pending with Approve and Decline, or its outcome."""
    asked = _asked(matrix, request)
    held = f"Held because {escape(hold_words(request.hold))}."
    footer = context(f"Held request #{request.number} · approved or declined, it is an audit event")
    if request.status == "pending":
        text = f"{asked}. {held} Waiting for {_approvers(request)}."
        value = str(request.number)
        return text, [
            section(f":hourglass_flowing_sand: {text}"),
            actions(
                button("Approve", ids.ACTION_OVERFLOW_APPROVE, value, "primary"),
                button("Decline", ids.ACTION_OVERFLOW_DECLINE, value, "danger"),
                block_id=f"overflow_{request.number}",
            ),
            context(f"Approve sends it to {party(matrix, 'provider')}; Decline closes it with your reason."),
            footer,
        ]
    by = mention(request.decided_by or "")
    if request.status == "approved":
        became = f": it is handoff #{request.handoff} now" if request.handoff else ""
        outcome = f":white_check_mark: Approved by {by}{became}."
    else:
        outcome = f":no_entry: Declined by {by}: “{user_text(request.reason)}”"
    text = f"{asked}. {held} {outcome}"
    return text, [section(f"{asked}. {held}"), section(outcome), footer]


def decided_thread_text(request: OverflowRequest) -> str:
    """The requester hears the outcome in the request's thread."""
    by = mention(request.decided_by or "")
    if request.status == "approved":
        return (
            f"{mention(request.requester)}: {by} approved your overflow request; "
            f"it went to the provider as handoff #{request.handoff}."
        )
    return f"{mention(request.requester)}: {by} declined your overflow request: “{user_text(request.reason)}”"


def asked_reply(matrix: Matrix, asked: Opened | Held) -> Reply:
    """What the requester sees: the handoff opened, or who the held request waits for."""
    if isinstance(asked, Opened):
        reply = opened_reply(matrix, asked.handoff, asked.ping)
        if asked.outside is not None:
            yours = (
                "you approve such requests"
                if asked.handoff.requester in approvers(matrix)
                else "you stand in for the approver, who is away"
            )
            note = (
                f"This was outside the contract ({escape(hold_words(asked.outside))}); {yours}, "
                "so it went straight to the provider, recorded as your approval."
            )
            reply.blocks.append(context(note))
            reply.text += " " + note
        return reply
    request = asked.request
    text = (
        f"Held for approval: {escape(hold_words(request.hold))}. "
        f"Waiting for {_approvers(request)}; you will hear in the thread of held request "
        f"#{request.number} in <#{request.channel}>."
    )
    return Reply(text, [section(f":hourglass_flowing_sand: {text}")])


def decline_modal(number: int, channel: str | None, ts: str | None) -> dict:
    """The reason for a decline, which the requester will read."""
    return {
        "type": "modal",
        "callback_id": ids.VIEW_OVERFLOW_DECLINE,
        "title": {"type": "plain_text", "text": f"Decline request #{number}"[:24]},
        "submit": {"type": "plain_text", "text": "Decline"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"request": number, "channel": channel, "ts": ts}),
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why is it declined?"},
                "hint": {"type": "plain_text", "text": "The requester reads this, with your name."},
                "element": {"type": "plain_text_input", "action_id": "reason", "multiline": True, "max_length": 1000},
            }
        ],
    }
