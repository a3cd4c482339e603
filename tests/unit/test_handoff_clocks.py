"""A handoff's SLA clocks to the minute: weekend and holiday carry, waiting pauses, 24x7, attainment, urgency."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.handoffs.clocks import MARGIN, Attainment, attainment, clocks, shown_until, urgency_key
from bot.handoffs.model import Handoff
from bot.handoffs.transitions import apply
from bot.matrix.durations import Duration
from bot.matrix.model import BusinessHours, Matrix, Person, Side, SlaPolicy, SlaTarget
from bot.ownership.duty import business_calendar
from bot.sla.clock import Pause
from handlers.views.handoff import handoff_line

LONDON = ZoneInfo("Europe/London")
BEN, SAM = "U0BEN0001", "U0SAM0001"
H, M = timedelta(hours=1), timedelta(minutes=1)
P1 = SlaTarget("P1", Duration.parse("15m"), Duration.parse("4h"), clock="24x7")
P2 = SlaTarget("P2", Duration.parse("1h"), Duration.parse("8h"))

MATRIX = Matrix(
    organisation="acme",
    name="Acme Dental Group",
    timezone="Europe/London",
    business_hours=(BusinessHours(frozenset(range(5)), time(8), time(18)),),
    channel="C0SHARED01",
    sides=(
        Side("internal", "Acme IT", (Person(BEN, "Ben Ode", "internal"),)),
        Side("provider", "Red Kite IT", (Person(SAM, "Sam Lee", "provider"),)),
    ),
    sla=SlaPolicy((P1, P2), default="P2"),  # no P4 target: such handoffs are not measured
    holidays=(date(2026, 12, 25), date(2026, 12, 28)),
)
CAL = business_calendar(MATRIX)


def lon(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


FRI, SAT, MON, TUE = (2026, 1, 9), (2026, 1, 10), (2026, 1, 12), (2026, 1, 13)


def handoff(opened_at: datetime, priority: str = "P2", **changes) -> Handoff:
    base = Handoff(
        id=None,
        organisation="acme",
        kind="handoff",
        summary="Firewall rule",
        priority=priority,
        requester=BEN,
        requester_side="internal",
        target_side="provider",
        target="provider",
        opened_at=opened_at,
    )
    return replace(base, **changes)


# --- business hours ------------------------------------------------------------------------------


def test_p2_opened_friday_evening_is_due_on_monday_morning():
    state = clocks(handoff(lon(*FRI, 17, 30)), MATRIX, now=lon(*SAT, 12))
    assert state.target == P2
    assert state.respond.due_at == lon(*MON, 8, 30) and state.respond.due_at.tzinfo is UTC
    assert (state.respond.used, state.respond.remaining, state.respond.breached) == (30 * M, 30 * M, False)
    assert state.resolve.due_at == lon(*MON, 15, 30)
    assert state.resolve.used == 30 * M


def test_holidays_carry_the_clock_over_christmas():
    state = clocks(handoff(lon(2026, 12, 24, 17, 30)), MATRIX, now=lon(2026, 12, 28, 12))
    assert state.respond.due_at == lon(2026, 12, 29, 8, 30)  # Fri 25th and Mon 28th are holidays
    assert state.resolve.due_at == lon(2026, 12, 29, 15, 30)


def test_waiting_on_the_requester_pushes_resolve_due_by_the_business_time_paused():
    opened = handoff(lon(*FRI, 17, 30))
    unpaused_due = clocks(opened, MATRIX, lon(*FRI, 17, 30)).resolve.due_at
    taken, _ = apply(opened, "take", SAM, lon(*MON, 8, 20), MATRIX)
    waiting, _ = apply(taken, "wait", SAM, lon(*MON, 10), MATRIX, "which subnet?")

    during = clocks(waiting, MATRIX, lon(*TUE, 9))
    assert (during.resolve.paused, during.resolve.used, during.resolve.due_at) == (True, 2 * H + 30 * M, None)
    assert (during.respond.stopped, during.respond.used, during.respond.breached) == (True, 50 * M, False)

    resumed, _ = apply(waiting, "resume", BEN, lon(*TUE, 10), MATRIX)
    after = clocks(resumed, MATRIX, lon(*TUE, 11))
    paused = CAL.elapsed(lon(*MON, 10), lon(*TUE, 10))
    assert (unpaused_due, after.resolve.due_at, paused) == (lon(*MON, 15, 30), lon(*TUE, 15, 30), 10 * H)
    assert CAL.elapsed(unpaused_due, after.resolve.due_at) == paused
    assert (after.resolve.used, after.resolve.paused) == (3 * H + 30 * M, False)
    assert after.respond.due_at == lon(*MON, 8, 30)  # the respond clock never pauses


# --- 24x7 ----------------------------------------------------------------------------------------


def test_p1_runs_round_the_clock_from_saturday_night():
    p1 = handoff(lon(*SAT, 2), priority="P1")
    state = clocks(p1, MATRIX, now=lon(*SAT, 2, 20))
    assert state.target == P1
    assert (state.respond.due_at, state.resolve.due_at) == (lon(*SAT, 2, 15), lon(*SAT, 6))
    assert (state.respond.used, state.respond.breached, state.respond.remaining) == (20 * M, True, -5 * M)
    assert (state.resolve.used, state.resolve.breached) == (20 * M, False)
    answered, _ = apply(p1, "acknowledge", SAM, lon(*SAT, 2, 10), MATRIX)
    assert attainment(answered, MATRIX, lon(*SAT, 3)) == Attainment(True, None, 10 * M, None)


# --- attainment ----------------------------------------------------------------------------------


def test_attainment_unknown_while_running_within_target():
    assert attainment(handoff(lon(*MON, 9)), MATRIX, lon(*MON, 9, 30)) == Attainment(None, None, None, None)


def test_attainment_false_as_soon_as_a_running_clock_breaches():
    assert attainment(handoff(lon(*MON, 9)), MATRIX, lon(*MON, 10, 1)) == Attainment(False, None, None, None)


def test_attainment_met_and_breached_with_business_time_taken():
    opened = handoff(lon(*MON, 9))
    acked, _ = apply(opened, "acknowledge", SAM, lon(*MON, 9, 45), MATRIX)
    met, _ = apply(acked, "resolve", SAM, lon(*MON, 16), MATRIX, "rule added")
    assert attainment(met, MATRIX, lon(*TUE, 9)) == Attainment(True, True, 45 * M, 7 * H)
    late, _ = apply(acked, "resolve", SAM, lon(*TUE, 8, 30), MATRIX)
    assert attainment(late, MATRIX, lon(*TUE, 9)) == Attainment(True, False, 45 * M, 9 * H + 30 * M)


def test_time_spent_waiting_is_not_counted_against_resolve():
    opened = handoff(
        lon(*MON, 9), responded_at=lon(*MON, 9, 5), status="waiting", assignee=SAM, pauses=(Pause(lon(*MON, 10)),)
    )
    done, _ = apply(opened, "resolve", SAM, lon(*TUE, 16), MATRIX)  # 17 business hours later, 16 of them waiting
    assert attainment(done, MATRIX, lon(*TUE, 17)) == Attainment(True, True, 5 * M, 1 * H)
    assert done.pauses == (Pause(lon(*MON, 10), lon(*TUE, 16)),)


def test_a_priority_without_a_target_is_not_measured():
    p4 = handoff(lon(*MON, 9), priority="P4")
    assert clocks(p4, MATRIX, lon(*TUE, 9)) is None
    assert attainment(p4, MATRIX, lon(*TUE, 9)) == Attainment(None, None, None, None)


# --- urgency -------------------------------------------------------------------------------------


def test_urgency_puts_breached_first_then_soonest_due():
    now = lon(*MON, 11)
    late_reply = handoff(lon(*MON, 9), summary="respond due 10:00, breached")
    p1_soon = handoff(lon(*MON, 10, 50), priority="P1", summary="respond due 11:05")
    p2_later = handoff(lon(*MON, 10, 30), summary="respond due 11:30")
    overdue_fix = handoff(
        lon(*FRI, 9),
        summary="resolve due Fri 17:00, breached",
        status="acknowledged",
        assignee=SAM,
        responded_at=lon(*FRI, 9, 10),
    )
    waiting = handoff(
        lon(*MON, 9),
        summary="paused: nothing due",
        status="waiting",
        assignee=SAM,
        responded_at=lon(*MON, 9, 5),
        pauses=(Pause(lon(*MON, 9, 30)),),
    )
    unmeasured = handoff(lon(*MON, 8), priority="P4", summary="no target")
    resolved = handoff(
        lon(*FRI, 8), summary="done", status="resolved", responded_at=lon(*FRI, 8, 5), resolved_at=lon(*FRI, 9)
    )
    expected = [overdue_fix, late_reply, p1_soon, p2_later, unmeasured, waiting, resolved]
    shuffled = [waiting, resolved, p2_later, unmeasured, late_reply, overdue_fix, p1_soon]
    ranked = sorted(shuffled, key=lambda h: urgency_key(h, MATRIX, now))
    assert [h.summary for h in ranked] == [h.summary for h in expected]
    assert urgency_key(p1_soon, MATRIX, now) == (False, True, False, lon(*MON, 11, 5), lon(*MON, 10, 50))
    assert urgency_key(late_reply, MATRIX, now)[:4] == (False, False, False, lon(*MON, 10))


def _cases(rng: random.Random) -> list[tuple[Handoff, datetime]]:
    """Handoffs of both calendars, respond clocks running or stopped, waits open and closed,
    each with an instant to list it at: through nights, weekends and the holidays."""
    cases = []
    for _ in range(300):
        opened = lon(2026, 12, 21, 7) + timedelta(minutes=rng.randrange(0, 60 * 24 * 9))
        h = handoff(opened, rng.choice(["P1", "P2", "P4"]))
        if rng.random() < 0.5:
            h = replace(h, responded_at=opened + timedelta(minutes=rng.randrange(1, 300)))
        if rng.random() < 0.4:
            start = opened + timedelta(minutes=rng.randrange(1, 600))
            end = start + timedelta(minutes=rng.randrange(1, 900)) if rng.random() < 0.6 else None
            h = replace(h, pauses=(Pause(start, end),))
        cases.append((h, opened + timedelta(seconds=rng.randrange(0, 3 * 24 * 3600))))
    return cases


def test_a_listed_clock_reads_the_same_until_the_instant_it_is_shown_to_hold_until():
    """`/tandem sla` is kept while every listed line holds: it must never hold too long."""
    rng = random.Random(7)
    kept = 0
    for h, now in _cases(rng):
        line, until = handoff_line(MATRIX, h, now), shown_until(h, MATRIX, now)
        end = until if until is not None else now + timedelta(days=30)
        if end <= now:
            continue
        kept += 1
        span = end - now
        probes = [now + span * rng.random() for _ in range(20)] + [end - timedelta(microseconds=1)]
        assert all(handoff_line(MATRIX, h, at) == line for at in probes), (h, now, until)
    assert kept > 200  # most instants are kept for a while: the probes above ran


def test_a_running_clock_is_shown_to_hold_until_its_next_whole_percent():
    h = handoff(lon(*TUE, 9), "P1")  # respond in 15 minutes, 24x7: 9 s a percent
    now = lon(*TUE, 9) + timedelta(seconds=20)  # 2 % used
    until = shown_until(h, MATRIX, now)
    assert until == lon(*TUE, 9) + timedelta(seconds=27) - MARGIN
    assert "(2% used)" in handoff_line(MATRIX, h, until) and "(3% used)" in handoff_line(MATRIX, h, until + MARGIN)


def test_a_business_hours_clock_holds_through_the_night_and_the_weekend():
    h = handoff(lon(*FRI, 17, 30))  # P2: respond in 1 business hour, 30 minutes used by 18:00 Friday
    assert shown_until(h, MATRIX, lon(*SAT, 12)) == lon(*MON, 8) + timedelta(seconds=36) - MARGIN


def test_a_clock_that_stopped_breached_or_waits_without_end_holds_for_as_long_as_the_handoff():
    opened = lon(*TUE, 9)
    assert shown_until(handoff(opened, "P4"), MATRIX, opened + H) is None  # no SLA
    assert shown_until(handoff(opened, "P1"), MATRIX, opened + H) is None  # respond breached at 09:15
    resolved = replace(handoff(opened), responded_at=opened + M, resolved_at=opened + H)
    assert shown_until(resolved, MATRIX, opened + 2 * H) is None
    waiting = replace(handoff(opened), responded_at=opened + M, pauses=(Pause(opened + 2 * M),))
    assert shown_until(waiting, MATRIX, opened + H) is None
    resumes = replace(waiting, pauses=(Pause(opened + 2 * M, opened + 3 * H),))
    assert shown_until(resumes, MATRIX, opened + H) == opened + 3 * H - MARGIN


def test_a_clock_used_up_at_closing_time_holds_until_business_time_runs_again():
    opened = lon(*TUE, 10)  # P2: resolve in 8 business hours, due at 18:00, all used overnight
    h = replace(handoff(opened), responded_at=opened + M)
    assert "(100% used)" in handoff_line(MATRIX, h, lon(*TUE, 22))
    until = shown_until(h, MATRIX, lon(*TUE, 22))
    assert until == lon(2026, 1, 14, 8) - MARGIN and "breached" in handoff_line(MATRIX, h, lon(2026, 1, 14, 8, 1))
