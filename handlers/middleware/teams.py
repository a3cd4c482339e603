"""`TANDEM_ALLOWED_TEAMS`: refuse requests from workspaces that were not allowed.

Whoever asked (a command, a mention, a button, a form) is told so in a sentence, where
they are (`handlers.middleware.refusals`); other events get an empty 200, so Slack does
not retry and nothing is posted.
"""

from slack_bolt import BoltResponse
from slack_bolt.middleware import Middleware

from handlers.middleware.refusals import TOLD, refuse

REFUSAL = "Tandem is not enabled for this workspace. Ask the admin who installed it to add its team id to TANDEM_ALLOWED_TEAMS."


class AllowedTeamsOnly(Middleware):
    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed

    def process(self, *, req, resp, next):
        if not self.allowed:
            return next()
        body, context = req.body, req.context
        team = body.get("team")
        if admitted(
            self.allowed,
            context.team_id,
            context.enterprise_id,
            team.get("id") if isinstance(team, dict) else body.get("team_id"),
        ):
            return next()
        if isinstance(context.get("input"), TOLD):
            return refuse(req, REFUSAL)
        return BoltResponse(status=200, body="")


def admitted(allowed: frozenset[str], *teams: str | None) -> bool:
    """No allow-list, or one of the workspaces a request names (its team, its Grid org) is on it."""
    return not allowed or not allowed.isdisjoint(teams)
