"""Duty at 3 a.m. through signed Slack requests (the Bolt app, the clock set) and the console.

Nobody on duty: the reply and the thread say why and who was pinged instead. Cover chains
reach the first person who is in; a loop is refused with a sentence naming it. No reply or
post ever says it pinged nobody.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tests.conftest import EXAMPLE
from tests.integration.test_console import console
from tests.support import slack_requests as sr

ALICE, BEN, CARA, PRIYA = "U0ALICE01", "U0BEN0001", "U0CARA001", "U0PRIYA01"
SATURDAY_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # London: GMT in November
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
NEVER = re.compile(r'pinged nobody|pinged\s*[.,;]|"\s*: new |nobody on duty now\)', re.IGNORECASE)


@pytest.fixture
def slack(slack_at):
    return slack_at(SATURDAY_NIGHT)


def everything_said(standin) -> str:
    posts = [c.body for c in standin.calls("chat.postMessage")] + [r.body for r in standin.responses()]
    return "\n".join(json.dumps(p, ensure_ascii=False) for p in posts)


def press(slack, standin, root, action_id: str, user: str) -> None:
    """`user` presses the button `action_id` on the handoff message `root` as the channel shows it now."""
    message = standin.message(root["channel"], root.reply["ts"])
    [button] = [
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    ]
    request = sr.block_actions(
        action_id,
        button["value"],
        user_id=user,
        channel_id=root["channel"],
        message_ts=root.reply["ts"],
        message=message,
        response_url=standin.response_url(action_id),
    )
    assert slack.send(request)[0] == 200


def test_saturday_night_flood_pings_the_escalation_contact_and_says_why(slack, standin):
    reply = slack.answer("/handoff", "P1 onsite-hardware: server room is flooding", BEN)
    root, thread = standin.wait_for("chat.postMessage", count=2)
    nobody = "Nobody is on duty for On-site hardware and peripherals now ("
    why = "outside business hours, and the matrix names nobody for after hours); pinged the escalation contacts: <@U0ALICE01>."
    for said in (reply["text"], thread["text"]):
        assert nobody in said and why in said
    assert thread["thread_ts"] == root.reply["ts"] and thread["text"].startswith("<@U0ALICE01>: new handoff")
    assert "Sat 28 Nov 22:00 GMT" in thread["text"]  # the hour, in the date token's fallback
    assert "pinged <@U0ALICE01>" in reply["text"]
    assert not NEVER.search(everything_said(standin))


def test_a_p1_at_night_pings_the_escalation_contacts_besides_the_soc(slack, standin):
    reply = slack.answer("/handoff", "P1 incident: ransomware note on the plotter PC", BEN)
    _root, thread = standin.wait_for("chat.postMessage", count=2)
    assert thread["text"].startswith("<@U0SAM0001>, <@U0NOC0001>, <@U0PRIYA01>, <@U0ALICE01>: new handoff")
    assert (
        "P1 outside business hours, so the escalation contacts are pinged too: <@U0PRIYA01>, <@U0ALICE01>."
        in (reply["text"])
    )


def test_a_holiday_with_everyone_away_still_pings_someone(slack, standin):
    slack.clock.set(datetime(2026, 12, 25, 10, 0, tzinfo=UTC))
    for person in ("<@U0PRIYA01|priya>", "<@U0SAM0001|sam>", "<@U0TOM0001|tom>", "<@U0NOC0001|noc>"):
        slack.answer("/tandem", f"cover {person} until 2026-12-31", PRIYA)
    standin.reset()
    reply = slack.answer("/handoff", "P2 provider: VPN down for the Leeds office", BEN)
    assert "Nobody is on duty for Red Kite IT (provider) now (" in reply["text"]
    assert (
        "a holiday: everyone on duty is away and nobody who covers is in); pinged Red Kite IT's admins though they are away: <@U0PRIYA01>"
        in reply["text"]
    )


def test_cover_chains_reach_the_first_person_in_and_loops_are_refused(slack, standin):
    slack.clock.set(TUESDAY_10AM)
    slack.answer("/tandem", "cover <@U0ALICE01|alice> until 2026-12-31 by <@U0BEN0001|ben>", ALICE)
    slack.answer("/tandem", "cover <@U0BEN0001|ben> until 2026-12-31 by <@U0CARA001|cara>", BEN)
    owner = slack.answer("/owner", "strategy", PRIYA)
    text = json.dumps(owner["blocks"])
    assert "*On duty now* (business hours): <@U0CARA001>" in text
    assert "<@U0ALICE01> is away until" in text and "covered by <@U0CARA001> (through <@U0BEN0001>, away too)." in text
    refused = slack.answer("/tandem", "cover <@U0CARA001|cara> until 2026-12-31 by <@U0ALICE01|alice>", CARA)
    assert refused["response_type"] == "ephemeral"
    assert refused["text"] == (
        "That would close a cover loop: <@U0CARA001> covered by <@U0ALICE01>, <@U0ALICE01> by <@U0BEN0001>, "
        "<@U0BEN0001> by <@U0CARA001>, so nobody in it would be reached. Name someone outside the loop after 'by', "
        "or end one of those covers first (/tandem cover end @who)."
    )
    reply = slack.answer("/handoff", "<@U0ALICE01|alice> sign the new laptop order", PRIYA)
    assert "and pinged <@U0CARA001>." in reply["text"]
    [root] = [c for c in standin.calls("chat.postMessage") if "sign the new laptop order" in c["text"]]
    assert "*To*\\n<@U0CARA001>" in json.dumps(root.blocks)  # addressed to whoever covers, who may take it


def test_a_handoff_to_an_area_of_someone_away_is_the_covers_to_pick_up(slack, standin):
    """Vendors is Alice's alone; she is away and Cara covers: Ben's handoff pings Cara, and Cara may take it."""
    slack.clock.set(TUESDAY_10AM)
    slack.answer("/tandem", "cover <@U0ALICE01|alice> until 2026-12-31 by <@U0CARA001|cara>", ALICE)
    reply = slack.answer("/handoff", "vendors: the ISP contract renewal is due", BEN)
    assert "and pinged <@U0CARA001>." in reply["text"]
    [root] = [c for c in standin.calls("chat.postMessage") if "ISP contract renewal" in c["text"]]
    assert "*To*\\n<@U0CARA001> · Vendor and supplier relations" in json.dumps(root.blocks, ensure_ascii=False)
    press(slack, standin, root, "handoff_take", CARA)
    [update] = standin.wait_for("chat.update")
    assert "*Assignee*\\n<@U0CARA001>" in json.dumps(update.blocks) and standin.calls("chat.postEphemeral") == []


def test_the_console_says_the_same_at_night(tmp_path):
    script = ":as ben\n/handoff P1 onsite-hardware: server room is flooding\n/owner printers\n"
    run = console(tmp_path, script, "--at", "2026-11-28T22:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "pinged the escalation contacts: @Alice Moss." in out
    assert "a handoff now pings the escalation contacts: @Alice Moss." in out
    assert "Business hours resume Mon 30 Nov 08:00 GMT." in out


def test_the_console_gives_the_area_of_someone_away_to_their_cover(tmp_path):
    script = "/tandem cover @alice until friday by @cara\n:as ben\n/handoff vendors: renew the ISP contract\n:as cara\n:press take 1\n"
    run = console(tmp_path, script, "--at", "2026-11-24T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    assert "To: @Cara Diaz · Vendor and supplier relations" in run.stdout
    assert "@Cara Diaz took it." in run.stdout and "can take this handoff" not in run.stdout


def test_the_engineer_on_the_rota_asking_is_told_nobody_else_is_on(tmp_path):
    """Sam holds the after-hours rota the week of 23 Nov and raises a network fault himself."""
    run = console(tmp_path, ":as sam\n/handoff network: the VPN is flapping\n", "--at", "2026-11-24T21:00:00+00:00")
    assert run.returncode == 0, run.stderr
    said = (
        "Nobody else is on duty for Network and firewall now (Tue 24 Nov 21:00 GMT, outside business hours: "
        "the one on duty is the person who asked); pinged the escalation contacts: @Priya Shah."
    )
    assert run.stdout.count(said) == 2  # in the thread and in the reply
    assert "nobody who covers is in" not in run.stdout


def test_a_saturday_morning_is_business_hours_when_the_matrix_says_so(slack_at, tmp_path, standin):
    text = EXAMPLE.read_text().replace(
        'business_hours: {days: mon-fri, start: "08:00", end: "18:00"}',
        'business_hours:\n  - {days: mon-fri, start: "08:00", end: "18:00"}\n  - {days: sat, start: "09:00", end: "13:00"}',
    )
    path = tmp_path / "saturdays.yml"
    path.write_text(text)
    slack = slack_at(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), path)  # Saturday 10:00
    morning = json.dumps(slack.answer("/owner", "printers", PRIYA)["blocks"])
    assert "*On duty now* (business hours): <@U0ALICE01>, <@U0BEN0001>, <@U0CARA001>" in morning
    slack.clock.set(datetime(2026, 11, 28, 13, 30, tzinfo=UTC))
    afternoon = slack.answer("/owner", "printers", PRIYA)
    shown = json.dumps(afternoon["blocks"])
    assert "*On duty now:* nobody. Business hours resume <!date^" in shown and "|Mon 30 Nov 08:00 GMT>" in shown
    reply = slack.answer("/handoff", "P2 onsite-hardware: plotter jammed", PRIYA)
    assert (
        "outside business hours, and the matrix names nobody for after hours); pinged the escalation contacts"
        in (reply["text"])
    )


def test_a_provider_engineer_at_night_pages_the_internal_admins_not_his_own_escalation(slack_at, tmp_path, standin):
    """The only escalation contact of an internal area is the provider's Priya: when the provider's
    Sam reports a fault there at night, the one paged is someone who may pick it up."""
    text = EXAMPLE.read_text().replace(
        "    informed: [provider]\n    escalation: [U0ALICE01]\n",
        "    informed: [provider]\n    escalation: [U0PRIYA01]\n",
    )
    assert text != EXAMPLE.read_text()
    path = tmp_path / "provider_escalation.yml"
    path.write_text(text)
    slack = slack_at(SATURDAY_NIGHT, path)
    asked = {who: json.dumps(slack.answer("/owner", "printers", who)["blocks"]) for who in ("U0SAM0001", BEN)}
    assert "a handoff now pings Harbour &amp; Finch IT's admins: <@U0ALICE01>." in asked["U0SAM0001"]
    assert "a handoff now pings the escalation contacts: <@U0PRIYA01>." in asked[BEN]  # Ben asks his own side's area
    reply = slack.answer("/handoff", "onsite-hardware: the badge reader at the door is dead", "U0SAM0001")
    root, thread = standin.wait_for("chat.postMessage", count=2)
    assert "pinged Harbour &amp; Finch IT's admins: <@U0ALICE01>." in reply["text"]
    assert thread["text"].startswith("<@U0ALICE01>: new handoff") and "U0PRIYA01" not in thread["text"]
    press(slack, standin, root, "handoff_acknowledge", ALICE)
    [update] = standin.wait_for("chat.update")
    assert "<@U0ALICE01>" in json.dumps(update.blocks) and standin.calls("chat.postEphemeral") == []
    assert not NEVER.search(everything_said(standin))


def test_a_digest_asked_for_by_mention_is_refused_to_a_non_admin(slack, standin):
    mention = sr.app_mention("<@W111> digest", user=BEN, channel="C0SHARED01", ts="1.0002")
    assert slack.send(sr.event_callback(mention))[0] == 200
    [said] = standin.wait_for("chat.postMessage")
    assert "Only a matrix admin can post a digest" in said["text"] and said["thread_ts"] == "1.0002"
    assert not any(c["text"].startswith("Daily digest") for c in standin.calls("chat.postMessage"))


def test_a_summary_opening_with_an_area_says_how_to_send_it_to_that_area(slack, standin):
    """`/handoff backups P1 …` goes to the other side as typed; the confirmation says `backups:`
    would have sent it to whoever is on duty for Backups. A named side, an area target and a
    summary that names no area first get no such line."""
    slack.clock.set(TUESDAY_10AM)
    tip = "To send it to whoever is on duty for Backups instead, start it with `backups:`"
    side = slack.answer("/handoff", "backups P1 the nightly job failed", BEN)
    assert "Opened Handoff #1 · P1" in side["text"] and tip in side["text"]
    assert tip in json.dumps(side["blocks"])
    for text in ("provider backups are slow", "backups: the nightly job failed", "please check the backups"):
        assert "To send it to whoever" not in slack.answer("/handoff", text, BEN)["text"]
