"""Every slash command: parse with the shared grammar, answer through `handlers.dispatch`.

Bolt runs `acknowledge` inside the request and `work` afterwards (a lazy listener), so
Slack gets its answer at once and never waits on the Web API. Commands that only read
(`/owner`, help, matrix, audit, sla, reviews) answer inside the acknowledgement, the
fastest reply Slack offers; the rest acknowledge empty and answer through `respond()`.
A bare `/handoff` opens the handoff form.
"""

from __future__ import annotations

from bot.errors import TandemError
from bot.grammar import Command, parse_command
from handlers.actions.handoff import open_handoff_modal
from handlers.dispatch import READ_ONLY
from handlers.views.matrix import error_reply


def _parse(command: dict) -> Command:
    return parse_command(command["command"], command.get("text", ""))


def _opens_form(parsed: Command) -> bool:
    return parsed.name == "handoff" and not parsed.text and parsed.target is None


def acknowledge(ack, command, context):
    try:
        parsed = _parse(command)
    except TandemError as error:
        ack(**error_reply(str(error)).payload())
        return
    if parsed.name in READ_ONLY:
        ack(**context["tandem"].answer(parsed, command["user_id"], command.get("channel_id")).payload())
    else:
        ack()


def work(command, respond, context, client, body):
    try:
        parsed = _parse(command)
    except TandemError:
        return  # already answered in the acknowledgement
    if parsed.name in READ_ONLY:
        return
    if _opens_form(parsed):
        open_handoff_modal(client, context, body, channel=command.get("channel_id"))
        return
    respond(**context["tandem"].answer(parsed, command["user_id"], command.get("channel_id")).payload())
