"""Which workspaces belong to an Enterprise Grid org that installed Tandem org-wide.

Payloads name the workspace a person acts from, never whether it is one of the org's. Someone
from a sibling workspace is no outsider there; someone from another company, across a Slack
Connect channel, is. `auth.teams.list` (with the org's own token) lists the org's workspaces;
the list is kept for `KEPT` seconds per org, so a request costs no call in the usual case. A
workspace missing from a list older than `RECHECK` seconds has it asked for again at once: one
added to the app since (`team_access_granted` reaches one replica, if any) is let in at its first
request, and an outsider costs at most one call per `RECHECK`. When Slack does not answer,
nobody is taken for an outsider: the party rules still decide. `known_within` answers from the
kept list alone, for a request judged before Bolt (`bot.app.ahead`); one process keeps one list.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
KEPT = 600  # seconds an org's list of workspaces is used before it is asked for again
RECHECK = 30  # seconds after which a workspace not on the list has the list asked for again
PAGE = 1000  # the most auth.teams.list returns at once


class OrgWorkspaces:
    def __init__(self, wall: Callable[[], float] = time.monotonic) -> None:
        self.wall = wall
        self._kept: dict[str, tuple[float, frozenset[str] | None]] = {}
        self._lock = threading.Lock()

    def within(self, client: WebClient | None, org: str, team: str) -> bool:
        """`team` is the org itself or one of its workspaces (or Slack could not say)."""
        if team == org:
            return True
        teams = self._teams(client, org, KEPT)
        if teams is not None and team not in teams:
            teams = self._teams(client, org, RECHECK)
        return teams is None or team in teams

    def known_within(self, org: str, team: str) -> bool:
        """What `within` would answer True without asking Slack: False when the list is not kept,
        is stale, or does not name `team` (then `within` might ask again)."""
        if team == org:
            return True
        with self._lock:
            kept = self._kept.get(org)
        return kept is not None and self.wall() - kept[0] < KEPT and (kept[1] is None or team in kept[1])

    def _teams(self, client: WebClient | None, org: str, kept_for: float) -> frozenset[str] | None:
        now = self.wall()
        with self._lock:
            kept = self._kept.get(org)
        if kept is not None and now - kept[0] < kept_for:
            return kept[1]
        teams = _listed(client, org) if client is not None else None
        with self._lock:
            self._kept[org] = (now, teams)
        return teams


def _listed(client: WebClient, org: str) -> frozenset[str] | None:
    teams: set[str] = set()
    cursor = None
    try:
        while True:
            page = client.auth_teams_list(limit=PAGE, cursor=cursor)
            teams.update(team["id"] for team in page.get("teams") or [] if isinstance(team, dict) and "id" in team)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return frozenset(teams)
    except (SlackApiError, OSError) as error:
        log.warning(
            "could not list the workspaces of org %s (%s): nobody from another workspace is refused there", org, error
        )
        return None
