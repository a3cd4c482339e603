"""Every slash command: parse with the shared grammar, answer through `handlers.dispatch`.

Commands that only read (`/owner`; `/tandem help|matrix|audit|sla|reviews|status`) answer
inside the acknowledgement, the fastest reply Slack offers, with nothing after it. The
rest acknowledge at once and do their work in a lazy listener, answering through
`respond()`, so Slack never waits on the Web API. A bare `/handoff` opens the form.
"""

from __future__ import annotations

from bot.errors import TandemError
from bot.grammar import Command, parse_command
from handlers.actions.handoff import open_handoff_modal
from handlers.dispatch import READ_ONLY
from handlers.views.matrix import error_reply


def _parse(command: dict) -> Command:
    return parse_command(command["command"], command.get("text", ""))


def reads_only(command) -> bool:
    """Listener matcher: answered in full by `answer` (a mistake in the words is too)."""
    try:
        return _parse(command).name in READ_ONLY
    except TandemError:
        return True


def answer(ack, command, context):
    try:
        parsed = _parse(command)
    except TandemError as error:
        ack(**error_reply(str(error)).payload())
        return
    ack(**context["tandem"].answer(parsed, command["user_id"], command.get("channel_id")).payload())


def acknowledge(ack, command):
    try:
        _parse(command)
    except TandemError as error:
        ack(**error_reply(str(error)).payload())
        return
    ack()


def work(command, respond, context, client, body):
    try:
        parsed = _parse(command)
    except TandemError:
        return  # already answered in the acknowledgement
    if parsed.name == "handoff" and not parsed.text and parsed.target is None:
        open_handoff_modal(client, context, body, channel=command.get("channel_id"))
        return
    respond(**context["tandem"].answer(parsed, command["user_id"], command.get("channel_id")).payload())
