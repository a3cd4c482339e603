"""`TANDEM_ALLOWED_TEAMS`: refuse requests from workspaces that were not allowed.

A slash command from elsewhere gets a sentence saying so; events and actions get an
empty 200, so Slack does not retry and nothing is posted.
"""

from slack_bolt import BoltResponse
from slack_bolt.middleware import Middleware

REFUSAL = "Tandem is not enabled for this workspace. Ask the admin who installed it to add its team id to TANDEM_ALLOWED_TEAMS."


class AllowedTeamsOnly(Middleware):
    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed

    def process(self, *, req, resp, next):
        if not self.allowed:
            return next()
        body, context = req.body, req.context
        team = body.get("team")
        teams = {
            context.team_id,
            context.enterprise_id,
            team.get("id") if isinstance(team, dict) else body.get("team_id"),
        }
        if teams & self.allowed:
            return next()
        return BoltResponse(status=200, body=REFUSAL if body.get("command") else "")
