"""Someone from the other side of a Slack Connect channel whom the matrix does not list.

In a shared channel the other organisation's members can press every button Tandem posts.
Before any listener runs, a person acting from a workspace other than the installation's
is looked up in the matrix of the channel; one it does not list is told so, with the
admins who can add them (`bot.services.matrices.admit`), and nothing else happens. On an
org-wide install, the org's own workspaces are no other workspace (`org_teams`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.errors import TandemError, plain
from bot.services.deps import Deps
from bot.services.matrices import admit
from handlers.inputs import Origin
from handlers.middleware.org_teams import OrgWorkspaces
from handlers.middleware.refusals import TOLD, refuse
from handlers.views.markup import words

log = logging.getLogger(__name__)


class ExternalPeopleListed(Middleware):
    def __init__(self, orgs: OrgWorkspaces) -> None:
        self.orgs = orgs  # the process's one list per org, also read ahead of Bolt

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        value, origin = req.context.get("input"), req.context.get("origin")
        if not isinstance(value, TOLD) or not isinstance(origin, Origin) or not origin.external:
            return next()
        assert origin.team is not None and origin.actor_team is not None  # as `external` says
        if origin.org_wide and self.orgs.within(req.context.client, origin.team, origin.actor_team):
            return next()  # a sibling workspace of the org
        deps: Deps = req.context["tandem"]
        try:
            with deps.units(read_only=True) as store:
                matrix = deps.matrices.for_request(store, value.channel, value.user, origin.team).matrix
        except TandemError:
            return next()  # no matrix here: the listener says how to load one
        try:
            admit(matrix, value.user, origin.actor_team, origin.team)
        except TandemError as error:
            log.info("%s from %s refused: %s", value.user, origin.actor_team, plain(error.words))
            return refuse(req, words(error.words))
        return next()
