"""Handoff buttons, the new-handoff modal (from a shortcut, a bare /handoff or the
"Start a handoff" button) and the resolution-note modal.

Each runs after its acknowledgement (handlers/acks.py); refusals come back as an ephemeral sentence to the
person who clicked, and nothing changes.
"""

from __future__ import annotations

from bot.errors import TandemError
from bot.grammar import Command
from handlers import ids
from handlers.views.handoff import new_handoff_modal, resolve_modal

ACTION_FOR_BUTTON = {action_id: action for action, action_id in ids.HANDOFF_BUTTONS.items()}


def _channel(body: dict) -> str | None:
    return (body.get("channel") or {}).get("id")


def _tell(client, body: dict, text: str, channel: str | None = None) -> None:
    """An ephemeral sentence to the person behind `body`, where they are."""
    channel = channel or _channel(body)
    if channel:
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text)


def handoff_button(body, action, client, context):
    try:
        context["tandem"].act(int(action["value"]), ACTION_FOR_BUTTON[action["action_id"]], body["user"]["id"], _channel(body))
    except TandemError as error:
        _tell(client, body, str(error))


def resolve_button(body, action, client, context):
    """Check first, so nobody types a resolution note only to be told they may not resolve."""
    handoff_id = int(action["value"])
    try:
        context["tandem"].check(handoff_id, "resolve", body["user"]["id"], _channel(body))
    except TandemError as error:
        _tell(client, body, str(error))
        return
    client.views_open(trigger_id=body["trigger_id"], view=resolve_modal(handoff_id, _channel(body)))


def resolve_submitted(body, view, client, context):
    note = view["state"]["values"]["resolution"]["note"].get("value") or None
    handoff_id, _, channel = view["private_metadata"].partition("|")
    try:
        context["tandem"].act(int(handoff_id), "resolve", body["user"]["id"], channel or None, note)
    except TandemError as error:
        _tell(client, body, str(error), channel or None)


def open_handoff_modal(client, context, body, area: str | None = None, summary: str = "", channel: str | None = None) -> None:
    runtime = context["tandem"]
    user = body["user"]["id"] if "user" in body else body["user_id"]
    try:
        with runtime.unit() as store:
            matrix = runtime.matrices.for_request(store, channel, user).matrix
    except TandemError as error:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=str(error))
        return
    client.views_open(trigger_id=body["trigger_id"], view=new_handoff_modal(matrix, area, summary, channel))


def start_handoff_button(body, action, client, context):
    open_handoff_modal(client, context, body, area=action.get("value"), channel=_channel(body))


def new_handoff_shortcut(body, client, context):
    open_handoff_modal(client, context, body)


def new_handoff_from_message(body, client, context):
    message = body.get("message") or {}
    open_handoff_modal(client, context, body, summary=message.get("text", ""), channel=_channel(body))


def new_handoff_submitted(body, view, client, context):
    values = view["state"]["values"]
    summary = values["summary"]["summary"].get("value") or ""
    details = values["details"]["details"].get("value") or ""
    priority = (values["priority"]["priority"].get("selected_option") or {}).get("value")
    area = (values["area"]["area"].get("selected_option") or {}).get("value")
    assignee = values["assignee"]["assignee"].get("selected_user")
    runtime = context["tandem"]
    user = body["user"]["id"]
    channel = view.get("private_metadata") or None
    command = Command("handoff", summary, priority=priority, target=assignee or area)
    try:
        runtime.open_handoff(command, user, channel, details)
    except TandemError as error:
        _tell(client, body, f"Your handoff was not opened: {error}", channel or runtime.default_channel(user))
