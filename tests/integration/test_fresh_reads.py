"""Read-only answers come from memory, yet are never stale: another process's cover, handoff
or import is in the very next answer, on SQLite and PostgreSQL, with no waiting in between.

One replica is the WSGI stack of a worker in this process (its clock set to a working hour
ahead), which answers `/owner`, `/tandem sla|status` and App Home from its in-memory matrix,
leave, sign-off and handoffs, and sends an answer it keeps ahead of Bolt (`bot.app.ahead`); the
other writes: `tandem run` as a subprocess on the same database (on the wall
clock) books and ends cover, confirms the matrix and opens and takes a handoff, and `tandem
matrix import` in its own process changes the matrix. Installed by OAuth, the writer's
uninstall is refused at the reader's next request. A kept answer sent ahead of Bolt has
Bolt's bytes and headers, and goes only to whom Bolt admits: people of an Enterprise Grid
org's workspaces, or listed in the matrix, through an installation that is there.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import event

from bot.app.bootstrap import import_file
from bot.grammar import parse_command
from handlers.middleware.teams import REFUSAL
from tests.conftest import EXAMPLE, ROOT, fresh_postgres_database
from tests.support import require_shared
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess
from tests.support.in_process import InProcess
from tests.support.slack_app import SlackApp
from tests.support.slack_oauth import CLIENT_ID, CLIENT_SECRET

ALICE, BEN, CARA, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0CARA001", "U0PRIYA01", "U0SAM0001"
CHANNEL = "C0SHARED01"
LONDON = ZoneInfo("Europe/London")
HOLIDAYS = {"12-25", "12-28", "01-01"}  # the example matrix's, in the weeks this can pick


def working_hour_ahead() -> datetime:
    """10:00 London on the next working day after tomorrow: inside leave booked from now."""
    day = datetime.now(LONDON).date() + timedelta(days=2)
    while day.weekday() >= 5 or day.strftime("%m-%d") in HOLIDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), LONDON).astimezone(UTC)


@pytest.fixture
def database(either_database):
    return either_database


@pytest.fixture(autouse=True)
def fresh(standin):
    standin.reset()  # each test waits for its own replies only


@pytest.fixture
def ahead(caplog):
    """How many answers so far were sent from memory ahead of Bolt."""
    caplog.set_level(logging.DEBUG, logger="bot.app.ahead")
    return lambda: sum(
        r.name == "bot.app.ahead" and r.message.startswith("answered from memory") for r in caplog.records
    )


def said(reply: dict) -> str:
    return reply["text"] + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def owner(replica: SlackApp, words: str) -> str:
    return said(replica.answer("/owner", words, PRIYA))


def test_cover_booked_and_ended_by_another_replica_is_in_the_next_answer(standin, database, ahead):
    at = working_hour_ahead()
    reader = SlackApp(standin, database, at, http=True)
    try:
        assert "<@U0BEN0001> is away" not in owner(reader, "helpdesk")  # matrix and leave now in memory
        assert "<@U0BEN0001> is away" not in owner(reader, "helpdesk") and ahead() == 1  # kept, sent ahead
        with BotProcess(standin, database, matrix=None) as writer:
            until = (at + timedelta(days=3)).date().isoformat()
            send_to(
                writer,
                standin,
                "/tandem",
                f"cover <@U0BEN0001|ben> until {until} by <@U0CARA001|cara>",
                ALICE,
                "booked",
            )
            [booked] = standin.wait_for_response("booked")  # sent once the booking is committed
            assert "<@U0CARA001> covers" in booked.body["text"]

            during = owner(reader, "helpdesk")
            assert "<@U0BEN0001> is away until the end of" in during and "covered by <@U0CARA001>" in during
            assert ahead() == 1
            assert "<@U0BEN0001>" in said(reader.answer("/tandem", "cover list", PRIYA))

            send_to(writer, standin, "/tandem", "cover end <@U0BEN0001|ben>", CARA, "ended")
            [ended] = standin.wait_for_response("ended")
            assert "<@U0BEN0001> is back" in ended.body["text"]

        assert "<@U0BEN0001> is away" not in owner(reader, "helpdesk")
        assert "<@U0BEN0001>" not in said(reader.answer("/tandem", "cover list", PRIYA))
    finally:
        reader.close()


READS = (
    ("/owner", "helpdesk"),
    ("/owner", "<@U0BEN0001|ben>"),
    ("/tandem", "matrix"),
    ("/tandem", "matrix backups"),
    ("/tandem", "gaps"),
    ("/tandem", "rota"),
    ("/tandem", "cover list"),
    ("/tandem", "sla"),
    ("/tandem", "sla breached"),
    ("/tandem", "status 1"),
    ("/tandem", "reviews"),
    ("/tandem", "hours"),
)


def test_read_only_commands_answer_from_memory_once_it_holds_their_data(standin, database):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True)
    checkouts = []
    event.listen(reader.db.engine, "checkout", lambda *_: checkouts.append(1))
    try:
        first = [said(reader.answer(name, words, PRIYA)) for name, words in READS]
        checkouts.clear()
        assert [said(reader.answer(name, words, PRIYA)) for name, words in READS] == first
        assert checkouts == []  # no session, no pooled connection: one query on the thread's own
    finally:
        reader.close()


def send_to(writer: BotProcess, standin, command: str, words: str, user: str, reply_to: str) -> None:
    """`command words` from `user` in the shared channel, acknowledged by the writing replica;
    its answer goes to the stand-in's response URL `reply_to` once its unit has committed."""
    request = sr.slash_command(
        command, words, user_id=user, channel_id="C0SHARED01", response_url=standin.response_url(reply_to)
    )
    assert sr.post(writer.events_url, *request)[0] == 200


