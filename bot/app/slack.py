"""Slack wiring: the Web API client, a container that posts through it, and the Bolt app.

Nothing happens at import time; `create_app` builds one app. A process that posts to Slack
(`tandem run`, `tandem tick`, `matrix import --announce`) builds its container with the
Slack notifier from the start. With one SLACK_BOT_TOKEN every post goes through one client;
installed by OAuth (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET), each organisation's posts go
through its workspace's own token (`bot.app.installations`), and Bolt serves the install
pages and authorizes each request from the installation store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.app.container import Container, Installs, build
from bot.app.installations import WorkspaceClients, stores
from bot.app.settings import Settings
from bot.clock import Clock
from handlers.conversation import SlackConversation
from handlers.inbox import InboxRunner, Resumer
from handlers.middleware.once import finish_event
from handlers.notify import ChannelNotifier, one
from handlers.register import register
from storage.db import Database

log = logging.getLogger(__name__)


class SafeConnectionRetries(ConnectionErrorRetryHandler):
    """Retries a broken connection only when that cannot repeat what Slack already did: any
    call that reads or replaces, and a post or upload only when it never reached Slack (the
    connection was refused). A post whose connection broke may have landed: the caller looks
    for it before sending it again (`handlers.conversation`)."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if request.url.rstrip("/").rsplit("/", 1)[-1] in NOT_REPEATABLE:
            refused = isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)
            if not (refused or isinstance(error, ConnectionRefusedError)):
                return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class InlineRateLimitRetries(RateLimitErrorRetryHandler):
    """Waits out a 429 in the call, except for a post keyed by an occurrence in its metadata:
    `SlackConversation` decides for those (the outbox's come back as `RateLimited` at once, and
    the outbox pauses the workspace and puts the post back, so no tick waits on one workspace)."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return not _outbox_post(request) and super()._can_retry(
            state=state, request=request, response=response, error=error
        )


def _outbox_post(request) -> bool:
    if not request.url.rstrip("/").endswith("/chat.postMessage") or not request.data:
        return False
    try:
        body = json.loads(request.data)
    except ValueError:
        return False  # a form-encoded post: not one the outbox makes
    metadata = body.get("metadata") if isinstance(body, dict) else None
    payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
    return isinstance(payload, dict) and "occurrence" in payload


NOT_REPEATABLE = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal", "files.upload", "chat.scheduleMessage"}
)


class SettlingClient(WebClient):
    """A `WebClient` that, before each call, makes sure every replica has seen what this thread
    committed (`Database.settle`): a post about a change is never read before the change is."""

    def __init__(self, *args: Any, settle: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settle = settle

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        self.settle()
        return super().api_call(*args, **kwargs)


class SettledAcknowledgement(Middleware):
    """Outermost of Tandem's Bolt middleware: the changes a request's listener committed are seen
    by every replica (`Database.deferring`) before Bolt sends Slack the acknowledgement."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        with self.db.deferring():
            return next()


def create_client(
    settings: Settings, quiet: bool = False, token: str | None = None, db: Database | None = None
) -> WebClient:
    """A `WebClient` with `token` (default SLACK_BOT_TOKEN): `base_url` from `SLACK_API_URL`; it
    retries HTTP 429 after `Retry-After` (but for the outbox's posts, which it hands back), and
    connection errors with backoff where a retry cannot post twice.

    `quiet`: for the start-up check, whose failure becomes one sentence; the SDK's own line
    for each failed try would only repeat it. `db`: the database whose changes this thread
    committed are settled before each call (`SettlingClient`).
    """
    return SettlingClient(
        settle=db.settle if db is not None else _nothing,
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=[SafeConnectionRetries(max_retry_count=3), InlineRateLimitRetries(max_retry_count=3)],
        logger=logging.getLogger("tandem.preflight" if quiet else "tandem.slack"),
    )


def slack_container(settings: Settings, db: Database, clock: Clock, client: WebClient | None = None) -> Container:
    """A container whose notifier posts to Slack: through `client`, or installed by OAuth,
    through each matrix's workspace's own client."""
    if not settings.oauth:
        client = client or create_client(settings, db=db)
        return build(settings, db, clock, ChannelNotifier(one(SlackConversation(client, outbox=True))))
    installations, states = stores(settings, db.engine)
    clients = WorkspaceClients(settings, installations, lambda token: create_client(settings, token=token, db=db))

    def conversation(team: str | None) -> SlackConversation:
        return SlackConversation(clients.client(team), outbox=True)

    return build(settings, db, clock, ChannelNotifier(conversation), Installs(installations, states, clients))


def create_app(container: Container, client: WebClient) -> App:
    """A sync Bolt app over `client`, listeners registered, answering in the request."""
    container.settings.require_slack()
    if container.installs is not None:
        from bot.app.oauth import oauth_app

        app = oauth_app(container, client)
    else:
        app = _token_app(container, client)
    settings = container.settings
    runner = app.listener_runner
    runner.lazy_listener_runner = InboxRunner(
        app.logger,
        runner.listener_executor,
        timedelta(seconds=settings.inbox_lease_seconds),
        settings.hold_deferred_seconds,
    )
    app.use(SettledAcknowledgement(container.db))
    register(app, container.deps, settings.allowed_teams, container.orgs)
    # After Tandem's own listeners: Bolt tries listeners in order, and a command that met two
    # event matchers first paid for both (each builds Bolt's keyword arguments).
    if container.installs is not None:
        from bot.app.oauth import uninstall_listeners

        uninstall_listeners(app, container.installs)
    else:
        app.event("app_uninstalled")(_noted)
        app.event("tokens_revoked")(_noted)
    return app


def start_resuming(app: App, container: Container) -> Resumer:
    """Take over, in this process, the requests another process acknowledged and never finished."""
    return Resumer(app, container.deps, timedelta(seconds=container.settings.inbox_lease_seconds)).start()


def _token_app(container: Container, client: WebClient) -> App:
    """One workspace, one SLACK_BOT_TOKEN (the manifest's uninstall events are only noted)."""
    app = App(
        client=client,
        signing_secret=container.settings.signing_secret,
        logger=logging.getLogger("tandem.bolt"),
        # Acknowledgements run in the request; slow work is a lazy listener after it.
        process_before_response=True,
        # `tandem run` checked the token once before starting (bot.app.preflight); Bolt asks
        # auth.test on a worker's first request instead of at its boot, so a worker gunicorn
        # restarts while Slack is unreachable does not fail to boot and halt the whole server.
        token_verification_enabled=False,
    )
    return app


def _nothing() -> None:
    """No database to settle."""


def _noted(event: dict, context: BoltContext) -> None:
    log.warning("Slack says %s for workspace %s: SLACK_BOT_TOKEN no longer works there", event["type"], context.team_id)
    finish_event(context)
