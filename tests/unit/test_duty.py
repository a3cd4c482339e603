"""Who is on duty now: business-hours edges, weekends, holidays, DST and leave with cover."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.ownership.duty import LeavePeriod, on_duty, who_owns

LONDON = ZoneInfo("Europe/London")


def at(*args, tz=LONDON) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_business_hours_edges(example_matrix):
    helpdesk = example_matrix.area("helpdesk")
    internal = ("U0ALICE01", "U0BEN0001", "U0CARA001")
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 24, 7, 59)).people == ("U0TOM0001", "U0SAM0001")
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 24, 8, 0)).people == internal
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 24, 17, 59)).people == internal
    late = on_duty(example_matrix, helpdesk, at(2026, 11, 24, 18, 0))
    assert not late.in_hours and late.parties == ("provider.helpdesk",)


def test_weekend_and_holiday_go_to_after_hours(example_matrix):
    helpdesk = example_matrix.area("helpdesk")
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 28, 11, 0)).people == ("U0TOM0001", "U0SAM0001")  # Saturday
    assert not on_duty(example_matrix, helpdesk, at(2026, 12, 25, 11, 0)).in_hours  # Christmas, a Friday
    assert not on_duty(example_matrix, helpdesk, at(2026, 12, 28, 11, 0)).in_hours  # bank holiday Monday


def test_no_after_hours_cover_says_when_hours_resume(example_matrix):
    licensing = example_matrix.area("licensing")
    duty = on_duty(example_matrix, licensing, at(2026, 11, 27, 19, 0))  # Friday evening
    assert duty.people == () and "nobody for after hours" in duty.note
    assert duty.next_open == at(2026, 11, 30, 8, 0).astimezone(UTC)


def test_dst_change_keeps_local_hours(example_matrix):
    helpdesk = example_matrix.area("helpdesk")
    # Monday after clocks went back (2026-10-25): 08:00 local is 08:00 UTC, 07:30 UTC is still closed
    assert on_duty(example_matrix, helpdesk, datetime(2026, 10, 26, 7, 30, tzinfo=UTC)).in_hours is False
    assert on_duty(example_matrix, helpdesk, datetime(2026, 10, 26, 8, 0, tzinfo=UTC)).in_hours is True
    # Friday before (BST): 07:30 UTC is 08:30 local, open
    assert on_duty(example_matrix, helpdesk, datetime(2026, 10, 23, 7, 30, tzinfo=UTC)).in_hours is True


def test_leave_with_cover_substitutes_the_cover(example_matrix):
    vendors = example_matrix.area("vendors")  # responsible: U0ALICE01 alone
    now = at(2026, 11, 24, 10, 0)
    leave = [LeavePeriod("U0ALICE01", at(2026, 11, 23, 0, 0), at(2026, 11, 28, 0, 0), cover="U0BEN0001")]
    duty = on_duty(example_matrix, vendors, now, leave)
    assert duty.people == ("U0BEN0001",) and duty.away[0].person == "U0ALICE01"
    after = on_duty(example_matrix, vendors, at(2026, 11, 30, 10, 0), leave)
    assert after.people == ("U0ALICE01",) and after.away == ()


def test_leave_without_cover_falls_to_escalation(example_matrix):
    hardware = example_matrix.area("onsite-hardware")  # responsible: internal, escalation Alice
    now = at(2026, 11, 24, 10, 0)
    away = [LeavePeriod(p, at(2026, 11, 1, 0, 0), at(2026, 12, 1, 0, 0)) for p in ("U0BEN0001", "U0CARA001")]
    assert on_duty(example_matrix, hardware, now, away).people == ("U0ALICE01",)
    everyone = [*away, LeavePeriod("U0ALICE01", at(2026, 11, 1, 0, 0), at(2026, 12, 1, 0, 0))]
    duty = on_duty(example_matrix, hardware, now, everyone)
    assert duty.people == () and "escalation" in duty.note


def test_shared_area_pings_the_lead_and_answer_carries_sla(example_matrix):
    answer = who_owns(example_matrix, example_matrix.area("incident-response"), at(2026, 11, 24, 10, 0))
    assert answer.duty.parties == ("provider",)
    assert answer.priority == "P1" and answer.sla.respond.text == "15m" and answer.sla.clock == "24x7"
    assert who_owns(example_matrix, example_matrix.area("backups"), at(2026, 11, 24, 10, 0)).priority == "P3"
