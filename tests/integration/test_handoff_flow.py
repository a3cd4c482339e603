"""The full life of a handoff through signed Slack requests against the stand-in.

Opened by command, mention and modal; acknowledged, taken, waiting, resumed, handed back
and resolved by button; forbidden steps refused with an ephemeral sentence and no change.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support import slack_requests as sr

CHANNEL = "C0SHARED01"
ALICE, BEN, CARA, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0CARA001", "U0PRIYA01", "U0SAM0001"
OUTSIDER = "U0OUTSID1"


@pytest.fixture(autouse=True)
def fresh(standin):
    standin.reset()


def text_of(call) -> str:
    return json.dumps(call.blocks, ensure_ascii=False) + (call.get("text") or "")


def open_by_command(bot, standin, text: str, user: str = ALICE) -> tuple[str, int]:
    request = sr.slash_command(
        "/handoff", text, user_id=user, channel_id=CHANNEL, response_url=standin.response_url("open")
    )
    status, _, body = sr.post(bot.events_url, *request)
    assert status == 200 and body == b""
    root, _thread = standin.wait_for("chat.postMessage", count=2)
    [reply] = standin.wait_for_response("open")
    number = int(reply.body["text"].split("#")[1].split(" ")[0])
    return root.reply["ts"], number


def click(bot, standin, action_id: str, number: int, ts: str, user: str):
    message = standin.message(CHANNEL, ts)
    request = sr.block_actions(
        action_id,
        sr.button_value(message, action_id, str(number)),
        user_id=user,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url("click"),
        message=message,
    )
    assert sr.post(bot.events_url, *request)[0] == 200


def latest_update(standin, version: str, timeout: float = 15.0):
    """The root message once an update shows `version`: a refresh that finds a newer step
    already committed sends that step's state too, so updates are not counted one per step."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = [c for c in standin.calls("chat.update") if version in text_of(c)]
        if shown:
            return shown[-1]
        time.sleep(0.02)
    raise AssertionError(f"no chat.update showed {version}: {[text_of(c)[-80:] for c in standin.calls('chat.update')]}")


def buttons(standin, ts: str) -> list[str]:
    blocks = standin.message(CHANNEL, ts)["blocks"]
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_full_life_by_buttons(bot, standin):
    ts, number = open_by_command(bot, standin, "P2 provider: firewall rule for the new VPN")
    root, thread = standin.calls("chat.postMessage")
    assert root["channel"] == CHANNEL and "firewall rule for the new VPN" in text_of(root)
    assert f"Handoff #{number} · P2" in text_of(root) and "Open" in text_of(root)
    assert thread["thread_ts"] == ts and f"<@{PRIYA}>" in thread["text"] and "Respond by" in thread["text"]
    assert buttons(standin, ts) == ["handoff_acknowledge", "handoff_take", "handoff_hand_back", "handoff_resolve"]

    steps = [
        ("handoff_acknowledge", PRIYA, "Acknowledged", f"<@{PRIYA}> acknowledged it."),
        ("handoff_take", SAM, "In progress", f"<@{SAM}> took it."),
        (
            "handoff_wait",
            SAM,
            "Waiting on requester",
            f"<@{SAM}> is waiting on <@{ALICE}>, who asked; the resolve clock is paused until someone presses Resume.",
        ),
        ("handoff_resume", ALICE, "In progress", f"<@{ALICE}> resumed it."),
        ("handoff_hand_back", SAM, "Handed back", f"<@{SAM}> handed it back. Over to you, <@{ALICE}>."),
    ]
    for count, (action, user, status, said) in enumerate(steps, start=1):
        click(bot, standin, action, number, ts, user)
        update = latest_update(standin, f"· v{count + 1}")  # the version this step made
        assert update["ts"] == ts and status in text_of(update)
        replies = standin.wait_for("chat.postMessage", count=2 + count)
        assert replies[-1]["thread_ts"] == ts and replies[-1]["text"] == said
    assert "paused" not in text_of(standin.calls("chat.update")[-1])
    assert buttons(standin, ts) == ["handoff_acknowledge", "handoff_take", "handoff_resolve"]

    click(bot, standin, "handoff_resolve", number, ts, ALICE)
    [modal] = standin.wait_for("views.open")
    assert modal.view["callback_id"] == "handoff_resolve_note"
    assert json.loads(modal.view["private_metadata"]) == {"handoff": number, "version": 6, "channel": CHANNEL}
    submit = sr.view_submission(
        "handoff_resolve_note",
        {"resolution": {"note": "rule added, tested from home"}},
        user_id=ALICE,
        private_metadata=modal.view["private_metadata"],
    )
    assert sr.post(bot.events_url, *submit)[0] == 200
    final = latest_update(standin, "· v7")
    assert "Resolved" in text_of(final) and "rule added, tested from home" in text_of(final)
    assert buttons(standin, ts) == []
    said = standin.wait_for("chat.postMessage", count=8)[-1]["text"]
    assert said == f"<@{ALICE}> resolved it. “rule added, tested from home”"


def test_forbidden_steps_are_explained_and_change_nothing(bot, standin):
    ts, number = open_by_command(bot, standin, "provider: new laptop build")
    click(bot, standin, "handoff_take", number, ts, OUTSIDER)
    [refusal] = standin.wait_for("chat.postEphemeral")
    assert refusal["user"] == OUTSIDER and "Only people of the two sides" in refusal["text"]
    click(bot, standin, "handoff_acknowledge", number, ts, ALICE)
    refusals = standin.wait_for("chat.postEphemeral", count=2)
    assert "You opened this handoff" in refusals[-1]["text"]
    click(bot, standin, "handoff_take", number, ts, SAM)
    standin.wait_for("chat.update")
    click(bot, standin, "handoff_resolve", number, ts, CARA)  # neither assignee, requester nor admin
    refusals = standin.wait_for("chat.postEphemeral", count=3)
    assert refusals[-1]["user"] == CARA and "resolve" in refusals[-1]["text"].lower()
    time.sleep(0.5)
    assert standin.calls("views.open") == [] and len(standin.calls("chat.update")) == 1


