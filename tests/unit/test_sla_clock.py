"""SLA clocks, to the minute: business-hours carry, holidays, clock changes, pauses and stops."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import AlwaysOpen, BusinessCalendar
from bot.matrix.durations import Duration
from bot.sla.clock import ClockState, Pause, evaluate, instant_at_fraction

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
CAL = BusinessCalendar(
    "Europe/London", frozenset(range(5)), time(8), time(18), frozenset({date(2026, 12, 25), date(2026, 12, 28)})
)
NY_CAL = BusinessCalendar("America/New_York", frozenset(range(5)), time(9), time(17))
H, M = timedelta(hours=1), timedelta(minutes=1)
P1_RESPOND, P1_RESOLVE = Duration.parse("15m"), Duration.parse("4h")
P2_RESPOND, P2_RESOLVE = Duration.parse("1h"), Duration.parse("8h")
P3_RESOLVE, P4_RESPOND = Duration.parse("3d"), Duration.parse("1d")


def lon(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


MON = (2026, 1, 5)  # a plain Monday in January (GMT)
TUE, WED, THU = (2026, 1, 6), (2026, 1, 7), (2026, 1, 8)


# --- running clocks on business hours ----------------------------------------------------------


def test_p2_respond_opened_late_carries_overnight():
    state = evaluate(CAL, lon(*MON, 17, 30), P2_RESPOND, now=lon(*TUE, 8, 15))
    assert state == ClockState(
        target=H,
        used=45 * M,
        fraction=0.75,
        due_at=lon(*TUE, 8, 30),
        paused=False,
        stopped=False,
        breached=False,
        remaining=15 * M,
    )
    assert state.due_at.tzinfo is UTC


def test_due_at_is_met_to_the_minute_then_breached():
    opened = lon(*MON, 17, 30)
    assert not evaluate(CAL, opened, P2_RESPOND, now=lon(*MON, 23, 0)).breached
    at_due = evaluate(CAL, opened, P2_RESPOND, now=lon(*TUE, 8, 30))
    assert (at_due.used, at_due.fraction, at_due.breached, at_due.remaining) == (H, 1.0, False, timedelta(0))
    late = evaluate(CAL, opened, P2_RESPOND, now=lon(*TUE, 8, 31))
    assert (late.used, late.breached, late.remaining) == (61 * M, True, -M)


def test_friday_evening_is_due_on_monday():
    opened = lon(2026, 1, 9, 17, 30)
    state = evaluate(CAL, opened, P2_RESPOND, now=lon(2026, 1, 10, 12, 0))  # Saturday
    assert state.due_at == lon(2026, 1, 12, 8, 30)
    assert (state.used, state.fraction) == (30 * M, 0.5)


def test_holidays_do_not_count():
    opened = lon(2026, 12, 24, 17, 30)  # Thursday; Friday 25th and Monday 28th are holidays
    state = evaluate(CAL, opened, P2_RESPOND, now=lon(2026, 12, 28, 12, 0))
    assert state.due_at == lon(2026, 12, 29, 8, 30)
    assert state.used == 30 * M and not state.breached


def test_three_day_target_is_three_working_days():
    opened = lon(*MON, 10, 0)
    state = evaluate(CAL, opened, P3_RESOLVE, now=lon(*WED, 10, 0))
    assert state.target == 30 * H
    assert state.used == 20 * H
    assert state.fraction == pytest.approx(2 / 3)
    assert state.due_at == lon(*THU, 10, 0)
    assert evaluate(CAL, opened, P3_RESOLVE, now=lon(*THU, 10, 1)).remaining == -M


def test_one_day_respond_is_one_working_day():
    state = evaluate(CAL, lon(*MON, 12, 0), P4_RESPOND, now=lon(*MON, 18, 0))
    assert (state.target, state.used, state.due_at) == (10 * H, 6 * H, lon(*TUE, 12, 0))


def test_now_before_opened_uses_nothing():
    state = evaluate(CAL, lon(*MON, 12, 0), P2_RESPOND, now=lon(*MON, 11, 0))
    assert (state.used, state.fraction, state.due_at) == (timedelta(0), 0.0, lon(*MON, 13, 0))


# --- clock changes ----------------------------------------------------------------------------


def test_london_spring_forward_weekend():
    state = evaluate(CAL, lon(2026, 3, 27, 17, 0), P2_RESOLVE, now=lon(2026, 3, 30, 9, 0))
    assert state.due_at == utc(2026, 3, 30, 14, 0)  # 15:00 BST
    assert state.used == 2 * H


def test_london_fall_back_weekend():
    state = evaluate(CAL, lon(2026, 10, 23, 17, 0), P2_RESOLVE, now=lon(2026, 10, 26, 9, 0))
    assert state.due_at == utc(2026, 10, 26, 15, 0)  # 15:00 GMT
    assert state.used == 2 * H


def test_new_york_spring_forward_weekend():
    opened = datetime(2026, 3, 6, 16, 30, tzinfo=NEW_YORK)  # Friday, EST
    state = evaluate(NY_CAL, opened, P2_RESOLVE, now=utc(2026, 3, 9, 14, 0))  # Monday 10:00 EDT
    assert state.due_at == utc(2026, 3, 9, 20, 30)  # 16:30 EDT
    assert state.used == 90 * M


# --- 24x7 ----------------------------------------------------------------------------------------


def test_p1_on_the_24x7_clock():
    clock, opened = AlwaysOpen(), utc(2026, 1, 10, 23, 50)  # Saturday night
    respond = evaluate(clock, opened, P1_RESPOND, now=utc(2026, 1, 11, 0, 5))
    assert (respond.due_at, respond.used, respond.fraction, respond.breached) == (
        utc(2026, 1, 11, 0, 5),
        15 * M,
        1.0,
        False,
    )
    assert evaluate(clock, opened, P1_RESPOND, now=utc(2026, 1, 11, 0, 6)).breached
    resolve = evaluate(clock, opened, P1_RESOLVE, now=utc(2026, 1, 11, 1, 50))
    assert (resolve.due_at, resolve.fraction) == (utc(2026, 1, 11, 3, 50), 0.5)


def test_24x7_counts_real_hours_across_a_clock_change_and_a_holiday():
    assert evaluate(AlwaysOpen(), lon(2026, 3, 29, 0, 30), P1_RESOLVE, now=lon(2026, 3, 29, 0, 30)).due_at == lon(
        2026, 3, 29, 5, 30
    )  # 04:30 UTC, BST from 01:00
    christmas = evaluate(AlwaysOpen(), lon(2026, 12, 25, 10), Duration.parse("1d"), now=lon(2026, 12, 25, 16))
    assert (christmas.target, christmas.used, christmas.due_at) == (24 * H, 6 * H, lon(2026, 12, 26, 10))


# --- pauses -------------------------------------------------------------------------------------


def test_pause_and_resume_pushes_the_due_time():
    opened = lon(*MON, 9, 0)
    assert evaluate(CAL, opened, P2_RESOLVE, now=lon(*MON, 9, 0)).due_at == lon(*MON, 17, 0)
    pauses = [Pause(lon(*MON, 10, 0), lon(*MON, 14, 0))]
    state = evaluate(CAL, opened, P2_RESOLVE, now=lon(*MON, 15, 0), pauses=pauses)
    assert (state.used, state.paused, state.due_at) == (2 * H, False, lon(*TUE, 11, 0))


def test_a_pause_only_costs_the_business_time_it_covers():
    opened = lon(*MON, 9, 0)
    overnight = [Pause(lon(*MON, 16, 0), lon(*TUE, 9, 0))]  # 2h Monday + 1h Tuesday
    assert evaluate(CAL, opened, P2_RESOLVE, now=lon(*TUE, 9, 0), pauses=overnight).due_at == lon(*TUE, 10, 0)
    after_hours = [Pause(lon(*MON, 18, 30), lon(*TUE, 7, 0))]
    assert evaluate(CAL, opened, P2_RESOLVE, now=lon(*TUE, 9, 0), pauses=after_hours).due_at == lon(*MON, 17, 0)


def test_open_pause_hides_the_due_time():
    opened, pauses = lon(*MON, 9, 0), [Pause(lon(*MON, 10, 0))]
    state = evaluate(CAL, opened, P2_RESOLVE, now=lon(*MON, 15, 0), pauses=pauses)
    assert (state.paused, state.used, state.due_at, state.remaining) == (True, H, None, 7 * H)
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.75, pauses) is None
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.1, pauses) == lon(*MON, 9, 48)  # before the pause


def test_paused_after_breach_still_knows_when_it_breached():
    opened, pauses = lon(*MON, 9, 0), [Pause(lon(*MON, 11, 0))]
    state = evaluate(CAL, opened, P2_RESPOND, now=lon(*MON, 12, 0), pauses=pauses)
    assert (state.paused, state.breached, state.used, state.due_at) == (True, True, 2 * H, lon(*MON, 10, 0))


def test_overlapping_and_nested_pauses_are_merged():
    opened, now = lon(*MON, 9, 0), lon(*MON, 14, 0)
    messy = [
        Pause(lon(*MON, 11, 30), lon(*MON, 11, 45)),
        Pause(lon(*MON, 11, 0), lon(*MON, 13, 0)),
        Pause(lon(*MON, 10, 0), lon(*MON, 12, 0)),
        Pause(lon(*MON, 12, 0), lon(*MON, 12, 0)),
    ]
    state = evaluate(CAL, opened, P2_RESOLVE, now=now, pauses=messy)
    assert (state.used, state.due_at) == (2 * H, lon(*TUE, 10, 0))
    assert state == evaluate(CAL, opened, P2_RESOLVE, now=now, pauses=[Pause(lon(*MON, 10), lon(*MON, 13))])
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.5, messy) == lon(*MON, 16, 0)


def test_a_closed_pause_inside_an_open_one_keeps_the_clock_paused():
    pauses = [Pause(lon(*MON, 12, 0), lon(*MON, 13, 0)), Pause(lon(*MON, 10, 0))]
    state = evaluate(CAL, lon(*MON, 9, 0), P2_RESOLVE, now=lon(*MON, 14, 0), pauses=pauses)
    assert (state.paused, state.used, state.due_at) == (True, H, None)


def test_pauses_before_the_handoff_opened_are_clipped():
    opened = lon(*MON, 9, 0)
    straddling = [Pause(lon(*MON, 8, 0), lon(*MON, 10, 0))]
    state = evaluate(CAL, opened, P2_RESOLVE, now=lon(*MON, 11, 0), pauses=straddling)
    assert (state.used, state.due_at) == (H, lon(*MON, 18, 0))
    earlier = [Pause(lon(2026, 1, 2, 9, 0), lon(2026, 1, 2, 17, 0)), Pause(lon(2026, 1, 2, 9, 0))]
    assert evaluate(CAL, opened, P2_RESOLVE, now=lon(*MON, 11, 0), pauses=earlier[:1]).used == 2 * H
    # an open pause from before the handoff opened pauses it from the start
    assert evaluate(CAL, opened, P2_RESOLVE, now=lon(*MON, 11, 0), pauses=earlier[1:]).used == timedelta(0)


# --- stopped clocks -------------------------------------------------------------------------------


def test_responded_in_time_is_met():
    state = evaluate(CAL, lon(*MON, 9, 0), P2_RESPOND, now=lon(*TUE, 15, 0), stopped_at=lon(*MON, 9, 40))
    assert state == ClockState(
        target=H,
        used=40 * M,
        fraction=pytest.approx(2 / 3),
        due_at=lon(*MON, 10, 0),
        paused=False,
        stopped=True,
        breached=False,
        remaining=20 * M,
    )


def test_responded_late_is_breached():
    state = evaluate(CAL, lon(*MON, 9, 0), P2_RESPOND, now=lon(*TUE, 15, 0), stopped_at=lon(*MON, 10, 20))
    assert (state.used, state.breached, state.remaining, state.stopped) == (80 * M, True, -20 * M, True)
    assert state.fraction == pytest.approx(4 / 3)


def test_responded_exactly_at_the_due_time_is_met():
    state = evaluate(CAL, lon(*MON, 17, 30), P2_RESPOND, now=lon(*TUE, 12), stopped_at=lon(*TUE, 8, 30))
    assert (state.used, state.fraction, state.breached) == (H, 1.0, False)


def test_resolved_while_paused_ends_the_pause_at_the_stop():
    opened, pauses = lon(*MON, 9, 0), [Pause(lon(*MON, 9, 30)), Pause(lon(*MON, 12, 0), lon(*MON, 13, 0))]
    state = evaluate(CAL, opened, P2_RESOLVE, now=lon(*TUE, 12, 0), pauses=pauses, stopped_at=lon(*MON, 11, 0))
    assert (state.used, state.paused, state.stopped, state.breached) == (30 * M, False, True, False)
    assert state.due_at == lon(*TUE, 8, 30)  # as if it had run on from the stop; later pauses dropped


# --- warnings ---------------------------------------------------------------------------------------


def test_instant_at_fraction_for_warnings():
    opened = lon(*MON, 14, 0)
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.75) == lon(*TUE, 10, 0)
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.9) == lon(*TUE, 11, 12)
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 1.0) == lon(*TUE, 12, 0)
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 1.0) == evaluate(CAL, opened, P2_RESOLVE, opened).due_at
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0) == opened


def test_instant_at_fraction_with_a_pause():
    opened, pauses = lon(*MON, 14, 0), [Pause(lon(*TUE, 9, 0), lon(*TUE, 10, 0))]
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.75, pauses) == lon(*TUE, 11, 0)
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.9, pauses) == lon(*TUE, 12, 12)
    assert evaluate(CAL, opened, P2_RESOLVE, lon(*TUE, 9, 30), pauses).due_at == lon(*TUE, 13, 0)


def test_instant_at_fraction_with_an_open_pause_between_warnings():
    opened, pauses = lon(*MON, 14, 0), [Pause(lon(*TUE, 10, 30))]
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.75, pauses) == lon(*TUE, 10, 0)
    assert instant_at_fraction(CAL, opened, P2_RESOLVE, 0.9, pauses) is None


def test_instant_at_fraction_over_working_days_and_24x7():
    opened = lon(*MON, 10, 0)
    assert instant_at_fraction(CAL, opened, P3_RESOLVE, 0.75) == lon(*WED, 12, 30)
    assert instant_at_fraction(CAL, opened, P3_RESOLVE, 0.9) == lon(*WED, 17, 0)
    assert instant_at_fraction(CAL, opened, P3_RESOLVE, 1.0) == lon(*THU, 10, 0)
    assert instant_at_fraction(AlwaysOpen(), utc(*MON), P1_RESOLVE, 0.75) == utc(*MON, 3, 0)
    assert instant_at_fraction(AlwaysOpen(), utc(*MON), P1_RESOLVE, 0.9) == utc(*MON, 3, 36)


# --- refusals --------------------------------------------------------------------------------------


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        instant_at_fraction(CAL, lon(*MON, 9), P2_RESOLVE, -0.1)
    with pytest.raises(ValueError, match="end before it starts"):
        Pause(lon(*MON, 10), lon(*MON, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        Pause(datetime(2026, 1, 5, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(CAL, datetime(2026, 1, 5, 9), P2_RESPOND, now=lon(*MON, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(CAL, lon(*MON, 9), P2_RESPOND, now=datetime(2026, 1, 5, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(CAL, lon(*MON, 9), P2_RESPOND, now=lon(*MON, 10), stopped_at=datetime(2026, 1, 5, 10))
