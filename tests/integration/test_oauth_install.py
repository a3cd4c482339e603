"""Installs by OAuth into many workspaces, end to end: `tandem run` with SLACK_CLIENT_ID and
SLACK_CLIENT_SECRET (no SLACK_BOT_TOKEN) serves the install page and the redirect, the Slack
stand-in answers `oauth.v2.access` with the samples in ../shared/slack/oauth/, and every
Web API call (requests, `tandem tick`) is checked against the token of its own workspace.

Harbour & Finch (T0HOST0001, C0SHARED01) and Osprey Legal (T0OSPREY01, C0OSPREY01) each
install their own copy. The tests run in order on one bot and one database: installed,
then posting, then uninstalled, then installed again with a rotating token.
"""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.test_slack_connect import CHANNEL, HOST, OSPREY, OSPREY_CHANNEL, harbour, osprey
from tests.support import require_shared
from tests.support import slack_requests as sr
from tests.support.bot_server import ROOT, BotProcess
from tests.support.slack_oauth import CLIENT_ID, CLIENT_SECRET

ALICE = "U0ALICE01"
WORKSPACE_OF_CHANNEL = {CHANNEL: HOST, OSPREY_CHANNEL: OSPREY}


def sample(name: str) -> dict:
    return json.loads((require_shared() / "oauth" / "oauth_v2_access.json").read_text())["responses"][name]["body"]


def harbour_install() -> dict:
    return sample("workspace_install")


def osprey_install(token: str = "xoxb-100000000004-100000000041-FAKEospreylegalbot01") -> dict:
    reply = copy.deepcopy(sample("workspace_install"))
    reply.update(access_token=token, bot_user_id="U0TANDEM04", team={"name": "Osprey Legal", "id": OSPREY})
    reply["authed_user"] = {"id": "U0OSADMIN1"}
    return reply


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    folder = tmp_path_factory.mktemp("oauth")
    (folder / "harbour.yml").write_text(harbour())
    (folder / "osprey.yml").write_text(osprey())
    with oauth_bot(standin, folder, folder / "harbour.yml", folder / "osprey.yml") as process:
        yield process


