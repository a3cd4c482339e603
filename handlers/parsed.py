"""A slash command's words, parsed once per request however many places ask.

Bolt's listener matcher, the replay claim (`handlers.middleware.once`) and the listener
all need the parsed command; parsing the words three times cost more than the rest of
some answers. The result (or the `TandemError` the words raise) is kept in the request's
context.
"""

from __future__ import annotations

from typing import Any

from bot.errors import TandemError
from bot.grammar import Command, parse_command
from handlers import inputs
from handlers.dispatch import READ_ONLY
from handlers.inputs import SlashCommand

_KEY = "parsed"


def command(context: dict[str, Any]) -> Command:
    """The request's slash command, parsed; raises the words' `TandemError` each time asked."""
    found = context.get(_KEY)
    if found is None:
        typed = inputs.of(context, SlashCommand)
        try:
            found = parse_command(typed.command, typed.text)
        except TandemError as error:
            found = error
        context[_KEY] = found
    if isinstance(found, TandemError):
        raise found
    return found


def reads_only(context: dict[str, Any]) -> bool:
    """A slash command answered in full in its acknowledgement (a mistake in the words is too):
    nothing is changed or posted, so a replay of it is harmless."""
    if not isinstance(context.get("input"), SlashCommand):
        return False
    try:
        return command(context).name in READ_ONLY
    except TandemError:
        return True
