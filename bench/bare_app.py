"""A bare Bolt app on Tandem's own server stack: the baseline for `bench.http_load`.

`/owner` is acknowledged with a fixed string, nothing else happens: no database, no
matrix, no middleware of ours. It is served exactly the way `tandem run` serves Tandem
(`bot.server.serve_http`: gunicorn, gthread worker, `WEB_CONCURRENCY` workers with
`TANDEM_THREADS` threads, same defaults), so the difference in throughput between the two
is the cost of Tandem's own code.

    PORT=3100 SLACK_SIGNING_SECRET=... SLACK_API_URL=http://127.0.0.1:PORT/api/ \\
        .venv/bin/python -m bench.bare_app

`application` is also a plain WSGI callable (`gunicorn bench.bare_app:application`), built
on first use in each worker. Token verification at start is off; Bolt still calls
`auth.test` once per worker on the first request, so point `SLACK_API_URL` at a stand-in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable

FIXED_REPLY = "Backups: responsible Red Kite IT; accountable Alice Moss."
EVENTS_PATH = "/slack/events"


def build() -> Callable:
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    client = WebClient(
        token=os.environ.get("SLACK_BOT_TOKEN", "xoxb-bench-bare"),
        base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
        timeout=10,
    )
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], token_verification_enabled=False)

    @app.command("/owner")
    def owner(ack):
        ack(FIXED_REPLY)

    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict, start_response) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":  # so the bench can tell it is up
            body = json.dumps({"ok": True}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return bolt(environ, start_response)

    return wsgi


_built: Callable | None = None


def application(environ: dict, start_response) -> Iterable[bytes]:
    global _built
    if _built is None:
        _built = build()
    return _built(environ, start_response)


def main() -> None:
    from bot.app.server import serve_http
    from bot.app.settings import Settings

    settings = Settings.from_env()
    serve_http(build, settings.port, settings.web_concurrency, settings.threads)


if __name__ == "__main__":
    main()
