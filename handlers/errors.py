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
from urllib.error import URLError

from slack_bolt import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import TandemError
from bot.inbox import Settled
from bot.outbox import ChannelUnavailable, Unposted, not_posted
from bot.services.deps import Deps
from handlers.inputs import SlashCommand
from handlers.middleware.once import claimed_later
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


# What Slack's refusals mean for the person whose request met one, and what to do.
SLACK_SAYS = {
    "expired_trigger_id": "Slack gives a form 3 seconds to open and this one took longer: press the button again.",
    "not_in_channel": "I'm not in this channel: invite me with /invite @tandem, then try again.",
    "channel_not_found": "I cannot see this channel (it is private and I am not in it): invite me with "
    "/invite @tandem, then try again.",
    "is_archived": "This channel is archived, so I cannot post in it: ask in the shared channel instead.",
    "ratelimited": "Slack asked Tandem to slow down just now: try again in a minute.",
    "msg_too_long": "That was too long for one Slack message: say it in fewer words.",
}


def sorry(error: Exception) -> str:
    """The sentence for a failure that is not the person's doing: specific when Slack said why."""
    if isinstance(error, ChannelUnavailable):
        return words(not_posted(error))
    code = error.response.get("error") if isinstance(error, SlackApiError) and error.response is not None else None
    return SLACK_SAYS.get(str(code), SORRY)


def guarded(work: Callable[..., None], refused: str = "") -> Callable[..., None]:
    """A lazy listener that tells the person when it is refused (`refused` leads the sentence)
    or fails (Bolt would only log one line)."""
    wanted = list(inspect.signature(work).parameters)

    def run(context: dict[str, Any], client: WebClient, respond: Any) -> None:
        if not claimed_later(context):
            return  # a replay, or a delivery another replica took while this one waited
        available = {"context": context, "client": client, "respond": respond}
        by_response_url = isinstance(context.get("input"), SlashCommand)
        try:
            work(**{name: available[name] for name in wanted})
        except Settled:
            log.info("%s was already done by another process; nothing more to do", work.__name__)
        except Unposted as error:  # it was done: only its message waits
            _tell(context, client, respond, words(error.words), by_response_url)
        except TandemError as error:
            _tell(context, client, respond, refused + words(error.words), by_response_url)
        except Exception as error:  # noqa: BLE001 (logged by _log_failure)
            _log_failure(f"{work.__name__} failed", error)
            try:  # the response URL needs neither the database nor a token: best when things are broken
                _tell(context, client, respond, sorry(error), context.get("response_url") is not None)
            except Exception as again:  # noqa: BLE001 (logged by _log_failure)
                _log_failure("could not tell the user about the failure", again)

    run.__name__ = work.__name__
    return run


UNREACHABLE = (URLError, ConnectionError, TimeoutError)  # Slack, or a response URL, did not answer


def _log_failure(what: str, error: Exception) -> None:
    """A traceback for a fault of Tandem's own; one line when Slack did not answer, which is
    no fault in the code and whose traceback would bury the lines that matter."""
    if isinstance(error, UNREACHABLE):
        log.error("%s: Slack did not answer (%s)", what, error)
    else:
        log.exception(what)


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
        try:
            with deps.units(read_only=True) as store:
                channel = deps.matrices.home_channel(store, user, context["origin"].team)
        except Exception:
            log.exception("no channel to tell %s in; telling them directly", user)
    if channel and user:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    elif user:  # a modal submitted from nowhere in particular: a direct message
        client.chat_postMessage(channel=user, text=text)
    else:
        log.warning("could not tell anyone: %s", text)