def oauth_bot(standin, folder, served, imported) -> BotProcess:
    """A bot installed by OAuth (no SLACK_BOT_TOKEN) on `folder`'s database, `served` imported at
    start and `imported` before it by the CLI; not started (enter it)."""
    database = folder / "tandem.db"
    oauth = {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_REDIRECT_URI": "https://tandem.example.com/slack/oauth_redirect",
    }
    process = BotProcess(standin, f"sqlite:///{database}", matrix=served, extra_env=oauth)
    process.env.pop("SLACK_BOT_TOKEN")
    run = subprocess.run(
        [sys.executable, "-m", "bot", "matrix", "import", str(imported)],
        env=process.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    process.database = database  # type: ignore[attr-defined]
    process.started = datetime.now(UTC).replace(microsecond=0)  # type: ignore[attr-defined]  # ticks count from here
    return process


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode()


def begin(bot) -> str:
    """GET /slack/install: the state, from the cookie, which the authorize link carries too."""
    status, headers, page = get(f"{bot.url}/slack/install")
    assert status == 200 and headers["content-type"].startswith("text/html")
    state = re.match(r"slack-app-oauth-state=([^;]+); Secure; HttpOnly; Path=/; Max-Age=600", headers["set-cookie"])
    assert state, headers["set-cookie"]
    link = page.split('<a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert link.startswith(f"https://slack.com/oauth/v2/authorize?state={state[1]}&client_id={CLIENT_ID}&scope=")
    assert "&redirect_uri=https://tandem.example.com/slack/oauth_redirect" in link
    return state[1]


def redirect(bot, query: str, state: str | None) -> tuple[int, str]:
    cookie = f"slack-app-oauth-state={state}" if state else None
    status, headers, page = get(f"{bot.url}/slack/oauth_redirect?{query}", cookie)
    assert "slack-app-oauth-state=deleted" in headers["set-cookie"]
    return status, page


def install(bot, standin, reply: dict) -> tuple[int, str]:
    state = begin(bot)
    code = sr._unique("1000000000001.1000000000201.fakecode")
    standin.offer(code, reply)
    return redirect(bot, f"code={code}&state={state}", state)


def rows(bot, table: str, team: str) -> list[dict]:
    with sqlite3.connect(bot.database) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute(f"SELECT * FROM {table} WHERE team_id = ?", (team,))]


def tick(bot, after: timedelta) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--at", (bot.started + after).isoformat()],
        env=bot.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def command(bot, standin, team: str, channel: str, text: str, reply_to: str) -> int:
    request = sr.slash_command(
        "/handoff", text, user_id=ALICE, channel_id=channel, team_id=team, response_url=standin.response_url(reply_to)
    )
    return sr.post(bot.events_url, *request)[0]


def own_tokens_only(standin) -> list:
    """Every call but the code exchange, each checked: its token is its own workspace's."""
    calls = [c for c in standin.calls() if c.method != "oauth.v2.access"]
    for call in calls:
        workspace = call.get("team_id") if call.method == "auth.test" else WORKSPACE_OF_CHANNEL[call["channel"]]
        assert standin.workspace_of(call.token) == workspace, (call.method, call.body, call.token)
    return calls


def test_the_install_page_links_to_slack_and_refusals_save_nothing(bot, standin):
    assert "WARNING" not in bot.output()  # a new install starts without a line to worry about
    state = begin(bot)
    status, page = redirect(bot, f"error=access_denied&state={state}", state)  # Cancel on Slack's page
    assert status == 200 and "access_denied" in page
    status, _ = redirect(bot, f"code=c0de&state={state}", None)  # no cookie: another browser
    assert status == 400
    forged = "6f1c2b9e-0d3a-4f57-8e21-4b7a9c5d3e10"  # never issued here
    status, page = redirect(bot, f"code=c0de&state={forged}", forged)
    assert status == 401 and "invalid_state" in page
    with sqlite3.connect(bot.database) as connection:  # issued 11 minutes ago: past its 600 s
        stale = "0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e"
        expired = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
        connection.execute("INSERT INTO slack_oauth_states (state, expire_at) VALUES (?, ?)", (stale, expired))
    status, page = redirect(bot, f"code=c0de&state={stale}", stale)
    assert status == 401 and "invalid_state" in page
    assert standin.calls("oauth.v2.access") == [] and rows(bot, "slack_bots", HOST) == []


def test_a_good_state_installs_and_is_spent(bot, standin):
    state = begin(bot)
    standin.offer("code-harbour", harbour_install())
    status, page = redirect(bot, f"code=code-harbour&state={state}", state)
    assert status == 200 and "slack://app?team=T0HOST0001&amp;id=A0TANDEM01" in page
    [exchange] = standin.calls("oauth.v2.access")
    assert exchange.headers["authorization"].startswith("Basic ") and exchange["code"] == "code-harbour"
    assert exchange["redirect_uri"] == "https://tandem.example.com/slack/oauth_redirect"
    [bot_row] = rows(bot, "slack_bots", HOST)
    assert bot_row["bot_token"] == harbour_install()["access_token"] and bot_row["bot_id"] == "B0TANDEM01"
    status, page = redirect(bot, f"code=code-harbour&state={state}", state)  # the same state again
    assert status == 401 and "invalid_state" in page


def test_two_workspaces_each_get_their_own_token(bot, standin):
    assert install(bot, standin, osprey_install())[0] == 200
    standin.reset()
    assert command(bot, standin, HOST, CHANNEL, "P1 provider: VPN certificate renewal", "harbour") == 200
    assert command(bot, standin, OSPREY, OSPREY_CHANNEL, "P1 provider: scanner offline", "osprey") == 200
    standin.wait_for_response("harbour"), standin.wait_for_response("osprey")
    tick(bot, timedelta(minutes=20))  # both first responses are overdue
    calls = own_tokens_only(standin)
    posted = {c["channel"] for c in calls if c.method == "chat.postMessage"}
    assert posted == {CHANNEL, OSPREY_CHANNEL}
    assert len([c for c in calls if c.method == "chat.postMessage"]) >= 6  # roots, first replies, alerts
    assert {c.get("team_id") for c in calls if c.method == "auth.test"} == {HOST, OSPREY}


def test_an_uninstalled_workspace_holds_its_posts_until_it_installs_again(bot, standin):
    body = json.loads((require_shared() / "connect" / "events" / "app_uninstalled.json").read_text())
    body.update(team_id=OSPREY, event_id=sr._unique("Ev0UNINST"))
    body["authorizations"][0].update(team_id=OSPREY, user_id="U0TANDEM04")
    raw = json.dumps(body).encode()
    assert sr.post(bot.events_url, *sr.signed(raw, "application/json"))[0] == 200
    assert rows(bot, "slack_bots", OSPREY) == [] and rows(bot, "slack_installations", OSPREY) == []
    assert rows(bot, "slack_bots", HOST)  # the other workspace keeps its installation
    standin.revoke(osprey_install()["access_token"])

    standin.reset()
    run = tick(bot, timedelta(hours=3, minutes=10))  # 75 % of both resolution targets
    calls = own_tokens_only(standin)
    assert {c["channel"] for c in calls if c.method == "chat.postMessage"} == {CHANNEL}
    assert run.stderr.count("posts for osprey held") == 1 and "T0OSPREY01" in run.stderr
    with sqlite3.connect(bot.database) as connection:
        held = connection.execute(
            "SELECT count(*) FROM outbox WHERE status = 'held' AND channel = ?", ("workspace:T0OSPREY01",)
        )
        assert held.fetchone()[0] >= 1

    standin.reset()
    fresh = "xoxb-100000000004-100000000041-FAKEospreylegalbot02"
    assert install(bot, standin, osprey_install(fresh))[0] == 200
    [post, *_] = standin.wait_for("chat.postMessage")  # what was held goes out as it installs
    assert post["channel"] == OSPREY_CHANNEL and post.token == fresh
    with sqlite3.connect(bot.database) as connection:
        assert connection.execute("SELECT count(*) FROM outbox WHERE status = 'held'").fetchone()[0] == 0


def expire_soon(bot, team: str) -> None:
    """As if twelve hours had passed: the rotating token expires in five minutes."""
    soon = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(bot.database) as connection:
        for table in ("slack_bots", "slack_installations"):
            connection.execute(f"UPDATE {table} SET bot_token_expires_at = ? WHERE team_id = ?", (soon, team))


def test_a_rotating_token_is_refreshed_before_it_expires(bot, standin):
    assert install(bot, standin, sample("token_rotation_install"))[0] == 200
    [granted] = rows(bot, "slack_bots", HOST)[-1:]
    assert granted["bot_refresh_token"] == "xoxe-1-refresh0001"

    expire_soon(bot, HOST)
    standin.reset()
    tick(bot, timedelta(hours=3, minutes=40))  # 90 % of the resolution targets
    [refresh] = standin.calls("oauth.v2.access")
    assert refresh["grant_type"] == "refresh_token" and refresh["refresh_token"] == "xoxe-1-refresh0001"
    assert refresh.headers["authorization"].startswith("Basic ")
    renewed = refresh.reply["access_token"]
    harbour_posts = [c for c in own_tokens_only(standin) if c.get("channel") == CHANNEL]
    assert harbour_posts and {c.token for c in harbour_posts} == {renewed}
    assert rows(bot, "slack_bots", HOST)[-1]["bot_token"] == renewed

    expire_soon(bot, HOST)  # a request from the workspace: Bolt refreshes it as it authorizes
    standin.reset()
    assert command(bot, standin, HOST, CHANNEL, "P3 provider: printer toner", "rotated") == 200
    standin.wait_for_response("rotated")
    [refresh] = standin.calls("oauth.v2.access")
    assert refresh["grant_type"] == "refresh_token" and refresh["refresh_token"] == "xoxe-1-refresh0002"
    newest = refresh.reply["access_token"]
    assert {c.token for c in own_tokens_only(standin)} == {newest}


def test_a_revoked_bot_token_removes_only_that_workspaces_installation(bot, standin):
    body = json.loads((require_shared() / "connect" / "events" / "tokens_revoked.json").read_text())
    body.update(team_id=OSPREY, event_id=sr._unique("Ev0REVOKE"))
    body["event"]["tokens"] = {"oauth": ["U0OSADMIN1"], "bot": ["U0TANDEM04"]}
    body["authorizations"][0].update(team_id=OSPREY, user_id="U0TANDEM04")
    assert rows(bot, "slack_bots", OSPREY)
    raw = json.dumps(body).encode()
    assert sr.post(bot.events_url, *sr.signed(raw, "application/json"))[0] == 200
    assert rows(bot, "slack_bots", OSPREY) == [] and rows(bot, "slack_installations", OSPREY) == []
    assert rows(bot, "slack_bots", HOST) and rows(bot, "slack_installations", HOST)
    bot.wait_for_output("the bot token of workspace T0OSPREY01 was revoked")
