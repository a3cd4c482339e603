"""Leave as people book it: the words for when, the period they make, and DST at both ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.errors import TandemError
from bot.grammar import GrammarError, parse_command
from bot.ownership.cover import LeavePeriod
from bot.ownership.duty import on_duty
from bot.ownership.when import When, read_when
from bot.services.cover import leave_period

WEDNESDAY = date(2026, 11, 25)
BEN, CARA = "U0BEN0001", "U0CARA001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24", When(date(2026, 12, 24))),
        ("2026-12-24 17:00", When(date(2026, 12, 24), time(17))),
        ("2026-12-24T17:00", When(date(2026, 12, 24), time(17))),
        ("24 Dec", When(date(2026, 12, 24))),
        ("24 December 5pm", When(date(2026, 12, 24), time(17))),
        ("5 Jan", When(date(2027, 1, 5))),  # passed this year: next year's
        ("today", When(WEDNESDAY)),
        ("tomorrow", When(date(2026, 11, 26))),
        ("tomorrow at 13:30", When(date(2026, 11, 26), time(13, 30))),
        ("friday", When(date(2026, 11, 27))),
        ("Wed", When(date(2026, 12, 2))),  # a weekday is the next one after today
        ("next monday", When(date(2026, 11, 30))),
        ("next friday", When(date(2026, 12, 4))),  # the Friday of next week, not this one
        ("next week", When(date(2026, 11, 30))),
        ("in 3 days", When(date(2026, 11, 28))),
        ("in 2 weeks", When(date(2026, 12, 9))),
        ("in a week", When(date(2026, 12, 2))),
        ("17:00", When(WEDNESDAY, time(17))),
    ],
)
def test_the_words_people_use(text, expected):
    assert read_when(text, WEDNESDAY) == expected


def test_a_weekday_ending_leave_counts_from_its_start():
    assert read_when("friday", WEDNESDAY, on_or_after=date(2026, 11, 30)) == When(date(2026, 12, 4))
    assert read_when("monday", WEDNESDAY, on_or_after=date(2026, 11, 30)) == When(date(2026, 11, 30))


@pytest.mark.parametrize("text", ["someday", "the 35th", "next blursday", "soon-ish"])
def test_unreadable_words_say_what_is_accepted(text):
    with pytest.raises(ValueError, match="2026-12-24 17:00"):
        read_when(text, WEDNESDAY)


def test_the_grammar_reads_from_until_and_by():
    cmd = parse_command("/tandem", "cover <@U0BEN0001|ben> from next monday until friday 17:00 by <@U0CARA001|cara>")
    assert (cmd.name, cmd.person, cmd.start, cmd.until, cmd.by) == (
        "cover",
        "<@U0BEN0001|ben>",
        "next monday",
        "friday 17:00",
        "<@U0CARA001|cara>",
    )
    assert parse_command("/tandem", "cover list").name == "cover_list"
    assert parse_command("/tandem", "cover").name == "cover_list"
    end = parse_command("/tandem", "cover end <@U0BEN0001|ben>")
    assert (end.name, end.person) == ("cover_end", "<@U0BEN0001|ben>")
    with pytest.raises(GrammarError, match="/tandem cover @who \\[from WHEN\\] until WHEN"):
        parse_command("/tandem", "cover @ben next week")


# --- the period the words make (Europe/London) ---------------------------------------------------

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday, GMT


def period(example_matrix, until: str, start: str | None = None, now: datetime = NOW) -> LeavePeriod:
    return leave_period(example_matrix, BEN, start, until, CARA, now)


def test_from_now_until_the_end_of_a_day_or_a_given_time(example_matrix):
    assert period(example_matrix, "friday") == LeavePeriod(BEN, NOW, datetime(2026, 11, 28, tzinfo=UTC), CARA)
    assert period(example_matrix, "2026-12-24 17:00").ends_at == datetime(2026, 12, 24, 17, tzinfo=UTC)
    assert period(example_matrix, "today").ends_at == datetime(2026, 11, 26, tzinfo=UTC)


def test_leave_booked_ahead(example_matrix):
    week = period(example_matrix, "friday", start="next monday")
    assert (week.starts_at, week.ends_at) == (datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC))
    afternoon = period(example_matrix, "tomorrow 17:30", start="tomorrow 13:00")
    assert afternoon.starts_at == datetime(2026, 11, 26, 13, tzinfo=UTC)
    assert period(example_matrix, "friday", start="today").starts_at == NOW  # today: from now
    assert period(example_matrix, "friday", start="now") == period(example_matrix, "friday")
    assert period(example_matrix, "17:00", start="Right now").starts_at == NOW


@pytest.mark.parametrize(
    ("start", "until", "says"),
    [
        (None, "2026-11-20", "'until 2026-11-20' is in the past"),
        (None, "09:00", "'until 09:00' is in the past"),
        ("2026-11-20", "friday", "'from 2026-11-20' is in the past"),
        ("friday", "2026-11-26", "'until 2026-11-26' is before 'from friday'"),
        (None, "2029-01-01", "is too far ahead"),
        (None, "9999-12-31", "9999-12-31 is too far ahead"),
        ("9999-12-30", "9999-12-31", "9999-12-30 is too far ahead"),
        (None, "in 99999999999 weeks", "further ahead than any calendar"),
        (None, "whenever", "is not a date I can read"),
    ],
)
def test_periods_that_make_no_sense_are_refused_with_a_sentence(example_matrix, start, until, says):
    with pytest.raises(TandemError, match=says):
        period(example_matrix, until, start)


def test_future_leave_starts_and_ends_on_time_across_a_dst_change(example_matrix):
    """London springs forward on Sun 28 Mar 2027 (Easter: Fri 26 and Mon 29 are holidays).
    Leave booked ahead from Saturday to Tuesday is local days at both ends."""
    booked_on = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    leave = period(example_matrix, "2027-03-30", start="2027-03-27", now=booked_on)
    assert leave.starts_at == datetime(2027, 3, 27, 0, 0, tzinfo=UTC)  # midnight GMT
    assert leave.ends_at == datetime(2027, 3, 30, 23, 0, tzinfo=UTC)  # midnight BST, an hour earlier in UTC
    helpdesk = example_matrix.area("helpdesk")  # internal in hours: Ben is one of them
    internal = ("U0ALICE01", BEN, CARA)
    assert on_duty(example_matrix, helpdesk, datetime(2027, 3, 26, 23, 59, tzinfo=UTC), [leave]).away == ()
    tuesday = on_duty(example_matrix, helpdesk, datetime(2027, 3, 30, 7, 0, tzinfo=UTC), [leave])  # 08:00 BST
    assert tuesday.in_hours and tuesday.people == ("U0ALICE01", CARA) and tuesday.away[0].by == CARA
    assert leave.covers(datetime(2027, 3, 30, 22, 59, tzinfo=UTC)) and not leave.covers(leave.ends_at)
    wednesday = on_duty(example_matrix, helpdesk, datetime(2027, 3, 31, 7, 0, tzinfo=UTC), [leave])
    assert wednesday.people == internal and wednesday.away == ()


def test_a_timed_end_in_the_autumn_change_is_read_on_the_local_clock(example_matrix):
    """London falls back on Sun 25 Oct 2026; 17:00 on the Monday after is 17:00 GMT."""
    leave = period(example_matrix, "2026-10-26 17:00", start="2026-10-23 09:00", now=datetime(2026, 10, 1, tzinfo=UTC))
    assert leave.starts_at == datetime(2026, 10, 23, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert leave.ends_at == datetime(2026, 10, 26, 17, 0, tzinfo=UTC)  # 17:00 GMT
