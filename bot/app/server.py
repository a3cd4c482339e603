"""Serving the Slack app: Socket Mode for development, gunicorn over HTTP for production.

The HTTP side is a small WSGI app: `POST /slack/events` goes to Bolt (commands, events and
interactivity), `GET /healthz` answers 200 when the database does and the scheduler is not
late (`bot.app.health`), else 503. A body Bolt cannot even parse is answered 400, never a 5xx
or a dropped connection.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class TandemWsgi:
    def __init__(self, app: App, health: Callable[[], tuple[bool, dict]]) -> None:
        self.bolt = SlackRequestHandler(app, path=EVENTS_PATH)
        self.health = health

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok, body = self.health()
            return _reply(start_response, 200 if ok else 503, body)
        if path == EVENTS_PATH and method == "POST":
            try:
                return self.bolt(environ, start_response)
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
                log.warning("malformed request refused: %s", error)
                return _reply(start_response, 400, {"error": "malformed request"})
        if path == EVENTS_PATH:
            return _reply(start_response, 405, {"error": "use POST"})
        return _reply(start_response, 404, {"error": "not found"})


def _reply(start_response, status: int, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}[
        status
    ]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class GunicornServer(BaseApplication):
    """gunicorn, configured in code; each worker builds its own app after the fork."""

    def __init__(self, build: Callable[[], Callable], port: int, workers: int, threads: int) -> None:
        self.build = build
        self.options = {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": None,
            "loglevel": "info",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable:
        return self.build()


def serve_http(build: Callable[[], Callable], port: int, workers: int, threads: int) -> None:
    GunicornServer(build, port, workers, threads).run()


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()
