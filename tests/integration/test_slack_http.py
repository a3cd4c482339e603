"""`tandem run` over HTTP, as Slack reaches it: real signed requests, a local Web API stand-in.

One bot process serves the module (SQLite); each test reads what it answered and what it
sent to the stand-in.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import EXAMPLE
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess

CHANNEL = "C0SHARED01"
ALICE, PRIYA = "U0ALICE01", "U0PRIYA01"


@pytest.fixture(autouse=True)
def fresh(standin):
    standin.reset()


def send(bot, request) -> tuple[int, dict]:
    status, _, body = sr.post(bot.events_url, *request)
    try:
        return status, json.loads(body) if body else {}
    except json.JSONDecodeError:
        return status, {"raw": body.decode()}


def command(bot, standin, name: str, text: str, user: str = ALICE, **kw):
    return send(
        bot,
        sr.slash_command(
            name,
            text,
            user_id=user,
            channel_id=CHANNEL,
            response_url=standin.response_url(kw.pop("reply_to", "cmd")),
            **kw,
        ),
    )


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_healthz_answers_when_the_database_does(bot):
    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        body = json.loads(response.read())
    assert response.status == 200 and body["ok"] and body["database"] == "up" and body["scheduler"] == "off"


def test_owner_answers_in_the_acknowledgement(bot, standin):
    status, body = command(bot, standin, "/owner", "backups")
    assert status == 200 and body["response_type"] == "ephemeral"
    text = all_text(body["blocks"])
    assert body["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Backups", "emoji": True}}
    assert "*Accountable*\\n<@U0ALICE01>" in text and "start_handoff" in text and "P3: respond within 4 hours" in text


def test_owner_unknown_and_ambiguous(bot, standin):
    _, unknown = command(bot, standin, "/owner", "coffee machine descaling")
    assert "No area in the matrix matches" in unknown["text"] and "<@U0ALICE01>" in unknown["text"]
    _, ambiguous = command(bot, standin, "/owner", "security")
    assert "could mean more than one area" in ambiguous["text"] and "/owner endpoint-security" in ambiguous["text"]


def test_tandem_help_matrix_and_audit(bot, standin):
    _, help_body = command(bot, standin, "/tandem", "help")
    assert "/owner &lt;thing&gt;" not in all_text(help_body["blocks"]) and "`/owner <thing>`" in all_text(
        help_body["blocks"]
    )
    _, matrix = command(bot, standin, "/tandem", "matrix")
    assert "Responsibility matrix — Harbour & Finch Architects" in all_text(matrix["blocks"])
    _, audit = command(bot, standin, "/tandem", "audit")
    assert "No gaps" in audit["text"]
    _, unknown = command(bot, standin, "/tandem", "frobnicate")
    assert "I didn't understand" in unknown["text"]


def test_cover_is_acknowledged_then_announced_in_channel(bot, standin):
    until = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()  # the bot runs on the real clock
    status, body = command(
        bot, standin, "/tandem", f"cover <@U0BEN0001|ben> until {until} by <@U0CARA001|cara>", reply_to="cover"
    )
    assert status == 200 and body == {}
    [reply] = standin.wait_for_response("cover")
    assert reply.body["response_type"] == "in_channel"
    assert "<@U0BEN0001> is away until" in reply.body["text"] and "<@U0CARA001> covers" in reply.body["text"]


def test_bad_priority_is_explained(bot, standin):
    _, body = command(bot, standin, "/handoff", "P7 printer on fire")
    assert "P7 is not a priority: use P1 (critical) to P4 (low)" in body["text"]


def test_mention_is_answered_in_its_thread(bot, standin):
    request = sr.event_callback(
        sr.app_mention("<@W111> who owns the vpn?", user=ALICE, channel=CHANNEL, ts="1700000000.000100")
    )
    status, _ = send(bot, request)
    assert status == 200
    [call] = standin.wait_for("chat.postMessage")
    assert call["channel"] == CHANNEL and call["thread_ts"] == "1700000000.000100"
    assert "Network and firewall" in all_text(call.blocks)


def test_mention_not_understood_gets_help(bot, standin):
    send(bot, sr.event_callback(sr.app_mention("<@W111> sing me a song", user=ALICE, channel=CHANNEL)))
    [call] = standin.wait_for("chat.postMessage")
    assert "I didn't understand “sing me a song”" in all_text(call.blocks)


def test_retried_event_is_handled_once(bot, standin):
    event = sr.app_mention("<@W111> who owns backups?", user=ALICE, channel=CHANNEL, ts="1700000000.000200")
    first = sr.event_callback(event, event_id="EvRETRY0001")
    retry = sr.event_callback(event, event_id="EvRETRY0001", retry_num=1)
    assert send(bot, first)[0] == 200
    standin.wait_for("chat.postMessage")
    assert send(bot, retry)[0] == 200
    time.sleep(1.0)
    assert len(standin.calls("chat.postMessage")) == 1


def test_retry_whose_original_never_arrived_is_handled(bot, standin):
    event = sr.app_mention("<@W111> who owns patching?", user=ALICE, channel=CHANNEL)
    assert send(bot, sr.event_callback(event, event_id="EvLOST00001", retry_num=2))[0] == 200
    [call] = standin.wait_for("chat.postMessage")
    assert "Patch management" in all_text(call.blocks)


def test_rate_limited_post_is_retried_after_retry_after(bot, standin):
    standin.rate_limit("chat.postMessage", times=1, retry_after=1)
    send(bot, sr.event_callback(sr.app_mention("<@W111> who owns email?", user=ALICE, channel=CHANNEL)))
    calls = standin.wait_for("chat.postMessage", count=2, timeout=10)
    assert [c.status for c in calls] == [429, 200]


def test_start_handoff_button_opens_the_modal(bot, standin):
    request = sr.block_actions(
        "start_handoff",
        "backups",
        user_id=ALICE,
        channel_id=CHANNEL,
        message_ts="1700000000.000300",
        response_url=standin.response_url("btn"),
    )
    assert send(bot, request)[0] == 200
    [call] = standin.wait_for("views.open")
    view = call.view
    assert view["callback_id"] == "handoff_new"
    area = next(b for b in view["blocks"] if b["block_id"] == "area")
    assert area["element"]["initial_option"]["value"] == "backups"


def test_app_home_shows_side_cover_and_gaps(bot, standin):
    send(bot, sr.event_callback(sr.app_home_opened(PRIYA)))
    [call] = standin.wait_for("views.publish")
    assert call["user_id"] == PRIYA
    text = all_text(call.view["blocks"])
    assert "You are on the *Red Kite IT* side (provider) and a matrix admin." in text
    assert "Matrix gaps" in text and "No gaps" in text


def test_forged_and_stale_requests_get_401(bot, standin):
    body, headers = sr.slash_command(
        "/owner",
        "backups",
        user_id=ALICE,
        channel_id=CHANNEL,
        response_url=standin.response_url(),
        secret="not-the-secret",
    )
    assert sr.post(bot.events_url, body, headers)[0] == 401
    stale = sr.slash_command(
        "/owner",
        "backups",
        user_id=ALICE,
        channel_id=CHANNEL,
        response_url=standin.response_url(),
        timestamp=int(time.time()) - 301,
    )
    assert sr.post(bot.events_url, *stale)[0] == 401
    body, headers = sr.slash_command(
        "/owner", "backups", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url()
    )
    tampered = body.replace(b"backups", b"patching")
    assert sr.post(bot.events_url, tampered, headers)[0] == 401
    assert standin.calls() == []


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{not json", "application/json"),
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"", "application/json"),
        (b'{"type": "event_callback"}', "application/json"),
        (b"payload=%7B%22type%22%3A%22block_actions%22%7D", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_get_a_4xx(bot, body, content_type):
    status, _, _ = sr.post(bot.events_url, *sr.signed(body, content_type))
    assert 400 <= status < 500


def test_user_text_cannot_ping_the_channel(bot, standin):
    command(bot, standin, "/handoff", "provider: <!channel> @here restart <@U0SAM0001|sam> now", reply_to="esc")
    root, _thread = standin.wait_for("chat.postMessage", count=2)
    summary = all_text(root.blocks) + root["text"]
    assert "<!channel>" not in summary and "@here" not in summary and "|sam" not in summary
    assert "&lt;!channel&gt;" in summary and "@\\u200bhere" in summary.encode("ascii", "backslashreplace").decode()
    assert "restart <@U0SAM0001> now" in summary  # a person the requester mentioned stays a mention


def test_a_person_mentioned_in_a_summary_is_a_mention_and_urgent_is_no_target(bot, standin):
    _, body = command(bot, standin, "/handoff", "URGENT: email is down for everyone", reply_to="urgent")
    assert "is not in the matrix" not in json.dumps(body)
    root, _ = standin.wait_for("chat.postMessage", count=2)
    assert "*URGENT: email is down for everyone*" in all_text(root.blocks) and "Red Kite IT (provider)" in all_text(
        root.blocks
    )
    standin.reset()
    command(bot, standin, "/handoff", "ask <@U0BEN0001|ben> to sort the dock &amp; the 2 &lt; 3 monitors")
    root, _ = standin.wait_for("chat.postMessage", count=2)
    assert "*ask <@U0BEN0001> to sort the dock &amp; the 2 &lt; 3 monitors*" in all_text(root.blocks)
    assert "&amp;lt;" not in all_text(root.blocks) and "&lt;@U0BEN0001" not in all_text(root.blocks)


@pytest.mark.parametrize(
    "name, text",
    [
        ("/tandem", "frobnicate <!channel> and <@U0SAM0001|sam>: fix it"),
        ("/tandem", "done <!here> evidence"),
        ("/tandem", "cover me until <!everyone>"),
    ],
)
def test_user_text_in_error_messages_is_escaped(bot, standin, name, text):
    status, body = command(bot, standin, name, text, reply_to="err")
    reply = body or standin.wait_for_response("err")[-1].body
    shown = reply["text"] + all_text(reply["blocks"])
    assert status == 200 and "&lt;!" in shown
    assert (
        "<!channel>" not in shown
        and "<!here>" not in shown
        and "<!everyone>" not in shown
        and "<@U0SAM0001" not in shown
    )


def test_other_workspaces_are_refused(standin, tmp_path):
    with BotProcess(standin, f"sqlite:///{tmp_path / 't.db'}", extra_env={"TANDEM_ALLOWED_TEAMS": "T999"}) as other:
        status, body = send(
            other,
            sr.slash_command(
                "/owner", "backups", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url()
            ),
        )
        assert status == 200 and body["response_type"] == "ephemeral"
        assert "not enabled for this workspace" in body["text"]
        send(other, sr.event_callback(sr.app_mention("<@W111> who owns backups?", user=ALICE, channel=CHANNEL)))
        [told] = standin.wait_for("chat.postEphemeral")
        assert told["user"] == ALICE and "TANDEM_ALLOWED_TEAMS" in told["text"]
        click = sr.block_actions(
            "handoff_take",
            "1",
            user_id=ALICE,
            channel_id=CHANNEL,
            message_ts="1700000000.000100",
            response_url=standin.response_url("refused"),
        )
        assert send(other, click)[0] == 200
        [answer] = standin.wait_for_response("refused")
        assert answer.body["response_type"] == "ephemeral" and "not enabled" in answer.body["text"]
        time.sleep(0.5)
        assert standin.calls("chat.postMessage") == [] and standin.calls("chat.update") == []


def test_missing_token_stops_start_up_with_a_clear_message(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert "SLACK_BOT_TOKEN is not set" in run.stderr and "OAuth & Permissions" in run.stderr
    assert "SLACK_SIGNING_SECRET is not set" in run.stderr and "Traceback" not in run.stderr


def test_long_user_text_is_cut_to_fit_not_refused(bot, standin):
    summary = "provider: " + "the label printer in reception jams on every other label " * 100  # ~5,700 characters
    command(bot, standin, "/handoff", summary, reply_to="long")
    root, _ = standin.wait_for("chat.postMessage", count=2)
    assert root.reply["ok"] is True  # the stand-in refuses texts over Slack's limits
    section = next(b for b in root.blocks if b["type"] == "section")
    assert len(section["text"]["text"]) <= 3000 and section["text"]["text"].endswith("…*")


def test_dropped_connection_to_slack_is_retried_after_looking_for_the_post(bot, standin):
    standin.drop_connection("chat.postMessage", times=1)
    send(bot, sr.event_callback(sr.app_mention("<@W111> who owns backups?", user=ALICE, channel=CHANNEL)))
    calls = standin.wait_for("chat.postMessage", count=2, timeout=20)
    assert calls[-1].reply["ok"] is True and "Backups" in all_text(calls[-1].blocks)
    assert [c.method for c in standin.calls()][-3:] == ["chat.postMessage", "conversations.replies", "chat.postMessage"]


def test_times_in_slack_messages_are_date_tokens_each_reader_localises(bot, standin):
    command(bot, standin, "/handoff", "P2 provider: the door badge reader is offline", reply_to="dates")
    root, thread = standin.wait_for("chat.postMessage", count=2)
    respond = next(f["text"] for b in root.blocks for f in b.get("fields", []) if f["text"].startswith("*Respond*"))
    token = re.search(
        r"<!date\^(\d+)\^\{date_short_pretty\} \{time\}\|(\w{3} \d\d \w{3} \d\d:\d\d (GMT|BST))>", respond
    )
    assert token, respond
    assert 0 < int(token.group(1)) - time.time() <= 4 * 86400  # an hour of business time from now
    assert f"Respond by <!date^{token.group(1)}^" in thread["text"]


def _with_markup(path) -> None:
    """The example matrix with Slack markup in the names people wrote into it."""
    text = EXAMPLE.read_text()
    for old, new in (
        ("name: Harbour & Finch Architects", 'name: "Harbour & Finch <!channel> Architects"'),
        ("    name: Harbour & Finch IT", '    name: "H&F IT <!here>"'),
        ("{slack: U0BEN0001, name: Ben Ode}", '{slack: U0BEN0001, name: "Ben <!channel> Ode"}'),
        (
            "    name: Backups\n",
            '    name: "Backups <https://evil.example|click here>"\n    notes: "ring <!here> first"\n',
        ),
        ("aliases: [backup, backup jobs,", 'aliases: [backup, "<!subteam^S0NOC>", backup jobs,'),
        ("name: Backup restore test", 'name: "Backup restore test @everyone"'),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)


def mrkdwn_texts(value, top: bool = True) -> list[str]:
    """Every text Slack reads as markup: message texts, file comments and mrkdwn objects
    (plain_text, as in headers and buttons, is shown as it is and pings nobody)."""
    if isinstance(value, list):
        return [t for item in value for t in mrkdwn_texts(item, top)]
    if not isinstance(value, dict):
        return []
    found = [value["text"]] if isinstance(value.get("text"), str) and (top or value.get("type") == "mrkdwn") else []
    found += [value[k] for k in ("initial_comment",) if isinstance(value.get(k), str)]
    return found + [t for k, v in value.items() if k != "text" or not top for t in mrkdwn_texts(v, False)]


def test_markup_in_matrix_names_never_reaches_slack_as_markup(standin, tmp_path):
    hostile = tmp_path / "hostile.yml"
    _with_markup(hostile)
    with BotProcess(standin, f"sqlite:///{tmp_path / 'h.db'}", matrix=hostile) as other:
        answers = [
            command(other, standin, "/tandem", line, reply_to="hostile")[1]
            for line in ("matrix", "audit", "reviews", "sla", "help")
        ]
        answers += [command(other, standin, "/owner", q, reply_to="hostile")[1] for q in ("backups", "bakup jobz")]
        command(other, standin, "/handoff", "backups: the offsite copy failed", reply_to="hostile")
        command(other, standin, "/tandem", "digest", reply_to="hostile")
        send(other, sr.event_callback(sr.app_home_opened(ALICE)))
        standin.wait_for("views.publish")
        standin.wait_for("chat.postMessage", count=3)  # root message, its thread, the digest
        output = other.stop()
    sent = "\n".join(mrkdwn_texts([c.body for c in standin.calls()] + [r.body for r in standin.responses()] + answers))
    assert "Harbour &amp; Finch &lt;!channel&gt; Architects" in sent and "Backups &lt;https://evil.example" in sent
    assert "H&amp;F IT &lt;!here&gt;" in sent and "ring &lt;!here&gt; first" in sent
    for markup in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<https://evil", "test @everyone"):
        assert markup not in sent, sent[max(0, sent.find(markup) - 300) : sent.find(markup) + 100]
    for field in (
        "name",
        "sides.internal.name",
        "sides.internal.people[1].name",
        "areas[6].name",
        "areas[6].aliases[1]",
    ):
        assert f": {field} = '" in output and "looks like Slack markup" in output, (field, output)


def test_thanks_in_a_mention_gets_a_line_and_on_call_phrasing_an_answer(bot, standin):
    send(bot, sr.event_callback(sr.app_mention("<@W111> thanks!", user=ALICE, channel=CHANNEL, ts="1.000001")))
    [thanks] = standin.wait_for("chat.postMessage")
    assert thanks["thread_ts"] == "1.000001" and "You're welcome." in thanks["text"]
    assert "Tandem help" not in thanks["text"] and "/overflow" not in all_text(thanks.blocks)
    standin.reset()
    send(bot, sr.event_callback(sr.app_mention("<@W111> who’s on call for backups?", user=ALICE, channel=CHANNEL)))
    [answer] = standin.wait_for("chat.postMessage")
    assert answer.blocks[0]["text"]["text"] == "Backups"


def test_an_uninstall_with_one_token_is_acknowledged_and_noted(bot, standin):
    from tests.support import require_shared

    body = json.loads((require_shared() / "connect" / "events" / "app_uninstalled.json").read_text())
    body["event_id"] = sr._unique("Ev0UNINST")
    status = sr.post(bot.events_url, *sr.signed(json.dumps(body).encode(), "application/json"))[0]
    assert status == 200
    bot.wait_for_output("Slack says app_uninstalled for workspace T0MSP00001")
