"""Every slash command: parse with the shared grammar, answer through `handlers.dispatch`.

A bare `/handoff` opens the handoff form instead. Commands that only read (`/owner`, help, matrix, audit) answer inside the
acknowledgement, the fastest reply Slack offers. Commands with side effects acknowledge
first and answer through `respond()`, so Slack never waits on the Web API.
"""

from __future__ import annotations

from bot.errors import TandemError
from bot.grammar import parse_command
from handlers.actions.handoff import open_handoff_modal
from handlers.dispatch import READ_ONLY
from handlers.views.matrix import error_reply


def slash_command(ack, command, respond, context, client, body):
    runtime = context["tandem"]
    try:
        parsed = parse_command(command["command"], command.get("text", ""))
    except TandemError as error:
        ack(**error_reply(str(error)).payload())
        return
    if parsed.name == "handoff" and not parsed.text and parsed.target is None:
        ack()  # a bare /handoff opens the form
        open_handoff_modal(client, context, body, channel=command.get("channel_id"))
        return
    if parsed.name in READ_ONLY:
        ack(**runtime.answer(parsed, command["user_id"], command.get("channel_id")).payload())
        return
    ack()
    reply = runtime.answer(parsed, command["user_id"], command.get("channel_id"))
    respond(**reply.payload())
