"""An Enterprise Grid org-wide install, end to end: the org's admin installs Tandem once for
Osprey Holdings (E0OSPREY01) through the install page, and it serves every workspace of
the org. Two of Osprey's companies are clients, each with its own matrix bound to the org
(`team: E0OSPREY01`) and its own channel: Osprey Legal (C0OSPLAW01, in workspace
T0OSPLAW01) and Osprey Finance (C0OSPFIN01, in T0OSPFIN01).

The stand-in answers `oauth.v2.access` with the org-wide sample of ../shared/slack/oauth/
(`team: null`, `is_enterprise_install: true`); requests from both workspaces are shaped as
Slack sends them for an org-wide app (`authorizations[0]` names the org, `team_id` the
workspace), and every Web API call must carry the org's token.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from tests.conftest import EXAMPLE
from tests.integration.test_oauth_install import install, oauth_bot, sample, tick
from tests.support import slack_requests as sr

ORG, LEGAL, FINANCE = "E0OSPREY01", "T0OSPLAW01", "T0OSPFIN01"
LEGAL_CHANNEL, FINANCE_CHANNEL = "C0OSPLAW01", "C0OSPFIN01"
ORG_BOT = "W0TANDEMG1"
ALICE, BEN = "U0ALICE01", "U0BEN0001"  # Alice is in Legal's matrix, Ben in Finance's
OUTSIDER = "U0OSPOPS01"  # works for Osprey in the Legal workspace, listed in no matrix
STRANGER, ELSEWHERE = "U0RKMGR001", "T0MSP00001"  # from another company's workspace, across Slack Connect


def client(key: str, name: str, channel: str, people: str) -> str:
    """The example matrix as one of Osprey's companies, bound to the org."""
    text = EXAMPLE.read_text().replace("organisation: harbour-finch", f"organisation: {key}")
    text = text.replace("name: Harbour & Finch Architects", f"name: {name}")
    text = text.replace("channel: C0SHARED01\n", f"channel: {channel}\nteam: {ORG}\n")
    text = text.replace("name: Backups\n", f"name: {name} backups\n", 1)
    for gone in {ALICE, BEN} - {people}:  # each person in one matrix only
        text = text.replace(gone, "U0OTHER001" if gone == ALICE else "U0OTHER002")
    return text


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid")
    (folder / "legal.yml").write_text(client("osprey-legal", "Osprey Legal", LEGAL_CHANNEL, ALICE))
    (folder / "finance.yml").write_text(client("osprey-finance", "Osprey Finance", FINANCE_CHANNEL, BEN))
    process = oauth_bot(standin, folder, folder / "legal.yml", folder / "finance.yml")
    standin.org_teams[ORG] = [LEGAL, FINANCE]  # what auth.teams.list answers with the org's token
    with process:
        status, page = install(process, standin, sample("org_wide_install"))
        assert status == 200, page
        yield process


@pytest.fixture(autouse=True)
def fresh(standin):
    standin.reset()


def org_token() -> str:
    return sample("org_wide_install")["access_token"]


def only_the_org_token(standin) -> list:
    calls = standin.calls()
    assert calls and {c.token for c in calls} == {org_token()}, [(c.method, c.token) for c in calls]
    return calls


def send_command(bot, text: str, user: str, channel: str, workspace: str, reply_to: str, name: str = "/owner"):
    """A slash command typed in `workspace` of the org, as an org-wide app receives it."""
    request = sr.slash_command(
        name,
        text,
        user_id=user,
        channel_id=channel,
        team_id=workspace,
        response_url=reply_to,
        enterprise_id=ORG,
        is_enterprise_install=True,
    )
    status, _, body = sr.post(bot.events_url, *request)
    return status, json.loads(body) if body else {}


def org_event(event: dict, workspace: str) -> tuple[bytes, dict[str, str]]:
    """The event wrapper of an org-wide app: `authorizations[0]` is the org's installation."""
    body = {
        "token": sr.VERIFICATION_TOKEN,
        "team_id": workspace,
        "enterprise_id": ORG,
        "api_app_id": "A0TANDEM01",
        "event": event,
        "type": "event_callback",
        "event_id": sr._unique("Ev0GRID"),
        "event_time": int(float(event.get("event_ts") or event["ts"])),
        "authorizations": [
            {"enterprise_id": ORG, "team_id": None, "user_id": ORG_BOT, "is_bot": True, "is_enterprise_install": True}
        ],
        "is_ext_shared_channel": False,
    }
    return sr.signed(json.dumps(body, separators=(",", ":")).encode(), "application/json")


