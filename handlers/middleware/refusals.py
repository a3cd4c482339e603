"""Telling the person a middleware refused, where they are: never a silent 200.

A slash command's acknowledgement carries the sentence and a submitted form turns into a
notice; a button press is answered through its response URL, a mention with an ephemeral
message in its channel. The last two are one Web API call before the acknowledgement;
if it fails, the refusal is logged and Slack still gets its empty 200.
"""

from __future__ import annotations

import json
import logging

from slack_bolt import BoltRequest, BoltResponse

from handlers.inputs import Mention, Press, Shortcut, SlashCommand, Submission
from handlers.middleware.once import finish_event
from handlers.views.blocks import notice_modal

log = logging.getLogger(__name__)
TOLD = (SlashCommand, Submission, Press, Mention, Shortcut)  # the requests a person makes


def refuse(req: BoltRequest, text: str) -> BoltResponse:
    """Tell the person behind `req` the sentence `text`, and answer Slack."""
    value = req.context.get("input")
    if isinstance(value, SlashCommand):
        return _json({"response_type": "ephemeral", "text": text})
    if isinstance(value, Submission):
        return _json({"response_action": "update", "view": notice_modal(text)})
    try:
        if isinstance(value, Press) and value.response_url and req.context.respond is not None:
            req.context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif isinstance(value, Press | Mention | Shortcut) and value.channel and req.context.client is not None:
            req.context.client.chat_postEphemeral(channel=value.channel, user=value.user, text=text)
        else:
            log.warning("refused %s with nowhere to say so: %s", getattr(value, "user", "someone"), text)
    except Exception:  # the Web API is down or refuses: the request is still refused
        log.exception("could not tell %s they were refused", getattr(value, "user", "someone"))
    finish_event(req.context)
    return BoltResponse(status=200, body="")


def _json(body: dict) -> BoltResponse:
    return BoltResponse(status=200, headers={"content-type": "application/json;charset=utf-8"}, body=json.dumps(body))
