"""Review cadence to the minute: remind, due, overdue and escalate, across month ends and the October clock change.

Most tests here are about clock arithmetic, so they run on the example business open every
hour of every day; the last ones, on its real Monday-to-Friday hours, show a stage outside
business hours waiting for the next opening."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.matrix.durations import Duration
from bot.matrix.loader import load_file
from bot.matrix.model import BusinessHours, Matrix, Review
from bot.reviews.cadence import ReviewOccurrence, ReviewStatus, current_cycle, due_occurrence, next_at, review_statuses
from tests.conftest import EXAMPLE

LONDON = ZoneInfo("Europe/London")
NONE: frozenset[datetime] = frozenset()


def lon(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def stage(matrix, review, completed, now) -> tuple[datetime, str] | None:
    found = due_occurrence(matrix, review, completed, now)
    return None if found is None else (found.due_at, found.stage)


def walk(matrix, review, completed, start, until) -> list[tuple[datetime, str]]:
    """(instant, stage) at each instant `next_at` names, from `start` until `until`."""
    seen, at = [], start
    while (at := next_at(matrix, review, completed, at)) is not None and at <= until:
        occurrence = due_occurrence(matrix, review, completed, at)
        seen.append((at, occurrence.stage))
    return seen


@pytest.fixture
def office_hours() -> Matrix:
    """The example as it is: open Monday to Friday 08:00–18:00, closed on its holidays."""
    return load_file(EXAMPLE)


@pytest.fixture
def example_matrix(example_matrix) -> Matrix:
    """The example business open all day, every day, holidays included."""
    return replace(
        example_matrix, business_hours=(BusinessHours(frozenset(range(7)), time(0), time(23, 59)),), holidays=()
    )


@pytest.fixture
def service(example_matrix) -> Review:
    return example_matrix.review("service-review")  # last Tuesday 14:00 local, remind 3d, default grace 3d


SEP_29, OCT_27, NOV_24 = lon(2026, 9, 29, 14), lon(2026, 10, 27, 14), lon(2026, 11, 24, 14)


def test_the_stages_keep_local_time_across_the_october_clock_change(example_matrix, service):
    """BST ends on Sun 25 Oct: the reminder on Sat 24th is at 14:00 BST (13:00 UTC), the review at 14:00 GMT."""
    done = frozenset({SEP_29})
    assert stage(example_matrix, service, done, datetime(2026, 10, 24, 12, 59, tzinfo=UTC)) is None
    assert stage(example_matrix, service, done, datetime(2026, 10, 24, 13, 0, tzinfo=UTC)) == (OCT_27, "remind")
    assert stage(example_matrix, service, done, lon(2026, 10, 27, 13, 59)) == (OCT_27, "remind")
    assert stage(example_matrix, service, done, OCT_27) == (OCT_27, "due")
    assert stage(example_matrix, service, done, lon(2026, 10, 28, 14)) == (OCT_27, "overdue")
    assert stage(example_matrix, service, done, lon(2026, 10, 30, 14)) == (OCT_27, "escalate")
    assert stage(example_matrix, service, done, lon(2026, 11, 24, 13, 59)) == (OCT_27, "escalate")
    assert OCT_27.utcoffset() == timedelta(0) and lon(2026, 10, 24, 14).utcoffset() == timedelta(hours=1)


def test_next_at_names_each_stage_once_and_an_undone_review_skips_the_next_reminder(example_matrix, service):
    seen = walk(example_matrix, service, frozenset({SEP_29}), SEP_29, NOV_24)
    assert seen == [
        (lon(2026, 10, 24, 14), "remind"),
        (OCT_27, "due"),
        (lon(2026, 10, 28, 14), "overdue"),
        (lon(2026, 10, 30, 14), "escalate"),
        (NOV_24, "due"),
    ]  # no remind on 21 Nov: October is still open
    assert all(at.tzinfo is UTC for at, _ in seen)


def test_the_occurrence_key_names_the_cycle_in_utc_and_the_stage(example_matrix, service):
    assert due_occurrence(example_matrix, service, NONE, lon(2026, 10, 28, 14)) == ReviewOccurrence(
        "review:harbour-finch:service-review:20261027T1400:overdue", "service-review", OCT_27, "overdue"
    )
    assert (
        due_occurrence(example_matrix, service, NONE, SEP_29).key
        == "review:harbour-finch:service-review:20260929T1300:due"
    )


def test_a_completed_cycle_moves_on_to_the_next_reminder(example_matrix, service):
    done = frozenset({SEP_29, OCT_27})
    assert stage(example_matrix, service, done, lon(2026, 10, 28, 14)) is None
    assert next_at(example_matrix, service, done, lon(2026, 10, 27, 15)) == lon(2026, 11, 21, 14)
    assert stage(example_matrix, service, done, lon(2026, 11, 21, 14)) == (NOV_24, "remind")
    assert current_cycle(example_matrix, service, done, lon(2026, 10, 28)) == NOV_24


def test_completing_early_silences_the_reminder(example_matrix, service):
    done = frozenset({OCT_27, NOV_24})
    assert stage(example_matrix, service, done, lon(2026, 11, 22)) is None
    assert next_at(example_matrix, service, done, lon(2026, 11, 22)) == lon(2026, 12, 26, 14)  # December's reminder


def test_an_older_cycle_left_undone_is_superseded_by_the_newer_one(example_matrix, service):
    assert stage(example_matrix, service, NONE, lon(2026, 10, 27, 13, 59)) == (SEP_29, "escalate")
    assert stage(example_matrix, service, NONE, OCT_27) == (OCT_27, "due")
    assert current_cycle(example_matrix, service, NONE, lon(2026, 10, 27, 13, 59)) == SEP_29
    assert current_cycle(example_matrix, service, NONE, OCT_27) == OCT_27
    # Completing the older cycle late does not bring it back.
    assert stage(example_matrix, service, frozenset({SEP_29}), lon(2026, 11, 1)) == (OCT_27, "escalate")


def test_missed_stages_collapse_into_the_highest(example_matrix, service):
    """The scheduler was down from before the reminder to after the overdue post: only the overdue is due."""
    assert stage(example_matrix, service, frozenset({SEP_29}), lon(2026, 10, 29, 9)) == (OCT_27, "overdue")


def test_stages_cross_month_and_year_ends(example_matrix, service):
    assert stage(example_matrix, service, NONE, lon(2026, 10, 2, 14)) == (SEP_29, "escalate")  # Tue 29 Sep + 3 days
    matrix_review = example_matrix.review("matrix-review")  # 1st Monday quarterly at 11:00, remind 5d
    assert stage(example_matrix, matrix_review, NONE, lon(2026, 9, 30, 10, 59)) == (lon(2026, 7, 6, 11), "escalate")
    assert stage(example_matrix, matrix_review, frozenset({lon(2026, 7, 6, 11)}), lon(2026, 9, 30, 11)) == (
        lon(2026, 10, 5, 11),
        "remind",
    )
    dec_29 = lon(2026, 12, 29, 14)
    assert walk(example_matrix, service, frozenset({NOV_24}), NOV_24, lon(2027, 1, 26, 13)) == [
        (lon(2026, 12, 26, 14), "remind"),
        (dec_29, "due"),
        (lon(2026, 12, 30, 14), "overdue"),
        (lon(2027, 1, 1, 14), "escalate"),
    ]


def test_grace_sets_the_escalation_and_a_day_or_less_skips_overdue(example_matrix):
    restore = example_matrix.review("restore-test")  # grace 5d
    oct_7 = lon(2026, 10, 7, 10)
    assert stage(example_matrix, restore, NONE, lon(2026, 10, 12, 9, 59)) == (oct_7, "overdue")
    assert stage(example_matrix, restore, NONE, lon(2026, 10, 12, 10)) == (oct_7, "escalate")

    july = frozenset({lon(2026, 7, 1, 10)})  # the previous cycle was done, so October's reminder is posted
    one_day = replace(restore, grace=Duration(1, "d"))
    assert walk(example_matrix, one_day, july, lon(2026, 10, 1), lon(2026, 12, 1)) == [
        (lon(2026, 10, 4, 10), "remind"),
        (oct_7, "due"),
        (lon(2026, 10, 8, 10), "escalate"),
    ]
    hours = replace(restore, grace=Duration(36, "h"))
    assert walk(example_matrix, hours, july, lon(2026, 10, 1), lon(2026, 12, 1)) == [
        (lon(2026, 10, 4, 10), "remind"),
        (oct_7, "due"),
        (lon(2026, 10, 8, 10), "overdue"),
        (lon(2026, 10, 8, 22), "escalate"),
    ]


def test_reminders_in_hours_are_exact_across_the_clock_change(example_matrix, service):
    hours = replace(service, remind_before=Duration(72, "h"))
    assert next_at(example_matrix, hours, frozenset({SEP_29}), lon(2026, 10, 1)) == lon(2026, 10, 24, 15)  # 14:00 UTC


def test_without_remind_before_nothing_comes_before_the_due_time(example_matrix, service):
    quiet = replace(service, remind_before=None)
    done = frozenset({SEP_29})
    assert stage(example_matrix, quiet, done, lon(2026, 10, 27, 13, 59)) is None
    assert next_at(example_matrix, quiet, done, lon(2026, 10, 1)) == OCT_27


def test_a_schedule_that_ends_stops_asking(example_matrix):
    once = Review("kickoff", "Contract kick-off review", "DTSTART:20261103T100000\nRRULE:FREQ=MONTHLY;COUNT=1")
    assert next_at(example_matrix, once, NONE, lon(2026, 10, 1)) == lon(2026, 11, 3, 10)
    assert next_at(example_matrix, once, NONE, lon(2026, 11, 6, 10)) is None  # escalated on the 6th
    assert stage(example_matrix, once, NONE, lon(2027, 6, 1)) == (lon(2026, 11, 3, 10), "escalate")
    assert next_at(example_matrix, once, frozenset({lon(2026, 11, 3, 10)}), lon(2026, 11, 3, 11)) is None


def test_review_statuses_list_overdue_then_due_today_then_upcoming(example_matrix):
    done = {
        "restore-test": frozenset({lon(2026, 10, 7, 10)}),
        "patch-verification": frozenset({lon(2026, 11, 12, 10)}),
        "service-review": frozenset({OCT_27}),
        "access-review": frozenset({lon(2026, 10, 15, 10)}),
    }
    reviews = {r.key: r for r in example_matrix.reviews}
    at_15 = review_statuses(example_matrix, done, lon(2026, 11, 24, 15))
    assert at_15 == [
        ReviewStatus(reviews["matrix-review"], lon(2026, 10, 5, 11), "overdue"),
        ReviewStatus(reviews["service-review"], NOV_24, "due"),
    ]  # earlier today: due, not yet overdue
    assert [s.state for s in review_statuses(example_matrix, done, lon(2026, 11, 25, 9))] == ["overdue", "overdue"]

    done["service-review"] |= {NOV_24}
    dec_10 = lon(2026, 12, 10, 10)
    statuses = review_statuses(example_matrix, done, lon(2026, 12, 7, 9))
    assert [(s.review.key, s.due_at, s.state) for s in statuses] == [
        ("matrix-review", lon(2026, 10, 5, 11), "overdue"),
        ("patch-verification", dec_10, "upcoming"),
    ]
    assert [s.review.key for s in review_statuses(example_matrix, done, lon(2026, 12, 7, 9), timedelta(days=1))] == [
        "matrix-review"
    ]
    done["patch-verification"] |= {dec_10}  # done early
    assert [s.review.key for s in review_statuses(example_matrix, done, lon(2026, 12, 7, 9))] == ["matrix-review"]


def test_a_reminder_on_a_saturday_waits_for_monday_morning(office_hours):
    """The service review (Tue 27 Oct, 14:00) is reminded three days ahead: Saturday, so at Monday's opening."""
    service, done = office_hours.review("service-review"), frozenset({SEP_29})
    assert stage(office_hours, service, done, lon(2026, 10, 24, 14)) is None
    assert stage(office_hours, service, done, lon(2026, 10, 26, 7, 59)) is None
    assert stage(office_hours, service, done, lon(2026, 10, 26, 8)) == (OCT_27, "remind")
    assert next_at(office_hours, service, done, lon(2026, 10, 23, 18)) == lon(2026, 10, 26, 8)