def tandem_by(writer: BotProcess, standin, words: str, user: str, reply_to: str) -> str:
    """`/tandem words` sent to the writing replica; its answer, once its unit has committed."""
    send_to(writer, standin, "/tandem", words, user, reply_to)
    return standin.wait_for_response(reply_to)[-1].body["text"]


def test_a_confirmation_by_another_replica_is_in_the_next_answer(standin, database, ahead):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True)
    try:
        assert "Not confirmed by both sides yet" in owner(reader, "helpdesk")  # sign-off now in memory
        assert "Not confirmed by both sides yet" in owner(reader, "helpdesk") and ahead() == 1
        with BotProcess(standin, database, matrix=None) as writer:
            assert "waits for an admin" in tandem_by(writer, standin, "confirm", PRIYA, "priya")
            assert "Not confirmed by both sides yet" in owner(reader, "helpdesk") and ahead() == 1  # made anew
            assert "confirmed by both sides" in tandem_by(writer, standin, "confirm", ALICE, "alice")
        answer = owner(reader, "helpdesk")
        assert "Last confirmed" in answer and f"<@{ALICE}> and <@{PRIYA}>" in answer, answer
        assert "Not confirmed" not in answer and ahead() == 1
    finally:
        reader.close()


def test_a_handoff_opened_and_taken_by_another_replica_is_in_the_next_answer(standin, database, ahead):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True)
    checkouts = []
    event.listen(reader.db.engine, "checkout", lambda *_: checkouts.append(1))
    try:
        assert "No open handoffs" in said(reader.answer("/tandem", "sla", PRIYA))  # now in memory
        assert "No open handoffs" in said(reader.answer("/tandem", "sla", PRIYA)) and ahead() == 1  # kept
        assert "There is no handoff #1" in said(reader.answer("/tandem", "status 1", PRIYA))
        with BotProcess(standin, database, matrix=None) as writer:
            send_to(writer, standin, "/handoff", "P2 provider: firewall rule for the new VPN", ALICE, "opened")
            root, _thread = standin.wait_for("chat.postMessage", count=2)
            standin.wait_for_response("opened")  # sent once the handoff is committed
            checkouts.clear()
            listed = said(reader.answer("/tandem", "sla", PRIYA))
            assert "1 open handoff, 1 breached" in listed and "firewall rule for the new VPN" in listed, listed
            assert said(reader.answer("/tandem", "sla", PRIYA)) == listed and ahead() == 2
            assert "1 breached" in said(reader.answer("/tandem", "sla breached", PRIYA))
            assert "nobody yet" in said(reader.answer("/tandem", "status 1", PRIYA))
            assert checkouts == []  # read anew on the thread's own connection: no session, no pool

            ts = root.reply["ts"]
            message = standin.message("C0SHARED01", ts)
            take = sr.block_actions(
                "handoff_take",
                sr.button_value(message, "handoff_take", "1"),
                user_id=SAM,
                channel_id="C0SHARED01",
                message_ts=ts,
                response_url=standin.response_url("took"),
                message=message,
            )
            assert sr.post(writer.events_url, *take)[0] == 200
            standin.wait_for("chat.update")  # the root refreshed: sent once the step is committed
        status = said(reader.answer("/tandem", "status 1", PRIYA))
        assert "In progress" in status and f"<@{SAM}>" in status, status
        assert f"<@{SAM}>" in said(reader.answer("/tandem", "sla", PRIYA)) and ahead() == 2
    finally:
        reader.close()


