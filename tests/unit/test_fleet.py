"""The fleet: the client needing attention first, when the weekly digest falls due, and how it reads."""

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from bot.digests.fleet import ClientLine, FleetDigest, FleetOccurrence, FleetSchedule, WeekTotals, latest_fleet_digest
from bot.matrix.loader import load_file
from bot.services.home import ClientHome, FleetHome
from handlers.views.blocks import MESSAGE_BLOCKS, SECTION_TEXT, VIEW_BLOCKS
from handlers.views.fleet import fleet_digest_blocks
from handlers.views.home import fleet_home_view
from tests.conftest import EXAMPLE


def line(name: str, **counts) -> ClientLine:
    values = {"open": 0, "at_risk": 0, "breached": 0, "overdue_reviews": 0, "gaps": 0, "hours_left": None}
    return ClientLine(name, name, None, **{**values, **counts})


def test_breaches_come_first_then_risk_reviews_spent_hours_gaps_and_load():
    lines = [
        line("quiet"),
        line("busy", open=9),
        line("gappy", gaps=2),
        line("spent", hours_left=0),
        line("banked", hours_left=600),
        line("late", overdue_reviews=1),
        line("risky", at_risk=1),
        line("breached", breached=1, open=1),
        line("worse", breached=3),
    ]
    order = [x.name for x in sorted(lines, key=lambda x: x.urgency)]
    assert order == ["worse", "breached", "risky", "late", "spent", "gappy", "busy", "banked", "quiet"]


SCHEDULE = FleetSchedule("C0FLEET001", None, 0, time(8, 30), "America/New_York")


def test_the_fleet_digest_falls_due_at_its_local_minute_named_by_its_week():
    before = datetime(2026, 11, 30, 13, 29, tzinfo=UTC)  # 08:29 in New York
    assert latest_fleet_digest(SCHEDULE, before) is None  # last Monday's is over three days old
    due = latest_fleet_digest(SCHEDULE, before + timedelta(minutes=1))
    assert due == FleetOccurrence("fleet:weekly:2026-W49", "2026-W49", datetime(2026, 11, 30, 13, 30, tzinfo=UTC))
    assert latest_fleet_digest(SCHEDULE, datetime(2026, 12, 3, 13, 30, tzinfo=UTC)) == due  # a catch-up, three days on
    assert latest_fleet_digest(SCHEDULE, datetime(2026, 12, 3, 13, 31, tzinfo=UTC)) is None  # stale: next week's next


def test_the_fleet_digest_keeps_its_wall_clock_across_daylight_saving():
    summer = latest_fleet_digest(SCHEDULE, datetime(2026, 7, 6, 12, 30, tzinfo=UTC))  # 08:30 EDT
    assert summer is not None and summer.at == datetime(2026, 7, 6, 12, 30, tzinfo=UTC) and summer.week == "2026-W28"


def fleet_of(count: int, name: str) -> FleetDigest:
    lines = [line(f"{name} {n}", open=n, breached=n % 3, at_risk=n % 5, hours_left=60) for n in range(count)]
    lines = [replace(x, organisation=f"org{n}", channel=f"C0CLIENT{n:03d}") for n, x in enumerate(lines)]
    at = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)
    totals = WeekTotals(12, 9, sum(1 for x in lines if x.breached), sum(1 for x in lines if x.at_risk))
    return FleetDigest("2026-W49", at, "America/New_York", at, lines, totals)


def test_two_hundred_clients_with_long_hostile_names_fit_one_message_and_ping_nobody():
    name = "<!channel> @here Harbour & Finch " + "x" * 300
    text, blocks = fleet_digest_blocks(fleet_of(200, name))
    assert len(blocks) <= MESSAGE_BLOCKS and len(text) <= 3000
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(s) <= SECTION_TEXT for s in sections)
    shown = "\n".join(sections)
    assert all(f"<#C0CLIENT{n:03d}>" in shown for n in range(200))  # every client, each linked to its channel
    everything = json.dumps(blocks) + text
    assert "<!channel>" not in everything and "<!here" not in everything and "<@" not in everything
    assert "@\u200bhere" in shown and "&amp;" in shown
    assert blocks[0]["type"] == "header" and "2026-W49" in blocks[0]["text"]["text"]


def test_the_week_s_totals_lead_and_a_late_digest_says_it_is_a_catch_up():
    digest = fleet_of(3, "Client")
    _, blocks = fleet_digest_blocks(digest)
    assert blocks[1]["text"]["text"].startswith("*This week:* 12 handoffs opened, 9 resolved.")
    assert "3 open, 3 at risk, 3 breached" in blocks[1]["text"]["text"]
    assert "2 of 3 with a breach" in blocks[1]["text"]["text"]
    assert "posted late" not in json.dumps(blocks)
    late = replace(digest, now=digest.at + timedelta(days=2))
    assert "Due Mon 30 Nov, posted late" in json.dumps(fleet_digest_blocks(late)[1])


def test_a_provider_engineers_home_counts_the_clients_past_a_views_hundred_blocks():
    matrix = load_file(EXAMPLE)
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def home(count: int) -> dict:
        entries = [ClientHome(matrix, line(f"client {n:03d}", open=count - n), ()) for n in range(count)]
        return fleet_home_view(FleetHome(tuple(entries), now))

    view = home(150)
    more = view["blocks"][-2]["elements"][0]["text"]
    assert len(view["blocks"]) == VIEW_BLOCKS and more.startswith("…and 55 more clients, the healthiest")
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert "*client 000*" in sections[1] and "*client 094*" in sections[-1]  # worst first, as given
    fits = home(96)
    assert len(fits["blocks"]) == VIEW_BLOCKS and "more clients" not in json.dumps(fits)
