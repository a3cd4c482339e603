"""No write transaction spans a Slack call: through `tandem run`, a post Slack is slow to answer
holds no write lock, so another process writes meanwhile; and the post is still made once.

The stand-in holds the thread reply of `/tandem log` (`SlackStandIn.stall`) until the test has
taken SQLite's write lock itself, in a connection of its own that gives up after 2 s."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess

CHANNEL = "C0SHARED01"
ALICE, SAM = "U0ALICE01", "U0SAM0001"


@pytest.fixture
def bot(standin, tmp_path):
    standin.reset()
    path = tmp_path / "tandem.db"
    with BotProcess(standin, f"sqlite:///{path}") as process:
        process.db_path = path
        yield process


def command(bot, standin, text: str, user: str, name: str) -> list:
    request = sr.slash_command(
        "/tandem" if text.startswith("log") else "/handoff",
        text,
        user_id=user,
        channel_id=CHANNEL,
        response_url=standin.response_url(name),
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    return standin.wait_for_response(name)


def test_a_slow_thread_reply_for_logged_hours_holds_no_write_lock(bot, standin):
    command(bot, standin, "provider: the plotter needs a new drum", ALICE, "opened")
    root = standin.wait_for("chat.postMessage", count=2)[0]
    stalled = standin.stall("chat.postMessage")
    request = sr.slash_command(
        "/tandem",
        "log 1.5h on 1 replaced the drum",
        user_id=SAM,
        channel_id=CHANNEL,
        response_url=standin.response_url("logged"),
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    try:
        assert stalled.arrived.wait(10), "the thread reply never reached Slack"
        other = sqlite3.connect(bot.db_path, timeout=2, isolation_level=None)
        began = time.monotonic()
        other.execute("BEGIN IMMEDIATE")  # another process writes while Slack has not answered
        took = time.monotonic() - began
        other.execute("ROLLBACK")
        other.close()
    finally:
        stalled.release()
    assert took < 1, took
    assert "logged 1.5h" in standin.wait_for_response("logged")[0]["text"]
    replies = [c for c in standin.calls("chat.postMessage") if c.get("thread_ts") == root.reply["ts"]]
    assert [c["text"] for c in replies if "logged 1.5h" in c["text"]] == [
        f"<@{SAM}> logged 1.5h on Handoff #1 · P3 (1.5h on it in all): “replaced the drum”"
    ], [c["text"] for c in replies]
    with sqlite3.connect(bot.db_path) as connection:
        unsent = connection.execute("SELECT key FROM outbox WHERE status != 'sent'").fetchall()
    assert unsent == []


def test_a_slow_root_refresh_holds_no_write_lock_and_the_next_step_still_shows(bot, standin):
    """A button's root refresh is in Slack's hands while another process writes and the next
    step is taken: neither waits for it, and the root ends on the newer version."""
    command(bot, standin, "provider: the plotter needs a new drum", ALICE, "opened")
    root = standin.wait_for("chat.postMessage", count=2)[0]
    ts = root.reply["ts"]

    def press(action_id: str, version: int) -> None:
        request = sr.block_actions(
            action_id,
            f"1:{version}",
            user_id=SAM,
            channel_id=CHANNEL,
            message_ts=ts,
            response_url=standin.response_url(f"{action_id}-{version}"),
            message=standin.message(CHANNEL, ts),
        )
        assert sr.post(bot.events_url, *request)[0] == 200

    stalled = standin.stall("chat.update")
    press("handoff_acknowledge", 1)
    try:
        assert stalled.arrived.wait(10), "the root refresh never reached Slack"
        other = sqlite3.connect(bot.db_path, timeout=2, isolation_level=None)
        began = time.monotonic()
        other.execute("BEGIN IMMEDIATE")
        took = time.monotonic() - began
        other.execute("ROLLBACK")
        other.close()
        press("handoff_take", 2)
        standin.wait_for("chat.postMessage", count=4)  # "took it." said while v2's refresh hangs
    finally:
        stalled.release()
    assert took < 1, took
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        shown = [next(m for m in ("v3", "v2") if f"· {m}" in str(c.blocks)) for c in standin.calls("chat.update")]
        if shown[-1:] == ["v3"]:
            break
        time.sleep(0.05)
    assert shown == ["v2", "v3"], shown  # the stalled v2 first, then v3 by the refresh that held the root
