"""Review cadences: RRULE and cron, read as wall-clock time in the organisation's zone."""

import copy
import pickle
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.reviews.schedule import Schedule, parse_schedule

LONDON, NEW_YORK = "Europe/London", "America/New_York"
SPEC = "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE;BYHOUR=10"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def between(text: str, start: datetime, end: datetime, tz: str = LONDON) -> list[datetime]:
    return parse_schedule(text).occurrences(start, end, tz)


# --- the spec's example and anchoring -------------------------------------------------------


def test_spec_example_stays_at_ten_local_through_summer_time():
    due = between(SPEC, utc(2026, 1, 1), utc(2027, 2, 1))
    assert due == [
        utc(2026, 1, 7, 10),
        utc(2026, 4, 1, 9),
        utc(2026, 7, 1, 9),
        utc(2026, 10, 7, 9),
        utc(2027, 1, 6, 10),
    ]
    assert {d.astimezone(ZoneInfo(LONDON)).strftime("%a %H:%M") for d in due} == {"Wed 10:00"}
    assert all(d.tzinfo == UTC for d in due)


def test_interval_counts_from_january_2026_whenever_asked():
    schedule = parse_schedule(SPEC)
    assert schedule.next_after(utc(2026, 5, 1), LONDON) == utc(2026, 7, 1, 9)  # not August
    assert schedule.next_after(utc(2031, 2, 1), LONDON) == utc(2031, 4, 2, 9)


def test_next_after_is_strictly_after():
    schedule = parse_schedule(SPEC)
    assert schedule.next_after(utc(2026, 1, 7, 10), LONDON) == utc(2026, 4, 1, 9)
    assert schedule.next_after(utc(2026, 1, 7, 9, 59), LONDON) == utc(2026, 1, 7, 10)


def test_rrule_prefix_lowercase_and_dtstart_line_are_accepted():
    plain = between(SPEC, utc(2026, 1, 1), utc(2026, 12, 31))
    assert between("RRULE:" + SPEC, utc(2026, 1, 1), utc(2026, 12, 31)) == plain
    assert between(SPEC.lower(), utc(2026, 1, 1), utc(2026, 12, 31)) == plain
    assert between("DTSTART:20260101T000000\nRRULE:" + SPEC, utc(2026, 1, 1), utc(2026, 12, 31)) == plain


def test_dtstart_sets_the_phase_and_the_time_of_day():
    text = "DTSTART:20260210T143000\nRRULE:FREQ=WEEKLY;INTERVAL=2"
    assert between(text, utc(2026, 1, 1), utc(2026, 4, 15)) == [
        utc(2026, 2, 10, 14, 30),
        utc(2026, 2, 24, 14, 30),
        utc(2026, 3, 10, 14, 30),
        utc(2026, 3, 24, 14, 30),
        utc(2026, 4, 7, 13, 30),
    ]
    assert parse_schedule(text).last_at_or_before(utc(2026, 2, 10, 14), LONDON) is None


def test_time_of_day_defaults_to_nine_and_minute_to_zero():
    assert between("FREQ=WEEKLY;BYDAY=FR", utc(2026, 1, 1), utc(2026, 1, 10)) == [
        utc(2026, 1, 2, 9),
        utc(2026, 1, 9, 9),
    ]
    assert between("FREQ=WEEKLY;BYDAY=FR;BYHOUR=16", utc(2026, 1, 1), utc(2026, 1, 3)) == [utc(2026, 1, 2, 16)]


# --- daylight saving ------------------------------------------------------------------------


def test_cron_monday_nine_across_both_london_changes():
    assert between("0 9 * * 1", utc(2026, 3, 20), utc(2026, 4, 4)) == [utc(2026, 3, 23, 9), utc(2026, 3, 30, 8)]
    assert between("0 9 * * 1", utc(2026, 10, 17), utc(2026, 11, 1)) == [utc(2026, 10, 19, 8), utc(2026, 10, 26, 9)]


def test_new_york_changes_on_its_own_dates():
    assert between("0 9 * * 1", utc(2026, 3, 1), utc(2026, 3, 10), NEW_YORK) == [
        utc(2026, 3, 2, 14),
        utc(2026, 3, 9, 13),
    ]
    assert between("0 9 * * 1", utc(2026, 10, 25), utc(2026, 11, 3), NEW_YORK) == [
        utc(2026, 10, 26, 13),
        utc(2026, 11, 2, 14),
    ]
    assert between(SPEC, utc(2026, 1, 1), utc(2026, 5, 1), NEW_YORK) == [utc(2026, 1, 7, 15), utc(2026, 4, 1, 14)]


