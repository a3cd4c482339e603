"""Handoff buttons, the new-handoff modal (from a shortcut, a bare /handoff or the
"Start a handoff" button) and the resolution-note modal.

Each runs after its acknowledgement (handlers/acks.py); a refusal raised by the core is
told to the person who clicked by `handlers.errors.guarded`, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.contract.model import parse_hours
from bot.grammar import Command
from bot.services import handoffs as handoff_service
from bot.services import hours as hours_service
from bot.services.deps import Deps
from handlers import ids, inputs
from handlers.inputs import HandoffRef, Press, Shortcut, Submission
from handlers.views.handoff import new_handoff_modal, resolve_modal

ACTION_FOR_BUTTON = {action_id: action for action, action_id in ids.HANDOFF_BUTTONS.items()}


def _handoff(press: Press) -> HandoffRef:
    if press.handoff is None:  # ReadInputs sets it for every handoff button
        raise TypeError(f"{press.action_id} carries no handoff")
    return press.handoff


def handoff_button(context: dict[str, Any]) -> None:
    press = inputs.of(context, Press)
    ref = _handoff(press)
    action = ACTION_FOR_BUTTON[press.action_id]
    handoff_service.step(context["tandem"], ref.number, action, press.user, press.channel, seen=ref.version)


def resolve_button(client: WebClient, context: dict[str, Any]) -> None:
    """Check first, so nobody types a resolution note only to be told they may not resolve."""
    press = inputs.of(context, Press)
    ref = _handoff(press)
    deps: Deps = context["tandem"]
    handoff_service.check_step(deps, ref.number, "resolve", press.user, press.channel, ref.version)
    ask_hours = hours_service.asked_on_resolve(deps, press.user, press.channel)
    client.views_open(
        trigger_id=press.trigger_id, view=resolve_modal(ref.number, ref.version, press.channel, ask_hours)
    )


def _hours(submission: Submission) -> int | None:
    """The hours typed in the resolve form (None when left empty); ValueError says what is wrong."""
    typed = submission.text("hours").strip()
    return parse_hours(typed) if typed else None


def check_resolution(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge the resolve form, or keep it open with a note under hours Tandem cannot read."""
    try:
        _hours(inputs.of(context, Submission))
    except ValueError as error:
        ack(response_action="errors", errors={"hours": str(error)})
        return
    ack()


def resolve_submitted(context: dict[str, Any]) -> None:
    submission = inputs.of(context, Submission)
    if submission.handoff is None:  # ReadInputs sets it for this modal
        raise TypeError("the resolution modal carries no handoff")
    note = submission.text("note") or None
    ref = submission.handoff
    handoff_service.resolve_with_hours(
        context["tandem"], ref.number, submission.user, submission.channel, note, _hours(submission), ref.version
    )


def open_handoff_modal(
    client: WebClient,
    deps: Deps,
    user: str,
    trigger_id: str | None,
    area: str | None = None,
    summary: str = "",
    channel: str | None = None,
    team: str | None = None,
) -> None:
    with deps.units(read_only=True) as store:
        matrix = deps.matrices.for_request(store, channel, user, team).matrix
    client.views_open(trigger_id=trigger_id, view=new_handoff_modal(matrix, area, summary, channel))


def start_handoff_button(client: WebClient, context: dict[str, Any]) -> None:
    press = inputs.of(context, Press)
    open_handoff_modal(
        client,
        context["tandem"],
        press.user,
        press.trigger_id,
        area=press.value or None,
        channel=press.channel,
        team=context["origin"].team,
    )


def new_handoff_shortcut(client: WebClient, context: dict[str, Any]) -> None:
    shortcut = inputs.of(context, Shortcut)
    open_handoff_modal(client, context["tandem"], shortcut.user, shortcut.trigger_id, team=context["origin"].team)


def new_handoff_from_message(client: WebClient, context: dict[str, Any]) -> None:
    shortcut = inputs.of(context, Shortcut)
    open_handoff_modal(
        client,
        context["tandem"],
        shortcut.user,
        shortcut.trigger_id,
        summary=shortcut.message_text,
        channel=shortcut.channel,
        team=context["origin"].team,
    )


def new_handoff_submitted(context: dict[str, Any]) -> None:
    submission = inputs.of(context, Submission)
    fields = submission.fields
    command = Command(
        "handoff", submission.text("summary"), priority=fields["priority"], target=fields["assignee"] or fields["area"]
    )
    details = submission.text("details")
    handoff_service.open_from(context["tandem"], command, submission.user, submission.channel, details)