def home(replica: SlackApp, standin, user: str) -> str:
    """The App Home tab `user` is shown on opening it now: the view the replica publishes."""
    published = len(standin.calls("views.publish"))
    assert replica.send(sr.event_callback(sr.app_home_opened(user)))[0] == 200
    call = standin.wait_for("views.publish", published + 1)[-1]
    assert call["user_id"] == user
    return json.dumps(call.view["blocks"], ensure_ascii=False)


def listed_under(view: str, title: str, following: str) -> str:
    return view.split(f'"{title}"')[1].split(f'"{following}"')[0]


def test_app_home_shows_a_handoff_another_replica_opened_and_took_the_next_time_it_is_opened(standin, database):
    """Each viewer's handoffs are read once and kept while no handoff changes: the second
    opening reads none (the writes it sends are its event's claim), and the first after
    another replica's handoff or step shows it."""
    at = working_hour_ahead()
    reader = SlackApp(standin, database, at, http=True)
    writer = InProcess(SlackApp(standin, database, at).container)
    handoff_reads = []

    def read(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM handoffs" in statement:
            handoff_reads.append(statement)

    event.listen(reader.db.engine, "before_cursor_execute", read)
    try:
        assert "No open handoffs of yours" in home(reader, standin, ALICE)
        handoff_reads.clear()
        assert "No open handoffs of yours" in home(reader, standin, ALICE) and handoff_reads == []
        opened, _ping = writer.open_handoff(parse_command("/handoff", "P2 provider: firewall rule"), ALICE, CHANNEL)
        mine = home(reader, standin, ALICE)
        assert "firewall rule" in listed_under(mine, "Opened by me", "Breached"), mine
        assert "Nothing assigned to you" in home(reader, standin, SAM)
        writer.act(opened.number, "take", SAM, CHANNEL)
        assert "firewall rule" in listed_under(home(reader, standin, SAM), "Assigned to me", "Opened by me")
        assert "firewall rule" in listed_under(home(reader, standin, ALICE), "Opened by me", "Breached")
        handoff_reads.clear()
        assert "firewall rule" in listed_under(home(reader, standin, SAM), "Assigned to me", "Opened by me")
        assert handoff_reads == []
    finally:
        writer.db.dispose()
        reader.close()


def test_hours_logged_by_another_replica_are_in_the_next_answer(standin, database, ahead):
    """`/tandem hours` is kept under the hours version: asked again it is sent ahead of Bolt
    and opens no session, and the first answer after another replica logs or corrects hours
    has them."""
    at = working_hour_ahead()
    reader = SlackApp(standin, database, at, http=True)
    writer = SlackApp(standin, database, at)
    checkouts = []
    event.listen(reader.db.engine, "checkout", lambda *_: checkouts.append(1))
    try:
        opened = said(writer.answer("/handoff", "P2 provider: image the new laptops", ALICE))
        assert "#1" in opened, opened
        first = said(reader.answer("/tandem", "hours", PRIYA))
        assert "0h of 20h used" in first and "Where they went" not in first, first
        checkouts.clear()
        assert said(reader.answer("/tandem", "hours", PRIYA)) == first and checkouts == [] and ahead() == 1
        assert "logged 1.5h on Handoff #1" in writer.answer("/tandem", "log 1.5h on 1 imaged two", SAM)["text"]
        logged = said(reader.answer("/tandem", "hours", PRIYA))
        assert "1.5h of 20h used" in logged and "1.5h — Handoff #1 · P2 image the new laptops" in logged, logged
        assert ahead() == 1  # made anew, through Bolt
        assert "took off 0.5h" in writer.answer("/tandem", "log -0.5h on 1 typo", PRIYA)["text"]
        assert "1h of 20h used" in said(reader.answer("/tandem", "hours", PRIYA))
    finally:
        writer.close()
        reader.close()


def test_a_kept_sla_answer_moves_on_at_the_instant_a_count_or_a_clock_does(standin, database, ahead):
    """Nothing is written between these answers: the handoff breaches, and its clock moves on
    by a whole percent (P1: respond in 15 minutes on the 24x7 clock, 9 s a percent)."""
    at = working_hour_ahead()
    reader = SlackApp(standin, database, at, http=True)
    writer = SlackApp(standin, database, at)
    try:
        assert "No open handoffs" in said(reader.answer("/tandem", "sla", PRIYA))
        opened = said(writer.answer("/handoff", "P1 provider: the VPN is down for everyone", ALICE))
        assert "#1" in opened, opened
        reader.clock.set(at + timedelta(seconds=61))  # 6.8 % used
        listed = said(reader.answer("/tandem", "sla", PRIYA))
        assert "1 open handoff, 0 breached" in listed and "(6% used)" in listed and ahead() == 0, listed
        reader.clock.set(at + timedelta(seconds=62))
        assert said(reader.answer("/tandem", "sla", PRIYA)) == listed and ahead() == 1  # still 6 %
        reader.clock.set(at + timedelta(seconds=63))  # 7 %: made anew
        assert "(7% used)" in said(reader.answer("/tandem", "sla", PRIYA)) and ahead() == 1
        assert "No breached open handoffs" in said(reader.answer("/tandem", "sla breached", PRIYA))
        reader.clock.set(at + timedelta(minutes=15))  # due, not yet past it
        assert "1 open handoff, 0 breached" in said(reader.answer("/tandem", "sla", PRIYA))
        reader.clock.set(at + timedelta(minutes=15, microseconds=1))
        late = said(reader.answer("/tandem", "sla", PRIYA))
        assert "1 open handoff, 1 breached" in late and ":red_circle: breached" in late and ahead() == 1, late
        assert "1 breached open handoff" in said(reader.answer("/tandem", "sla breached", PRIYA))
        reader.clock.set(at + timedelta(hours=1))
        assert said(reader.answer("/tandem", "sla", PRIYA)) == late and ahead() == 2  # breached holds
        reader.clock.set(at + timedelta(minutes=15))  # an earlier instant than the one kept: made anew
        assert "1 open handoff, 0 breached" in said(reader.answer("/tandem", "sla", PRIYA)) and ahead() == 2
    finally:
        writer.close()
        reader.close()


def test_a_review_done_by_another_replica_is_in_the_next_answer(standin, database):
    """The other replica is a second app on the same database, with a memory of its own: the
    review's cycle is due on a day the wall clock is not at."""
    reader = SlackApp(standin, database, datetime(2027, 1, 4, 12, 0, tzinfo=UTC), http=True)
    reader.clock.set(datetime(2027, 1, 6, 15, 0, tzinfo=UTC))  # the restore test was due at 10:00
    writer = SlackApp(standin, database, datetime(2027, 1, 6, 15, 0, tzinfo=UTC))
    checkouts = []
    event.listen(reader.db.engine, "checkout", lambda *_: checkouts.append(1))
    try:
        assert "(`restore-test`)" in said(reader.answer("/tandem", "reviews", PRIYA))  # now in memory
        checkouts.clear()
        assert "(`restore-test`)" in said(reader.answer("/tandem", "reviews", PRIYA)) and checkouts == []
        done = writer.answer("/tandem", "done restore-test restored 3 files", ALICE)
        assert done["text"].startswith("<@U0ALICE01> completed *Backup restore test*"), done
        assert "(`restore-test`)" not in said(reader.answer("/tandem", "reviews", PRIYA))
    finally:
        writer.close()
        reader.close()


def test_an_import_by_another_process_is_in_the_next_answer(standin, database, tmp_path, ahead):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True)
    try:
        assert "On-site hardware and peripherals" not in owner(reader, "zebra plotter")
        assert "On-site hardware and peripherals" not in owner(reader, "zebra plotter") and ahead() == 1
        changed = tmp_path / "matrix.yml"
        changed.write_text(
            EXAMPLE.read_text().replace("aliases: [printers, label printer,", "aliases: [zebra plotter, printers,")
        )
        env = {**os.environ, "DATABASE_URL": database}
        env.pop("TANDEM_MATRIX", None)
        done = subprocess.run(
            [sys.executable, "-m", "bot", "matrix", "import", str(changed)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "On-site hardware and peripherals" in owner(reader, "zebra plotter") and ahead() == 1
    finally:
        reader.close()


@pytest.mark.postgres
def test_a_connection_the_server_ended_is_replaced_on_the_next_answer(standin):
    with fresh_postgres_database() as url:
        reader = SlackApp(standin, url, working_hour_ahead(), http=True)
        try:
            assert "Helpdesk and user support" in owner(reader, "helpdesk")
            name = url.rsplit("/", 1)[1]
            with psycopg.connect(url.rsplit("/", 1)[0].replace("+psycopg", "") + "/postgres", autocommit=True) as c:
                ended = c.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s", (name,)
                ).fetchone()
            assert ended is not None and ended[0] >= 1
            assert "Helpdesk and user support" in owner(reader, "helpdesk")
        finally:
            reader.close()


def ask(replica: SlackApp, name: str, words: str, user: str = PRIYA, **fields) -> tuple:
    """The status line, headers and body of the answer to one signed command."""
    request = sr.slash_command(
        name, words, user_id=user, channel_id=fields.pop("channel_id", "C0SHARED01"), response_url="", **fields
    )
    return replica.exchange(request)


def test_a_kept_answer_is_sent_ahead_of_bolt_exactly_as_bolt_sent_it(standin, database, ahead):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True)
    try:
        kept = (
            ("/owner", "backups"),
            ("/tandem", "matrix"),
            ("/owner", "nothing we know"),
            ("/tandem", "sla"),
            ("/tandem", "hours"),
        )
        for name, words in kept:
            through_bolt = ask(reader, name, words)
            sent = ahead()
            assert ask(reader, name, words) == through_bolt and ahead() == sent + 1
        for name, words in (("/tandem", "matrix backups"), ("/owner", "<@U0BEN0001|ben>"), ("/tandem", "status 1")):
            assert ask(reader, name, words) == ask(reader, name, words)
        assert ahead() == 5  # answers that are not kept always go through Bolt
    finally:
        reader.close()


