"""Every slash command: parse with the shared grammar, answer through `handlers.dispatch`.

Commands that only read (`/owner`; `/tandem help|matrix|audit|sla|reviews|status`) answer
inside the acknowledgement, the fastest reply Slack offers, with nothing after it. The
rest acknowledge at once and do their work in a lazy listener, answering through
`respond()`, so Slack never waits on the Web API. A bare `/handoff` opens the form.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.errors import TandemError
from bot.grammar import Command, parse_command
from bot.services.deps import Deps
from handlers import inputs
from handlers.actions.handoff import open_handoff_modal
from handlers.dispatch import READ_ONLY
from handlers.dispatch import answer as dispatch
from handlers.inputs import SlashCommand
from handlers.views.matrix import error_reply


def _parse(command: SlashCommand) -> Command:
    return parse_command(command.command, command.text)


def reads_only(context: dict[str, Any]) -> bool:
    """Listener matcher: answered in full by `answer` (a mistake in the words is too)."""
    try:
        return _parse(inputs.of(context, SlashCommand)).name in READ_ONLY
    except TandemError:
        return True


def answer(ack: Ack, context: dict[str, Any]) -> None:
    deps: Deps = context["tandem"]
    command = inputs.of(context, SlashCommand)
    ack(**dispatch(deps, lambda: _parse(command), command.user, command.channel, command.team).payload())


def acknowledge(ack: Ack, context: dict[str, Any]) -> None:
    """A mistake in the words is answered now; everything else after the acknowledgement."""
    try:
        _parse(inputs.of(context, SlashCommand))
    except TandemError as error:
        ack(**error_reply(error).payload())
        return
    ack()


def work(respond: Respond, context: dict[str, Any], client: WebClient) -> None:
    command = inputs.of(context, SlashCommand)
    try:
        parsed = _parse(command)
    except TandemError:
        return  # already answered in the acknowledgement
    if parsed.name == "handoff" and not parsed.text and parsed.target is None:
        open_handoff_modal(
            client, context["tandem"], command.user, command.trigger_id, channel=command.channel, team=command.team
        )
        return
    respond(**dispatch(context["tandem"], lambda: parsed, command.user, command.channel, command.team).payload())
