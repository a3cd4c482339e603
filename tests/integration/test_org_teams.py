"""The workspaces of an Enterprise Grid org, asked of the Slack stand-in with the org's token:
every page of `auth.teams.list`, kept for a while, and nobody refused when Slack cannot say."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.middleware.org_teams import KEPT, RECHECK, OrgWorkspaces
from tests.integration.test_oauth_install import sample
from tests.support.slack_oauth import CLIENT_ID, CLIENT_SECRET

ORG = "E0OSPREY01"


def org_client(standin) -> WebClient:
    """The org-wide install's token, granted by the stand-in as the redirect would have it."""
    standin.offer("code-org", sample("org_wide_install"))
    reply = WebClient(base_url=standin.base_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code="code-org"
    )
    return WebClient(token=reply["access_token"], base_url=standin.base_url)


def test_every_page_is_read_and_kept_until_it_is_stale(standin):
    client = org_client(standin)
    standin.org_teams[ORG] = [f"T{n:09d}" for n in range(1500)]  # two pages of a thousand at most
    now = [1000.0]
    orgs = OrgWorkspaces(wall=lambda: now[0])
    assert orgs.within(client, ORG, "T000001499") and orgs.within(client, ORG, ORG)
    assert not orgs.within(client, ORG, "T0MSP00001")  # another company's workspace
    assert len(standin.calls("auth.teams.list")) == 2
    now[0] += KEPT + 1
    standin.org_teams[ORG].append("T0NEWWS001")  # added to the app since
    assert orgs.within(client, ORG, "T0NEWWS001") and len(standin.calls("auth.teams.list")) == 4


def test_when_slack_cannot_say_nobody_is_taken_for_an_outsider(standin):
    client = org_client(standin)
    standin.fail("auth.teams.list", "internal_error")
    assert OrgWorkspaces().within(client, ORG, "T0MSP00001")


def test_a_workspace_added_since_is_let_in_once_the_list_is_a_little_old(standin):
    """Not on a list RECHECK seconds old, a workspace has it asked for again at once, not after
    KEPT; an outsider asks again at most once per RECHECK."""
    client = org_client(standin)
    standin.org_teams[ORG] = ["T0OSPREY02"]
    now = [1000.0]
    orgs = OrgWorkspaces(wall=lambda: now[0])
    before = len(standin.calls("auth.teams.list"))

    def asked() -> int:
        return len(standin.calls("auth.teams.list")) - before

    assert orgs.within(client, ORG, "T0OSPREY02") and asked() == 1
    standin.org_teams[ORG].append("T0NEWWS001")
    assert not orgs.within(client, ORG, "T0NEWWS001")  # the list is fresh: no second call yet
    assert asked() == 1
    now[0] += RECHECK + 1
    assert orgs.within(client, ORG, "T0NEWWS001") and asked() == 2
    assert not orgs.within(client, ORG, "T0MSP00001") and not orgs.within(client, ORG, "T0MSP00001")
    assert asked() == 2  # the list was just asked for


def test_what_is_known_without_asking_is_only_what_a_fresh_list_says(standin):
    """Judged ahead of Bolt, a workspace is the org's only by a list kept and not yet stale:
    anything else is for `within`, which may ask Slack."""
    client = org_client(standin)
    standin.org_teams[ORG] = ["T0OSPREY02"]
    now = [1000.0]
    orgs = OrgWorkspaces(wall=lambda: now[0])
    before = len(standin.calls("auth.teams.list"))
    assert orgs.known_within(ORG, ORG) and not orgs.known_within(ORG, "T0OSPREY02")  # never asked
    assert orgs.within(client, ORG, "T0OSPREY02")
    assert orgs.known_within(ORG, "T0OSPREY02") and not orgs.known_within(ORG, "T0MSP00001")
    now[0] += KEPT
    assert not orgs.known_within(ORG, "T0OSPREY02")  # stale: `within` asks again
    assert len(standin.calls("auth.teams.list")) - before == 1
