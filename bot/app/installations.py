"""Installs by OAuth into many workspaces: slack_sdk's stores on Tandem's own database, and a
Web API client per workspace holding that workspace's own token.

Bolt authorizes each incoming request from the installation store by itself. What Tandem
posts on its own account (the outbox, `tandem tick`, `matrix import --announce`) has no
request to take a token from: `WorkspaceClients` finds the organisation's workspace's
installation (its matrix `team:`: a workspace `T…`, or an Enterprise Grid org `E…` installed
org-wide), refreshes a rotating token shortly before it expires (slack_sdk's `TokenRotator`,
saved back as Bolt saves it) and keeps the client for a minute, so an uninstall seen by
another process is noticed soon. A workspace without an installation raises `NotInstalled`:
its posts are held until it installs again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, select

from bot.app.settings import Settings
from bot.outbox import NotInstalled

log = logging.getLogger(__name__)

# manifest.yml's oauth_config.scopes.bot, asked for at install (tests/test_manifest.py keeps them equal)
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
)
STATE_SECONDS = 600  # how long an install started at /slack/install may take
CACHED_FOR = 60  # seconds a workspace's client is kept before its installation is read again


def stores(settings: Settings, engine: Engine) -> tuple[SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore]:
    """The installation and OAuth state stores, on the tables migration 0023 made."""
    installations = SQLAlchemyInstallationStore(
        client_id=settings.client_id or "", engine=engine, logger=logging.getLogger("tandem.installations")
    )
    states = SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_SECONDS, engine=engine, logger=logging.getLogger("tandem.installations")
    )
    return installations, states


@dataclass(frozen=True)
class _Cached:
    client: WebClient
    expires_at: int | None  # when a rotating token expires, in epoch seconds as slack_sdk keeps it
    looked_at: float


class WorkspaceClients:
    """A `WebClient` per workspace, each with that workspace's bot token.

    `wall` is Slack's time, in epoch seconds: tokens expire by it, whatever time a tick
    pretends it is (`tandem tick --at`)."""

    def __init__(
        self,
        settings: Settings,
        store: SQLAlchemyInstallationStore,
        make_client: Callable[[str], WebClient],
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.make_client, self.wall = store, make_client, wall
        self.minutes = settings.token_refresh_minutes
        self.rotator = TokenRotator(
            client_id=settings.client_id or "", client_secret=settings.client_secret or "", client=make_client("")
        )
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def client(self, workspace: str | None) -> WebClient:
        """The client for `workspace` (a matrix's `team:`), or `NotInstalled`."""
        if not workspace:
            raise NotInstalled(None)
        now = self.wall()
        with self._lock:
            cached = self._cache.get(workspace)
            if cached and now - cached.looked_at < CACHED_FOR and not self._expiring(cached.expires_at, now):
                return cached.client
            bot = self._bot(workspace)
            if bot is None or not bot.bot_token:
                self._cache.pop(workspace, None)
                raise NotInstalled(workspace)
            fresh = _Cached(self.make_client(bot.bot_token), bot.bot_token_expires_at, now)
            self._cache[workspace] = fresh
            return fresh.client

    def forget(self, workspace: str | None) -> None:
        """Drop what is kept for `workspace` (it uninstalled, or installed again)."""
        with self._lock:
            self._cache.pop(workspace or "", None)

    def installed(self) -> int:
        """How many workspaces (or orgs) have a bot installation now."""
        table = self.store.bots
        query = select(table.c.enterprise_id, table.c.team_id).where(
            table.c.client_id == self.store.client_id, table.c.bot_token.is_not(None)
        )
        with self.store.engine.connect() as connection:
            return len(set(connection.execute(query)))

    def _expiring(self, expires_at: int | None, now: float) -> bool:
        return expires_at is not None and expires_at - now <= self.minutes * 60

    def _bot(self, workspace: str) -> Bot | None:
        """The newest bot installed in `workspace`, its token refreshed first when it expires soon
        (as Bolt's own authorization does it: the same rows, the same refresh)."""
        if workspace.startswith("E"):
            found = self.store.find_bot(enterprise_id=workspace, team_id=None, is_enterprise_install=True)
        else:
            found = self.store.find_bot(enterprise_id=self._enterprise_of(workspace), team_id=workspace)
        if found is None or not found.bot_refresh_token:
            return found
        rotated = self.rotator.perform_bot_token_rotation(bot=found, minutes_before_expiration=self.minutes)
        if rotated is None:
            return found
        self.store.save_bot(rotated)
        log.info("refreshed the rotating token of workspace %s", workspace)
        return rotated

    def _enterprise_of(self, team: str) -> str | None:
        """The Grid org a workspace belongs to, as its installation recorded it (None outside Grid)."""
        table = self.store.bots
        query = (
            select(table.c.enterprise_id)
            .where(table.c.client_id == self.store.client_id, table.c.team_id == team)
            .order_by(table.c.installed_at.desc())
            .limit(1)
        )
        with self.store.engine.connect() as connection:
            return connection.execute(query).scalar()
