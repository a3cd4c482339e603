"""Posts exactly once when Slack misbehaves, through `tandem run` and `tandem tick` against the
stand-in: a handoff's root message is posted only once its row has committed, a post Slack
refused waits in the outbox and is sent by a later tick, a post to a channel Tandem is not in
is held until it is invited, a post whose connection broke after it landed is not made again,
a breach's thread alert and channel post are separate, and nothing is ever given up on."""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from handlers import ids
from tests.support import slack_requests as sr
from tests.support.bot_server import ROOT, BotProcess
from tests.support.slack_methods import BOT_USER_ID
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
ALICE, PRIYA, SAM = "U0ALICE01", "U0PRIYA01", "U0SAM0001"
ADMINS = {"U0ALICE01", "U0PRIYA01"}


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def bot(standin, tmp_path):
    standin.reset()
    with BotProcess(standin, f"sqlite:///{tmp_path / 'tandem.db'}") as process:
        process.db_path = tmp_path / "tandem.db"
        yield process


def rows(bot, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(bot.db_path) as connection:
        return connection.execute(sql, args).fetchall()


def handoff(bot, standin, summary: str, reply_to: str) -> None:
    request = sr.slash_command(
        "/handoff",
        f"provider: {summary}",
        user_id=ALICE,
        channel_id=CHANNEL,
        response_url=standin.response_url(reply_to),
    )
    assert sr.post(bot.events_url, *request)[0] == 200


def tick(bot, at: datetime) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--at", at.isoformat()],
        env=bot.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in run.stderr, run.stderr
    return run.stdout


def _json(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value or {}


def posts(standin, channel: str = CHANNEL) -> list[dict]:
    """Messages the channel shows (threads included), oldest first."""
    return sorted((m for (c, _), m in standin.messages.items() if c == channel), key=lambda m: float(m["ts"]))


def keys(messages: list[dict], prefix: str = "handoff:") -> list[str]:
    """The occurrence keys of these messages that start with `prefix` (the tick posts digests too)."""
    found = [(_json(m.get("metadata")).get("event_payload") or {}).get("occurrence", "") for m in messages]
    return [k for k in found if k.startswith(prefix)]


def test_a_root_message_is_posted_only_once_its_handoff_has_committed(bot, standin):
    seen: list[tuple[int, list]] = []
    post = standin.method_handlers()["chat.postMessage"]

    def checked(call):
        meta = (call.arg("metadata") or {}).get("event_payload") or {}
        if "handoff" in meta:  # another connection sees only what has committed
            seen.append((meta["handoff"], rows(bot, "SELECT id FROM handoffs WHERE id = ?", meta["handoff"])))
        return post(call)

    standin.on("chat.postMessage", checked)
    try:
        handoff(bot, standin, "the scanner is offline", "committed")
        standin.wait_for("chat.postMessage", count=2)
    finally:
        standin.on("chat.postMessage", post)
    assert seen and all(found == [(number,)] for number, found in seen)
    assert rows(bot, "SELECT ts IS NOT NULL FROM handoffs") == [(1,)]


def test_a_refused_post_waits_is_told_and_goes_out_with_a_later_tick_once(bot, standin):
    standin.fail("chat.postMessage", "internal_error")
    handoff(bot, standin, "the plotter is jammed", "refused")
    reply = standin.wait_for_response("refused")[-1]
    assert reply["text"].startswith("Opened Handoff #1")
    assert "The message in the channel is waiting: Slack did not take the message just now" in reply["text"]
    assert rows(bot, "SELECT ts FROM handoffs") == [(None,)]
    assert tick(bot, datetime.now(UTC)).startswith("planned")  # before its back-off: nothing yet
    assert posts(standin) == []
    tick(bot, datetime.now(UTC) + timedelta(minutes=2))
    tick(bot, datetime.now(UTC) + timedelta(minutes=3))
    shown = posts(standin)
    assert keys(shown) == ["handoff:1:root", "handoff:1:opened"]
    assert shown[1]["thread_ts"] == shown[0]["ts"] == rows(bot, "SELECT ts FROM handoffs")[0][0]


def test_not_in_channel_holds_the_post_tells_the_admins_once_and_resumes_when_invited(bot, standin):
    standin.fail("chat.postMessage", "not_in_channel")
    handoff(bot, standin, "the VPN drops", "held")
    reply = standin.wait_for_response("held")[-1]
    assert "I'm not in <#C0SHARED01>: invite me with /invite @tandem" in reply["text"]
    notices = standin.wait_for("chat.postMessage", count=1 + len(ADMINS))[1:]
    assert {n["channel"] for n in notices} == ADMINS and all("<#C0SHARED01>" in n["text"] for n in notices)
    tick(bot, datetime.now(UTC) + timedelta(hours=12))  # held: no tick tries it, however late
    assert keys(posts(standin)) == [] and rows(bot, "SELECT status FROM outbox WHERE kind = 'handoff'") == [("held",)]

    someone = sr.event_callback({"type": "member_joined_channel", "user": SAM, "channel": CHANNEL})
    assert sr.post(bot.events_url, *someone)[0] == 200
    joined = {"type": "member_joined_channel", "user": BOT_USER_ID, "channel": CHANNEL, "channel_type": "C"}
    assert sr.post(bot.events_url, *sr.event_callback(joined))[0] == 200
    standin.wait_for("chat.postMessage", count=3 + len(ADMINS))
    assert sr.post(bot.events_url, *sr.event_callback(joined))[0] == 200  # joining again posts nothing more
    time.sleep(1)
    assert keys(posts(standin)) == ["handoff:1:root", "handoff:1:opened"]
    tried = keys([c.body for c in standin.calls("chat.postMessage")], "")
    assert len([k for k in tried if k.startswith("handoff:")]) == 3  # refused once, then each once
    assert len([k for k in tried if k.startswith("held:")]) == len(ADMINS)


def test_a_post_whose_connection_broke_after_it_landed_is_not_made_again(bot, standin):
    standin.drop_after("chat.postMessage")
    handoff(bot, standin, "the badge reader is dead", "landed")
    standin.wait_for("chat.postMessage", count=2)
    standin.wait_for_response("landed")
    assert keys(posts(standin)) == ["handoff:1:root", "handoff:1:opened"]
    assert "conversations.history" in [c.method for c in standin.calls()]


def test_a_breach_channel_post_that_failed_is_retried_without_repeating_the_thread_alert(bot, standin):
    handoff(bot, standin, "the printer is on fire", "breach")
    standin.wait_for("chat.postMessage", count=2)
    post = standin.method_handlers()["chat.postMessage"]
    failed: list[str] = []

    def channel_post_fails_once(call):
        key = ((call.arg("metadata") or {}).get("event_payload") or {}).get("occurrence")
        if key == "sla:1:respond:breach:channel" and not failed:
            failed.append(call["text"])
            return {"ok": False, "error": "internal_error"}
        return post(call)

    standin.on("chat.postMessage", channel_post_fails_once)
    try:
        late = datetime.now(UTC) + timedelta(days=30)  # whatever the hour now, long past the breach
        tick(bot, late)
        assert failed and keys(posts(standin), "sla:1:respond:") == ["sla:1:respond:breach"]
        for minutes in (1, 2, 5):
            tick(bot, late + timedelta(minutes=minutes))
    finally:
        standin.on("chat.postMessage", post)
    assert keys(posts(standin), "sla:1:respond:") == ["sla:1:respond:breach", "sla:1:respond:breach:channel"]


def test_a_post_that_keeps_failing_backs_off_and_is_never_given_up(bot, standin):
    standin.fail("chat.postMessage", "internal_error", times=100)
    handoff(bot, standin, "the wifi is down", "backoff")
    standin.wait_for_response("backoff")
    start, waits = datetime.now(UTC), []
    at = start
    for _ in range(10):
        retry_at = rows(bot, "SELECT retry_at FROM outbox WHERE kind = 'handoff'")[0][0]
        waits.append(datetime.fromisoformat(retry_at).replace(tzinfo=UTC) - at)
        at = datetime.fromisoformat(retry_at).replace(tzinfo=UTC)
        tick(bot, at)
    assert rows(bot, "SELECT status, attempts FROM outbox WHERE kind = 'handoff'") == [("pending", 11)]
    assert waits[-1] > timedelta(hours=2) and all(a <= b for a, b in itertools.pairwise(waits))
    standin.reset()
    tick(bot, at + timedelta(hours=7))
    assert keys(posts(standin)) == ["handoff:1:root", "handoff:1:opened"]


def acknowledge(bot, standin, ts: str) -> None:
    """Priya presses Acknowledge on the handoff's root message, as it stands in the channel."""
    message = standin.message(CHANNEL, ts)
    request = sr.block_actions(
        ids.ACTION_ACKNOWLEDGE,
        sr.button_value(message, ids.ACTION_ACKNOWLEDGE, ""),
        user_id=PRIYA,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url("ack"),
        message=message,
    )
    assert sr.post(bot.events_url, *request)[0] == 200


def test_a_step_whose_message_did_not_update_says_it_was_done_and_a_tick_updates_it(bot, standin):
    handoff(bot, standin, "the NAS is full", "step")
    root = standin.wait_for("chat.postMessage", count=2)[0]
    standin.fail("chat.update", "internal_error")
    acknowledge(bot, standin, root.reply["ts"])
    told = standin.wait_for("chat.postEphemeral")[-1]
    assert told["text"].startswith("Done, but Slack did not take the message just now")
    assert rows(bot, "SELECT version FROM handoffs") == [(2,)]
    assert "v1" in json.dumps(standin.message(CHANNEL, root.reply["ts"])["blocks"])
    tick(bot, datetime.now(UTC) + timedelta(minutes=2))
    assert "v2" in json.dumps(standin.message(CHANNEL, root.reply["ts"])["blocks"])
    said = [m for m in posts(standin) if m.get("thread_ts") == root.reply["ts"] and "acknowledged" in m["text"]]
    assert len(said) == 1


def test_a_step_killed_before_its_posts_leaves_them_claimed_and_a_tick_past_their_lease_makes_each_once(bot, standin):
    """A button's thread reply and root refresh are claimed in the step's own transaction, and
    their sent marks are written together after both: a process killed while Slack has the
    reply leaves both `sending`, and the tick after their lease finds the reply by its key
    (it landed) and refreshes the root, so each is made once."""
    handoff(bot, standin, "the badge reader at the side door is dead", "open")
    root = standin.wait_for("chat.postMessage", count=2)[0]
    stalled = standin.stall("chat.postMessage")
    acknowledge(bot, standin, root.reply["ts"])
    try:
        assert stalled.arrived.wait(10), "the thread reply never reached Slack"
        step_posts = "SELECT key, status FROM outbox WHERE key LIKE 'handoff:1:v2:%' ORDER BY key"
        assert rows(bot, step_posts) == [("handoff:1:v2:said", "sending"), ("handoff:1:v2:update", "sending")]
        bot.crash()
    finally:
        stalled.release()
    assert not standin.calls("chat.update")
    tick(bot, datetime.now(UTC) + timedelta(minutes=3))
    said = [m for m in posts(standin) if m.get("thread_ts") == root.reply["ts"] and "acknowledged" in m["text"]]
    assert len(said) == 1
    assert len(standin.calls("chat.update")) == 1
    assert "v2" in json.dumps(standin.message(CHANNEL, root.reply["ts"])["blocks"])
    assert rows(bot, "SELECT count(*) FROM outbox WHERE status != 'sent'") == [(0,)]
