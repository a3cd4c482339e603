"""Nothing acknowledged is lost: `tandem run` killed between Slack's acknowledgement and the
work's commit finishes that work when it starts again, once.

The window is made wide and certain with `TANDEM_FAULT_HOLD_DEFERRED_SECONDS`: every
request's work waits that long after its acknowledgement, so the SIGKILL lands after Slack
heard "done" and before anything was written but the inbox row."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.inbox import LEASE, InboxItem, Settled, working
from storage.db import Database
from storage.store import Units
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess

CHANNEL = "C0SHARED01"
ALICE = "U0ALICE01"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "tandem.db"


def rows(db_path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(sql).fetchall()


def test_handoffs_acknowledged_before_a_sigkill_are_opened_once_after_the_restart(standin, db_path):
    standin.reset()
    bot = BotProcess(
        standin,
        f"sqlite:///{db_path}",
        extra_env={"TANDEM_FAULT_HOLD_DEFERRED_SECONDS": "60", "TANDEM_INBOX_LEASE_SECONDS": "1"},
    )
    summaries = [f"the scanner on floor {n} is offline" for n in range(3)]
    bot.start()
    try:
        for n, summary in enumerate(summaries):
            request = sr.slash_command(
                "/handoff",
                f"provider: {summary}",
                user_id=ALICE,
                channel_id=CHANNEL,
                response_url=standin.response_url(f"h{n}"),
            )
            assert sr.post(bot.events_url, *request)[0] == 200
        # Acknowledged: each is recorded, and nothing else has happened yet.
        assert rows(db_path, "SELECT state, kind, work FROM inbox") == [("pending", "command", "work")] * 3
        assert rows(db_path, "SELECT count(*) FROM handoffs") == [(0,)]
        bot.crash()
        assert not standin.calls("chat.postMessage") and not standin.responses()
        bot.env["TANDEM_FAULT_HOLD_DEFERRED_SECONDS"] = "0"
        bot.start()
        roots = [c for c in standin.wait_for("chat.postMessage", count=6, timeout=20) if not c.get("thread_ts")]
        for n in range(3):
            standin.wait_for_response(f"h{n}")
    finally:
        bot.stop()
    assert sorted(r[0] for r in rows(db_path, "SELECT summary FROM handoffs")) == sorted(summaries)
    assert rows(db_path, "SELECT DISTINCT state FROM inbox") == [("done",)]
    assert rows(db_path, "SELECT count(*) FROM outbox WHERE status != 'sent'") == [(0,)]
    assert len(roots) == 3 and len(standin.calls("chat.postMessage")) == 6
    assert sorted(len(standin.responses(f"h{n}")) for n in range(3)) == [1, 1, 1]
    assert "Traceback" not in bot.output()


def test_a_request_run_again_after_its_work_committed_changes_nothing(db_path):
    """The work's commit finishes its inbox row; a second run of the same request (its lease
    ran out while the first was still at it) is rolled back whole."""
    db = Database(f"sqlite:///{db_path}")
    db.upgrade()
    units, clock = Units(db), FixedClock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    item = InboxItem("signed:v0=abc", "command", "T0TANDEM01", "work", {"command": "/handoff"}, 1)
    with units() as store:
        assert store.record_request(item, clock.now(), LEASE)
    with working(item.key, clock) as first, units() as store:
        store.claim_request("first run's change", clock.now())
    with pytest.raises(Settled), working(item.key, clock), units() as store:
        store.claim_request("second run's change", clock.now())
    assert first.settled
    assert rows(db_path, "SELECT state FROM inbox") == [("done",)]
    assert rows(db_path, "SELECT event_id FROM processed_events") == [("first run's change",)]
    with units() as store:
        assert store.claim_requests(clock.now() + LEASE * 2, LEASE, 10) == []
    db.dispose()


def test_a_mention_whose_process_died_after_its_reply_landed_is_not_answered_twice(standin, db_path):
    """Killed while Slack holds the reply, the mention is run again from the inbox after its
    lease: it finds the reply by its key in the thread and posts nothing more."""
    standin.reset()
    bot = BotProcess(standin, f"sqlite:///{db_path}", extra_env={"TANDEM_INBOX_LEASE_SECONDS": "1"})
    bot.start()
    stalled = standin.stall("chat.postMessage")
    try:
        mention = sr.app_mention("who owns backups?", user=ALICE, channel=CHANNEL)
        assert sr.post(bot.events_url, *sr.event_callback(mention, event_id="Ev0DIEDAFTER"))[0] == 200
        assert stalled.arrived.wait(10), "the reply never reached Slack"
        bot.crash()
        stalled.release()
        standin.wait_for("chat.postMessage")  # the reply lands once the stall lets it go
        assert rows(db_path, "SELECT state FROM inbox") == [("pending",)]
        bot.start()
        for _ in range(100):
            if rows(db_path, "SELECT state FROM inbox") == [("done",)]:
                break
            time.sleep(0.1)
    finally:
        stalled.release()
        bot.stop()
    assert rows(db_path, "SELECT state FROM inbox") == [("done",)]
    replies = [c for c in standin.calls("chat.postMessage") if "Backups" in c["text"]]
    assert len(replies) == 1, [c["text"] for c in replies]
    assert standin.calls("conversations.replies"), "the run again never looked for its reply"