def unreminded(matrix: Matrix, schedule: str, **changes) -> Review:
    """The example's restore test on another schedule, with no reminder before it."""
    return replace(matrix.review("restore-test"), schedule=schedule, remind_before=None, **changes)


def test_a_review_due_on_a_holiday_is_announced_first_and_its_grace_counts_from_then(office_hours):
    """Due Thu 24 Dec 10:00 with one day's grace: the escalation falls on Christmas Day, and the
    weekend and the 28th are closed too, so it waits for Tue 29 Dec 08:00. Due on Christmas Day
    itself, the owner hears it is due on the 29th at 08:00, and only from then does the grace run."""
    review = unreminded(office_hours, "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24;BYHOUR=10", grace=Duration(1, "d"))
    due = lon(2026, 12, 24, 10)
    assert walk(office_hours, review, NONE, lon(2026, 12, 24, 9), lon(2027, 1, 5)) == [
        (due, "due"),
        (lon(2026, 12, 29, 8), "escalate"),
    ]
    christmas = replace(review, schedule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;BYHOUR=10", grace=Duration(3, "d"))
    assert walk(office_hours, christmas, NONE, lon(2026, 12, 24, 9), lon(2027, 1, 5)) == [
        (lon(2026, 12, 29, 8), "due"),
        (lon(2026, 12, 30, 8), "overdue"),
        (lon(2027, 1, 4, 8), "escalate"),  # 29 Dec + 3 days is 1 Jan, a holiday: the Monday after
    ]


def test_a_review_due_in_the_evening_is_posted_at_the_next_opening(office_hours):
    review = unreminded(office_hours, "FREQ=WEEKLY;BYDAY=TU;BYHOUR=20")
    due = lon(2026, 12, 1, 20)
    assert stage(office_hours, review, NONE, lon(2026, 12, 1, 20, 30)) is None
    assert stage(office_hours, review, NONE, lon(2026, 12, 2, 8)) == (due, "due")


def test_a_stage_caught_up_after_downtime_at_night_waits_for_the_opening(office_hours):
    """Due Mon 7 Dec 10:00, escalated a day later; the bot was down until Friday 23:30. The
    escalation it missed is not posted then, at night, but at Monday's opening, and the tick at
    23:30 is told to look again then."""
    review = unreminded(office_hours, "FREQ=WEEKLY;BYDAY=MO;BYHOUR=10", grace=Duration(1, "d"))
    due = lon(2026, 12, 7, 10)
    assert stage(office_hours, review, NONE, lon(2026, 12, 11, 17, 59)) == (due, "escalate")
    assert stage(office_hours, review, NONE, lon(2026, 12, 11, 23, 30)) is None
    assert stage(office_hours, review, NONE, lon(2026, 12, 12, 12)) is None  # Saturday
    assert next_at(office_hours, review, NONE, lon(2026, 12, 11, 23, 30)) == lon(2026, 12, 14, 8)
    assert stage(office_hours, review, NONE, lon(2026, 12, 14, 8)) == (due, "escalate")
