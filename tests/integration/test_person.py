"""`/owner @person`: the areas and rotas a person answers for and their leave or cover now,
through signed Slack requests (the clock set), a mention and the console."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.grammar import parse_command, parse_mention
from tests.integration.test_console import console
from tests.support import slack_requests as sr

ALICE, BEN, SAM, TOM, PRIYA = "U0ALICE01", "U0BEN0001", "U0SAM0001", "U0TOM0001", "U0PRIYA01"
TUESDAY_NIGHT = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # Sam's week on the after-hours rota


@pytest.fixture
def slack(slack_at):
    return slack_at(TUESDAY_NIGHT)


def test_a_mention_asks_about_a_person_and_anything_else_about_an_area():
    assert parse_command("/owner", "<@U0PRIYA01|priya>") == parse_command("/owner", "<@U0PRIYA01>")
    assert parse_command("/owner", "<@U0PRIYA01|priya>").name == "person"
    assert parse_command("/owner", "<@U0PRIYA01|priya>").target == PRIYA
    assert parse_mention("<@W111> who owns <@U0SAM0001|sam>?").target == SAM
    assert parse_command("/owner", "@priya's laptop").name == "owner"  # typed text, not a mention


def test_what_priya_covers_and_her_leave_ahead(slack):
    slack.answer("/tandem", "cover <@U0PRIYA01|priya> from next monday until next friday by <@U0TOM0001|tom>", PRIYA)
    reply = slack.answer("/owner", "<@U0PRIYA01|priya>", BEN)
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert (
        reply["response_type"] == "ephemeral"
        and reply["text"] == "What Priya Shah covers in Harbour &amp; Finch Architects"
    )
    assert "*Accountable*\\nPatch management; Endpoint security and EDR;" in text
    assert "*After hours*\\nBackups (as Red Kite after-hours rota (rota))" in text
    assert "*Escalation contact*\\nHelpdesk and user support; Patch management;" in text
    assert "Patch management (as Red Kite IT (provider))" in text
    assert "*Rota* Red Kite after-hours rota (`rota:ooh`): next turn from <!date^" in text
    assert (
        "In (no leave under way).\\nBooked: away from Mon 30 Nov until the end of Fri 04 Dec, covered by <@U0TOM0001>."
        in text
    )


def test_who_is_away_and_who_stands_in_for_them(slack, standin):
    slack.answer("/tandem", "cover <@U0SAM0001|sam> until friday by <@U0TOM0001|tom>", PRIYA)
    sam = json.dumps(slack.answer("/owner", "<@U0SAM0001>", ALICE)["blocks"])
    assert "on now, until <!date^" in sam and "Away until the end of Fri 27 Nov, covered by <@U0TOM0001>." in sam
    tom = json.dumps(slack.answer("/owner", "<@U0TOM0001>", ALICE)["blocks"])
    assert "Standing in for <@U0SAM0001>, who is away." in tom
    standin.reset()
    mention = sr.app_mention("<@W111> who owns <@U0TOM0001|tom>?", user=ALICE, channel="C0SHARED01", ts="1.0001")
    assert slack.send(sr.event_callback(mention))[0] == 200
    [answer] = standin.wait_for("chat.postMessage")
    assert "What Tom Reyes covers" in json.dumps(answer.blocks) and answer["thread_ts"] == "1.0001"
    outsider = slack.answer("/owner", "<@U0NOBODY1>", ALICE)
    assert outsider["text"] == (
        "<@U0NOBODY1> is not in the matrix of Harbour &amp; Finch Architects, so they hold no role in it: "
        "`/tandem matrix` lists its people."
    )


def test_the_console_answers_for_a_person(tmp_path):
    run = console(tmp_path, "/owner @alice\n", "--at", "2026-11-24T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    assert (
        "What Alice Moss covers" in run.stdout
        and "@Alice Moss — Harbour & Finch IT (internal), a matrix admin" in run.stdout
    )
    assert "Responsible\nHelpdesk and user support (as Harbour & Finch IT (internal));" in run.stdout
