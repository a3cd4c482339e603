"""Business hours per day: a Saturday morning, a split day. The calendar, SLA clocks, on-duty
answers and digest days all read them; the loader checks them line by line; export round-trips."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import BusinessCalendar, format_week, parse_days
from bot.digests.timing import next_digest_at
from bot.errors import MatrixError
from bot.handoffs.clocks import clocks
from bot.handoffs.model import Handoff
from bot.matrix.export import export_text
from bot.matrix.loader import load_text
from bot.ownership.duty import on_duty
from tests.conftest import EXAMPLE

LONDON = ZoneInfo("Europe/London")
SATURDAYS = BusinessCalendar.weekly(
    "Europe/London",
    [(parse_days("mon-fri"), time(8), time(18)), (parse_days("sat"), time(9), time(13))],
)
SPLIT = BusinessCalendar.weekly(
    "Europe/London",
    [(parse_days("mon-fri"), time(8, 30), time(12, 30)), (parse_days("mon-fri"), time(13, 30), time(17, 30))],
)
PER_DAY = """business_hours:
  - {days: mon-fri, start: "08:00", end: "18:00"}
  - {days: sat, start: "09:00", end: "13:00"}
"""


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_a_saturday_morning_opens_and_closes():
    assert SATURDAYS.is_open(at(2026, 11, 28, 9, 0)) and SATURDAYS.is_open(at(2026, 11, 28, 12, 59))
    assert not SATURDAYS.is_open(at(2026, 11, 28, 13, 0)) and not SATURDAYS.is_open(at(2026, 11, 29, 10, 0))
    assert SATURDAYS.next_open(at(2026, 11, 27, 18, 0)) == at(2026, 11, 28, 9, 0).astimezone(UTC)
    # Friday 17:00 + 4h: an hour on Friday, three on Saturday morning
    assert SATURDAYS.add(at(2026, 11, 27, 17, 0), timedelta(hours=4)) == at(2026, 11, 28, 12, 0).astimezone(UTC)
    assert SATURDAYS.elapsed(at(2026, 11, 27, 17, 0), at(2026, 11, 30, 9, 0)) == timedelta(hours=6)
    assert SATURDAYS.day_length == timedelta(hours=10)  # what most working days have


def test_a_split_day_is_closed_over_lunch():
    assert SPLIT.is_open(at(2026, 11, 24, 12, 29)) and not SPLIT.is_open(at(2026, 11, 24, 13, 0))
    assert SPLIT.next_open(at(2026, 11, 24, 12, 45)) == at(2026, 11, 24, 13, 30).astimezone(UTC)
    assert SPLIT.add(at(2026, 11, 24, 12, 0), timedelta(hours=1)) == at(2026, 11, 24, 14, 0).astimezone(UTC)
    assert SPLIT.elapsed(at(2026, 11, 24, 8, 0), at(2026, 11, 25, 8, 0)) == timedelta(hours=8)
    assert SPLIT.day_length == timedelta(hours=8)


def test_a_split_day_across_the_spring_change_keeps_local_hours():
    sundays = BusinessCalendar.weekly(
        "Europe/London", [(parse_days("sun"), time(9), time(12)), (parse_days("sun"), time(14), time(16))]
    )
    change = (at(2027, 3, 28, 0, 0), at(2027, 3, 29, 0, 0))  # 01:00 GMT becomes 02:00 BST
    assert sundays.elapsed(*change) == timedelta(hours=5)
    assert not sundays.is_open(datetime(2027, 3, 28, 7, 59, tzinfo=UTC))  # 08:59 BST
    assert sundays.is_open(datetime(2027, 3, 28, 8, 0, tzinfo=UTC))  # 09:00 BST opens
    assert not sundays.is_open(datetime(2027, 3, 28, 12, 0, tzinfo=UTC))  # 13:00 BST: lunch
    assert sundays.next_open(datetime(2027, 3, 28, 11, 0, tzinfo=UTC)) == datetime(2027, 3, 28, 13, 0, tzinfo=UTC)


def test_overlapping_openings_are_refused():
    with pytest.raises(ValueError, match="the business hours of sat overlap"):
        BusinessCalendar.weekly(
            "UTC", [(parse_days("mon-sat"), time(8), time(18)), (parse_days("sat"), time(9), time(13))]
        )
    assert format_week([(parse_days("mon-fri"), time(8), time(18)), (parse_days("sat"), time(9), time(13))]) == (
        "mon-fri 08:00–18:00, sat 09:00–13:00"
    )


# --- the matrix: loader, export, duty, SLA clocks, digests ---------------------------------------


def with_hours(hours: str) -> str:
    base = EXAMPLE.read_text()
    line = next(line for line in base.splitlines() if line.startswith("business_hours:"))
    return base.replace(line + "\n", hours)


def test_the_loader_reads_a_list_and_export_round_trips_it():
    matrix = load_text(with_hours(PER_DAY))
    assert [(h.days, h.start, h.end) for h in matrix.business_hours] == [
        (frozenset(range(5)), time(8), time(18)),
        (frozenset({5}), time(9), time(13)),
    ]
    exported = export_text(matrix)
    assert "  - {days: sat, start: 09:00, end: 13:00}" in exported
    assert load_text(exported) == matrix
    single = load_text(EXAMPLE.read_text())
    assert "business_hours: {days: mon-fri, start: 08:00, end: 18:00}" in export_text(single)


def test_the_loader_names_the_line_of_each_problem():
    text = with_hours(
        "business_hours:\n"
        '  - {days: mon-fri, start: "08:00", end: "18:00"}\n'
        '  - {days: saturdays, start: "09:00", end: "13:00"}\n'
        '  - {days: sun, start: "14:00", end: "10:00"}\n'
    )
    with pytest.raises(MatrixError) as raised:
        load_text(text, source="m.yml")
    shown = [str(p) for p in raised.value.problems]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "saturdays" in row)
    assert f"m.yml:{line}: business_hours[1].days = 'saturdays': 'saturdays' is not a set of days" in shown[0]
    assert shown[1].startswith(f"m.yml:{line + 1}: business_hours[2].end = '10:00': business hours must end after")
    overlapping = with_hours(
        'business_hours:\n  - {days: mon-sat, start: "08:00", end: "18:00"}\n  - {days: sat, start: "09:00", end: "13:00"}\n'
    )
    with pytest.raises(MatrixError, match="the business hours of sat overlap"):
        load_text(overlapping)


def test_on_duty_sla_clocks_and_digests_use_the_saturday_morning():
    matrix = load_text(with_hours(PER_DAY))
    helpdesk = matrix.area("helpdesk")
    assert on_duty(matrix, helpdesk, at(2026, 11, 28, 10, 0)).parties == ("internal",)  # Saturday morning
    assert on_duty(matrix, helpdesk, at(2026, 11, 28, 14, 0)).parties == ("provider.helpdesk",)
    opened = Handoff(
        id=1,
        organisation=matrix.organisation,
        kind="handoff",
        summary="Scanner in the post room",
        priority="P2",  # respond 1h on business hours
        requester="U0SAM0001",
        requester_side="provider",
        target_side="internal",
        target="internal",
        opened_at=at(2026, 11, 28, 12, 30),
    )
    state = clocks(opened, matrix, at(2026, 11, 28, 12, 45))
    assert state is not None and state.respond.due_at == at(2026, 11, 30, 8, 30).astimezone(UTC)
    # the daily digest posts on Saturday too, now a working day
    assert next_digest_at(matrix, at(2026, 11, 27, 9, 0)) == at(2026, 11, 28, 8, 30).astimezone(UTC)
    assert date(2026, 11, 28).weekday() in matrix.working_days
