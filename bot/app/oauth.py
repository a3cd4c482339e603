"""The Bolt app installed by OAuth into many workspaces.

Bolt serves `GET /slack/install` (the "Add to Slack" page, with a state in a cookie and in
the database) and `GET /slack/oauth_redirect` (state checked, `oauth.v2.access` asked at
SLACK_API_URL, the installation saved), and authorizes every request with its workspace's
installation, refreshing a rotating token first. Tandem adds what follows from an install
and an uninstall: posts held for a workspace go out once it installs, and `app_uninstalled`
or a revoked bot token removes the installation, so that workspace's posts are held.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.app.container import Container, Installs
from bot.app.installations import BOT_SCOPES, STATE_SECONDS
from bot.services.schedule import release_workspace
from handlers.middleware.once import finish_event

log = logging.getLogger(__name__)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"


def oauth_app(container: Container, client: WebClient) -> App:
    """Bolt over the installation store; `client` (no token) gives every call its base URL."""
    settings, installs = container.settings, container.installs
    assert installs is not None
    deps = container.deps

    def installed(args: SuccessArgs) -> BoltResponse:
        found = args.installation
        workspace = found.enterprise_id if found.is_enterprise_install else found.team_id
        log.info("installed in workspace %s (%s)", workspace, found.enterprise_name or found.team_name)
        installs.clients.forget(workspace)
        if workspace:
            release_workspace(deps, workspace)
        return args.default.success(args)

    def refused(args: FailureArgs) -> BoltResponse:
        log.warning("an install did not complete: %s", args.reason)
        return args.default.failure(args)

    oauth_settings = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installs.installations,
        state_store=installs.states,
        installation_store_bot_only=True,  # as the App is told below: Bolt warns when the two differ
        state_expiration_seconds=STATE_SECONDS,
        token_rotation_expiration_minutes=settings.token_refresh_minutes,
        callback_options=CallbackOptions(success=installed, failure=refused),
    )
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        logger=logging.getLogger("tandem.bolt"),
        process_before_response=True,
        # Given to the App as well, so token refreshes go through `client` (SLACK_API_URL).
        installation_store=installs.installations,
        installation_store_bot_only=True,
        oauth_settings=oauth_settings,
    )
    return app


def uninstall_listeners(app: App, installs: Installs) -> None:
    """An uninstall or a revoked bot token removes that workspace's installation."""
    app.event("app_uninstalled")(_uninstalled(installs))
    app.event("tokens_revoked")(_revoked(installs))


def _workspace(context: BoltContext) -> tuple[str | None, str | None, str | None]:
    """(workspace, enterprise id, team id) as the installation store keys them."""
    if context.is_enterprise_install:
        return context.enterprise_id, context.enterprise_id, None
    return context.team_id, context.enterprise_id, context.team_id


def _uninstalled(installs: Installs) -> Any:
    def app_uninstalled(context: BoltContext) -> None:
        workspace, enterprise, team = _workspace(context)
        installs.installations.delete_all(enterprise_id=enterprise, team_id=team)
        installs.clients.forget(workspace)
        log.warning("uninstalled from workspace %s: its posts are held until it installs Tandem again", workspace)
        finish_event(context)

    return app_uninstalled


def _revoked(installs: Installs) -> Any:
    def tokens_revoked(event: dict, context: BoltContext) -> None:
        """The bot's token revoked: nothing can be done there, so the installation goes; a person's
        token revoked: only theirs (Tandem asks for none, but an install may carry one)."""
        workspace, enterprise, team = _workspace(context)
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            installs.installations.delete_all(enterprise_id=enterprise, team_id=team)
            installs.clients.forget(workspace)
            log.warning(
                "the bot token of workspace %s was revoked: its posts are held until it installs again", workspace
            )
        for user in tokens.get("oauth") or []:
            installs.installations.delete_installation(enterprise_id=enterprise, team_id=team, user_id=user)
        finish_event(context)

    return tokens_revoked
