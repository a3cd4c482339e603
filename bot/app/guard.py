"""The HTTP door to Bolt: a malformed body is answered 4xx before Bolt ever parses it.

Bolt parses the body in `BoltRequest`'s constructor, before its own signature check, and
its helpers assume Slack's shapes (`payload["team"]["id"]`, `body["actions"][0]`): a body
of `null`, `[1]`, `payload=null`, JSON nested 50,000 deep or a `team` that is a number
escapes as a 500. This WSGI layer reads the body once, checks the signature before anything
else (a forger learns nothing about parsing), parses it the way Bolt will, and refuses
what Bolt could not digest: 413 for a body larger than Slack ever sends, 401 for a missing
or bad signature, 400 for a body that is not a Slack envelope. Everything else is handed on,
signed and with the body as parsed here under `environ[PARSED]`, so that `TandemWsgi` gives
it to Bolt without Bolt parsing it or checking its signature again.
The fields each listener reads are checked later, by `handlers.middleware.inputs`.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from handlers.inputs import Malformed

log = logging.getLogger(__name__)

PARSED = "tandem.parsed_body"  # environ key: (the body as text, the body parsed as Bolt parses it)
MAX_BODY = 2 * 1024 * 1024  # a modal full of text inputs is a few hundred kilobytes
MAX_DEPTH = 40  # Slack's deepest payloads (rich text in a view) nest about a dozen levels
_ID_HOLDERS = ("team", "enterprise", "user", "channel")  # a string id, or an object with an "id"
_OBJECTS = ("event", "view", "message", "previous_message", "item", "assistant_thread", "function_data", "container")
_STRINGS = (
    "type",
    "command",
    "callback_id",
    "event_id",
    "team_id",
    "user_id",
    "channel_id",
    "enterprise_id",
    "api_app_id",
    "trigger_id",
    "token",
    "challenge",
    "ssl_check",
    "response_url",
    "action_id",
    "thread_ts",
    "function_execution_id",
    "bot_access_token",
    "user_team",
    "context_team_id",
    "context_enterprise_id",
)
_NESTED = ("event", "item", "message", "previous_message", "assistant_thread")  # Bolt recurses into these


class RequestGuard:
    """WSGI middleware in front of `TandemWsgi` for `POST path`; other requests pass straight on."""

    def __init__(self, app: Callable[..., Iterable[bytes]], signing_secret: str, path: str) -> None:
        self.app = app
        self.secret = signing_secret.encode()
        self.path = path

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        length = environ.get("CONTENT_LENGTH") or "0"
        if not _number(length) or int(length) > MAX_BODY:
            return _refuse(start_response, 413, "the body is too large for a Slack request")
        raw = environ["wsgi.input"].read(int(length)) if int(length) else b""
        refusal = self.check(raw, environ)
        if isinstance(refusal, tuple):
            return _refuse(start_response, *refusal)
        environ["wsgi.input"] = io.BytesIO(raw)
        environ[PARSED] = (raw.decode("utf-8"), refusal)
        return self.app(environ, start_response)

    def check(self, raw: bytes, environ: dict) -> tuple[int, str] | dict[str, Any]:
        """(status, why) when the request must be refused here; else the body, parsed."""
        timestamp, signature = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE")
        if not self.signed(raw, timestamp or "", signature or ""):
            return 401, "invalid request"
        try:
            body = parse(raw, environ.get("CONTENT_TYPE"))
            check_envelope(body)
        except Malformed as error:
            log.warning("malformed request refused: %s", error)
            return 400, f"malformed request: {error}"
        return body

    def signed(self, raw: bytes, timestamp: str, signature: str) -> bool:
        """Slack's v0 signature over the raw bytes, at most five minutes old (as Bolt checks it)."""
        if not _number(timestamp) or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = (
            b"v0="
            + hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest().encode()
        )
        return hmac.compare_digest(expected, signature.encode("latin-1", "replace"))


def parse(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt will parse it (`slack_bolt.request.internals.parse_body`), or `Malformed`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Malformed("the body is not UTF-8") from error
    if not text:
        return {}
    kind = (content_type or "").split(";")[0]
    if kind == "application/json" or text.startswith("{"):
        return _json_object(text, "the body")
    if "payload" in text:
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        return {} if payload is None else _json_object(payload, "the payload")
    return dict(parse_qsl(text, keep_blank_values=True))


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Malformed(f"{what} is not JSON") from error
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not a JSON object")
    if _depth(value) > MAX_DEPTH:
        raise Malformed(f"{what} nests deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    """How deep containers nest, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def check_envelope(body: dict[str, Any]) -> None:
    """The fields Bolt reads before any listener runs have the types Slack sends, or `Malformed`."""
    _check_object(body, "body")
    for name in _NESTED:
        if isinstance(body.get(name), dict):
            _check_object(body[name], name)
            for inner in _NESTED:
                if isinstance(body[name].get(inner), dict):
                    _check_object(body[name][inner], f"{name}.{inner}")
    authorizations = body.get("authorizations")
    if authorizations is not None:
        if not isinstance(authorizations, list) or not all(isinstance(a, dict) for a in authorizations):
            raise Malformed("authorizations is not a list of objects")
        if authorizations:
            _check_object(authorizations[0], "authorizations[0]")
    view = body.get("view")
    if isinstance(view, dict):
        _strings(view, "view", ("callback_id", "type", "team_id", "app_installed_team_id", "private_metadata", "id"))
    actions = body.get("actions")
    if actions is not None or body.get("type") == "block_actions":
        if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
            raise Malformed("actions is not a list of objects")
        _strings(actions[0], "actions[0]", ("action_id", "block_id", "value", "action_ts"))
    urls = body.get("response_urls")
    if urls is not None and (
        not isinstance(urls, list)
        or not all(isinstance(u, dict) and isinstance(u.get("response_url", ""), str) for u in urls)
    ):
        raise Malformed("response_urls is not a list of objects with a response_url")


def _check_object(obj: dict[str, Any], where: str) -> None:
    for name in _ID_HOLDERS:
        value = obj.get(name)
        if isinstance(value, dict):
            _strings(value, f"{where}.{name}", ("id", "team_id", "enterprise_id"))
        elif value is not None and not isinstance(value, str):
            raise Malformed(f"{where}.{name} is neither an id nor an object")
    for name in _OBJECTS:  # Bolt reads `payload.get("event", {}).get(...)`: a null is no better than a list
        if name in obj and not isinstance(obj[name], dict) and not (obj[name] is None and name != "event"):
            raise Malformed(f"{where}.{name} is not an object")
    _strings(obj, where, _STRINGS)


def _strings(obj: dict[str, Any], where: str, names: Iterable[str]) -> None:
    for name in names:
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise Malformed(f"{where}.{name} is not a string")


def _number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 12


def _refuse(start_response: Callable[..., Any], status: int, why: str) -> list[bytes]:
    data = json.dumps({"error": why}).encode()
    reason = {400: "Bad Request", 401: "Unauthorized", 413: "Payload Too Large"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
