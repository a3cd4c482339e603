"""Overflow outside the contract through signed Slack requests: held with Approve and Decline
for the approver, released or closed by them, refused for anyone else, decided once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from storage.store import Units
from tests.support import slack_requests as sr

CHANNEL = "C0SHARED01"
ALICE, BEN, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001"
WEDNESDAY_10AM = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(WEDNESDAY_10AM)


def held(slack, standin, text: str = "P2 firewall rule for the new VPN") -> tuple[dict, str, dict]:
    """Ben asks for overflow outside the scope: (his reply, the approval message's ts, its blocks)."""
    reply = slack.answer("/overflow", text, BEN)
    [post] = standin.wait_for("chat.postMessage")
    return reply, post.reply["ts"], post.blocks


def press(slack, standin, action_id: str, ts: str, user: str, number: int = 1) -> None:
    request = sr.block_actions(
        action_id,
        str(number),
        user_id=user,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url("press"),
        message=standin.message(CHANNEL, ts),
    )
    assert slack.send(request)[0] == 200


def audit_kinds(slack) -> list[tuple[str, str, str]]:
    with Units(slack.db)() as store:
        return [(e.kind, e.actor, e.subject) for e in store.audit_events("harbour-finch", "overflow.")]


def test_out_of_scope_overflow_is_held_and_the_requester_hears_who_it_waits_for(slack, standin):
    reply, _, blocks = held(slack, standin)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Held for approval: it is not in the contract's scope of work.")
    assert f"Waiting for <@{ALICE}>'s approval" in reply["text"]
    text = json.dumps(blocks)
    assert f"<@{BEN}> asks Red Kite IT" in text and f"Waiting for <@{ALICE}>'s approval" in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("overflow_approve", "1"), ("overflow_decline", "1")]
    assert len(standin.calls("chat.postMessage")) == 1  # no handoff yet: the provider is not pinged
    assert audit_kinds(slack) == [("overflow.held", BEN, "overflow request #1")]


def test_the_approver_approves_and_it_goes_to_the_provider_once(slack, standin):
    _, ts, _ = held(slack, standin)
    press(slack, standin, "overflow_approve", ts, ALICE)
    root, thread, told = standin.wait_for("chat.postMessage", count=4)[1:]
    assert "Overflow #1" in root["text"] and f"<@{BEN}>" in json.dumps(root.blocks)
    assert f"<@{PRIYA}>" in thread["text"] and thread["thread_ts"] == root.reply["ts"]
    [update] = standin.wait_for("chat.update")
    assert update["ts"] == ts and f"Approved by <@{ALICE}>: it is handoff #1 now." in json.dumps(update.blocks)
    assert "overflow_approve" not in json.dumps(update.blocks)
    assert told["thread_ts"] == ts and told["text"].startswith(f"<@{BEN}>: <@{ALICE}> approved your overflow request")
    press(slack, standin, "overflow_approve", ts, ALICE)  # an old message, or a double click
    [again] = standin.wait_for("chat.postEphemeral")
    assert f"<@{ALICE}> already approved this request (it is handoff #1). Your click changed nothing." in again["text"]
    assert len(standin.calls("chat.postMessage")) == 4 and len(standin.calls("chat.update")) == 1
    assert audit_kinds(slack) == [
        ("overflow.held", BEN, "overflow request #1"),
        ("overflow.approve", ALICE, "overflow request #1"),
    ]
    with Units(slack.db)() as store:
        handoff = store.get_handoff("harbour-finch", 1)
    assert handoff is not None and (handoff.requester, handoff.kind, handoff.priority) == (BEN, "overflow", "P2")


@pytest.mark.parametrize("who", [BEN, SAM, PRIYA])
def test_anyone_else_is_refused_and_nothing_changes(slack, standin, who):
    _, ts, _ = held(slack, standin)
    press(slack, standin, "overflow_approve", ts, who)
    press(slack, standin, "overflow_decline", ts, who)
    told = standin.wait_for("chat.postEphemeral", count=2)
    for refusal in told:
        assert refusal["user"] == who and refusal["channel"] == CHANNEL
        assert refusal["text"].startswith(f"Only <@{ALICE}> can approve or decline overflow outside the contract")
    assert not standin.calls("views.open") and not standin.calls("chat.update")
    assert len(standin.calls("chat.postMessage")) == 1
    assert audit_kinds(slack) == [("overflow.held", BEN, "overflow request #1")]