def test_the_next_minute_is_a_new_answer(standin, database, ahead):
    day = working_hour_ahead().astimezone(LONDON).date()
    reader = SlackApp(standin, database, datetime.combine(day, time(17, 59), LONDON), http=True)
    try:
        assert "on duty now <@U0ALICE01>, <@U0BEN0001>, <@U0CARA001>" in owner(reader, "helpdesk")
        reader.clock.set(datetime.combine(day, time(17, 59, 59), LONDON))
        assert "on duty now <@U0ALICE01>, <@U0BEN0001>, <@U0CARA001>" in owner(reader, "helpdesk")
        assert ahead() == 1
        reader.clock.set(datetime.combine(day, time(18, 0), LONDON))  # business hours end
        assert "on duty now <@U0TOM0001>, <@U0SAM0001>" in owner(reader, "helpdesk") and ahead() == 1
        assert "on duty now <@U0TOM0001>, <@U0SAM0001>" in owner(reader, "helpdesk") and ahead() == 2
    finally:
        reader.close()


def test_each_side_of_the_gap_has_its_own_answer(standin, database, tmp_path, ahead):
    """Patching is the provider's; out of hours nobody is on duty and a handoff pings its
    escalation contact, Alice, unless she or her side asks: then the provider's admin."""
    changed = tmp_path / "matrix.yml"
    old = "    informed: [internal]\n    escalation: [U0PRIYA01]\n"
    assert EXAMPLE.read_text().count(old) == 1
    changed.write_text(EXAMPLE.read_text().replace(old, "    informed: [internal]\n    escalation: [U0ALICE01]\n"))
    day = working_hour_ahead().astimezone(LONDON).date()
    reader = SlackApp(standin, database, datetime.combine(day, time(19, 0), LONDON), matrix=changed, http=True)
    try:
        assert "pings the escalation contacts: <@U0ALICE01>" in owner(reader, "patching")
        across = said(reader.answer("/owner", "patching", ALICE))
        assert "pings Red Kite IT's admins: <@U0PRIYA01>" in across and ahead() == 0
        assert "pings the escalation contacts: <@U0ALICE01>" in owner(reader, "patching") and ahead() == 1
        assert said(reader.answer("/owner", "patching", BEN)) == across and ahead() == 2  # Alice's side
    finally:
        reader.close()


