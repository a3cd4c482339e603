"""The weekly fleet digest: every client of the deployment in the provider's channel, once a week.

The bot is wired as `tandem run` wires it (the Slack notifier against the stand-in) and ticked
with its clock set; replicas on PostgreSQL and bad settings run `tandem tick` in subprocesses.
Harbour & Finch and Osprey Legal are two clients of Red Kite IT (T0MSP00001), whose fleet
channel is C0FLEET001. Monday 30 Nov 2026 08:30 UTC is the digest of week 2026-W49.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.app.bootstrap import import_file
from bot.app.fleet import FleetSettings
from bot.app.settings import Settings
from bot.app.slack import slack_container
from bot.clock import FixedClock
from bot.grammar import parse_command
from bot.services.schedule import release, release_workspace, tick
from storage.db import Database
from tests.conftest import ROOT, fresh_postgres_database
from tests.integration.test_scheduler_postgres import ticks
from tests.integration.test_slack_connect import CHANNEL, HOST, OSPREY, OSPREY_CHANNEL, PROVIDER, harbour, osprey
from tests.support.in_process import InProcess
from tests.support.slack_oauth import CLIENT_ID, CLIENT_SECRET
from tests.support.slack_standin import SlackStandIn

FLEET = "C0FLEET001"
MONDAY = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
IMPORTED = MONDAY - timedelta(days=1)
WEEKLY = FleetSettings(channel=FLEET, weekday=0, at=time(8, 30), timezone="UTC")


def write_matrices(folder: Path) -> list[Path]:
    (folder / "harbour.yml").write_text(harbour())
    (folder / "osprey.yml").write_text(osprey())
    return [folder / "harbour.yml", folder / "osprey.yml"]


def kestrel(folder: Path) -> Path:
    """A third client, imported later in the week."""
    text = osprey().replace("organisation: osprey", "organisation: kestrel").replace("Osprey Legal", "Kestrel Dental")
    path = folder / "kestrel.yml"
    path.write_text(text.replace(OSPREY_CHANNEL, "C0KESTREL1").replace(OSPREY, "T0KESTREL1"))
    return path


def fleet_posts(standin) -> list:
    return [c for c in standin.calls("chat.postMessage") if c.get("channel") == FLEET and c.reply.get("ok")]


@pytest.fixture
def single(standin, tmp_path):
    """One bot token; both clients imported on Sunday; Osprey's P1 opened at 07:00 Monday."""
    db = Database(f"sqlite:///{tmp_path / 'tandem.db'}")
    db.upgrade()
    clock = FixedClock(IMPORTED)
    settings = Settings(bot_token=standin.token, api_url=standin.base_url, post_spacing=0, fleet=WEEKLY)
    bot = InProcess(slack_container(settings, db, clock))
    for path in write_matrices(tmp_path):
        import_file(db, path, "test", clock)
    clock.set(MONDAY - timedelta(hours=1, minutes=30))
    bot.open_handoff(parse_command("/handoff", "P1 provider: the file server is down"), "U0ALICE01", OSPREY_CHANNEL)
    standin.reset()
    yield bot
    db.dispose()


def tick_at(bot: InProcess, at: datetime):
    bot.clock.set(at)
    return tick(bot.deps)


def test_posted_once_at_its_minute_worst_first_linking_each_client_and_pinging_nobody(single, standin):
    tick_at(single, MONDAY - timedelta(minutes=1))
    assert fleet_posts(standin) == []  # not before its minute
    tick_at(single, MONDAY)
    [post] = fleet_posts(standin)
    assert post.token == standin.token
    assert post.arg("metadata")["event_payload"]["occurrence"] == "fleet:weekly:2026-W49"
    blocks = post.blocks
    assert blocks[0]["text"]["text"] == "Fleet digest, week 2026-W49 (Mon 30 Nov): 2 clients"
    assert "*This week:* 1 handoff opened, 0 resolved." in blocks[1]["text"]["text"]
    clients = blocks[2]["text"]["text"].split("\n")
    assert clients[0].startswith(":red_circle: *Osprey Legal* (<#C0OSPREY01>): 1 open · 0 at risk · 1 breached")
    assert clients[1].startswith(":white_circle: *Harbour &amp; Finch Architects* (<#C0SHARED01>): 0 open")
    everything = json.dumps(blocks) + post["text"]
    assert "<!" not in everything and "<@" not in everything  # no @channel, @here or mention: nobody pinged
    for later in (MONDAY + timedelta(minutes=1), MONDAY + timedelta(days=1)):
        tick_at(single, later)
    assert len(fleet_posts(standin)) == 1