def test_the_approver_declines_with_a_reason_the_requester_reads(slack, standin):
    _, ts, _ = held(slack, standin)
    press(slack, standin, "overflow_decline", ts, ALICE)
    [opened] = standin.wait_for("views.open")
    view = opened.view
    assert view["callback_id"] == "overflow_decline_reason" and view["blocks"][0]["block_id"] == "reason"
    status, body = slack.send(
        sr.view_submission(
            "overflow_decline_reason",
            {"reason": {"reason": "Ben sets up the VPN in house <!channel>"}},
            user_id=ALICE,
            private_metadata=view["private_metadata"],
        )
    )
    assert (status, body) == (200, {})
    [update] = standin.wait_for("chat.update")
    shown = json.dumps(update.blocks, ensure_ascii=False)
    assert f"Declined by <@{ALICE}>: “Ben sets up the VPN in house &lt;!channel&gt;”" in shown
    told = standin.wait_for("chat.postMessage", count=2)[-1]
    assert told["thread_ts"] == ts and told["text"].startswith(f"<@{BEN}>: <@{ALICE}> declined your overflow request")
    assert "<!channel>" not in told["text"]
    press(slack, standin, "overflow_approve", ts, ALICE)
    [again] = standin.wait_for("chat.postEphemeral")
    assert "already declined this request" in again["text"]
    assert len(standin.calls("chat.postMessage")) == 2  # never released to the provider
    assert [k for k, _, _ in audit_kinds(slack)] == ["overflow.held", "overflow.decline"]


def test_in_scope_goes_straight_through_until_the_bank_is_used_up(slack, standin):
    opened = slack.answer("/overflow", "P3 30 laptops to image by Friday", BEN)
    assert opened["text"].startswith("Opened Overflow #1")
    slack.answer("/tandem", "log 20h on 1", SAM)
    again = slack.answer("/overflow", "patch the meeting room PCs", BEN)
    assert again["text"].startswith("Held for approval: the bank of hours for December 2026 is used up.")


def test_a_mention_asks_for_overflow_the_same_way(slack, standin):
    status, _ = slack.send(sr.event_callback(sr.app_mention("overflow rewire the office", BEN, CHANNEL)))
    assert status == 200
    posts = standin.wait_for("chat.postMessage", count=2)
    assert "overflow_approve" in json.dumps(posts[0].blocks)
    assert "Held for approval" in posts[1]["text"]


def test_the_approver_asking_approves_by_asking(slack, standin):
    reply = slack.answer("/overflow", "rewire the office", ALICE)
    assert reply["text"].startswith("Opened Overflow #1")
    assert "you approve such requests, so it went straight to the provider" in reply["text"]
    assert audit_kinds(slack) == [("overflow.approve", ALICE, "handoff #1")]


def test_the_provider_asking_itself_for_overflow_is_told_how_to_hand_work_over(slack, standin):
    """Overflow is the client asking the provider for extra hands: a provider engineer's /overflow
    (by command or mention) opens nothing and says what to use instead."""
    reply = slack.answer("/overflow", "P2 20 laptops to image for the new depot", SAM)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Overflow is how Harbour &amp; Finch IT (internal) asks Red Kite IT (provider)")
    assert "/handoff internal &lt;summary&gt;" in reply["text"]
    mention = sr.app_mention("<@W111> overflow 20 laptops to image", user=PRIYA, channel=CHANNEL, ts="1.0004")
    assert slack.send(sr.event_callback(mention))[0] == 200
    [said] = standin.wait_for("chat.postMessage")
    assert "Overflow is how" in said["text"] and said["thread_ts"] == "1.0004"
    assert len(standin.calls("chat.postMessage")) == 1 and audit_kinds(slack) == []


def test_whoever_covers_the_approver_on_leave_approves_in_their_place(slack, standin):
    """Alice is away until Friday and Ben covers her: his request outside the scope is his to
    approve, as it would be hers, instead of waiting days on someone on holiday."""
    slack.answer("/tandem", f"cover <@{ALICE}|alice> until friday by <@{BEN}|ben>", ALICE)
    reply = slack.answer("/overflow", "P2 firewall rule for the new VPN", BEN)
    assert "you stand in for the approver, who is away, so it went straight to the provider" in reply["text"], reply
    assert audit_kinds(slack) == [("overflow.approve", BEN, "handoff #1")]
