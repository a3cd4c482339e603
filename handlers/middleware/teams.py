"""`TANDEM_ALLOWED_TEAMS`: refuse requests from workspaces that were not allowed.

A slash command from elsewhere gets a sentence saying so; events and actions get an
empty 200, so Slack does not retry and nothing is posted.
"""

from collections.abc import Callable

from slack_bolt import BoltResponse

REFUSAL = "Tandem is not enabled for this workspace. Ask the admin who installed it to add its team id to TANDEM_ALLOWED_TEAMS."


def allowed_teams_only(allowed: frozenset[str]) -> Callable:
    def middleware(body, context, next):  # noqa: A002
        if not allowed:
            return next()
        teams = {context.team_id, context.enterprise_id, (body.get("team") or {}).get("id") if isinstance(body.get("team"), dict) else body.get("team_id")}
        if teams & allowed:
            return next()
        if body.get("command"):
            return BoltResponse(status=200, body=REFUSAL)
        return BoltResponse(status=200, body="")

    return middleware