def test_each_channel_has_its_organisations_answer(standin, database, ahead):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True)
    import_file(reader.db, ROOT / "tests" / "data" / "law_firm.yml", "test", reader.clock)
    try:
        guest = "U0GUEST01"  # in neither matrix: each request belongs to its channel's organisation
        assert "On-site hardware and peripherals" in said(reader.answer("/owner", "printer", guest))
        assert "On-site hardware and peripherals" in said(reader.answer("/owner", "printer", guest)) and ahead() == 1
        law_firm = said(reader.answer("/owner", "printer", guest, channel="C0LAWFIRM1"))
        assert "Desk support and printers" in law_firm and ahead() == 1
        assert said(reader.answer("/owner", "printer", guest, channel="C0LAWFIRM1")) == law_firm and ahead() == 2
    finally:
        reader.close()


def test_what_bolt_would_refuse_is_refused_after_an_answer_was_kept(standin, database, ahead):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True, allowed_teams=frozenset({sr.TEAM_ID}))
    try:
        kept = ask(reader, "/owner", "backups")
        assert ask(reader, "/owner", "backups") == kept and ahead() == 1
        status, _headers, body = ask(reader, "/owner", "backups", team_id="T0ELSEWHERE")
        assert status == "200 OK" and json.loads(body)["text"] == REFUSAL
        status, _headers, body = ask(reader, "/owner", "backups", user="not a user id")
        assert status == "400 Bad Request" and "user_id is not a Slack id" in json.loads(body)["error"]
        assert ahead() == 1
    finally:
        reader.close()


