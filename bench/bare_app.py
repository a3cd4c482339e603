"""Bare Bolt apps, the baselines `bench.http_load` compares Tandem against.

Each acknowledges `/owner`, `/tandem` and `/handoff` with a fixed string and does nothing
else: no database, no matrix, no middleware of ours. Two setups, the fastest plain ways to
serve Bolt on this stack:

* `sync`: `slack_bolt.App(process_before_response=True)` (as Tandem's app is built, so the
  listener runs on the request thread and Bolt's 10 ms ack polling never happens) behind
  `SlackRequestHandler`, served exactly the way `tandem run` serves Tandem
  (`bot.app.server.serve_http`: gunicorn, gthread, `WEB_CONCURRENCY` workers with
  `TANDEM_THREADS` threads, same defaults);
* `async`: `slack_bolt.async_app.AsyncApp(process_before_response=True)` behind
  `AsyncSlackRequestHandler` on uvicorn with `WEB_CONCURRENCY` worker processes (needs the
  `bench` extra: uvicorn, aiohttp).

    PORT=3100 SLACK_SIGNING_SECRET=... SLACK_API_URL=http://127.0.0.1:PORT/api/ \\
        .venv/bin/python -m bench.bare_app [sync|async]

Token verification at start is off for the sync app; each calls `auth.test` once per worker
on its first request, so point `SLACK_API_URL` at a stand-in.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable

FIXED_REPLY = "Backups: responsible Red Kite IT; accountable Alice Moss."
EVENTS_PATH = "/slack/events"
COMMANDS = ("/owner", "/tandem", "/handoff")
HEALTH = json.dumps({"ok": True}).encode()


def _client_args() -> dict:
    return {
        "token": os.environ.get("SLACK_BOT_TOKEN", "xoxb-bench-bare"),
        "base_url": os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
        "timeout": 10,
    }


def build() -> Callable:
    """The sync app as a WSGI callable (built in each gunicorn worker after the fork)."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    app = App(
        client=WebClient(**_client_args()),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        process_before_response=True,
    )
    for command in COMMANDS:
        app.command(command)(lambda ack: ack(FIXED_REPLY))
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict, start_response) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":  # so the bench can tell it is up
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(HEALTH)))])
            return [HEALTH]
        return bolt(environ, start_response)

    return wsgi


def build_async() -> Callable:
    """The async app as an ASGI callable (`uvicorn bench.bare_app:asgi --factory`)."""
    from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(**_client_args()),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,  # ack() answers at once: no polling for it
    )

    async def ack_fixed(ack) -> None:
        await ack(FIXED_REPLY)

    for command in COMMANDS:
        app.command(command)(ack_fixed)
    bolt = AsyncSlackRequestHandler(app, path=EVENTS_PATH)

    async def asgi(scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == "/healthz":
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(HEALTH)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": HEALTH})
            return
        await bolt(scope, receive, send)

    return asgi


def main(argv: list[str]) -> None:
    from bot.app.settings import Settings

    settings = Settings.from_env()
    if argv[:1] == ["async"]:
        import uvicorn

        uvicorn.run(
            "bench.bare_app:build_async",
            factory=True,
            host="127.0.0.1",
            port=settings.port,
            workers=settings.web_concurrency,
            log_level="warning",
            access_log=False,
        )
        return
    from bot.app.server import serve_http

    serve_http(build, settings.port, settings.web_concurrency, settings.threads, lambda: None)


if __name__ == "__main__":
    main(sys.argv[1:])
