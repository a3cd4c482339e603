"""Leave you can manage, through signed Slack requests (the clock set) and the console: book it
now or ahead, list it, end or cancel it; every change an audit event, the same rights as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.integration.test_console import console

ALICE, BEN, CARA, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0CARA001", "U0PRIYA01", "U0SAM0001"
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(WEDNESDAY)


def said(reply: dict) -> str:
    return reply["text"] + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def audit(slack) -> list[tuple[str, str, str]]:
    with slack.container.deps.units() as store:
        return [(e.kind, e.actor, e.subject) for e in store.audit_events("harbour-finch", "cover.")]


def test_book_ahead_list_then_the_leave_starts_on_time(slack):
    booked = slack.answer("/tandem", "cover <@U0BEN0001|ben> from next monday until friday by <@U0CARA001|cara>", ALICE)
    assert booked["response_type"] == "in_channel"
    assert booked["text"] == (
        "<@U0BEN0001> will be away from Mon 30 Nov until the end of Fri 04 Dec. <@U0CARA001> covers."
    )
    slack.answer("/tandem", "cover <@U0SAM0001|sam> until tomorrow 13:00 by <@U0TOM0001|tom>", PRIYA)
    listing = said(slack.answer("/tandem", "cover list", SAM))
    assert "*Away now*\\n• <@U0SAM0001> until <!date^" in listing and "covered by <@U0TOM0001>" in listing
    assert "*Booked ahead*\\n• <@U0BEN0001> from Mon 30 Nov until the end of Fri 04 Dec, covered by <@U0CARA001>" in (
        listing
    )
    before = said(slack.answer("/owner", "helpdesk", PRIYA))
    assert "<@U0BEN0001> is away" not in before
    slack.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # Monday 08:00, the leave's first working hour
    during = said(slack.answer("/owner", "helpdesk", PRIYA))
    assert "*On duty now* (business hours): <@U0ALICE01>, <@U0CARA001>" in during
    assert "<@U0BEN0001> is away until the end of Fri 04 Dec, covered by <@U0CARA001>." in during
    slack.clock.set(datetime(2026, 12, 5, 0, 0, tzinfo=UTC))
    assert "Nobody is away now or booked to be." in slack.answer("/tandem", "cover list", SAM)["text"]
    assert audit(slack) == [("cover.set", ALICE, BEN), ("cover.set", PRIYA, SAM)]


def test_end_leave_now_and_cancel_leave_ahead(slack):
    slack.answer("/tandem", "cover <@U0BEN0001|ben> until friday", BEN)
    slack.answer("/tandem", "cover <@U0BEN0001|ben> from 2027-01-04 until 2027-01-08 by <@U0CARA001|cara>", BEN)
    ended = slack.answer("/tandem", "cover end <@U0BEN0001|ben>", CARA)
    assert ended["response_type"] == "in_channel"
    assert ended["text"].startswith("<@U0BEN0001> is back: their leave until the end of Fri 27 Nov ended now.")
    assert "Still booked: from Mon 04 Jan 2027 until the end of Fri 08 Jan 2027" in ended["text"]  # another year
    owner = said(slack.answer("/owner", "helpdesk", PRIYA))
    assert "<@U0ALICE01>, <@U0BEN0001>, <@U0CARA001>" in owner
    cancelled = slack.answer("/tandem", "cover end <@U0BEN0001|ben>", ALICE)
    assert cancelled["text"] == (
        "<@U0BEN0001>'s leave from Mon 04 Jan 2027 until the end of Fri 08 Jan 2027 is cancelled."
    )
    nothing = slack.answer("/tandem", "cover end <@U0BEN0001|ben>", ALICE)
    assert nothing["response_type"] == "ephemeral" and "has no leave under way or booked ahead" in nothing["text"]
    assert [kind for kind, _, _ in audit(slack)] == ["cover.set", "cover.set", "cover.end", "cover.cancel"]


def test_overlaps_rights_and_bad_periods_are_refused_and_change_nothing(slack):
    slack.answer("/tandem", "cover <@U0BEN0001|ben> until friday by <@U0CARA001|cara>", BEN)
    overlap = slack.answer("/tandem", "cover <@U0BEN0001|ben> from thursday until next monday", BEN)
    assert (
        "already has leave booked that overlaps this one: Wed 25 Nov 2026 10:00 to Sat 28 Nov 2026 00:00"
        in (overlap["text"])
    )
    sam = slack.answer("/tandem", "cover end <@U0BEN0001|ben>", SAM)
    assert sam["text"] == "Only <@U0BEN0001>'s own side or a matrix admin can end their leave."
    for text, says in (
        ("cover <@U0CARA001|cara> until 2026-11-01", "'until 2026-11-01' is in the past"),
        ("cover <@U0CARA001|cara> from 2026-12-04 until 2026-12-01", "is before 'from 2026-12-04'"),
        ("cover <@U0CARA001|cara> until someday", "is not a date I can read"),
    ):
        refused = slack.answer("/tandem", text, CARA)
        assert refused["response_type"] == "ephemeral" and says in refused["text"]
    assert audit(slack) == [("cover.set", BEN, BEN)]


def test_the_console_books_lists_and_ends_leave(tmp_path):
    script = (
        "/tandem cover @ben from next monday until next friday 17:00 by @cara\n"
        "/tandem cover @cara from now until tomorrow\n"  # from now: as if no from
        "/tandem cover list\n"
        ":as priya\n"
        "/tandem cover end @cara\n"
        ":as sam\n"
        "/tandem cover end @ben\n"
    )
    run = console(tmp_path, script, "--at", "2026-11-25T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "@Ben Ode will be away from Mon 30 Nov until Fri 04 Dec 17:00 GMT. @Cara Diaz covers." in out
    assert "• @Cara Diaz until the end of Thu 26 Nov, no cover set" in out
    assert "• @Ben Ode from Mon 30 Nov until Fri 04 Dec 17:00 GMT, covered by @Cara Diaz" in out
    assert "@Cara Diaz is back: their leave until the end of Thu 26 Nov ended now." in out
    assert "Only @Ben Ode's own side or a matrix admin can end their leave." in out
