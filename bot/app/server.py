"""Serving the Slack app: Socket Mode for development, gunicorn over HTTP for production.

The HTTP side is a small WSGI app: `POST /slack/events` goes to Bolt (commands, events and
interactivity), and so do `GET /slack/install` and `GET /slack/oauth_redirect` when Tandem is
installed by OAuth (`bot.app.oauth`); `GET /healthz` answers 200 when the database does and the scheduler is not
late (`bot.app.health`), else 503. A body Bolt cannot even parse is answered 400, never a 5xx
or a dropped connection.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.errors import SlackApiError

from bot.app.ahead import AnswersAhead
from bot.app.container import Container
from bot.app.guard import PARSED, RequestGuard
from bot.app.health import HealthCheck
from bot.app.preflight import UNREACHABLE, slack_problem
from bot.app.settings import Settings

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class TandemWsgi:
    def __init__(self, app: App, health: Callable[[], tuple[bool, dict]]) -> None:
        self.app = app
        self.bolt = SlackRequestHandler(app, path=EVENTS_PATH)
        self.health = health

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok, body = self.health()
            return _reply(start_response, 200 if ok else 503, body)
        oauth = self.bolt.app.oauth_flow
        if oauth is not None and method == "GET" and path in (oauth.install_path, oauth.redirect_uri_path):
            return self.bolt(environ, start_response)
        if path == EVENTS_PATH and method == "POST":
            try:
                if PARSED in environ and environ.get("SERVER_PROTOCOL", "").startswith("HTTP"):
                    return self.dispatch_parsed(environ, start_response, *environ[PARSED])
                return self.bolt(environ, start_response)
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
                log.warning("malformed request refused: %s", error)
                return _reply(start_response, 400, {"error": "malformed request"})
        if path == EVENTS_PATH:
            return _reply(start_response, 405, {"error": "use POST"})
        return _reply(start_response, 404, {"error": "not found"})

    def dispatch_parsed(self, environ: dict, start_response, raw: str, body: dict) -> Iterable[bytes]:
        """What `SlackRequestHandler` does, over the body `RequestGuard` parsed and whose
        signature it checked already: Bolt takes a parsed body only in its Socket Mode shape,
        where it checks no signature (Slack's socket authenticated the request), so the request
        is built that way, and Bolt neither parses the body nor checks its signature again."""
        request = WsgiHttpRequest(environ)
        bolt = BoltRequest(body=body, query=request.query_string, headers=request.get_headers(), mode="socket_mode")
        bolt.raw_body = raw
        answered = self.app.dispatch(bolt)
        response = WsgiHttpResponse(status=answered.status, headers=answered.headers, body=answered.body)
        start_response(response.status, response.get_headers())
        return response.get_body()


def http_stack(app: App, container: Container) -> RequestGuard:
    """What a worker serves over HTTP: the guard, then the answers kept in memory (installed by
    OAuth, only through an installation Bolt would find), then Bolt."""
    settings = container.settings
    container.db.follow_changes()  # this process answers requests: on PostgreSQL, listen (`storage.replicas`)
    served: Callable[..., Iterable[bytes]] = TandemWsgi(
        app, HealthCheck(container.db, container.deps.clock, settings.tick_seconds)
    )
    oauth = (settings.client_id or "", settings.token_refresh_minutes) if container.installs is not None else None
    served = AnswersAhead(served, container.deps, settings.allowed_teams, container.orgs, oauth)
    return RequestGuard(served, settings.signing_secret or "", EVENTS_PATH)


def _reply(start_response, status: int, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}[
        status
    ]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class GunicornLog(glogging.Logger):
    """gunicorn's own lines go through Tandem's handlers and levels (`bot.app.logs`), so they
    are quiet by default and JSON when the rest is."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True
        self.error_log.setLevel(logging.NOTSET)


class GunicornServer(BaseApplication):
    """gunicorn, configured in code; each worker builds its own app after the fork.

    `ready` runs in the master once the port is bound: the one line that says Tandem started.
    """

    def __init__(
        self, build: Callable[[], Callable], port: int, workers: int, threads: int, ready: Callable[[], None]
    ) -> None:
        self.build = build
        self.options = {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": None,
            "logger_class": GunicornLog,
            "when_ready": lambda _server: ready(),
            # gunicorn 25.1+ opens a control socket in $HOME: two instances on one host would share it
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Callable:
        return self.build()


def serve_http(build: Callable[[], Callable], port: int, workers: int, threads: int, ready: Callable[[], None]) -> None:
    GunicornServer(build, port, workers, threads, ready).run()


def serve_socket_mode(app: App, settings: Settings, ready: Callable[[], None]) -> None:
    """Connect once with SLACK_APP_TOKEN (a refusal is one sentence), then serve until stopped."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    token = settings.app_token or ""
    handler = SocketModeHandler(app, token)
    try:  # the first URL is asked for here, where a refused token can still become a sentence
        handler.client.wss_uri = app.client.apps_connections_open(app_token=token)["url"]
    except (SlackApiError, *UNREACHABLE) as error:
        raise slack_problem(error, "SLACK_APP_TOKEN", settings) from None
    handler.connect()
    ready()
    threading.Event().wait()
