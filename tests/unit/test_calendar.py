"""Business calendars, to the minute: edges of the day, weekends, holidays and clock changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import AlwaysOpen, BusinessCalendar, as_utc, format_days, parse_days

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
HOLIDAYS = frozenset({date(2026, 12, 25), date(2026, 12, 28)})  # a Friday and the Monday after
CAL = BusinessCalendar("Europe/London", frozenset(range(5)), time(8), time(18), HOLIDAYS)
NY_CAL = BusinessCalendar("America/New_York", frozenset(range(5)), time(9), time(17))


def lon(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def ny(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=NEW_YORK)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


H = timedelta(hours=1)
M = timedelta(minutes=1)


# --- days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("MON-Fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        (" mon , wed ,fri ", {0, 2, 4}),
        ("sat-sun", {5, 6}),
        ("mon-sun", set(range(7))),
        ("daily", set(range(7))),
        ("Weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("weekdays,sat", {0, 1, 2, 3, 4, 5}),
        ("fri-mon", {4, 5, 6, 0}),
        ("sun", {6}),
        ("monday-thursday", {0, 1, 2, 3}),
        ("mon-wed,fri", {0, 1, 2, 4}),
    ],
)
def test_parse_days(text, expected):
    assert parse_days(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["", "mon-", "funday", "mon-fri-sat", "1-5", "mon;tue", "mon,,tue"])
def test_parse_days_rejects_with_a_sentence_saying_what_is_accepted(text):
    with pytest.raises(ValueError) as caught:
        parse_days(text)
    message = str(caught.value)
    assert "mon-fri" in message and "mon,wed,fri" in message and "daily" in message


@pytest.mark.parametrize(
    "days, text",
    [
        ({0, 1, 2, 3, 4}, "mon-fri"),
        ({0, 2, 4}, "mon,wed,fri"),
        ({5, 6}, "sat,sun"),
        (set(range(7)), "mon-sun"),
        ({0, 1, 2, 4, 5, 6}, "mon-wed,fri-sun"),
        ({3}, "thu"),
    ],
)
def test_format_days(days, text):
    assert format_days(frozenset(days)) == text


def test_format_days_round_trips_every_set_of_days():
    for size in range(1, 8):
        for combo in itertools.combinations(range(7), size):
            days = frozenset(combo)
            assert parse_days(format_days(days)) == days


@pytest.mark.parametrize("days", [frozenset(), frozenset({7}), frozenset({-1, 2})])
def test_format_days_rejects_what_is_not_a_set_of_weekdays(days):
    with pytest.raises(ValueError):
        format_days(days)


# --- construction ---------------------------------------------------------------------------


def test_properties():
    assert CAL.tz == LONDON
    assert CAL.day_length == timedelta(hours=10)
    assert NY_CAL.day_length == timedelta(hours=8)
    assert AlwaysOpen().day_length == timedelta(hours=24)


def test_holidays_and_days_given_as_tuples_are_stored_as_frozensets():
    cal = BusinessCalendar("Europe/London", (0, 1), time(8), time(18), (date(2026, 12, 25),))
    assert cal.days == frozenset({0, 1}) and cal.holidays == frozenset({date(2026, 12, 25)})
    same = BusinessCalendar("Europe/London", frozenset({0, 1}), time(8), time(18), frozenset({date(2026, 12, 25)}))
    assert cal == same and hash(cal) == hash(same)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"timezone": ""}, "time zone"),
        ({"days": frozenset()}, "weekdays"),
        ({"days": frozenset({7})}, "weekdays"),
        ({"start": time(18), "end": time(8)}, "end after"),
        ({"start": time(9), "end": time(9)}, "end after"),
        ({"start": time(8, tzinfo=UTC)}, "wall-clock"),
    ],
)
def test_invalid_calendars_are_refused(kwargs, fragment):
    fields = {"timezone": "Europe/London", "days": frozenset(range(5)), "start": time(8), "end": time(18)} | kwargs
    with pytest.raises(ValueError, match=fragment):
        BusinessCalendar(**fields)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_open(datetime(2026, 1, 5, 9)),
        lambda c: c.next_open(datetime(2026, 1, 5, 9)),
        lambda c: c.add(datetime(2026, 1, 5, 9), H),
        lambda c: c.elapsed(datetime(2026, 1, 5, 9), utc(2026, 1, 5, 10)),
        lambda c: c.elapsed(utc(2026, 1, 5, 9), datetime(2026, 1, 5, 10)),
    ],
)
@pytest.mark.parametrize("calendar", [CAL, AlwaysOpen()], ids=["business", "24x7"])
def test_naive_datetimes_are_refused(calendar, call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(calendar)


def test_as_utc_converts_any_zone():
    assert as_utc(lon(2026, 7, 1, 9)) == utc(2026, 7, 1, 8)
    assert as_utc(lon(2026, 7, 1, 9)).tzinfo is UTC


# --- is_open / next_open ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "at, expected",
    [
        (lon(2026, 1, 5, 7, 59), False),  # Monday
        (lon(2026, 1, 5, 8, 0), True),
        (lon(2026, 1, 5, 17, 59), True),
        (lon(2026, 1, 5, 18, 0), False),
        (lon(2026, 1, 10, 12, 0), False),  # Saturday
        (lon(2026, 1, 11, 12, 0), False),  # Sunday
        (lon(2026, 12, 25, 12, 0), False),  # holiday (Friday)
        (lon(2026, 12, 28, 12, 0), False),  # holiday (Monday)
        (lon(2026, 12, 29, 8, 0), True),
        (utc(2026, 7, 6, 7, 30), True),  # 08:30 BST
        (utc(2026, 7, 6, 17, 30), False),  # 18:30 BST
        (ny(2026, 1, 5, 3, 0), True),  # 08:00 GMT
        (ny(2026, 1, 5, 2, 59), False),
    ],
)
def test_is_open_edges(at, expected):
    assert CAL.is_open(at) is expected


def test_next_open():
    assert CAL.next_open(lon(2026, 1, 5, 10, 15)) == lon(2026, 1, 5, 10, 15)
    assert CAL.next_open(lon(2026, 1, 5, 7, 0)) == lon(2026, 1, 5, 8, 0)
    assert CAL.next_open(lon(2026, 1, 5, 18, 0)) == lon(2026, 1, 6, 8, 0)
    assert CAL.next_open(lon(2026, 1, 9, 18, 30)) == lon(2026, 1, 12, 8, 0)  # Friday evening -> Monday
    assert CAL.next_open(lon(2026, 12, 24, 18, 0)) == lon(2026, 12, 29, 8, 0)  # over both holidays
    assert CAL.next_open(lon(2026, 1, 9, 18, 30)).tzinfo is UTC
    assert CAL.next_open(lon(2026, 1, 5, 10, 15)).tzinfo is UTC


# --- add ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, span, due",
    [
        (lon(2026, 1, 5, 9, 0), H, lon(2026, 1, 5, 10, 0)),
        (lon(2026, 1, 5, 17, 30), H, lon(2026, 1, 6, 8, 30)),  # overnight carry
        (lon(2026, 1, 5, 17, 0), H, lon(2026, 1, 5, 18, 0)),  # ends exactly at closing
        (lon(2026, 1, 5, 6, 0), H, lon(2026, 1, 5, 9, 0)),  # starts before opening
        (lon(2026, 1, 5, 21, 0), H, lon(2026, 1, 6, 9, 0)),  # starts after closing
        (lon(2026, 1, 9, 17, 30), H, lon(2026, 1, 12, 8, 30)),  # Friday evening -> Monday
        (lon(2026, 1, 10, 11, 0), 15 * M, lon(2026, 1, 12, 8, 15)),  # starts on Saturday
        (lon(2026, 12, 24, 17, 30), H, lon(2026, 12, 29, 8, 30)),  # over Christmas and the 28th
        (lon(2026, 12, 23, 12, 0), 3 * CAL.day_length, lon(2026, 12, 30, 12, 0)),
        (lon(2026, 1, 5, 10, 0), 3 * CAL.day_length, lon(2026, 1, 8, 10, 0)),  # 3d = 3 working days
        (lon(2026, 1, 5, 10, 0), 10 * CAL.day_length, lon(2026, 1, 19, 10, 0)),
        (lon(2026, 1, 5, 9, 0), timedelta(0), lon(2026, 1, 5, 9, 0)),
        (lon(2026, 1, 10, 9, 0), timedelta(0), lon(2026, 1, 10, 9, 0)),  # zero span: the start itself
    ],
)
def test_add(start, span, due):
    result = CAL.add(start, span)
    assert result == due
    assert result.tzinfo is UTC


def test_add_refuses_negative_time():
    with pytest.raises(ValueError):
        CAL.add(lon(2026, 1, 5, 9), -M)
    with pytest.raises(ValueError):
        AlwaysOpen().add(lon(2026, 1, 5, 9), -M)


# --- elapsed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (lon(2026, 1, 5, 9, 0), lon(2026, 1, 5, 9, 45), 45 * M),
        (lon(2026, 1, 5, 7, 0), lon(2026, 1, 5, 19, 0), 10 * H),
        (lon(2026, 1, 5, 17, 30), lon(2026, 1, 6, 8, 30), H),
        (lon(2026, 1, 9, 12, 0), lon(2026, 1, 12, 12, 0), 10 * H),  # Friday noon -> Monday noon
        (lon(2026, 1, 10, 0, 0), lon(2026, 1, 12, 0, 0), timedelta(0)),
        (lon(2026, 12, 24, 8, 0), lon(2026, 12, 30, 8, 0), 20 * H),  # Thu 24, Tue 29 only
        (lon(2026, 1, 5, 12, 0), lon(2026, 1, 5, 12, 0), timedelta(0)),
        (lon(2026, 1, 5, 12, 0), lon(2026, 1, 5, 10, 0), timedelta(0)),  # end before start
        (lon(2026, 1, 5, 12, 0), lon(2026, 1, 5, 10, 0) + timedelta(days=1), 8 * H),
    ],
)
def test_elapsed(start, end, expected):
    assert CAL.elapsed(start, end) == expected


def test_elapsed_over_a_year_counts_every_working_day():
    start, end = lon(2026, 1, 1), lon(2027, 1, 1)
    working = sum(
        1 for n in range(365) if (day := date(2026, 1, 1) + timedelta(days=n)).weekday() < 5 and day not in HOLIDAYS
    )
    assert working == 259
    assert CAL.elapsed(start, end) == working * 10 * H
    assert CAL.add(start, working * 10 * H) == lon(2026, 12, 31, 18, 0)


@pytest.mark.parametrize(
    "start",
    [
        lon(2026, 3, 26, 16, 20),
        lon(2026, 3, 28, 3, 0),
        lon(2026, 10, 23, 17, 59),
        lon(2026, 10, 25, 1, 30),
        lon(2026, 12, 24, 9, 1),
        utc(2026, 3, 29, 0, 59),
    ],
)
@pytest.mark.parametrize("span", [M, 47 * M, 10 * H, 23 * H + 13 * M, 400 * H])
def test_add_and_elapsed_are_inverse(start, span):
    due = CAL.add(start, span)
    assert CAL.elapsed(start, due) == span
    assert CAL.elapsed(start, due - M) == span - M  # and not a minute earlier


def test_a_year_of_business_time_adds_and_measures_back():
    assert CAL.elapsed(lon(2026, 1, 1), lon(2027, 1, 1)) == 2590 * H
    assert CAL.elapsed(lon(2026, 1, 1), CAL.add(lon(2026, 1, 1), 2590 * H)) == 2590 * H


# --- clock changes -----------------------------------------------------------------------------


def test_london_spring_forward_week():
    # Clocks go forward on Sunday 2026-03-29: Friday is GMT (UTC+0), Monday is BST (UTC+1).
    assert CAL.add(lon(2026, 3, 27, 17, 30), H) == utc(2026, 3, 30, 7, 30)  # 08:30 BST
    assert CAL.add(lon(2026, 3, 26, 12, 0), 2 * CAL.day_length) == lon(2026, 3, 30, 12, 0)
    assert CAL.elapsed(lon(2026, 3, 27, 8, 0), lon(2026, 3, 30, 18, 0)) == 20 * H
    assert CAL.is_open(utc(2026, 3, 30, 7, 0)) and not CAL.is_open(utc(2026, 3, 30, 6, 59))
    assert not CAL.is_open(utc(2026, 3, 30, 17, 0))  # 18:00 BST


def test_london_fall_back_week():
    # Clocks go back on Sunday 2026-10-25: Friday is BST, Monday is GMT.
    assert CAL.add(lon(2026, 10, 23, 17, 30), H) == utc(2026, 10, 26, 8, 30)
    assert CAL.add(lon(2026, 10, 22, 12, 0), 2 * CAL.day_length) == lon(2026, 10, 26, 12, 0)
    assert CAL.elapsed(lon(2026, 10, 23, 8, 0), lon(2026, 10, 26, 18, 0)) == 20 * H
    assert CAL.is_open(utc(2026, 10, 23, 7, 0)) and not CAL.is_open(utc(2026, 10, 26, 7, 0))


def test_a_day_on_which_the_clocks_change_still_opens_at_local_times():
    daily = BusinessCalendar("Europe/London", parse_days("daily"), time(8), time(18))
    # Sunday 2026-03-29 is BST from 01:00 UTC: it opens 07:00 UTC and closes 17:00 UTC.
    assert not daily.is_open(utc(2026, 3, 29, 6, 59))
    assert daily.is_open(utc(2026, 3, 29, 7, 0))
    assert not daily.is_open(utc(2026, 3, 29, 17, 0))
    assert daily.elapsed(lon(2026, 3, 29), lon(2026, 3, 30)) == 10 * H  # a 23-hour day, 10 open
    assert daily.elapsed(lon(2026, 10, 25), lon(2026, 10, 26)) == 10 * H  # a 25-hour day, 10 open
    assert daily.add(lon(2026, 3, 28, 17, 0), 2 * H) == utc(2026, 3, 29, 8, 0)  # 09:00 BST


def test_a_clock_change_inside_opening_hours_counts_real_time():
    night = BusinessCalendar("America/New_York", parse_days("daily"), time(0), time(6))
    assert night.day_length == 6 * H
    assert night.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == 5 * H  # 02:00 -> 03:00 skipped
    assert night.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == 7 * H  # 01:00-02:00 twice
    assert night.elapsed(ny(2026, 3, 7), ny(2026, 3, 8)) == 6 * H
    assert night.add(ny(2026, 3, 8, 1, 0), 2 * H) == ny(2026, 3, 8, 4, 0)
    london_night = BusinessCalendar("Europe/London", parse_days("daily"), time(0), time(6))
    assert london_night.elapsed(lon(2026, 10, 25), lon(2026, 10, 26)) == 7 * H


def test_new_york_weeks():
    # US clocks change on Sunday 2026-03-08 (EST -> EDT) and Sunday 2026-11-01 (EDT -> EST).
    assert NY_CAL.add(ny(2026, 3, 6, 16, 0), 2 * H) == utc(2026, 3, 9, 14, 0)  # 10:00 EDT
    assert NY_CAL.add(ny(2026, 10, 30, 16, 0), 2 * H) == utc(2026, 11, 2, 15, 0)  # 10:00 EST
    assert not NY_CAL.is_open(utc(2026, 3, 6, 13, 30))  # 08:30 EST
    assert NY_CAL.is_open(utc(2026, 3, 9, 13, 30))  # 09:30 EDT
    assert NY_CAL.elapsed(ny(2026, 3, 6, 9), ny(2026, 3, 9, 17)) == 16 * H
    assert NY_CAL.next_open(ny(2026, 10, 31, 12)) == utc(2026, 11, 2, 14, 0)


# --- 24x7 ----------------------------------------------------------------------------------------


def test_always_open():
    clock = AlwaysOpen()
    assert clock.is_open(lon(2026, 12, 25, 3, 0))
    assert clock.next_open(lon(2026, 7, 1, 3, 0)) == utc(2026, 7, 1, 2, 0)
    assert clock.next_open(lon(2026, 7, 1, 3, 0)).tzinfo is UTC
    assert clock.add(lon(2026, 1, 10, 23, 50), 15 * M) == utc(2026, 1, 11, 0, 5)
    assert clock.add(lon(2026, 3, 29, 0, 30), 4 * H) == lon(2026, 3, 29, 5, 30)  # BST from 01:00 GMT
    assert clock.add(lon(2026, 3, 28, 12, 0), clock.day_length) == lon(2026, 3, 29, 13, 0)
    assert clock.elapsed(lon(2026, 10, 25, 0, 0), lon(2026, 10, 26, 0, 0)) == 25 * H
    assert clock.elapsed(utc(2026, 1, 5, 10), utc(2026, 1, 5, 9)) == timedelta(0)
    assert AlwaysOpen() == AlwaysOpen()