def mention(text: str, user: str, channel: str, workspace: str, user_team: str) -> tuple[bytes, dict[str, str]]:
    event = sr.app_mention(text, user, channel, team=workspace, bot_user_id=ORG_BOT)
    event.update(user_team=user_team, source_team=user_team)
    return org_event(event, workspace)


def test_the_org_wide_install_is_kept_for_the_org(bot, standin):
    with sqlite3.connect(bot.database) as connection:
        [row] = connection.execute("SELECT enterprise_id, team_id, is_enterprise_install FROM slack_bots").fetchall()
    assert row == (ORG, None, 1)


def test_each_workspace_is_answered_from_its_own_channels_matrix(bot, standin):
    status, reply = send_command(bot, "backups", ALICE, LEGAL_CHANNEL, LEGAL, standin.response_url("legal"))
    assert status == 200 and "Osprey Legal backups" in json.dumps(reply)
    status, reply = send_command(bot, "backups", BEN, FINANCE_CHANNEL, FINANCE, standin.response_url("finance"))
    assert status == 200 and "Osprey Finance backups" in json.dumps(reply) and "Legal" not in json.dumps(reply)
    assert {c.get("team_id") for c in only_the_org_token(standin) if c.method == "auth.test"} <= {LEGAL, FINANCE}
    assert len(standin.calls("auth.teams.list")) == 1  # the org's workspaces, asked once and kept


def test_a_mention_in_a_workspace_of_the_org_is_answered_with_the_orgs_token(bot, standin):
    assert sr.post(bot.events_url, *mention("who owns backups?", BEN, FINANCE_CHANNEL, FINANCE, FINANCE))[0] == 200
    [answer] = standin.wait_for("chat.postMessage")
    assert answer["channel"] == FINANCE_CHANNEL and "Osprey Finance backups" in json.dumps(answer.blocks)
    only_the_org_token(standin)


def test_someone_from_a_sibling_workspace_of_the_org_is_not_an_outsider(bot, standin):
    """OUTSIDER signs in to Legal's workspace and asks in Finance's channel: the same org, so no
    "another workspace" refusal; the question is answered like anyone else's in the channel."""
    request = mention("who owns backups?", OUTSIDER, FINANCE_CHANNEL, FINANCE, LEGAL)
    assert sr.post(bot.events_url, *request)[0] == 200
    [answer] = standin.wait_for("chat.postMessage")
    assert answer["channel"] == FINANCE_CHANNEL and "Osprey Finance backups" in json.dumps(answer.blocks)
    assert standin.calls("chat.postEphemeral") == []


def test_someone_from_outside_the_org_whom_no_matrix_lists_is_told_so(bot, standin):
    request = mention("who owns backups?", STRANGER, FINANCE_CHANNEL, FINANCE, ELSEWHERE)
    assert sr.post(bot.events_url, *request)[0] == 200
    [told] = standin.wait_for("chat.postEphemeral")
    assert told["user"] == STRANGER and "does not list you" in told["text"]
    assert standin.calls("chat.postMessage") == []
    only_the_org_token(standin)


def test_outside_the_channels_a_person_is_found_in_the_matrices_bound_to_the_org(bot, standin):
    status, reply = send_command(bot, "backups", ALICE, "D0ALICEDM1", LEGAL, standin.response_url("dm"))
    assert status == 200 and "Osprey Legal backups" in json.dumps(reply), reply
    body, headers = org_event(sr.app_home_opened(BEN, channel="D0BENDM001"), FINANCE)
    assert sr.post(bot.events_url, body, headers)[0] == 200
    [home] = standin.wait_for("views.publish")
    assert home["user_id"] == BEN and "Osprey Finance" in json.dumps(home.view)
    only_the_org_token(standin)


def test_what_tandem_posts_on_its_own_goes_out_with_the_orgs_token(bot, standin):
    status, _ = send_command(
        bot, "P1 provider: scanner offline", ALICE, LEGAL_CHANNEL, LEGAL, standin.response_url("open"), name="/handoff"
    )
    assert status == 200
    standin.wait_for_response("open")
    tick(bot, timedelta(minutes=20))  # its first response is overdue
    posted = [c for c in only_the_org_token(standin) if c.method == "chat.postMessage"]
    assert {c["channel"] for c in posted} == {LEGAL_CHANNEL} and len(posted) >= 3  # root, reply, alert
