"""Rotas through signed Slack requests (the clock set) and the console: /tandem rota, and the
after-hours ping going to whoever's turn it is, or whoever covers them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.integration.test_console import console

ALICE, BEN, SAM, TOM, PRIYA = "U0ALICE01", "U0BEN0001", "U0SAM0001", "U0TOM0001", "U0PRIYA01"
TUESDAY_NIGHT = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # Sam's week on the after-hours rota


@pytest.fixture
def slack(slack_at):
    return slack_at(TUESDAY_NIGHT)


def test_the_rota_command_shows_who_is_on_and_the_next_four_handovers(slack, standin):
    reply = slack.answer("/tandem", "rota ooh", BEN)
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert reply["response_type"] == "ephemeral" and reply["text"] == "On now — Red Kite after-hours rota: <@U0SAM0001>"
    assert "*Red Kite after-hours rota* (`rota:ooh`) — hands over every week on Monday at 09:00" in text
    assert "*On now:* <@U0SAM0001> until <!date^" in text and "Mon 30 Nov 09:00 GMT" in text
    order = [text.index(f"— <@{p}>") for p in (TOM, PRIYA)]
    assert order == sorted(order) and text.count("\\n• ") == 4
    assert (
        "Used by: Backups (after hours), Cloud infrastructure (Azure) (after hours), Network and firewall (after hours)"
        in text
    )
    unknown = slack.answer("/tandem", "rota night", BEN)
    assert unknown["text"] == "There is no rota 'night' in the matrix of Harbour &amp; Finch Architects: rotas: ooh."


def test_leave_on_the_rota_is_shown_and_the_ping_goes_to_the_cover(slack, standin):
    slack.answer("/tandem", "cover <@U0SAM0001|sam> until friday by <@U0TOM0001|tom>", PRIYA)
    shown = json.dumps(slack.answer("/tandem", "rota", BEN)["blocks"])
    assert "*On now:* <@U0SAM0001> until" in shown and "(away: covered by <@U0TOM0001>)" in shown
    standin.reset()
    reply = slack.answer("/handoff", "P2 backups: last night's job failed on the file server", BEN)
    _root, thread = standin.wait_for("chat.postMessage", count=2)
    assert thread["text"].startswith("<@U0TOM0001>: new handoff from <@U0BEN0001>")
    assert "<@U0SAM0001> is away until the end of Fri 27 Nov, covered by <@U0TOM0001>." in reply["text"]
    owner = json.dumps(slack.answer("/owner", "backups", ALICE)["blocks"])
    assert (
        "*On duty now* (after hours): <@U0TOM0001>" in owner
        and "*After hours*\\nRed Kite after-hours rota (rota)" in owner
    )


def test_the_console_shows_the_rota(tmp_path):
    run = console(tmp_path, "/tandem rota\n/owner backups\n", "--at", "2026-11-30T09:30:00+00:00")
    assert run.returncode == 0, run.stderr
    assert "On now: @Tom Reyes until Mon 07 Dec 09:00 GMT" in run.stdout
    assert "On duty now (business hours): @Priya Shah, @Sam Lee, @Tom Reyes, @Red Kite NOC" in run.stdout
