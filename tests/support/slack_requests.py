"""Signed HTTP requests shaped exactly like the ones Slack sends to an HTTP-mode app.

Why: the bot is tested through its real `POST /slack/events` endpoint, so Bolt's signature
check, body parsing and routing all run. Every builder returns `(body_bytes, headers)`,
byte-compatible with the samples in /work/shared/slack (commands/, events/,
interactivity/): form fields in Slack's order for slash commands, compact JSON for events,
`payload=<percent-encoded compact JSON>` for interactivity.

Common keyword options on every builder:
* `secret` (default `SIGNING_SECRET`) and `timestamp` (default now) for the v0 signature;
* `retry_num` / `retry_reason` add `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`, the way
  Slack marks a redelivery (the bot must handle each event once).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlencode

SIGNING_SECRET = "tandem-test-signing-secret"
TEAM_ID, BOT_USER_ID, BOT_ID, APP_ID = "T111", "W111", "B111", "A111"
VERIFICATION_TOKEN = "verification_token"  # deprecated field Slack still sends
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

Request = tuple[bytes, dict[str, str]]
_seq = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_seq):06d}"


def _ts() -> str:
    """A fresh Slack message timestamp, unique within the test process."""
    return f"{int(time.time())}.{next(_seq):06d}"


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """v0 signature: 'v0=' + hex HMAC-SHA256(secret, 'v0:{timestamp}:{body}')."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def signed(
    body: bytes,
    content_type: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> Request:
    """Wrap any raw body with the headers Slack sends (the building block of the rest)."""
    headers = {
        "Content-Type": content_type,
        "User-Agent": USER_AGENT,
        **sign(body, secret, int(time.time()) if timestamp is None else timestamp),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return body, headers


def _compact(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


# ---- Slash commands ---------------------------------------------------------------------
def slash_command(
    command: str,
    text: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    user_name: str | None = None,
    channel_name: str = "shared",
    team_domain: str = "tandem-test",
    api_app_id: str = APP_ID,
    enterprise_id: str | None = None,
    enterprise_name: str | None = None,
    is_enterprise_install: bool = False,
    **sig: Any,
) -> Request:
    """`application/x-www-form-urlencoded`, fields in the order of commands/*.form.txt.

    `text` is passed as Slack delivers it: with `should_escape: true` (our manifest) a
    typed `@alice` arrives as `<@U0ALICE01|alice>`, so write it that way in tests.
    """
    fields = [
        ("token", VERIFICATION_TOKEN),
        ("team_id", team_id),
        ("team_domain", team_domain),
        ("channel_id", channel_id),
        ("channel_name", channel_name),
        ("user_id", user_id),
        ("user_name", user_name or user_id.lower()),
        ("command", command),
        ("text", text),
        ("api_app_id", api_app_id),
        ("is_enterprise_install", "true" if is_enterprise_install else "false"),
    ]
    if enterprise_id:
        fields += [("enterprise_id", enterprise_id), ("enterprise_name", enterprise_name or "")]
    fields += [("response_url", response_url), ("trigger_id", trigger_id or _unique("111.222."))]
    return signed(urlencode(fields).encode(), "application/x-www-form-urlencoded", **sig)


# ---- Events API -------------------------------------------------------------------------
def event_callback(
    event: dict,
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    enterprise_id: str | None = None,
    event_time: int | None = None,
    is_ext_shared_channel: bool = False,
    event_context: str | None = None,
    bot_user_id: str = BOT_USER_ID,
    **sig: Any,
) -> Request:
    """The `event_callback` wrapper (events/app_mention.json), compact JSON.

    `event_id` is what Slack keeps across retries, so pass the same one with `retry_num`
    to simulate a redelivery.
    """
    body: dict[str, Any] = {"token": VERIFICATION_TOKEN, "team_id": team_id}
    if enterprise_id:
        body["enterprise_id"] = enterprise_id
    body.update(
        {
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or _unique("Ev"),
            "event_time": event_time or int(float(event.get("event_ts") or time.time())),
            "authorizations": [
                {
                    "enterprise_id": enterprise_id,
                    "team_id": team_id,
                    "user_id": bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": is_ext_shared_channel,
        }
    )
    if event_context is None and event.get("channel"):
        event_context = f"1-{event['type']}-{team_id}-{event['channel']}"
    if event_context:
        body["event_context"] = event_context
    return signed(_compact(body), "application/json", **sig)


def _rich_text(text: str) -> list[dict]:
    """The rich_text block Slack attaches to a typed message: mentions become user elements."""
    elements: list[dict] = []
    for i, part in enumerate(re.split(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", text)):
        if i % 2:
            elements.append({"type": "user", "user_id": part})
        elif part:
            elements.append({"type": "text", "text": part})
    return [
        {
            "type": "rich_text",
            "block_id": _unique("rt"),
            "elements": [{"type": "rich_text_section", "elements": elements}],
        }
    ]


def app_mention(
    text: str,
    user: str,
    channel: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    *,
    team: str = TEAM_ID,
    bot_user_id: str = BOT_USER_ID,
) -> dict:
    """An `app_mention` event. The bot mention `<@W111> ` is prefixed unless already there,
    since Slack only sends this event for messages that mention the bot."""
    if f"<@{bot_user_id}" not in text:
        text = f"<@{bot_user_id}> {text}"
    ts = ts or _ts()
    event = {
        "client_msg_id": _unique("00000000-0000-4000-8000-"),
        "type": "app_mention",
        "text": text,
        "user": user,
        "ts": ts,
        "team": team,
        "blocks": _rich_text(text),
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened(user: str, *, tab: str = "home", channel: str = "D111", view: dict | None = None) -> dict:
    """An `app_home_opened` event (events/app_home_opened.json); `view` if one was published."""
    event = {"type": "app_home_opened", "user": user, "channel": channel, "tab": tab, "event_ts": _ts()}
    if view is not None:
        event["view"] = view
    return event


def url_verification(challenge: str = "challenge-token", **sig: Any) -> Request:
    return signed(
        _compact({"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}),
        "application/json",
        **sig,
    )


# ---- Interactivity ----------------------------------------------------------------------
def interactive(payload: dict, **sig: Any) -> Request:
    """`payload=<percent-encoded compact JSON>`, byte-identical to interactivity/*.form.txt."""
    body = "payload=" + quote(json.dumps(payload, separators=(",", ":")), safe="")
    return signed(body.encode(), "application/x-www-form-urlencoded", **sig)


def _user(user_id: str, team_id: str) -> dict:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _team(team_id: str) -> dict:
    return {"id": team_id, "domain": "tandem-test"}


def block_actions(
    action_id: str,
    value: str | None,
    *,
    user_id: str,
    channel_id: str | None = None,
    message_ts: str | None = None,
    response_url: str | None = None,
    team_id: str = TEAM_ID,
    block_id: str | None = None,
    message: dict | None = None,
    view: dict | None = None,
    action_type: str = "button",
    button_text: str = "Button",
    trigger_id: str | None = None,
    **sig: Any,
) -> Request:
    """A button click (interactivity/block_actions.json).

    On a message: pass `channel_id`, `message_ts`, `response_url`, and ideally the real
    `message` (e.g. `standin.message(channel, ts)`); a one-button message is made up
    otherwise. On the App Home or a modal: pass `view` (e.g. the stand-in's published view).
    """
    block_id = block_id or _unique("b")
    action = {"action_id": action_id, "block_id": block_id, "type": action_type, "action_ts": _ts()}
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": button_text, "emoji": True}
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {},
        "trigger_id": trigger_id or _unique("111.222."),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V111")}
        payload["view"] = view
    else:
        if channel_id is None or message_ts is None or response_url is None:
            raise ValueError("a message action needs channel_id, message_ts and response_url")
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "shared"}
        payload["message"] = message or {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER_ID,
            "ts": message_ts,
            "text": "",
            "blocks": [
                {
                    "type": "actions",
                    "block_id": block_id,
                    "elements": [{k: v for k, v in action.items() if k not in ("block_id", "action_ts")}],
                }
            ],
        }
    payload["state"] = {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = [action]
    return interactive(payload, **sig)


def view_submission(
    callback_id: str,
    values: dict,
    *,
    user_id: str,
    private_metadata: str = "",
    team_id: str = TEAM_ID,
    view_id: str = "V111",
    blocks: list | None = None,
    title: str = "Tandem",
    response_urls: list | None = None,
    **sig: Any,
) -> Request:
    """A modal submit (interactivity/view_submission.json).

    `values` is `view.state.values`: `{block_id: {action_id: {"type": ..., "value": ...}}}`;
    a plain string leaf is shorthand for a plain_text_input value.
    """
    state = {
        block: {
            action: leaf if isinstance(leaf, dict) else {"type": "plain_text_input", "value": leaf}
            for action, leaf in actions.items()
        }
        for block, actions in values.items()
    }
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state},
        "hash": f"{int(time.time())}.{_unique('h')}",
        "title": {"type": "plain_text", "text": title},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }
    payload = {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": _unique("111.222."),
        "view": view,
        "response_urls": response_urls or [],
    }
    return interactive(payload, **sig)


def global_shortcut(
    callback_id: str, user_id: str, *, team_id: str = TEAM_ID, trigger_id: str | None = None, **sig: Any
) -> Request:
    """A global shortcut (interactivity/shortcut_global.json): no channel, no response_url."""
    payload = {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": _ts(),
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or _unique("111.222."),
    }
    return interactive(payload, **sig)


def message_shortcut(
    callback_id: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    message: dict | None = None,
    text: str = "",
    message_user: str = "W222",
    message_ts: str | None = None,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    **sig: Any,
) -> Request:
    """A message shortcut (interactivity/shortcut_message.json) on `message`, or on a
    made-up message from `message_user` saying `text`."""
    if message is None:
        ts = message_ts or _ts()
        message = {
            "client_msg_id": _unique("00000000-0000-4000-8000-"),
            "type": "message",
            "text": text,
            "user": message_user,
            "ts": ts,
            "team": team_id,
        }
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _ts(),
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "channel": {"id": channel_id, "name": "shared"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or _unique("111.222."),
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": message,
    }
    return interactive(payload, **sig)


def button_value(message: dict | None, action_id: str, default: str) -> str:
    """The value of the button `action_id` on `message` as Slack would send it, else `default`."""
    for block in (message or {}).get("blocks") or []:
        for element in block.get("elements") or [] if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id and "value" in element:
                return element["value"]
    return default


# ---- Sending ----------------------------------------------------------------------------
def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """POST with urllib; HTTP errors are returned, not raised, because tests assert on them."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()
