"""Settings from the environment (and a `.env` file), checked before anything starts.

A missing or malformed value stops start-up with one sentence naming the variable and
where to find its value, never a stack trace from deep inside a library.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dotenv import dotenv_values

from bot.app.fleet import FleetSettings, read_fleet
from bot.errors import SettingsError

DEFAULT_DATABASE_URL = "sqlite:///tandem.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) under OAuth & Permissions in your app's settings at api.slack.com/apps",
    "SLACK_SIGNING_SECRET": "the Signing Secret under Basic Information → App Credentials in your app's settings at api.slack.com/apps",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) with the connections:write scope, under Basic Information → App-Level Tokens",
    "SLACK_CLIENT_ID": "the Client ID under Basic Information → App Credentials in your app's settings at api.slack.com/apps",
    "SLACK_CLIENT_SECRET": "the Client Secret under Basic Information → App Credentials in your app's settings at api.slack.com/apps",
}
OAUTH = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


def _count(get: Callable[[str], str | None], name: str, default: int, what: str) -> int:
    """A whole number of at least 1, or a SettingsError naming the variable."""
    text = get(name) or str(default)
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name} must be a whole number of {what}, at least 1 (default {default}), not {text!r}.")
    return int(text)


def _choice(get: Callable[[str], str | None], name: str, choices: tuple[str, ...], default: str) -> str:
    """One of `choices`, whatever its case, or a SettingsError naming the variable."""
    text = get(name) or default
    found = [choice for choice in choices if choice.lower() == text.lower()]
    if not found:
        raise SettingsError(f"{name} must be one of {', '.join(choices)} (default {default}), not {text!r}.")
    return found[0]


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_SLACK_API_URL
    matrix_file: str | None = None
    port: int = 3000
    allowed_teams: frozenset[str] = field(default_factory=frozenset)
    tick_seconds: int = 30  # the in-process heartbeat; 0 when ticks come from cron (`tandem tick`)
    post_spacing: float = 1.0  # seconds between the outbox's posts in one channel; 0 does not pace
    web_concurrency: int = 2  # gunicorn worker processes
    threads: int = 8  # threads per worker
    log_level: str = "INFO"  # Tandem's own lines; the libraries' only at DEBUG (bot.app.logs)
    log_format: str = "text"  # or "json": one JSON object per line
    inbox_lease_seconds: int = 60  # how long a request's work may take before another process runs it again
    hold_deferred_seconds: int = 0  # a fault for crash tests: each request's work waits this long after its ack
    # Installs by OAuth into many workspaces (both set): each workspace's token from the database.
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None  # SLACK_REDIRECT_URI, as listed under OAuth & Permissions → Redirect URLs
    token_refresh_minutes: int = 120  # a rotating token is refreshed this long before it expires
    fleet: FleetSettings = field(default_factory=FleetSettings)  # the weekly fleet digest (TANDEM_FLEET_*)

    @property
    def oauth(self) -> bool:
        """Whether Tandem is installed by OAuth (many workspaces) rather than with one SLACK_BOT_TOKEN."""
        return bool(self.client_id and self.client_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: str | None = ".env") -> Settings:
        """Read the process environment over the `.env` file (the environment wins)."""
        values = {
            k: v
            for k, v in (dotenv_values(dotenv) if dotenv and os.path.exists(dotenv) else {}).items()
            if v is not None
        }
        values.update(os.environ if env is None else env)
        get = lambda name: (values.get(name) or "").strip() or None  # noqa: E731
        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"PORT must be a port number from 1 to 65535, not {port_text!r}.")
        api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not re.match(r"^https?://[^\s/]+", api_url):
            raise SettingsError(
                f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}, not {api_url!r}."
            )
        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
            raise SettingsError(
                "DATABASE_URL must be a SQLite or PostgreSQL URL, e.g. sqlite:///tandem.db or "
                f"postgresql://user@host:5432/tandem, not {database_url!r}."
            )
        tick_text = get("TANDEM_TICK_SECONDS") or "30"
        if not tick_text.isdigit():
            raise SettingsError(
                f"TANDEM_TICK_SECONDS must be a whole number of seconds (0 turns the heartbeat off), not {tick_text!r}."
            )
        spacing_text = get("TANDEM_POST_SPACING") or "1"
        if not re.fullmatch(r"\d{1,2}(\.\d+)?", spacing_text):
            raise SettingsError(
                "TANDEM_POST_SPACING must be the seconds between two posts in one channel, such as 1 "
                f"(Slack's limit, the default) or 0 (no pacing, for a stand-in), not {spacing_text!r}."
            )
        teams = frozenset(t.strip() for t in (get("TANDEM_ALLOWED_TEAMS") or "").split(",") if t.strip())
        workers = _count(get, "WEB_CONCURRENCY", 2, "gunicorn worker processes")
        threads = _count(get, "TANDEM_THREADS", 8, "threads per worker")
        log_level = _choice(get, "TANDEM_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
        log_format = _choice(get, "TANDEM_LOG_FORMAT", ("text", "json"), "text")
        refresh = _count(get, "TANDEM_TOKEN_REFRESH_MINUTES", 120, "minutes before a rotating token expires")
        redirect_uri = get("SLACK_REDIRECT_URI")
        if redirect_uri and not re.match(r"^https?://[^\s/]+/\S*$", redirect_uri):
            raise SettingsError(
                "SLACK_REDIRECT_URI must be the full https URL of /slack/oauth_redirect as listed under OAuth & "
                f"Permissions → Redirect URLs, e.g. https://tandem.example.com/slack/oauth_redirect, not {redirect_uri!r}."
            )
        lease = _count(get, "TANDEM_INBOX_LEASE_SECONDS", 60, "seconds")
        hold = get("TANDEM_FAULT_HOLD_DEFERRED_SECONDS") or "0"
        if not hold.isdigit():
            raise SettingsError(f"TANDEM_FAULT_HOLD_DEFERRED_SECONDS must be a whole number of seconds, not {hold!r}.")
        return cls(
            database_url=database_url,
            bot_token=get("SLACK_BOT_TOKEN"),
            signing_secret=get("SLACK_SIGNING_SECRET"),
            app_token=get("SLACK_APP_TOKEN"),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            matrix_file=get("TANDEM_MATRIX"),
            port=int(port_text),
            allowed_teams=teams,
            tick_seconds=int(tick_text),
            post_spacing=float(spacing_text),
            web_concurrency=workers,
            threads=threads,
            log_level=log_level,
            log_format=log_format,
            client_id=get("SLACK_CLIENT_ID"),
            client_secret=get("SLACK_CLIENT_SECRET"),
            redirect_uri=redirect_uri,
            token_refresh_minutes=refresh,
            inbox_lease_seconds=lease,
            hold_deferred_seconds=int(hold),
            fleet=read_fleet(get),
        )

    def _oauth_problems(self) -> list[str]:
        """Half of the OAuth pair set, or OAuth beside what it replaces."""
        given = [name for name, value in zip(OAUTH, (self.client_id, self.client_secret), strict=True) if value]
        if len(given) == 1:
            missing = next(name for name in OAUTH if name not in given)
            return [
                f"{given[0]} is set but {missing} is not: copy {WHERE[missing]} (installs by OAuth need both; "
                "unset both to run in one workspace with SLACK_BOT_TOKEN)."
            ]
        if not given:
            return []
        problems = []
        if self.bot_token:
            problems.append(
                "SLACK_BOT_TOKEN is set beside SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: unset it (installs by OAuth "
                "keep each workspace's token in the database), or unset the two to run in one workspace."
            )
        if self.app_token:
            problems.append(
                "SLACK_APP_TOKEN is set beside SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: installs by OAuth need HTTP "
                "mode (Slack sends the browser back to /slack/oauth_redirect), so unset SLACK_APP_TOKEN."
            )
        return problems

    def require_slack(self, receiving: bool = True) -> None:
        """What talking to Slack needs (`receiving`: also requests from Slack), or a SettingsError saying what is missing."""
        problems = self._oauth_problems()  # installed by OAuth, each workspace's token is in the database
        if not self.oauth and not self.bot_token:
            problems.append(f"SLACK_BOT_TOKEN is not set: copy {WHERE['SLACK_BOT_TOKEN']}.")
        elif self.bot_token and not self.bot_token.startswith("xoxb-"):
            problems.append(f"SLACK_BOT_TOKEN should start with xoxb-: use {WHERE['SLACK_BOT_TOKEN']}.")
        if receiving and not self.signing_secret:
            problems.append(f"SLACK_SIGNING_SECRET is not set: copy {WHERE['SLACK_SIGNING_SECRET']}.")
        if self.app_token and not self.app_token.startswith("xapp-"):
            problems.append(f"SLACK_APP_TOKEN should start with xapp-: use {WHERE['SLACK_APP_TOKEN']}.")
        if problems:
            raise SettingsError(
                "Tandem cannot start:\n  "
                + "\n  ".join(problems)
                + "\nSet them in the environment or in a .env file (see .env.example)."
            )
