"""Through `tandem run` over HTTP: a signed request replayed inside Slack's five-minute window
acts once; an acknowledgement comes within Slack's 3 s while another process holds the SQLite
write lock; no listener acts before its request is claimed; and the evidence files are only
shared where the organisation's parties are."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from slack_bolt.util.utils import get_name_for_callable
from sqlalchemy import event

from handlers.commands import slash
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess
from tests.support.slack_app import SlackApp
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
ALICE = "U0ALICE01"


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    path = tmp_path_factory.mktemp("once") / "tandem.db"
    with BotProcess(standin, f"sqlite:///{path}") as process:
        process.db_path = path
        yield process


@pytest.fixture(autouse=True)
def fresh(standin):
    standin.reset()


def count(bot, sql: str) -> int:
    with sqlite3.connect(bot.db_path) as connection:
        return connection.execute(sql).fetchone()[0]


def test_a_replayed_signed_command_acts_once(bot, standin):
    before = count(bot, "SELECT count(*) FROM handoffs")
    request = sr.slash_command(
        "/handoff",
        "provider: the replayed one",
        user_id=ALICE,
        channel_id=CHANNEL,
        response_url=standin.response_url("r"),
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    standin.wait_for_response("r")
    assert sr.post(bot.events_url, *request)[0] == 200  # the same bytes, the same signature, a minute later
    time.sleep(1.5)
    assert count(bot, "SELECT count(*) FROM handoffs") == before + 1
    assert len(standin.responses("r")) == 1
    roots = [c for c in standin.calls("chat.postMessage") if not c.get("thread_ts")]
    assert len(roots) == 1


def test_a_read_only_command_writes_no_claim_and_its_replay_reads_again(bot, standin):
    claims = count(bot, "SELECT count(*) FROM processed_events")
    request = sr.slash_command(
        "/owner", "backups", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url("o")
    )
    first = sr.post(bot.events_url, *request)
    again = sr.post(bot.events_url, *request)  # it changes and posts nothing: answered the same
    assert first[0] == again[0] == 200 and b"Backup" in first[2] and again[2] == first[2]
    assert count(bot, "SELECT count(*) FROM processed_events") == claims


def test_a_replayed_button_press_acts_once(bot, standin):
    request = sr.slash_command(
        "/handoff", "provider: pressed twice", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url("p")
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    root = standin.wait_for("chat.postMessage", count=2)[0]
    message = standin.message(CHANNEL, root.reply["ts"])
    press = sr.block_actions(
        "handoff_take",
        sr.button_value(message, "handoff_take", ""),
        user_id="U0PRIYA01",
        channel_id=CHANNEL,
        message_ts=root.reply["ts"],
        response_url=standin.response_url("take"),
        message=message,
    )
    assert sr.post(bot.events_url, *press)[0] == 200
    assert sr.post(bot.events_url, *press)[0] == 200
    time.sleep(2)
    said = [c for c in standin.calls("chat.postMessage") if c.get("thread_ts") == root.reply["ts"]]
    assert len([c for c in said if "took" in c["text"] or "taken" in c["text"]]) == 1, [c["text"] for c in said]
    assert not standin.calls("chat.postEphemeral")  # the replay is not even told it lost


def test_an_event_is_acknowledged_in_time_while_another_process_holds_the_write_lock(bot, standin):
    holder = sqlite3.connect(bot.db_path, isolation_level=None, check_same_thread=False)  # released by the timer
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(8, holder.rollback)
    released.start()
    try:
        event = sr.event_callback(sr.app_mention("<@W111> who owns backups?", user=ALICE, channel=CHANNEL))
        began = time.monotonic()
        status, _, _ = sr.post(bot.events_url, *event)
        took = time.monotonic() - began
    finally:
        released.join()
        holder.close()
    assert took < 3 and status == 200, (took, status)
    body, headers = event  # Slack, had it waited too long, would deliver it again: still once
    assert sr.post(bot.events_url, *sr.signed(body, headers["Content-Type"], retry_num=1))[0] == 200
    replies = standin.wait_for("chat.postMessage", count=1, timeout=20)
    time.sleep(1)
    assert len(replies) == 1 and "Backups" in str(replies[0].blocks)


def test_a_command_is_acknowledged_in_time_while_another_process_holds_the_write_lock(bot, standin):
    holder = sqlite3.connect(bot.db_path, isolation_level=None, check_same_thread=False)  # released by the timer
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(6, holder.rollback)
    released.start()
    request = sr.slash_command(
        "/handoff", "provider: opened while the database is busy", user_id=ALICE, channel_id=CHANNEL,
        response_url=standin.response_url("busy"),
    )  # fmt: skip
    try:
        began = time.monotonic()
        status, _, _ = sr.post(bot.events_url, *request)
        took = time.monotonic() - began
        assert sr.post(bot.events_url, *request)[0] == 200  # replayed while the claim still waits
    finally:
        released.join()
        holder.close()
    assert took < 3 and status == 200, (took, status)
    standin.wait_for_response("busy", timeout=20)
    time.sleep(1.5)
    assert len(standin.responses("busy")) == 1
    assert count(bot, "SELECT count(*) FROM handoffs WHERE summary LIKE '%while the database is busy%'") == 1


def test_every_listener_a_claimed_request_reaches_acts_only_after_its_claim(standin, tmp_path):
    """A signed request's claim is taken with its inbox record, when its lazy work starts: a
    listener that acted in the acknowledgement would act before any claim. So is an event's
    (`LAZY_EVENTS`: every event listener here is lazy), and the read-only answers take no claim."""
    app = SlackApp(standin, f"sqlite:///{tmp_path / 'listeners.db'}", datetime(2026, 12, 1, 10, tzinfo=UTC))
    try:
        acting = [
            get_name_for_callable(listener.ack_function)
            for listener in app.app._listeners
            if not listener.lazy_functions and not listener.auto_acknowledgement
        ]
    finally:
        app.close()
    assert set(acting) == {slash.answer.__name__}, acting


def test_a_mention_is_claimed_with_its_inbox_record_in_the_one_transaction_before_its_acknowledgement(
    standin, tmp_path
):
    """`@tandem who owns backups` writes nothing but its claim and inbox row (its answer is read
    from memory): taken in one transaction, and a redelivery is dropped by that same one."""
    path = tmp_path / "mention.db"
    app = SlackApp(standin, f"sqlite:///{path}", datetime(2026, 12, 1, 10, tzinfo=UTC))
    acknowledging = []
    ours = threading.current_thread()
    event.listen(
        app.db.engine, "begin", lambda _c: acknowledging.append(1) if threading.current_thread() is ours else None
    )
    try:
        mention = sr.app_mention("<@W111> who owns backups?", user=ALICE, channel=CHANNEL)
        assert app.send(sr.event_callback(mention, event_id="EvONCE00001"))[0] == 200
        assert len(acknowledging) == 1
        [answered] = standin.wait_for("chat.postMessage")
        assert "Backups" in answered["text"]
        acknowledging.clear()
        assert app.send(sr.event_callback(mention, event_id="EvONCE00001", retry_num=1))[0] == 200
        assert len(acknowledging) == 1 and len(standin.calls("chat.postMessage")) == 1
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM processed_events WHERE event_id = 'EvONCE00001'").fetchone() == (1,)
            assert db.execute("SELECT count(*) FROM inbox WHERE key = 'EvONCE00001'").fetchone() == (1,)
    finally:
        app.close()


def test_the_handoff_export_is_not_shared_outside_the_organisations_channels(bot, standin):
    request = sr.slash_command(
        "/tandem", "export", user_id=ALICE, channel_id="C0ELSEWHERE", response_url=standin.response_url("x")
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    reply = standin.wait_for_response("x")[-1]
    assert "in <#C0SHARED01> or in a direct message with me" in reply["text"]
    assert not standin.calls("files.getUploadURLExternal") and not standin.calls("files.completeUploadExternal")