ORG, LEGAL, FINANCE, ELSEWHERE = "E0OSPREY01", "T0OSPLAW01", "T0OSPFIN01", "T0MSP00001"
GUEST, OUTSIDER = "U0GUEST01", "U0RKMGR001"  # in no matrix: one of the org's people, another company's


@pytest.fixture
def org_wide(standin):
    """SLACK_BOT_TOKEN is Osprey Holdings' org-wide token: its auth.test names the org, and its
    auth.teams.list lists the org's two workspaces."""
    replies = json.loads((require_shared() / "oauth" / "auth_test.json").read_text())["responses"]
    standin.installed[standin.token] = replies["osprey_org_wide_bot"]["body"]
    standin.org_teams[ORG] = [LEGAL, FINANCE]
    yield
    standin.reset_oauth()


def test_an_org_wide_install_answers_ahead_whom_the_strangers_middleware_admits(standin, database, ahead, org_wide):
    """Every command on an org-wide install comes from a workspace other than the org's own: a
    workspace of the org (by the list Bolt's middleware asked Slack for), or anyone the matrix
    lists, is sent the kept answer, byte for byte Bolt's; another company's unlisted person,
    a workspace outside TANDEM_ALLOWED_TEAMS (here: the org) is still refused by Bolt."""
    reader = SlackApp(standin, database, working_hour_ahead(), http=True, allowed_teams=frozenset({ORG}))

    def in_org(user: str, team: str, words: str = "backups") -> tuple:
        return ask(reader, "/owner", words, user, team_id=team, enterprise_id=ORG, is_enterprise_install=True)

    try:
        for user, team in ((GUEST, LEGAL), (GUEST, FINANCE), (PRIYA, ELSEWHERE), (ALICE, LEGAL)):
            through_bolt = in_org(user, team)
            status, _headers, body = through_bolt
            assert status == "200 OK" and "Backups" in body.decode(), body
            sent = ahead()
            assert in_org(user, team) == through_bolt and ahead() == sent + 1, (user, team)
        assert len(standin.calls("auth.teams.list")) == 1  # asked once, by Bolt's middleware

        sent = ahead()
        for _ in range(2):  # refused after an answer for their side (nobody's) was kept
            status, _headers, body = in_org(OUTSIDER, ELSEWHERE)
            assert status == "200 OK" and "its matrix does not list you" in json.loads(body)["text"], body
        status, _headers, body = ask(reader, "/owner", "backups", GUEST, team_id="T0ELSEWHERE")
        assert status == "200 OK" and json.loads(body)["text"] == REFUSAL
        assert ahead() == sent
    finally:
        reader.close()


