"""A local HTTP stand-in for the Slack Web API, response URLs and file-upload URLs.

Why: tests must exercise the bot's real slack_sdk/Bolt code path (serialisation, auth
header, retry handlers, error handling), so instead of mocking Python objects the bot's
`WebClient(base_url=standin.base_url)` talks to this server over a socket. It records every
call, replies with the shapes Slack returns (web_api/responses.json), refuses what Slack
refuses (limits/blockkit_limits.json) and can inject 429s, errors, dropped connections and
connections dropped after the call took effect.
Because it is plain HTTP on 127.0.0.1 it works just as well when the bot is a subprocess
(`env()` gives the variables to hand it; `GET /_standin/calls` dumps calls as JSON).

Deliberate choices (documented so nobody mistakes them for Slack facts):
* unknown `ts`/view ids are accepted by chat.update/views.update, because interaction
  payloads built by tests refer to messages this server never saw;
* `text` over 40,000 chars is refused with `msg_too_long` (Slack truncates with a
  `message_truncated` warning) so that tests fail loudly instead of losing text;
* an `action_id` must be unique in the whole message/view (Slack documents per block);
* a missing token gets `not_authed`, a wrong one `invalid_auth`, as Slack answers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .blockkit import validate_message
from .slack_methods import APP_ID, BOT_ID, BOT_USER_ID, JSON_FIELDS, SCOPES, TEAM_ID, Upload, WebApiMethods
from .slack_oauth import OAuthMethods

__all__ = ["APP_ID", "BOT_ID", "BOT_USER_ID", "DEFAULT_TOKEN", "TEAM_ID", "Call", "Response", "SlackStandIn", "Upload"]
DEFAULT_TOKEN = "xoxb-tandem-test"


# ---- Records ----------------------------------------------------------------------------
@dataclass
class Call:
    """One request the bot made. `body` is exactly what was sent, parsed (JSON or form)."""

    method: str
    headers: dict[str, str]
    body: dict[str, Any]
    token: str | None
    status: int = 200
    reply: dict | None = None
    at: float = field(default_factory=time.time)

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    def arg(self, key: str, default: Any = None) -> Any:
        """Like get(), but JSON-encoded form fields (blocks, view, files) come back decoded."""
        value = self.body.get(key, default)
        if key in JSON_FIELDS and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    @property
    def blocks(self) -> list:
        return self.arg("blocks") or []

    @property
    def view(self) -> dict:
        return self.arg("view") or {}

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "headers": self.headers,
            "body": self.body,
            "token": self.token,
            "status": self.status,
            "reply": self.reply,
            "at": self.at,
        }


@dataclass
class Response:
    """A POST to a response URL (Bolt's `respond()`, Slack's response_url)."""

    name: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    at: float = field(default_factory=time.time)

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)


def _parse_body(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    """JSON when the content type (or first byte) says so, else form fields; query merged."""
    body: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    text = raw.decode("utf-8", "replace")
    if "json" in content_type or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text or "{}")
        except ValueError:
            parsed = {"_raw": text}
        body.update(parsed if isinstance(parsed, dict) else {"_raw": parsed})
    elif text:
        body.update({k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()})
    return body


# ---- The server -------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    """Routes /api/<method>, /_responses/<name>, /upload/v1/<file_id>, /_standin/*."""

    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection, like urllib's clients

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        self._dispatch(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _dispatch(self, raw: bytes) -> None:
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        kind, _, rest = url.path.lstrip("/").partition("/")
        standin = self.server.standin
        if kind == "api" and rest:
            body = _parse_body(raw, headers.get("content-type", ""), url.query)
            standin._api(self, rest, headers, body)
        elif kind == "_responses":
            body = _parse_body(raw, "application/json", "")
            standin._response_url(self, rest or "default", headers, body)
        elif kind == "upload" and rest.startswith("v1/"):
            standin._upload(self, rest[3:], raw)
        elif kind == "_standin" and rest in ("calls", "responses"):
            items = (
                standin.calls(parse_qs(url.query).get("method", [None])[0])
                if rest == "calls"
                else [r.__dict__ for r in standin.responses()]
            )
            self.send(200, [c.to_dict() for c in items] if rest == "calls" else items)
        else:
            self.send(404, {"ok": False, "error": "not_found"})

    def send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        is_text = isinstance(payload, str)
        data = (payload if is_text else json.dumps(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if is_text else "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: SlackStandIn


class Stall:
    """A Web API call held by the stand-in (`SlackStandIn.stall`)."""

    def __init__(self) -> None:
        self.arrived, self.released = threading.Event(), threading.Event()

    def release(self) -> None:
        self.released.set()


class SlackStandIn(WebApiMethods, OAuthMethods):
    """The Slack Web API on 127.0.0.1:<random port>. Use as a context manager or start()/stop().

    `base_url` is what `WebClient(base_url=...)` / `SLACK_API_URL` expect. All accessors are
    thread-safe; a call is recorded before it is answered, and `wait_for` blocks because
    bots ack an HTTP request first and call the Web API afterwards, on another thread.
    `users` / `channels` hold per-id fields merged into users.info / conversations.info
    replies (e.g. `standin.channels["C1"] = {"is_ext_shared": True}`); `messages`, `views`,
    `homes` and `uploads` show what the bot has posted, opened, published and uploaded.
    Installs by OAuth (`slack_oauth`): `offer` a code, and each token it grants is accepted and
    answered for its own workspace, besides `token`.
    """

    def __init__(self, token: str | None = DEFAULT_TOKEN, host: str = "127.0.0.1") -> None:
        self.token = token  # None: accept any non-empty token
        self._host = host
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition(threading.RLock())
        self._handlers: dict[str, Callable[[Call], dict]] = {
            **self.method_handlers(),
            "auth.teams.list": self._teams_list,
        }
        self.users: dict[str, dict] = {}  # extra/overriding users.info fields per user
        self.channels: dict[str, dict] = {}  # extra/overriding conversations.info fields
        self.reset_oauth()  # installs outlive reset(), as workspaces outlive one test's calls
        self.reset()

    # -- lifecycle --
    def start(self) -> SlackStandIn:
        if self._server is None:
            self._server = _Server((self._host, 0), _Handler)
            self._server.standin = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-standin", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            if self._thread:
                self._thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://{self._host}:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api/"

    def env(self) -> dict[str, str]:
        """Environment for a bot subprocess pointed at this stand-in."""
        return {"SLACK_API_URL": self.base_url, "SLACK_BOT_TOKEN": self.token or DEFAULT_TOKEN}

    def response_url(self, name: str = "default") -> str:
        return f"{self.root_url}/_responses/{name}"

    # -- configuration --
    def reset(self) -> None:
        """Forget calls, responses, messages, views, uploads and pending failures."""
        with self._cond:
            self._calls: list[Call] = []
            self._responses: list[Response] = []
            self._faults: dict[str, list[tuple]] = {}
            self.messages: dict[tuple[str, str], dict] = {}
            self.views: dict[str, dict] = {}
            self.homes: dict[str, dict] = {}
            self.uploads: dict[str, Upload] = {}
            self._seq = 0
            self._epoch = int(time.time())

    def on(self, method: str, handler: Callable[[Call], dict]) -> None:
        """Answer `method` with `handler(call)` (add a method, or override a built-in)."""
        with self._cond:
            self._handlers[method] = handler

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1, channel: str | None = None) -> None:
        """Answer 429 with `Retry-After` (only to calls for `channel`, when given: one workspace's)."""
        self._add_fault(method, times, ("ratelimit", retry_after, channel))

    def fail(self, method: str, error: str, times: int = 1) -> None:
        self._add_fault(method, times, ("fail", error))

    def drop_connection(self, method: str, times: int = 1) -> None:
        self._add_fault(method, times, ("drop",))

    def drop_after(self, method: str, times: int = 1) -> None:
        """Do what was asked (the post lands), then close the connection before answering."""
        self._add_fault(method, times, ("landed",))

    def stall(self, method: str) -> Stall:
        """The next `method` call waits, once it has arrived, until `release()`: Slack slow to answer."""
        stalled = Stall()
        self._add_fault(method, 1, ("stall", stalled))
        return stalled

    def clear_faults(self) -> None:
        """Forget the faults not yet consumed (what was posted stays)."""
        with self._cond:
            self._faults = {}

    def _add_fault(self, method: str, times: int, fault: tuple) -> None:
        """Faults queue per method ("*" = any method) and are consumed oldest first."""
        with self._cond:
            self._faults.setdefault(method, []).extend([fault] * times)

    # -- accessors --
    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        """Block until `count` calls of `method` arrived; return all calls of it so far."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls(method)) >= count, timeout):
                seen = [c.method for c in self._calls]
                raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; saw {seen}")
            return self.calls(method)

    def responses(self, name: str | None = None) -> list[Response]:
        with self._cond:
            return [r for r in self._responses if name is None or r.name == name]

    def wait_for_response(self, name: str | None = None, count: int = 1, timeout: float = 15.0) -> list[Response]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.responses(name)) >= count, timeout):
                raise AssertionError(
                    f"expected {count} response_url POST(s) to {name or 'any'}"
                    f" within {timeout}s; saw {len(self.responses(name))}"
                )
            return self.responses(name)

    def message(self, channel: str, ts: str) -> dict | None:
        """The message as it stands now (after chat.update), for building block_actions."""
        with self._cond:
            return self.messages.get((channel, ts))

    # -- request handling (server threads) --
    def _record(self, item: Call | Response) -> None:
        with self._cond:
            (self._calls if isinstance(item, Call) else self._responses).append(item)
            self._cond.notify_all()

    def _api(self, req: _Handler, method: str, headers: dict, body: dict) -> None:
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else body.get("token")
        call = Call(method, headers, body, token)
        reply_headers = {}
        with self._cond:
            queue = self._faults.get(method) or self._faults.get("*") or []
            match = next((f for f in queue if f[0] != "ratelimit" or f[2] in (None, body.get("channel"))), None)
            fault = queue.pop(queue.index(match)) if match else None
        if fault and fault[0] == "stall":  # outside the lock: the test and other calls go on
            fault[1].arrived.set()
            fault[1].released.wait(30)
            fault = None
        with self._cond:
            if fault and fault[0] == "drop":
                self._record(call)
                req.close_connection = True  # no status line: the client sees EOF
                return
            if fault and fault[0] == "ratelimit":
                call.status, call.reply = 429, {"ok": False, "error": "ratelimited"}
                reply_headers["Retry-After"] = str(fault[1])
            elif fault and fault[0] == "fail":
                call.reply = {"ok": False, "error": fault[1]}
            elif method == "oauth.v2.access":  # client credentials (HTTP Basic), not a token
                call.reply = self._oauth_access(call)
            elif not token:
                call.reply = {"ok": False, "error": "not_authed"}
            elif token in self.revoked:
                call.reply = {"ok": False, "error": "token_revoked"}
            elif token in self.installed:
                handler = self._handlers.get(method)
                call.reply = (
                    dict(self.installed[token]) if method == "auth.test" else handler(call) if handler else None
                ) or {"ok": False, "error": "unknown_method"}
            elif self.token is not None and token != self.token:
                call.reply = {"ok": False, "error": "invalid_auth"}
            elif method not in self._handlers:
                call.reply = {"ok": False, "error": "unknown_method"}
            else:
                call.reply = self._handlers[method](call)
            if fault and fault[0] == "landed":
                self._record(call)
                req.close_connection = True
                return
        if method == "auth.test":
            reply_headers["x-oauth-scopes"] = SCOPES
        self._record(call)  # before replying: once the client has its answer, calls() shows it
        req.send(call.status, call.reply, reply_headers)

    def _response_url(self, req: _Handler, name: str, headers: dict, body: dict) -> None:
        refused = validate_message(body)
        status, text = (400, refused["error"]) if refused else (200, "ok")
        self._record(Response(name, body, headers, status))
        req.send(status, text)

    def _upload(self, req: _Handler, file_id: str, raw: bytes) -> None:
        with self._cond:
            upload = self.uploads.get(file_id)
            if upload is not None:
                upload.content = raw
        req.send(200 if upload else 404, f"OK - {len(raw)}" if upload else "not_found")


if __name__ == "__main__":  # `python -m tests.support.slack_standin`: a stand-in for manual runs
    with SlackStandIn(token=None) as standin:
        print(f"SLACK_API_URL={standin.base_url}", flush=True)
        threading.Event().wait()
