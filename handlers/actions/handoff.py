"""Handoff buttons, the new-handoff modal (from a shortcut, a bare /handoff or the
"Start a handoff" button) and the resolution-note modal.

Each runs after its acknowledgement (handlers/acks.py); a refusal raised by the core is
told to the person who clicked by `handlers.errors.guarded`, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.grammar import Command
from bot.services import handoffs as handoff_service
from bot.services.deps import Deps
from handlers import ids
from handlers.errors import view_metadata
from handlers.views.handoff import new_handoff_modal, resolve_modal

ACTION_FOR_BUTTON = {action_id: action for action, action_id in ids.HANDOFF_BUTTONS.items()}


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id")


def handoff_button(body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
    handoff_service.step(
        context["tandem"],
        int(action["value"]),
        ACTION_FOR_BUTTON[action["action_id"]],
        body["user"]["id"],
        _channel(body),
    )


def resolve_button(body: dict[str, Any], action: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """Check first, so nobody types a resolution note only to be told they may not resolve."""
    handoff_id = int(action["value"])
    handoff_service.check_step(context["tandem"], handoff_id, "resolve", body["user"]["id"], _channel(body))
    client.views_open(trigger_id=body["trigger_id"], view=resolve_modal(handoff_id, _channel(body)))


def resolve_submitted(body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    note = view["state"]["values"]["resolution"]["note"].get("value") or None
    meta = view_metadata(body)
    handoff_service.step(
        context["tandem"], int(meta["handoff"]), "resolve", body["user"]["id"], meta.get("channel"), note
    )


def open_handoff_modal(
    client: WebClient,
    deps: Deps,
    body: dict[str, Any],
    area: str | None = None,
    summary: str = "",
    channel: str | None = None,
) -> None:
    user = body["user"]["id"] if "user" in body else body["user_id"]
    with deps.units() as store:
        matrix = deps.matrices.for_request(store, channel, user).matrix
    client.views_open(trigger_id=body["trigger_id"], view=new_handoff_modal(matrix, area, summary, channel))


def start_handoff_button(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: dict[str, Any]
) -> None:
    open_handoff_modal(client, context["tandem"], body, area=action.get("value"), channel=_channel(body))


def new_handoff_shortcut(body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    open_handoff_modal(client, context["tandem"], body)


def new_handoff_from_message(body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    message = body.get("message") or {}
    open_handoff_modal(client, context["tandem"], body, summary=message.get("text", ""), channel=_channel(body))


def new_handoff_submitted(body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    values = view["state"]["values"]
    summary = values["summary"]["summary"].get("value") or ""
    details = values["details"]["details"].get("value") or ""
    priority = (values["priority"]["priority"].get("selected_option") or {}).get("value")
    area = (values["area"]["area"].get("selected_option") or {}).get("value")
    assignee = values["assignee"]["assignee"].get("selected_user")
    command = Command("handoff", summary, priority=priority, target=assignee or area)
    handoff_service.open_from(
        context["tandem"], command, body["user"]["id"], view_metadata(body).get("channel"), details
    )
