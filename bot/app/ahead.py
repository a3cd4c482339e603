"""A read-only slash command whose answer this process already holds, answered before Bolt.

`/owner backups` asked again within the minute, with nothing it depends on changed, has its
answer kept in `AnswerCache` (`handlers.dispatch.Request.cached`). Reaching it through Bolt
cost more than the rest of the request: a `BoltRequest` and its context, a dozen middleware,
the listeners' matchers and their keyword arguments. This WSGI layer, between `RequestGuard`
(which checked the signature and parsed the body) and `TandemWsgi`, answers such a request
itself with the kept answer's bytes, exactly as Bolt would send them; every other request
(a miss, a write, an event, a click) goes on to Bolt as before.

A kept answer is one Bolt's path made, so it is only ever served for what Bolt would answer
the same way:
* the same words, organisation, data versions, minute and asker's side: the one locating
  query reads the organisation (by channel, asker and workspace, as Bolt's path does) with
  its versions, and the key is `Request.answer_key`, the one the answer was kept under, so
  an import, a cover or a confirmation by any process misses at once;
* a body `handlers.inputs` reads as a slash command for one of the listeners that answer in
  the acknowledgement; whatever it refuses goes on to Bolt, which says why;
* a workspace on `TANDEM_ALLOWED_TEAMS` (when set: the command's workspace or its Grid org,
  as `AllowedTeamsOnly` reads them);
* someone acting from another workspace than the installation's (on an org-wide install,
  every workspace of the org) only as the strangers' middleware admits them: one of the
  org's workspaces by the list this process already holds (`OrgWorkspaces.known_within`:
  one that list does not settle, stale or never asked, goes to Bolt, which asks Slack), or
  listed in the matrix the locating query found (`kept_answer`);
* an installation Bolt would find. With one SLACK_BOT_TOKEN, Bolt checks it once per
  process (`auth.test`) and then never again, and nothing is kept before a request passed
  that check. Installed by OAuth, Bolt finds each request's bot in the installation store
  and refreshes a rotating token about to expire: the same locating query reads whether that
  bot is there with a token needing no refresh (`bot.ports.Through`), so an uninstall by any
  process, or a refresh due, sends the very next request to Bolt. A kept answer is the HTTP
  body and needs no token; Bolt's `auth.test` of the token on each request is not repeated
  here (a token Slack revoked without an uninstall event is refused by Bolt only).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from bot.app.guard import PARSED
from bot.errors import TandemError
from bot.grammar import parse_command
from bot.ports import Through
from bot.services.deps import Deps
from handlers import ids, inputs
from handlers.dispatch import kept_answer
from handlers.middleware.org_teams import OrgWorkspaces
from handlers.middleware.teams import admitted
from handlers.views.blocks import Reply

log = logging.getLogger(__name__)
ANSWERED = (ids.CMD_OWNER, ids.CMD_TANDEM)  # the commands with a listener answering in the acknowledgement
# Bolt's headers for a listener's JSON body (`BoltResponse`, `WsgiHttpResponse`)
CONTENT_TYPE = ("content-type", "application/json;charset=utf-8")


class AnswersAhead:
    """WSGI middleware: a kept answer at once, else the request to `app` (`TandemWsgi`)."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        deps: Deps,
        allowed_teams: frozenset[str],
        orgs: OrgWorkspaces,
        oauth: tuple[str, int] | None = None,
    ) -> None:
        """`oauth`: installed by OAuth, (client id, minutes before expiry a token is refreshed)."""
        self.app = app
        self.deps = deps
        self.allowed = allowed_teams
        self.orgs = orgs  # the strangers' middleware's, so what Bolt asked of Slack counts here
        self.oauth = oauth

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        parsed = environ.get(PARSED)
        reply = self.kept(parsed[1]) if parsed is not None and "command" in parsed[1] else None
        if reply is None:
            return self.app(environ, start_response)
        data = reply.json().encode()
        start_response("200 OK", [CONTENT_TYPE, ("content-length", str(len(data)))])
        if log.isEnabledFor(logging.DEBUG):
            log.debug("answered from memory: %s", reply.text[:80])
        return [data]

    def kept(self, body: dict[str, Any]) -> Reply | None:
        """The answer Bolt's path would give and already gave, or None: ask Bolt."""
        if "ssl_check" in body or "type" in body:
            return None  # Bolt's own checks answer these
        try:
            typed = inputs.read(body)
            origin = inputs.origin(body)
        except inputs.Malformed:
            return None
        if not isinstance(typed, inputs.SlashCommand) or typed.command not in ANSWERED:
            return None
        if not admitted(self.allowed, body.get("team_id"), body.get("enterprise_id")):
            return None  # Bolt's middleware refuses, and says so
        stranger = origin.actor_team if origin.external else None
        if stranger and origin.org_wide and origin.team and self.orgs.known_within(origin.team, stranger):
            stranger = None  # one of the org's own workspaces
        try:
            command = parse_command(typed.command, typed.text)
        except TandemError:
            return None
        try:
            return kept_answer(self.deps, command, typed.user, typed.channel, origin.team, stranger, self.through(body))
        except Exception:  # e.g. the database is away: Bolt's path meets it and says so
            log.debug("no answer ahead of Bolt", exc_info=True)
            return None

    def through(self, body: dict[str, Any]) -> Through | None:
        """The installation Bolt's `find_bot` would look up for this command (its context's
        enterprise and team, no team for an org-wide install), and the instant its token must
        outlast so that Bolt would not refresh it first (`TokenRotator`, on the wall clock)."""
        if self.oauth is None:
            return None
        client_id, minutes = self.oauth
        org_wide = body.get("is_enterprise_install") in (True, "true")
        fresh_until = datetime.fromtimestamp(time.time() + minutes * 60, UTC).replace(tzinfo=None)
        return Through(
            client_id, body.get("enterprise_id") or None, None if org_wide else body.get("team_id"), fresh_until
        )