def test_open_by_mention_and_overflow(bot, standin):
    mention = sr.app_mention(
        "<@W111> overflow P2 30 laptops to image by Friday", user=BEN, channel=CHANNEL, ts="1700000001.000100"
    )
    assert sr.post(bot.events_url, *sr.event_callback(mention))[0] == 200
    root, thread, answer = standin.wait_for("chat.postMessage", count=3)
    assert "Overflow #" in text_of(root) and "30 laptops to image by Friday" in text_of(root)
    assert all(f"<@{p}>" in thread["text"] for p in (PRIYA, SAM))
    assert answer["thread_ts"] == "1700000001.000100" and "Opened Overflow #" in text_of(answer)


def test_open_by_modal_from_a_bare_command(bot, standin):
    request = sr.slash_command(
        "/handoff", "", user_id=PRIYA, channel_id=CHANNEL, response_url=standin.response_url("bare")
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    [opened] = standin.wait_for("views.open")
    assert opened.view["callback_id"] == "handoff_new"
    values = {
        "summary": {"summary": "Printer in reception offline"},
        "details": {"details": "Shows error 79"},
        "priority": {"priority": {"type": "static_select", "selected_option": {"value": "P4"}}},
        "area": {"area": {"type": "static_select", "selected_option": {"value": "onsite-hardware"}}},
        "assignee": {"assignee": {"type": "users_select", "selected_user": None}},
    }
    submit = sr.view_submission("handoff_new", values, user_id=PRIYA, private_metadata=json.dumps({"channel": CHANNEL}))
    assert sr.post(bot.events_url, *submit)[0] == 200
    root, _thread = standin.wait_for("chat.postMessage", count=2)
    assert (
        "Printer in reception offline" in text_of(root) and "Shows error 79" in text_of(root) and "P4" in text_of(root)
    )
    assert "On-site hardware and peripherals" in text_of(root)


def test_status_sla_and_export(bot, standin):
    _, number = open_by_command(bot, standin, "P1 incident: suspicious login on the finance laptop")
    standin.reset()
    mention = sr.app_mention(f"<@W111> status {number}", user=ALICE, channel=CHANNEL, ts="1700000002.000100")
    sr.post(bot.events_url, *sr.event_callback(mention))
    [status] = standin.wait_for("chat.postMessage")
    assert status["thread_ts"] == "1700000002.000100" and "suspicious login" in text_of(status)

    body = sr.post(
        bot.events_url,
        *sr.slash_command("/tandem", "sla", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url()),
    )[2]
    listing = json.loads(body)
    assert "open handoffs" in listing["text"] and f"#{number}" in json.dumps(listing["blocks"])

    sr.post(
        bot.events_url,
        *sr.slash_command(
            "/tandem", "export", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url("export")
        ),
    )
    [done] = standin.wait_for_response("export")
    assert "Handoff evidence for Harbour &amp; Finch Architects" in done.body["text"]  # mrkdwn: & escaped
    [complete] = standin.wait_for("files.completeUploadExternal")
    assert complete.arg("channel_id") == CHANNEL
    [upload] = standin.uploads.values()
    content = upload.content.decode() if isinstance(upload.content, bytes) else upload.content
    assert content.startswith("id,kind,priority,area,summary") and "suspicious login" in content


def test_shortcuts_open_the_form(bot, standin):
    assert sr.post(bot.events_url, *sr.global_shortcut("tandem_new_handoff", PRIYA))[0] == 200
    [first] = standin.wait_for("views.open")
    assert first.view["callback_id"] == "handoff_new"
    message = sr.message_shortcut(
        "tandem_handoff_message",
        user_id=ALICE,
        channel_id=CHANNEL,
        response_url=standin.response_url("ms"),
        text="VPN drops every hour for the Leeds office",
    )
    assert sr.post(bot.events_url, *message)[0] == 200
    second = standin.wait_for("views.open", count=2)[-1]
    summary = next(b for b in second.view["blocks"] if b["block_id"] == "summary")
    assert summary["element"]["initial_value"] == "VPN drops every hour for the Leeds office"
    assert json.loads(second.view["private_metadata"]) == {"channel": CHANNEL}


def test_overflow_command_and_digest_now(bot, standin):
    request = sr.slash_command(
        "/overflow",
        "P3 30 laptops to image by Friday",
        user_id=BEN,
        channel_id=CHANNEL,
        response_url=standin.response_url("of"),
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    root, thread = standin.wait_for("chat.postMessage", count=2)
    assert "Overflow #" in text_of(root) and "P3" in text_of(root) and f"<@{PRIYA}>" in thread["text"]
    [opened] = standin.wait_for_response("of")
    assert "Opened Overflow #" in opened.body["text"]
    sr.post(
        bot.events_url,
        *sr.slash_command(
            "/tandem", "digest", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url("dg")
        ),
    )
    digest = standin.wait_for("chat.postMessage", count=3)[-1]
    assert (
        digest["text"].startswith("Daily digest for Harbour &amp; Finch Architects") and "thread_ts" not in digest.body
    )
