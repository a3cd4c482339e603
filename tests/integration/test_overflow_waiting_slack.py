"""Overflow held for approval through the real Bolt app, on SQLite and PostgreSQL: the next
morning's digest lists it with who decides (on a matrix that skips quiet mornings, for a
request waiting is not quiet), `/tandem sla` answered from memory counts it at once, and
once it is approved neither shows it any more."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.services.schedule import tick
from tests.conftest import EXAMPLE
from tests.support import slack_requests as sr
from tests.support.slack_app import SlackApp

CHANNEL = "C0SHARED01"
ALICE, BEN, PRIYA = "U0ALICE01", "U0BEN0001", "U0PRIYA01"
WEDNESDAY_10AM = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
THURSDAY_DIGEST = datetime(2026, 12, 3, 8, 31, tzinfo=UTC)
FRIDAY_DIGEST = datetime(2026, 12, 4, 8, 31, tzinfo=UTC)


@pytest.fixture
def database(either_database):
    return either_database


@pytest.fixture
def slack(standin, database, tmp_path):
    standin.reset()
    quiet = tmp_path / "matrix.yml"
    quiet.write_text(EXAMPLE.read_text().replace('digest: {time: "08:30"}', 'digest: {time: "08:30", quiet: skip}'))
    app = SlackApp(standin, database, WEDNESDAY_10AM, quiet, http=True)
    yield app
    app.close()


def said(reply: dict) -> str:
    return reply["text"] + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def daily_digest(slack, standin, at: datetime) -> list[dict]:
    """What the tick at `at` posted as the daily digest (nothing, on a quiet morning)."""
    standin.reset()
    slack.clock.set(at)
    tick(slack.container.deps, at)
    return [c for c in standin.calls("chat.postMessage") if c["text"].startswith("Daily digest")]


def test_a_held_request_is_in_the_digest_and_sla_until_it_is_approved(slack, standin):
    tick(slack.container.deps, WEDNESDAY_10AM)
    assert said(slack.answer("/tandem", "sla", ALICE)).startswith("No open handoffs.")  # kept in memory
    assert "Held for approval" in slack.answer("/overflow", "P3 paint the waiting room", BEN)["text"]
    [approval] = standin.wait_for("chat.postMessage")

    line = f"1 overflow request waits for approval: held #1 — <@{ALICE}> decides."
    for asker in (ALICE, PRIYA):  # the approver, and the provider who waits on the decision
        answer = slack.answer("/tandem", "sla", asker)
        assert answer["text"] == f"No open handoffs. {line}", answer

    [digest] = daily_digest(slack, standin, THURSDAY_DIGEST)  # quiet mornings are skipped: this one is not
    shown = json.dumps(digest.blocks, ensure_ascii=False)
    assert digest["text"].endswith("1 overflow request waits for approval.")
    assert "*Waiting for approval*\\n• *Held request #1* P3 paint the waiting room — asked by " in shown
    assert f"asked by <@{BEN}> <!date^" in shown and "|Wed 02 Dec 10:00 GMT>, out of scope" in shown
    assert f"<@{ALICE}> decides: Approve or Decline on each request's message in this channel." in shown
    assert shown.count(f"<@{ALICE}>") == 1

    standin.reset()
    request = sr.block_actions(
        "overflow_approve",
        "1",
        user_id=ALICE,
        channel_id=CHANNEL,
        message_ts=approval.reply["ts"],
        response_url=standin.response_url("press"),
        message=standin.message(CHANNEL, approval.reply["ts"]),
    )
    assert slack.send(request)[0] == 200
    standin.wait_for("chat.update")
    answer = said(slack.answer("/tandem", "sla", ALICE))
    assert answer.startswith("1 open handoff, 0 breached") and "approval" not in answer, answer

    [after] = daily_digest(slack, standin, FRIDAY_DIGEST)  # the handoff it became is reported instead
    assert after["text"].startswith("Daily digest for Harbour &amp; Finch Architects: 1 open handoff")
    assert "approval" not in after["text"] + json.dumps(after.blocks)


def test_a_declined_request_leaves_a_quiet_morning_quiet(slack, standin):
    slack.answer("/overflow", "P3 paint the waiting room", BEN)
    [approval] = standin.wait_for("chat.postMessage")
    assert "held #1" in slack.answer("/tandem", "sla", ALICE)["text"]
    status, _ = slack.send(
        sr.view_submission(
            "overflow_decline_reason",
            {"reason": {"reason": "The landlord paints it in January"}},
            user_id=ALICE,
            private_metadata=json.dumps({"request": 1, "channel": CHANNEL, "ts": approval.reply["ts"]}),
        )
    )
    assert status == 200
    standin.wait_for("chat.update")
    assert slack.answer("/tandem", "sla", ALICE)["text"] == "No open handoffs."
    assert daily_digest(slack, standin, THURSDAY_DIGEST) == []
