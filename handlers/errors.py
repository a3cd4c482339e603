"""What the user hears when something stops their request: one sentence, never silence.

Two kinds of failure, each handled in one place:
* a `TandemError` (a refusal, a typo, a missing matrix) carries the sentence that says what
  to do: `handlers.dispatch.answer` renders it for commands and mentions, and `guarded`
  tells it to the person behind a button, shortcut or modal, where they are;
* anything else is a bug or an outage: Bolt's global error handler answers an
  acknowledgement in time, and `guarded` apologises after one. Both log it.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient

from bot.errors import TandemError
from bot.services.deps import Deps
from handlers.inputs import SlashCommand
from handlers.views.markup import words

SORRY = (
    "Something went wrong on Tandem's side, so this may not have been done. It has been logged: "
    "try again in a minute, and tell your Tandem admin if it keeps happening."
)
log = logging.getLogger("tandem.errors")


def on_error(error: Exception, body: Any, response: BoltResponse) -> BoltResponse | None:
    """Bolt's global error handler: a slash command still gets its sentence, in time."""
    log.error("request failed", exc_info=error)
    if isinstance(body, dict) and body.get("command"):
        return BoltResponse(
            status=200,
            headers={"content-type": "application/json;charset=utf-8"},
            body=json.dumps({"response_type": "ephemeral", "text": SORRY}),
        )
    return None  # events get a 5xx, so Slack retries; the claim's lease lets the retry in


def guarded(work: Callable[..., None], refused: str = "") -> Callable[..., None]:
    """A lazy listener that tells the person when it is refused (`refused` leads the sentence)
    or fails (Bolt would only log one line)."""
    wanted = list(inspect.signature(work).parameters)

    def run(context: dict[str, Any], client: WebClient, respond: Any) -> None:
        available = {"context": context, "client": client, "respond": respond}
        by_response_url = isinstance(context.get("input"), SlashCommand)
        try:
            work(**{name: available[name] for name in wanted})
        except TandemError as error:
            _tell(context, client, respond, refused + words(error.words), by_response_url)
        except Exception:
            log.exception("%s failed", work.__name__)
            try:  # the response URL needs neither the database nor a token: best when things are broken
                _tell(context, client, respond, SORRY, context.get("response_url") is not None)
            except Exception:
                log.exception("could not tell the user about the failure")

    run.__name__ = work.__name__
    return run


def _tell(context: dict[str, Any], client: WebClient, respond: Any, text: str, by_response_url: bool) -> None:
    """An ephemeral sentence to the person behind the request, where they are: through the
    response URL when asked, else in the channel of the click or of the modal, else in
    their organisation's shared channel."""
    if by_response_url and respond is not None:
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    value = context.get("input")
    user = value.user if value is not None else None
    channel = getattr(value, "channel", None)
    if not channel and user:
        deps: Deps = context["tandem"]
        with deps.units(read_only=True) as store:
            channel = deps.matrices.home_channel(store, user, context["origin"].team)
    if channel and user:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        log.warning("could not tell %s: %s", user, text)