@pytest.mark.parametrize("text", ["FREQ=DAILY;BYHOUR=1;BYMINUTE=30", "30 1 * * *"])
def test_a_time_in_the_spring_gap_moves_forward(text):
    due = between(text, utc(2026, 3, 28), utc(2026, 3, 31))
    assert due == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    assert due[1].astimezone(ZoneInfo(LONDON)).strftime("%H:%M %Z") == "02:30 BST"
    assert parse_schedule(text).next_after(utc(2026, 3, 29, 1), LONDON) == utc(2026, 3, 29, 1, 30)


@pytest.mark.parametrize("text", ["FREQ=DAILY;BYHOUR=1;BYMINUTE=30", "30 1 * * *"])
def test_a_repeated_autumn_time_takes_the_first(text):
    due = between(text, utc(2026, 10, 24), utc(2026, 10, 27))
    assert due == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


# --- calendars ------------------------------------------------------------------------------


def test_last_day_of_the_month_including_leap_february():
    text = "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert between(text, utc(2026, 1, 1), utc(2026, 5, 1)) == [
        utc(2026, 1, 31, 9),
        utc(2026, 2, 28, 9),
        utc(2026, 3, 31, 8),
        utc(2026, 4, 30, 8),
    ]
    assert parse_schedule(text).next_after(utc(2028, 2, 1), LONDON) == utc(2028, 2, 29, 9)
    assert between("0 9 L * *", utc(2026, 1, 1), utc(2026, 5, 1)) == between(text, utc(2026, 1, 1), utc(2026, 5, 1))


def test_every_45_days_counts_from_the_anchor():
    schedule = parse_schedule("FREQ=DAILY;INTERVAL=45")
    assert schedule.occurrences(utc(2026, 1, 1), utc(2026, 6, 1), LONDON) == [
        utc(2026, 1, 1, 9),
        utc(2026, 2, 15, 9),
        utc(2026, 4, 1, 8),
        utc(2026, 5, 16, 8),
    ]
    assert schedule.next_after(utc(2030, 1, 1), LONDON) == utc(2030, 1, 25, 9)  # 2026-01-01 + 33 x 45 days


def test_count_and_until_end_the_schedule():
    weekly = parse_schedule("FREQ=WEEKLY;BYDAY=MO;COUNT=2")
    assert weekly.occurrences(utc(2026, 1, 1), utc(2027, 1, 1), LONDON) == [utc(2026, 1, 5, 9), utc(2026, 1, 12, 9)]
    assert weekly.next_after(utc(2026, 1, 12, 9), LONDON) is None
    daily = parse_schedule("FREQ=DAILY;UNTIL=20260103T235959")
    assert len(daily.occurrences(utc(2025, 1, 1), utc(2027, 1, 1), LONDON)) == 3
    assert daily.last_at_or_before(utc(2027, 1, 1), LONDON) == utc(2026, 1, 3, 9)


# --- last_at_or_before and window edges -----------------------------------------------------


def test_last_at_or_before_includes_the_instant_itself():
    schedule = parse_schedule(SPEC)
    assert schedule.last_at_or_before(utc(2026, 4, 1, 9), LONDON) == utc(2026, 4, 1, 9)
    assert schedule.last_at_or_before(utc(2026, 4, 1, 8, 59, 59), LONDON) == utc(2026, 1, 7, 10)
    assert schedule.last_at_or_before(utc(2030, 6, 1), LONDON) == utc(2030, 4, 3, 9)
    assert schedule.last_at_or_before(utc(2026, 1, 7, 9, 59), LONDON) is None  # before the first


def test_cron_looks_back_as_far_as_it_needs():
    monday = parse_schedule("0 9 * * 1")
    assert monday.next_after(utc(2026, 6, 1), LONDON) == utc(2026, 6, 1, 8)
    assert monday.last_at_or_before(utc(2026, 3, 31), LONDON) == utc(2026, 3, 30, 8)
    assert monday.last_at_or_before(utc(2026, 3, 30, 8), LONDON) == utc(2026, 3, 30, 8)
    assert monday.last_at_or_before(utc(2020, 1, 1), LONDON) == utc(2019, 12, 30, 9)
    assert parse_schedule("0 9 29 2 *").last_at_or_before(utc(2027, 1, 1), LONDON) == utc(2024, 2, 29, 9)