HOST, OSPREY = "T0HOST0001", "T0OSPREY01"
OAUTH_ENV = {
    "SLACK_CLIENT_ID": CLIENT_ID,
    "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    "SLACK_REDIRECT_URI": "https://tandem.example.com/slack/oauth_redirect",
}


def oauth_reply(name: str) -> dict:
    replies = json.loads((require_shared() / "oauth" / "oauth_v2_access.json").read_text())["responses"]
    return replies[name]["body"]


def install(replica: SlackApp, standin, reply: dict) -> None:
    """The install page, then Slack's redirect back with a code for `reply`, through the worker's stack."""
    status, headers, _page = replica.get("/slack/install")
    cookie = dict(headers)["set-cookie"].split(";", 1)[0]
    code = sr._unique("1000000000001.1000000000201.fakecode")
    standin.offer(code, reply)
    status, _headers, page = replica.get(f"/slack/oauth_redirect?code={code}&state={cookie.split('=', 1)[1]}", cookie)
    assert status == "200 OK", page


def test_an_oauth_install_is_answered_ahead_until_another_process_uninstalls_it(standin, database, ahead):
    """Installed by OAuth, a kept answer is sent ahead only through an installation the same
    locating query finds there: one never made, or removed by another process's uninstall, is
    refused by Bolt at the very next request."""
    reader = SlackApp(standin, database, working_hour_ahead(), http=True, oauth=True)
    try:
        install(reader, standin, oauth_reply("workspace_install"))
        for name, words in (("/owner", "backups"), ("/tandem", "matrix"), ("/tandem", "sla")):
            through_bolt = ask(reader, name, words, team_id=HOST)
            assert through_bolt[0] == "200 OK" and json.loads(through_bolt[2])["blocks"], through_bolt
            sent = ahead()
            assert ask(reader, name, words, team_id=HOST) == through_bolt and ahead() == sent + 1

        def refused(team: str) -> None:
            """Bolt finds no installation, says so through the response URL and acknowledges."""
            reply_to = sr._unique("refused")
            request = sr.slash_command(
                "/owner",
                "backups",
                user_id=PRIYA,
                channel_id="C0SHARED01",
                team_id=team,
                response_url=standin.response_url(reply_to),
            )
            status, _headers, body = reader.exchange(request)
            assert status == "200 OK" and body == b""
            [told] = standin.wait_for_response(reply_to)
            assert "your installation with this app is no longer available" in told.body["text"]

        refused(OSPREY)  # a workspace that never installed it
        refused(OSPREY)
        assert ahead() == 3

        writer = BotProcess(standin, database, matrix=None, extra_env=OAUTH_ENV)
        writer.env.pop("SLACK_BOT_TOKEN")
        with writer:
            body = json.loads((require_shared() / "connect" / "events" / "app_uninstalled.json").read_text())
            body.update(team_id=HOST, event_id=sr._unique("Ev0UNINST"))
            body["authorizations"][0].update(team_id=HOST, user_id="U0TANDEM01")
            assert sr.post(writer.events_url, *sr.signed(json.dumps(body).encode(), "application/json"))[0] == 200
            standin.revoke(oauth_reply("workspace_install")["access_token"])
        refused(HOST)
        assert ahead() == 3
    finally:
        reader.close()
        standin.reset_oauth()  # the token revoked, for this test only


