"""Register every middleware and listener on a Bolt app, explicitly and in one place."""

from slack_bolt import App

from bot.services.deps import Deps
from handlers import actions, commands, events, middleware
from handlers.errors import on_error
from handlers.middleware.org_teams import OrgWorkspaces


def register(app: App, deps: Deps, allowed_teams: frozenset[str], orgs: OrgWorkspaces) -> None:
    app.error(on_error)
    middleware.register(app, deps, allowed_teams, orgs)
    commands.register(app)
    events.register(app)
    actions.register(app)
