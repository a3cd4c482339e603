"""What the user hears when Tandem itself fails: one sentence, never silence.

Typed, user-fixable errors are answered where they arise (`handlers/dispatch.py`); this
module handles the rest — bugs, a database that went away — in two places: Bolt's global
error handler for acknowledgements, and `guarded` for the work done after them.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable

from slack_bolt import BoltResponse

SORRY = ("Something went wrong on Tandem's side, so this may not have been done. It has been logged: "
         "try again in a minute, and tell your Tandem admin if it keeps happening.")
log = logging.getLogger("tandem.errors")


def on_error(error, body, response):
    """Bolt's global error handler: a slash command still gets its sentence, in time."""
    log.error("request failed", exc_info=error)
    if isinstance(body, dict) and body.get("command"):
        return BoltResponse(status=200, headers={"content-type": "application/json;charset=utf-8"},
                            body=json.dumps({"response_type": "ephemeral", "text": SORRY}))
    return None  # events get a 5xx, so Slack retries; the claim's lease lets the retry in


def guarded(work: Callable) -> Callable:
    """A lazy listener that tells the person when it fails (Bolt would only log one line)."""
    wanted = list(inspect.signature(work).parameters)

    def run(body, context, client, respond, command, event, action, view):
        available = {"body": body, "context": context, "client": client, "respond": respond,
                     "command": command, "event": event, "action": action, "view": view}
        try:
            work(**{name: available[name] for name in wanted})
        except Exception:  # noqa: BLE001 - anything unexpected: log it and say so
            log.exception("%s failed", work.__name__)
            _apologise(body, client, respond)

    run.__name__ = work.__name__
    return run


def _apologise(body: dict, client, respond) -> None:
    try:
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            respond(text=SORRY, response_type="ephemeral", replace_original=False)
            return
        channel = (body.get("channel") or {}).get("id") or body.get("channel_id") or (body.get("event") or {}).get("channel")
        user = (body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
        if channel and user:
            client.chat_postEphemeral(channel=channel, user=user, text=SORRY)
    except Exception:  # noqa: BLE001 - Slack itself may be what failed
        log.exception("could not tell the user about the failure")
