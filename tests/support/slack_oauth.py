"""What the Slack stand-in answers for installs by OAuth: `oauth.v2.access` and each workspace's token.

Why separate: the OAuth exchange is its own small protocol (HTTP Basic client credentials,
single-use codes, single-use refresh tokens), kept apart from the methods a bot token calls.
Replies are the samples in /work/shared/slack/oauth/oauth_v2_access.json and auth_test.json.

`offer(code, reply)` makes a code Slack would hand the browser; the redirect's
`oauth.v2.access` turns it into the reply's token, known to the stand-in from then on (its
auth.test answers for that workspace). A reply with a `refresh_token` rotates: the
`grant_type=refresh_token` exchange hands out the next token, and the old refresh token is
spent. `revoke(token)` makes every later call with it `token_revoked`, as after an uninstall.
An org-wide install's token answers `auth.teams.list` with the workspaces set in `org_teams`.
"""

from __future__ import annotations

import base64
import copy
import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .slack_standin import Call

CLIENT_ID, CLIENT_SECRET = "1000000000001.1000000000002", "fake-client-secret"


class OAuthMethods:
    """Mixin of `SlackStandIn`: its handlers run with the stand-in's lock held."""

    def reset_oauth(self) -> None:
        self.codes: dict[str, dict] = {}  # code → the oauth.v2.access reply it gets
        self.installed: dict[str, dict] = {}  # token → its workspace's auth.test reply
        self.refresh_tokens: dict[str, dict] = {}  # unspent refresh token → the install reply it renews
        self.revoked: set[str] = set()
        self.org_teams: dict[str, list[str]] = {}  # Enterprise Grid org → the workspaces its org-wide app serves
        self._rotations = itertools.count(1)

    def offer(self, code: str, reply: dict[str, Any]) -> None:
        """A code for the redirect; `reply` is an oauth.v2.access body (the samples')."""
        with self._cond:  # type: ignore[attr-defined]
            self.codes[code] = copy.deepcopy(reply)

    def revoke(self, token: str) -> None:
        with self._cond:  # type: ignore[attr-defined]
            self.revoked.add(token)

    def knows(self, token: str) -> bool:
        return token in self.installed and token not in self.revoked

    def workspace_of(self, token: str | None) -> str | None:
        """The team (or org) id a recorded call's token belongs to."""
        reply = self.installed.get(token or "")
        return (
            None
            if reply is None
            else reply.get("enterprise_id")
            if reply.get("is_enterprise_install")
            else reply["team_id"]
        )

    def _teams_list(self, call: Call) -> dict:
        """auth.teams.list: the workspaces of the org a token was installed in org-wide, in pages of `limit`."""
        org = (self.installed.get(call.token or "") or {}).get("enterprise_id")
        if org not in self.org_teams:
            return {"ok": False, "error": "not_allowed_token_type" if org is None else "missing_scope"}
        teams = self.org_teams[org]
        start, size = int(call.get("cursor") or 0), int(call.get("limit") or 100)
        page = [{"id": team, "name": team} for team in teams[start : start + size]]
        more = str(start + size) if start + size < len(teams) else ""
        return {"ok": True, "teams": page, "response_metadata": {"next_cursor": more}}

    def _client_ok(self, call: Call) -> bool:
        auth = call.headers.get("authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        return auth == f"Basic {expected}"

    def _oauth_access(self, call: Call) -> dict:
        if not self._client_ok(call):
            return {"ok": False, "error": "bad_client_secret"}
        if call.get("grant_type") == "refresh_token":
            install = self.refresh_tokens.pop(call.get("refresh_token") or "", None)
            if install is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._grant(install, renewed=True)
        install = self.codes.pop(call.get("code") or "", None)  # single use
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        return self._grant(install)

    def _grant(self, install: dict, renewed: bool = False) -> dict:
        reply = copy.deepcopy(install)
        if renewed or "refresh_token" in reply:
            n = next(self._rotations)
            reply["access_token"] = f"{install['access_token'].rsplit('-', 1)[0]}-rotated{n:04d}"
            reply["refresh_token"] = f"xoxe-1-refresh{n:04d}"
            reply["expires_in"] = 43200
            self.refresh_tokens[reply["refresh_token"]] = install
        if renewed:
            reply.pop("authed_user", None)
        team, enterprise = reply.get("team") or {}, reply.get("enterprise") or {}
        org_wide = bool(reply.get("is_enterprise_install"))
        self.installed[reply["access_token"]] = {
            "ok": True,
            "url": f"https://{(team.get('name') or enterprise.get('name') or 'x').split()[0].lower()}.slack.com/",
            "team": team.get("name") or enterprise.get("name"),
            "user": "tandem",
            "team_id": enterprise.get("id") if org_wide else team.get("id"),
            "user_id": reply["bot_user_id"],
            "bot_id": "B" + reply["bot_user_id"][1:],
            "is_enterprise_install": org_wide,
            **({"enterprise_id": enterprise["id"]} if enterprise else {}),
        }
        return reply