def test_a_bot_down_over_its_time_posts_the_catch_up_once_labelled_with_its_week(single, standin):
    tick_at(single, MONDAY + timedelta(days=2, hours=1))  # first tick since Sunday: Wednesday 09:30
    tick_at(single, MONDAY + timedelta(days=2, hours=1, minutes=1))
    [post] = fleet_posts(standin)
    assert post.blocks[0]["text"]["text"].startswith("Fleet digest, week 2026-W49 (Mon 30 Nov)")
    assert "Due Mon 30 Nov, posted late" in json.dumps(post.blocks)


def test_a_catch_up_later_than_three_days_waits_for_next_week(single, standin):
    tick_at(single, MONDAY + timedelta(days=4))
    assert fleet_posts(standin) == []
    tick_at(single, MONDAY + timedelta(days=7))
    [post] = fleet_posts(standin)
    assert "week 2026-W50" in post.blocks[0]["text"]["text"] and "posted late" not in json.dumps(post.blocks)


def test_an_organisation_imported_during_the_week_shows_up_in_the_next(single, standin, tmp_path):
    tick_at(single, MONDAY)
    import_file(single.db, kestrel(tmp_path), "test", FixedClock(MONDAY + timedelta(days=2)))
    tick_at(single, MONDAY + timedelta(days=7))
    first, second = fleet_posts(standin)
    assert first.blocks[0]["text"]["text"].endswith("2 clients") and "Kestrel" not in json.dumps(first.blocks)
    assert second.blocks[0]["text"]["text"] == "Fleet digest, week 2026-W50 (Mon 07 Dec): 3 clients"
    assert "*Kestrel Dental* (<#C0KESTREL1>)" in json.dumps(second.blocks)


def test_a_provider_admin_posts_it_now_once_and_anyone_else_is_told(single, standin):
    tick_at(single, MONDAY)
    standin.reset()
    single.clock.set(MONDAY + timedelta(days=2, hours=3, seconds=10))  # Wednesday: the weekly one is out
    ask = parse_command("/tandem", "digest fleet")
    refused = single.answer(ask, "U0ALICE01", CHANNEL)  # a client's admin, not the provider's
    assert "for the provider's admins" in refused.text and fleet_posts(standin) == []
    reply = single.answer(ask, "U0PRIYA01", "D0PRIYADM1")
    assert reply.private and reply.text == f"Posted the fleet digest in <#{FLEET}>."
    [post] = fleet_posts(standin)
    assert post.arg("metadata")["event_payload"]["occurrence"].startswith("fleet:asked:2026-12-02T11:30")
    assert post.blocks[0]["text"]["text"] == "Fleet digest, week 2026-W49 (Wed 02 Dec): 2 clients"
    assert "posted late" not in json.dumps(post.blocks)
    single.clock.set(MONDAY + timedelta(days=2, hours=3, seconds=40))  # sent again, as by a double press
    again = single.answer(ask, "U0PRIYA01", "D0PRIYADM1")
    assert "asked for a moment ago" in again.text and len(fleet_posts(standin)) == 1
    tick_at(single, MONDAY + timedelta(days=2, hours=3, minutes=1))
    assert len(fleet_posts(standin)) == 1


