"""Leave and rota turns across the spring clock change, through signed Slack requests.

London springs forward on Sunday 28 March 2027. Leave booked ahead by day starts and ends at
local midnight either side of it, and the after-hours rota hands over at 09:00 local on the
Monday after, which is 08:00 UTC. The domain states the same with plain values
(tests/unit/test_leave.py, tests/unit/test_rota.py); this is what people see in Slack.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

ALICE, BEN, CARA, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0CARA001", "U0PRIYA01", "U0SAM0001"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(utc(2027, 3, 20, 12, 0))  # a Saturday, a week before the change


def said(reply: dict) -> str:
    return reply["text"] + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def test_leave_booked_ahead_starts_and_ends_at_local_midnight_across_the_change(slack):
    booked = slack.answer(
        "/tandem", "cover <@U0BEN0001|ben> from 2027-03-27 until 2027-03-30 by <@U0CARA001|cara>", BEN
    )
    assert booked["text"] == (
        "<@U0BEN0001> will be away from Sat 27 Mar until the end of Tue 30 Mar. <@U0CARA001> covers."
    )
    slack.clock.set(utc(2027, 3, 26, 23, 59))  # Friday 23:59 GMT: not yet
    assert "<@U0BEN0001>" not in said(slack.answer("/tandem", "cover list", ALICE)).split("Booked ahead")[0]
    slack.clock.set(utc(2027, 3, 30, 7, 0))  # Tuesday 08:00 BST: in hours, Cara stands in
    during = said(slack.answer("/owner", "helpdesk", PRIYA))
    assert "*On duty now* (business hours): <@U0ALICE01>, <@U0CARA001>" in during
    assert "<@U0BEN0001> is away until the end of Tue 30 Mar, covered by <@U0CARA001>." in during
    slack.clock.set(utc(2027, 3, 30, 22, 59))  # Tuesday 23:59 BST: still away
    assert "*Away now*\\n• <@U0BEN0001>" in said(slack.answer("/tandem", "cover list", ALICE))
    slack.clock.set(utc(2027, 3, 30, 23, 0))  # Wednesday 00:00 BST, an hour before midnight UTC: back
    assert "Nobody is away now or booked to be." in slack.answer("/tandem", "cover list", ALICE)["text"]


def test_the_rota_hands_over_at_nine_local_on_the_monday_after_the_change(slack):
    slack.clock.set(utc(2027, 3, 29, 7, 59))  # 08:59 BST
    before = said(slack.answer("/tandem", "rota ooh", ALICE))
    assert "*On now:* <@U0PRIYA01> until <!date^1806307200^" in before  # 2027-03-29T08:00:00Z
    assert "|Mon 29 Mar 09:00 BST>" in before
    slack.clock.set(utc(2027, 3, 29, 8, 0))  # 09:00 BST: Sam's week
    assert "*On now:* <@U0SAM0001> until <!date^1806912000^" in said(slack.answer("/tandem", "rota ooh", ALICE))
    slack.answer("/tandem", "cover <@U0SAM0001|sam> until 2027-04-02 by <@U0TOM0001|tom>", PRIYA)
    slack.clock.set(utc(2027, 3, 29, 21, 0))  # Monday 22:00 BST, after hours: backups go to the rota
    night = said(slack.answer("/owner", "backups", ALICE))
    assert "*On duty now* (after hours): <@U0TOM0001>" in night
    assert "<@U0SAM0001> is away until the end of Fri 02 Apr, covered by <@U0TOM0001>." in night
