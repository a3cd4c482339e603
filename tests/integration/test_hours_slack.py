"""Hours through signed Slack requests: logged on Resolve (a field in the form), with
`/tandem log`, read with `/tandem hours`, and in the digests."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support import slack_requests as sr

CHANNEL = "C0SHARED01"
ALICE, BEN, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001"
THURSDAY_10AM = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(THURSDAY_10AM)


def open_overflow(slack, standin, text: str = "P3 30 laptops to image by Friday") -> tuple[int, str]:
    reply = slack.answer("/overflow", text, ALICE)
    number = int(reply["text"].split("#")[1].split(" ")[0])
    root = standin.wait_for("chat.postMessage", count=2)[0]
    return number, root.reply["ts"]


def press(slack, standin, action_id: str, number: int, ts: str, user: str) -> None:
    request = sr.block_actions(
        action_id,
        str(number),
        user_id=user,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url("resolve"),
        message=standin.message(CHANNEL, ts),
    )
    assert slack.send(request)[0] == 200


def press_resolve(slack, standin, number: int, ts: str, user: str) -> dict:
    press(slack, standin, "handoff_resolve", number, ts, user)
    return standin.wait_for("views.open")[-1].view


def submit_resolve(slack, view: dict, user: str, note: str, hours: str | None) -> tuple[int, dict]:
    values = {"resolution": {"note": note}}
    if hours is not None:
        values["hours"] = {"hours": hours}
    return slack.send(
        sr.view_submission("handoff_resolve_note", values, user_id=user, private_metadata=view["private_metadata"])
    )


def test_the_provider_logs_hours_in_the_resolve_form(slack, standin):
    number, ts = open_overflow(slack, standin)
    press(slack, standin, "handoff_take", number, ts, SAM)
    standin.wait_for("chat.update")
    view = press_resolve(slack, standin, number, ts, SAM)
    hours = next(b for b in view["blocks"] if b["block_id"] == "hours")
    assert hours["optional"] is True and hours["label"]["text"] == "Hours spent"
    status, body = submit_resolve(slack, view, SAM, "30 laptops imaged and labelled", "6.5h")
    assert (status, body) == (200, {})
    update = standin.wait_for("chat.update", count=2)[-1]
    assert "Resolved" in json.dumps(update.blocks)
    thread = standin.wait_for("chat.postMessage", count=5)[3:]
    assert "resolved it" in thread[0]["text"]
    assert f"<@{SAM}> logged 6.5h on Overflow #{number} · P3 (6.5h on it in all)." == thread[1]["text"]
    hours_now = slack.answer("/tandem", "hours", BEN)
    assert "6.5h of 20h used (20h bank), 13.5h left." in hours_now["text"]
    assert f"6.5h — Overflow #{number}" in json.dumps(hours_now["blocks"], ensure_ascii=False)


def test_hours_it_cannot_read_keep_the_form_open_with_a_note(slack, standin):
    number, ts = open_overflow(slack, standin)
    press(slack, standin, "handoff_take", number, ts, SAM)
    standin.wait_for("chat.update")
    view = press_resolve(slack, standin, number, ts, SAM)
    status, body = submit_resolve(slack, view, SAM, "done", "a while")
    assert status == 200 and body["response_action"] == "errors"
    assert "'a while' is not an amount of time" in body["errors"]["hours"]
    assert len(standin.calls("chat.update")) == 1  # the Take it, not a resolve


def test_the_internal_side_resolves_without_being_asked_for_hours(slack, standin):
    number, ts = open_overflow(slack, standin)
    view = press_resolve(slack, standin, number, ts, ALICE)
    assert [b["block_id"] for b in view["blocks"]] == ["resolution"]


def test_log_and_correct_hours_by_command(slack, standin):
    number, _ = open_overflow(slack, standin)
    logged = slack.answer("/tandem", f"log 1.5h on {number} imaged the first 5", SAM)
    assert f"logged 1.5h on Overflow #{number} · P3 (1.5h on it in all): “imaged the first 5”" in logged["text"]
    assert "November 2026: 1.5h of 20h used (20h bank), 18.5h left." in logged["text"]
    corrected = slack.answer("/tandem", f"log -0.5h on #{number} typo", PRIYA)
    assert "took off 0.5h" in corrected["text"] and "(1h on it in all)" in corrected["text"]
    too_much = slack.answer("/tandem", f"log -2h on {number}", PRIYA)
    assert "Only 1h is logged on" in too_much["text"]
    refused = slack.answer("/tandem", f"log 1h on {number}", BEN)
    assert "only someone of Red Kite IT or an admin logs them" in refused["text"]
    unreadable = slack.answer("/tandem", f"log lots on {number}", SAM)
    assert (
        "'lots' is not an amount of time" in unreadable["text"] and "/tandem log HOURS on NUMBER" in unreadable["text"]
    )
    missing = slack.answer("/tandem", "log 1h on 999", SAM)
    assert "There is no handoff #999" in missing["text"]


def test_over_the_bank_the_digest_warns_with_the_overage_in_money(slack, standin):
    number, _ = open_overflow(slack, standin)
    slack.answer("/tandem", f"log 23h on {number}", SAM)
    standin.reset()
    slack.answer("/tandem", "digest", ALICE)
    [digest] = standin.wait_for("chat.postMessage")
    text = json.dumps(digest.blocks, ensure_ascii=False)
    assert ":warning: *Hours:* 115% of November 2026's used" in text and "3h over the bank = 285.00 GBP" in text
    slack.answer("/tandem", "digest weekly", ALICE)
    weekly = standin.wait_for("chat.postMessage", count=2)[-1]
    assert "*Hours in November 2026:* 23h of 20h used" in json.dumps(weekly.blocks, ensure_ascii=False)
    last = slack.answer("/tandem", "hours october", BEN)
    assert "Hours for October 2026: 0h of 20h used" in last["text"]