def test_while_tandem_is_not_in_the_fleet_channel_the_provider_admins_are_told_once(single, standin):
    def refuse_the_fleet_channel(call):
        if call.get("channel") == FLEET:
            return {"ok": False, "error": "not_in_channel"}
        return standin._post_message(call)

    standin.on("chat.postMessage", refuse_the_fleet_channel)
    try:
        report = tick_at(single, MONDAY)
        assert report.held == 1
        tick_at(single, MONDAY + timedelta(minutes=1))
        tick_at(single, MONDAY + timedelta(days=7))  # next week's is held behind it, and tells nobody again
    finally:
        standin.on("chat.postMessage", standin._post_message)
    [told] = [c for c in standin.calls("chat.postMessage") if c["channel"] == "U0PRIYA01"]  # the one provider admin
    assert told["text"].startswith(
        ":warning: I could not post the fleet digest in <#C0FLEET001>: I'm not a member of it: invite me there"
    )
    assert not [c for c in standin.calls("chat.postMessage") if c["channel"] in ("U0ALICE01", "U0SAM0001")]

    standin.reset()
    release(single.deps, FLEET)  # Tandem is invited: what was held goes out
    posted = [c.blocks[0]["text"]["text"] for c in fleet_posts(standin)]
    assert sorted(posted) == [
        "Fleet digest, week 2026-W49 (Mon 30 Nov): 2 clients",
        "Fleet digest, week 2026-W50 (Mon 07 Dec): 2 clients",
    ]


# -- installed by OAuth: the provider's own workspace posts it --------------------------------

TOKENS = {
    HOST: "xoxb-100000000001-100000000011-FAKEharbourfinchbot1",
    OSPREY: "xoxb-100000000004-100000000041-FAKEospreylegalbot01",
    PROVIDER: "xoxb-100000000007-100000000071-FAKEredkiteitbot001",
}


def install(standin, installations, team: str, token: str) -> None:
    """As the install page does it: Slack's code exchange, then the installation saved."""
    reply = {
        "ok": True,
        "access_token": token,
        "token_type": "bot",
        "scope": "chat:write",
        "bot_user_id": f"U0BOT{team[-5:]}",
        "app_id": "A0TANDEM01",
        "team": {"id": team, "name": team},
        "authed_user": {"id": "U0ADMIN001"},
    }
    standin.offer(f"code-{token}", reply)
    WebClient(base_url=standin.base_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=f"code-{token}"
    )
    installations.save(
        Installation(app_id="A0TANDEM01", team_id=team, user_id="U0ADMIN001", bot_token=token, bot_id=f"B{team}")
    )


@pytest.fixture
def oauth(standin, tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'tandem.db'}")
    db.upgrade()
    clock = FixedClock(IMPORTED)
    for path in write_matrices(tmp_path):
        import_file(db, path, "test", clock)
    settings = Settings(
        api_url=standin.base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, post_spacing=0, fleet=WEEKLY
    )
    bot = InProcess(slack_container(settings, db, clock))  # the fleet's workspace: the one both matrices name
    assert bot.deps.fleet is not None and bot.deps.fleet.team == PROVIDER
    installations = bot.container.installs.installations
    for team, token in TOKENS.items():
        install(standin, installations, team, token)
    standin.reset()
    yield bot
    db.dispose()


def test_installed_by_oauth_it_is_posted_with_the_provider_workspace_s_token(oauth, standin):
    tick_at(oauth, MONDAY)
    [post] = fleet_posts(standin)
    assert post.headers["authorization"] == f"Bearer {TOKENS[PROVIDER]}"
    digests = {c["channel"]: c.token for c in standin.calls("chat.postMessage") if c["channel"] != FLEET}
    assert digests == {CHANNEL: TOKENS[HOST], OSPREY_CHANNEL: TOKENS[OSPREY]}  # each client's own, as before


def test_the_provider_workspace_is_read_as_the_matrices_stand_at_the_digest_not_at_start(oauth, standin, tmp_path):
    moved = "T0NEWMSP01"  # the provider moved to a new workspace, and both matrices say so since start-up
    for path in write_matrices(tmp_path):
        path.write_text(path.read_text().replace(f"teams: [{PROVIDER}]", f"teams: [{moved}]"))
        import_file(oauth.db, path, "test", FixedClock(IMPORTED + timedelta(hours=1)))
    token = "xoxb-100000000008-100000000081-FAKEredkitenewbot01"
    install(standin, oauth.container.installs.installations, moved, token)
    tick_at(oauth, MONDAY)
    [post] = fleet_posts(standin)
    assert post.token == token


