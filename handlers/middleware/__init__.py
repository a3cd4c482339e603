"""Global Bolt middleware, in the order it runs after Bolt's own signature check."""

from slack_bolt import App

from bot.services.deps import Deps
from handlers.middleware.deps import ProvideDeps
from handlers.middleware.inputs import ReadInputs
from handlers.middleware.once import HandleEventsOnce, HandleRequestsOnce
from handlers.middleware.org_teams import OrgWorkspaces
from handlers.middleware.strangers import ExternalPeopleListed
from handlers.middleware.teams import AllowedTeamsOnly


def register(app: App, deps: Deps, allowed_teams: frozenset[str], orgs: OrgWorkspaces) -> None:
    app.use(ReadInputs())
    app.use(ProvideDeps(deps))
    app.use(AllowedTeamsOnly(allowed_teams))
    app.use(HandleEventsOnce())
    app.use(HandleRequestsOnce())
    app.use(ExternalPeopleListed(orgs))