@pytest.mark.parametrize(("minutes", "refreshes", "sent"), [(721, 2, 0), (120, 0, 1)])
def test_a_token_due_for_a_refresh_sends_the_request_to_bolt(standin, database, ahead, minutes, refreshes, sent):
    """A 12-hour rotating token refreshed 721 minutes before it expires is always due: Bolt
    refreshes it before each request, so no kept answer is sent ahead of that. Refreshed 120
    minutes before, it is not due, and the kept answer is sent."""
    reader = SlackApp(standin, database, working_hour_ahead(), http=True, oauth=True, token_refresh_minutes=minutes)
    try:
        install(reader, standin, oauth_reply("token_rotation_install"))

        def refreshed() -> int:
            return sum(c.get("grant_type") == "refresh_token" for c in standin.calls("oauth.v2.access"))

        first = ask(reader, "/owner", "backups", team_id=HOST)
        assert first[0] == "200 OK" and json.loads(first[2])["blocks"], first
        assert ask(reader, "/owner", "backups", team_id=HOST) == first
        assert refreshed() == refreshes and ahead() == sent
    finally:
        reader.close()
        standin.reset_oauth()


def test_overflow_held_and_declined_by_another_replica_is_in_the_next_sla(standin, database, ahead):
    reader = SlackApp(standin, database, working_hour_ahead(), http=True)
    try:
        assert said(reader.answer("/tandem", "sla", ALICE)).startswith("No open handoffs.")  # now in memory
        assert said(reader.answer("/tandem", "sla", ALICE)).startswith("No open handoffs.") and ahead() == 1
        with BotProcess(standin, database, matrix=None) as writer:
            send_to(writer, standin, "/overflow", "P3 paint the waiting room", BEN, "held")
            [approval] = standin.wait_for("chat.postMessage")
            assert "Held for approval" in standin.wait_for_response("held")[-1].body["text"]
            waiting = reader.answer("/tandem", "sla", ALICE)["text"]
            assert waiting == f"No open handoffs. 1 overflow request waits for approval: held #1 — <@{ALICE}> decides."
            assert reader.answer("/tandem", "sla", ALICE)["text"] == waiting and ahead() == 2  # kept again

            decline = sr.view_submission(
                "overflow_decline_reason",
                {"reason": {"reason": "The landlord paints it in January"}},
                user_id=ALICE,
                private_metadata=json.dumps({"request": 1, "channel": "C0SHARED01", "ts": approval.reply["ts"]}),
            )
            assert sr.post(writer.events_url, *decline)[0] == 200
            standin.wait_for("chat.update")  # the approval message says so once the decision is committed
            assert reader.answer("/tandem", "sla", ALICE)["text"] == "No open handoffs."
    finally:
        reader.close()