def test_held_while_the_provider_workspace_is_uninstalled_and_posted_when_it_installs_again(
    oauth, standin, tmp_path, caplog
):
    installs = oauth.container.installs
    installs.installations.delete_installation(enterprise_id=None, team_id=PROVIDER)
    installs.installations.delete_bot(enterprise_id=None, team_id=PROVIDER)
    installs.clients.forget(PROVIDER)
    report = tick_at(oauth, MONDAY)
    assert fleet_posts(standin) == [] and report.held == 1
    assert "posts for the fleet digest held: Tandem is not installed in workspace T0MSP00001" in caplog.text
    tick_at(oauth, MONDAY + timedelta(minutes=1))
    assert fleet_posts(standin) == []  # held, not retried
    with sqlite3.connect(tmp_path / "tandem.db") as connection:
        [(status, held_for)] = connection.execute("SELECT status, channel FROM outbox WHERE key LIKE 'fleet:%'")
    assert (status, held_for) == ("held", f"workspace:{PROVIDER}")

    fresh = "xoxb-100000000007-100000000071-FAKEredkiteitbot002"
    install(standin, installs.installations, PROVIDER, fresh)
    release_workspace(oauth.deps, PROVIDER)  # what a finished install does
    [post] = fleet_posts(standin)
    assert post.token == fresh and "week 2026-W49" in post.blocks[0]["text"]["text"]


# -- settings that cannot work, and replicas ---------------------------------------------------


def run_tick(env: dict[str, str], at: datetime) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--at", at.isoformat()],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_one_provider_workspace_to_post_from_the_start_is_one_sentence(standin, tmp_path):
    database = f"sqlite:///{tmp_path / 'tandem.db'}"
    env = {**os.environ, "SLACK_API_URL": standin.base_url, "DATABASE_URL": database}
    env.update(SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, TANDEM_FLEET_CHANNEL=FLEET)
    env.pop("SLACK_BOT_TOKEN", None)
    db = Database(database)
    db.upgrade()
    paths = write_matrices(tmp_path)
    import_file(db, paths[0], "test", FixedClock(IMPORTED))
    paths[1].write_text(osprey().replace(f"teams: [{PROVIDER}]", "teams: [T0OTHERMSP]"))
    import_file(db, paths[1], "test", FixedClock(IMPORTED))
    db.dispose()
    run = run_tick(env, MONDAY)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "TANDEM_FLEET_TEAM is not set and the matrices name several provider workspaces (T0MSP00001, T0OTHERMSP): "
        "set TANDEM_FLEET_TEAM to the team id (T…) of your own workspace, where C0FLEET001 (TANDEM_FLEET_CHANNEL) "
        "lives and whose installation posts the weekly fleet digest."
    ]
    assert run_tick({**env, "TANDEM_FLEET_TEAM": PROVIDER}, MONDAY).returncode == 0  # named: no guess needed
    bad = run_tick({**env, "TANDEM_FLEET_TIMEZONE": "Mars/Olympus"}, MONDAY)
    assert bad.returncode == 1 and bad.stderr.startswith("TANDEM_FLEET_TIMEZONE must be an IANA time zone")


@pytest.mark.postgres
def test_two_postgresql_replicas_ticking_together_post_it_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TANDEM_FLEET_CHANNEL", FLEET)
    with fresh_postgres_database() as url, SlackStandIn() as standin:
        db = Database(url)
        db.upgrade()
        for path in write_matrices(tmp_path):
            import_file(db, path, "test", FixedClock(IMPORTED))
        db.dispose()
        for at in (MONDAY, MONDAY + timedelta(seconds=30)):
            runs = ticks(standin, url, at, 2)
            assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
        [post] = fleet_posts(standin)
        assert post.blocks[0]["text"]["text"] == "Fleet digest, week 2026-W49 (Mon 30 Nov): 2 clients"
