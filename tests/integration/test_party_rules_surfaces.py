"""The party rules through the surfaces people use: signed Slack requests and the console.

Each refusal is an ephemeral sentence to the person who tried, and nothing changes: no
message updated, no digest posted, no file shared, no review completed.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from tests.integration.test_console import console
from tests.support import slack_requests as sr

CHANNEL = "C0SHARED01"
ALICE, BEN, CARA, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0CARA001", "U0PRIYA01", "U0SAM0001"
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(TUESDAY_10AM)


def press(slack, standin, action_id: str, number: int, ts: str, user: str) -> None:
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


def test_the_requesting_side_cannot_acknowledge_for_the_provider(slack, standin):
    slack.answer("/handoff", "P2 provider: firewall rule for the new VPN", ALICE)
    root, _thread = standin.wait_for("chat.postMessage", count=2)
    number = int(root["text"].split("#")[1].split(" ")[0])
    for colleague in (BEN, ALICE):
        press(slack, standin, "handoff_acknowledge", number, root.reply["ts"], colleague)
    refusals = {r["user"]: r["text"] for r in standin.wait_for("chat.postEphemeral", count=2)}  # in either order
    assert "Only someone of Red Kite IT (provider) can acknowledge this handoff" in refusals[BEN]
    assert "You opened this handoff, so Red Kite IT (provider) can acknowledge it, not you" in refusals[ALICE]
    assert standin.calls("chat.update") == []
    press(slack, standin, "handoff_acknowledge", number, root.reply["ts"], SAM)
    [update] = standin.wait_for("chat.update")
    assert "Acknowledged" in json.dumps(update.blocks) and f"<@{SAM}>" in json.dumps(update.blocks)


def test_reviews_are_closed_by_their_owners_side(slack, standin):
    refused = slack.answer("/tandem", "done access-review checked 61 accounts", SAM)
    assert refused["response_type"] == "ephemeral"
    assert (
        "Only someone of Harbour &amp; Finch IT (internal), the accountable person <@U0ALICE01> or an admin"
        in (refused["text"])
    )
    done = slack.answer("/tandem", "done access-review checked 61 accounts", BEN)
    assert done["response_type"] == "in_channel" and "completed *Validate all active accounts*" in done["text"]


def test_the_mark_done_button_refuses_before_the_form_opens(slack, standin):
    request = sr.block_actions(
        "review_mark_done",
        "access-review|2026-11-15T10:00:00+00:00",
        user_id=SAM,
        channel_id=CHANNEL,
        message_ts="1700000000.000500",
        response_url=standin.response_url("mark"),
    )
    assert slack.send(request)[0] == 200
    [refusal] = standin.wait_for("chat.postEphemeral")
    assert refusal["user"] == SAM and "can mark 'Validate all active accounts' done" in refusal["text"]
    assert standin.calls("views.open") == []


def test_digest_and_export_are_for_admins(slack, standin):
    for text in ("digest", "export 30d"):
        refused = slack.answer("/tandem", text, BEN)
        assert refused["response_type"] == "ephemeral"
        assert "Only a matrix admin can" in refused["text"] and "<@U0ALICE01> or <@U0PRIYA01>" in refused["text"]
    time.sleep(0.3)
    assert standin.calls("chat.postMessage") == [] and standin.calls("files.getUploadURLExternal") == []
    posted = slack.answer("/tandem", "digest", PRIYA)
    assert "Posted the digest" in posted["text"]
    [digest] = standin.wait_for("chat.postMessage")
    assert digest["text"].startswith("Daily digest for Harbour &amp; Finch Architects")


def test_the_console_applies_the_same_rules(tmp_path):
    script = (
        "/handoff P2 provider: new laptop build\n"
        ":as ben\n"
        ":press acknowledge 1\n"
        "/tandem digest\n"
        ":as sam\n"
        "/tandem done access-review looked\n"
        "/tandem export\n"
        ":press take 1\n"
    )
    run = console(tmp_path, script, "--at", "2026-11-24T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    ben, sam = out.split("Ben Ode> ", 1)[1], out.split("Sam Lee> ", 1)[1]
    assert "Only someone of Red Kite IT (provider) can acknowledge this handoff" in ben
    assert "Only a matrix admin can post a digest: ask @Alice Moss or @Priya Shah." in ben
    assert "can mark 'Validate all active accounts' done" in sam
    assert "Only a matrix admin can export the handoff evidence" in sam
    assert "@Sam Lee took it." in sam
