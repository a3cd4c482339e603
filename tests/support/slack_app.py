"""The Bolt app `tandem run` serves, built by the composition root in the test's process, with
a clock the test sets.

Duty depends on the hour: a Saturday night, a bank holiday, a handover instant. `BotProcess`
runs on the wall clock, so the tests that need a given moment send the same signed requests,
shaped exactly like Slack's, to this app instead; it posts to the Slack stand-in over HTTP
like the real thing. Lazy listeners run on Bolt's own threads: wait for their calls on the
stand-in. With `http=True` each request goes through the WSGI stack a worker serves
(`bot.app.server.http_stack`: the guard, the answers kept in memory, then Bolt) instead of
straight to Bolt. With `oauth=True` it is installed by OAuth instead of SLACK_BOT_TOKEN: each
workspace installs it through its own install pages (`get`).
"""

from __future__ import annotations

import io
import itertools
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.app.bootstrap import import_file
from bot.app.server import EVENTS_PATH, http_stack
from bot.app.settings import Settings
from bot.app.slack import create_app, create_client, slack_container
from bot.clock import FixedClock
from storage.db import Database
from tests.support import slack_requests as sr
from tests.support.slack_oauth import CLIENT_ID, CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]
OAUTH = {
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "redirect_uri": "https://tandem.example.com/slack/oauth_redirect",
}


class SlackApp:
    def __init__(
        self,
        standin: Any,
        database_url: str,
        at: datetime,
        matrix: Path = ROOT / "examples" / "matrix.yml",
        http: bool = False,
        allowed_teams: frozenset[str] = frozenset(),
        oauth: bool = False,
        token_refresh_minutes: int = 120,
    ):
        settings = Settings(
            database_url=database_url,
            bot_token=None if oauth else standin.token,
            signing_secret=sr.SIGNING_SECRET,
            api_url=standin.base_url,
            allowed_teams=allowed_teams,
            token_refresh_minutes=token_refresh_minutes,
            **(OAUTH if oauth else {}),
        )
        self.standin = standin
        self.clock = FixedClock(at)
        self.db = Database(database_url)
        self.db.upgrade()
        import_file(self.db, matrix, "test", self.clock)
        client = create_client(settings)
        self.container = slack_container(settings, self.db, self.clock, client)
        self.app: App = create_app(self.container, client)
        self.wsgi = http_stack(self.app, self.container) if http else None
        self._replies = itertools.count(1)
        self._listening()

    def _listening(self) -> None:
        """On PostgreSQL a served stack listens for changes (`storage.replicas`) from a thread of its
        own: wait until it does, so that what a test reads next can come from memory."""
        listener = self.db.listener
        if listener is None:
            return
        give_up = time.monotonic() + 10
        while listener.generation() is None:
            assert time.monotonic() < give_up, "the replica did not start listening"
            time.sleep(0.01)

    def send(self, request: tuple[bytes, dict[str, str]]) -> tuple[int, dict[str, Any]]:
        """Dispatch one signed request; the acknowledgement's status and JSON body ({} when empty)."""
        if self.wsgi is not None:
            status, _headers, data = self.exchange(request)
            return int(status.split()[0]), json.loads(data) if data else {}
        body, headers = request
        response = self.app.dispatch(
            BoltRequest(body=body.decode(), headers={k.lower(): [v] for k, v in headers.items()})
        )
        return response.status, json.loads(response.body) if response.body else {}

    def exchange(self, request: tuple[bytes, dict[str, str]]) -> tuple[str, list[tuple[str, str]], bytes]:
        """One signed request through the WSGI stack, as gunicorn hands it over: the status line,
        headers and body of the response."""
        body, headers = request
        return self._wsgi("POST", EVENTS_PATH, "", body, headers)

    def get(self, path: str, cookie: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        """A browser's GET of `path` (with its query) through the WSGI stack, e.g. the install pages."""
        path, _, query = path.partition("?")
        return self._wsgi("GET", path, query, b"", {"Cookie": cookie} if cookie else {})

    def _wsgi(
        self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        assert self.wsgi is not None, "made with http=True"
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "QUERY_STRING": query,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        answered: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], _exc: object = None) -> None:
            answered.update(status=status, headers=response_headers)

        data = b"".join(self.wsgi(environ, start_response))
        return answered["status"], answered["headers"], data

    def command(self, name: str, text: str, user: str, channel: str = "C0SHARED01", reply_to: str = "cmd"):
        return self.send(
            sr.slash_command(
                name, text, user_id=user, channel_id=channel, response_url=self.standin.response_url(reply_to)
            )
        )

    def answer(self, name: str, text: str, user: str, channel: str = "C0SHARED01") -> dict[str, Any]:
        """The reply to a command, whether it came in the acknowledgement or after it."""
        reply_to = f"answer-{next(self._replies)}"
        status, body = self.command(name, text, user, channel, reply_to)
        assert status == 200
        return body or self.standin.wait_for_response(reply_to)[-1].body

    def close(self) -> None:
        self.db.dispose()
