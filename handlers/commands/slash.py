"""Every slash command: parse with the shared grammar, answer through `handlers.dispatch`.

Commands that only read (`/owner`; `/tandem help|matrix|audit|sla|reviews|status`) answer
inside the acknowledgement, the fastest reply Slack offers, with nothing after it. The
rest acknowledge at once and do their work in a lazy listener, answering through
`respond()`, so Slack never waits on the Web API. A bare `/handoff` opens the form.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltResponse, Respond
from slack_sdk import WebClient

from bot.errors import TandemError
from bot.services.deps import Deps
from handlers import inputs, parsed
from handlers.actions.handoff import open_handoff_modal
from handlers.dispatch import answer as dispatch
from handlers.inputs import SlashCommand
from handlers.views.matrix import error_reply


def answer(context: dict[str, Any]) -> BoltResponse:
    """The acknowledgement itself, returned to Bolt as its response (as `ack(**payload)`
    would build it), with the body the reply serialised once."""
    deps: Deps = context["tandem"]
    command = inputs.of(context, SlashCommand)
    team = context["origin"].team
    reply = dispatch(deps, lambda: parsed.command(context), command.user, command.channel, team)
    return BoltResponse(status=200, body=reply.json())  # a JSON body: Bolt sends it as application/json


def acknowledge(ack: Ack, context: dict[str, Any]) -> None:
    """A mistake in the words is answered now; everything else after the acknowledgement."""
    try:
        parsed.command(context)
    except TandemError as error:
        ack(**error_reply(error).payload())
        return
    ack()


def work(respond: Respond, context: dict[str, Any], client: WebClient) -> None:
    command, team = inputs.of(context, SlashCommand), context["origin"].team
    try:
        words = parsed.command(context)
    except TandemError:
        return  # already answered in the acknowledgement
    if words.name == "handoff" and not words.text and words.target is None:
        open_handoff_modal(
            client, context["tandem"], command.user, command.trigger_id, channel=command.channel, team=team
        )
        return
    respond(**dispatch(context["tandem"], lambda: words, command.user, command.channel, team).payload())