def test_occurrences_window_is_start_inclusive_end_exclusive():
    assert between(SPEC, utc(2026, 1, 7, 10), utc(2026, 4, 1, 9)) == [utc(2026, 1, 7, 10)]
    assert between(SPEC, utc(2026, 1, 7, 10, 0, 1), utc(2026, 4, 1, 9, 0, 1)) == [utc(2026, 4, 1, 9)]
    assert between(SPEC, utc(2026, 4, 1, 9), utc(2026, 4, 1, 9)) == []
    assert between(SPEC, utc(2026, 2, 1), utc(2026, 3, 1)) == []


def test_instants_in_any_zone_are_accepted_and_naive_ones_refused():
    schedule = parse_schedule(SPEC)
    berlin = datetime(2026, 1, 7, 11, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # 10:30 UTC
    assert schedule.next_after(berlin, LONDON) == utc(2026, 4, 1, 9)
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.next_after(datetime(2026, 1, 1), LONDON)
    with pytest.raises(ValueError, match="IANA"):
        schedule.next_after(utc(2026, 1, 1), "Mars/Olympus")


# --- describe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        (SPEC, "every 3 months on the 1st Wednesday at 10:00"),
        ("0 9 * * 1", "every Monday at 09:00"),
        ("FREQ=DAILY;INTERVAL=45", "every 45 days at 09:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day at 09:00"),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=2TU;BYHOUR=10", "every year in March on the 2nd Tuesday at 10:00"),
        ("0 9 * * 5#2", "on the 2nd Friday at 09:00"),
        ("30 8 * * *", "every day at 08:30"),
    ],
)
def test_describe(text, words):
    assert parse_schedule(text).describe() == words


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("", ["empty"]),
        ("every monday please", ["not a schedule", "5 fields", "this has 3"]),
        ("0 9 * * 1 2026", ["5 fields", "this has 6"]),
        ("FREQ=HOURLY;INTERVAL=4", ["FREQ=HOURLY", "at most once a day"]),
        ("FREQ=MINUTELY", ["FREQ=MINUTELY", "at most once a day"]),
        ("* * * * *", ["more than once a day"]),
        ("0 9,17 * * *", ["more than once a day"]),
        ("FREQ=DAILY;BYHOUR=9,17", ["BYHOUR=9,17", "more than once a day"]),
        ("RRULE:BYDAY=MO", ["needs FREQ"]),
        ("FREQ=DAILY;INTERVAL=0", ["INTERVAL=0"]),
        ("FREQ=DAILY;FOO=1", ["not a valid RRULE", "FOO"]),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", ["never falls due"]),
        ("FREQ=MONTHLY;INTERVAL=6;BYMONTH=3", ["never falls due"]),  # Jan/Jul only: never March
        ("0 9 30 2 *", ["never falls due"]),
        ("0 9 * * banana", ["not a valid cron expression"]),
        ("DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY", ["DTSTART", "without Z"]),
        ("FREQ=DAILY;UNTIL=20261231T000000Z", ["UNTIL", "drop the Z"]),
        ("RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", ["more than one rule"]),
    ],
)
def test_bad_schedules_say_what_is_wrong(text, fragments):
    with pytest.raises(ValueError) as caught:
        parse_schedule(text)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_schedule_must_be_text():
    with pytest.raises(ValueError, match="not a schedule"):
        parse_schedule(None)


def test_an_impossible_daily_rule_is_refused():
    with pytest.raises(ValueError, match="never falls due"):
        parse_schedule("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31")


# --- value semantics and speed --------------------------------------------------------------


def test_schedules_compare_copy_and_pickle_by_text():
    schedule = parse_schedule(SPEC)
    assert schedule == Schedule(SPEC) and hash(schedule) == hash(Schedule(SPEC))
    for clone in (copy.deepcopy(schedule), pickle.loads(pickle.dumps(schedule))):
        assert clone == schedule
        assert clone.next_after(utc(2026, 2, 1), LONDON) == utc(2026, 4, 1, 9)
