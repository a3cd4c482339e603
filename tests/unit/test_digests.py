"""Digests: when they fall due (working days, holidays, the clock change, catch-up) and what they count."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digests.content import DailyDigest, daily_digest, sparkline, weekly_digest
from bot.digests.timing import DigestOccurrence, due_digests, next_digest_at
from bot.handoffs.model import Handoff
from bot.matrix.audit import Gap
from bot.ownership.cover import LeavePeriod
from bot.reviews.cadence import ReviewStatus
from bot.sla.clock import Pause

LONDON = ZoneInfo("Europe/London")
M = timedelta(minutes=1)


def lon(mo: int, d: int, h: int = 0, mi: int = 0, y: int = 2026) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def daily(day: str, at: datetime) -> DigestOccurrence:
    return DigestOccurrence(f"digest:harbour-finch:daily:{day}", "daily", at)


def weekly(week: str, at: datetime) -> DigestOccurrence:
    return DigestOccurrence(f"digest:harbour-finch:weekly:{week}", "weekly", at)


# --- timing --------------------------------------------------------------------------------------


def test_the_next_digest_skips_weekends_and_the_christmas_holidays(example_matrix):
    assert next_digest_at(example_matrix, lon(12, 18, 9)) == lon(12, 21, 8, 30)  # Fri after 08:30 -> Mon
    assert next_digest_at(example_matrix, lon(12, 24, 8, 30)) == lon(12, 29, 8, 30)  # Fri 25 and Mon 28 are holidays
    assert next_digest_at(example_matrix, lon(12, 31, 8, 30)) == lon(1, 4, 8, 30, y=2027)  # Fri 1 Jan too
    assert next_digest_at(example_matrix, lon(12, 21, 8, 29)).tzinfo is UTC


def test_digest_time_stays_local_across_the_clock_change(example_matrix):
    assert next_digest_at(example_matrix, lon(10, 22, 9)) == datetime(2026, 10, 23, 7, 30, tzinfo=UTC)  # 08:30 BST
    assert next_digest_at(example_matrix, lon(10, 23, 9)) == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # 08:30 GMT


def test_a_monday_brings_the_daily_and_the_weekly(example_matrix):
    assert due_digests(example_matrix, lon(12, 21, 8, 30)) == [
        daily("2026-12-21", lon(12, 21, 8, 30)),
        weekly("2026-W52", lon(12, 21, 8, 30)),
    ]
    assert due_digests(example_matrix, lon(12, 22, 8, 30)) == [
        daily("2026-12-22", lon(12, 22, 8, 30)),
        weekly("2026-W52", lon(12, 21, 8, 30)),
    ]
    posted = frozenset({"digest:harbour-finch:weekly:2026-W52"})
    assert due_digests(example_matrix, lon(12, 22, 8, 30), posted) == [daily("2026-12-22", lon(12, 22, 8, 30))]


def test_the_weekly_digest_moves_to_tuesday_when_monday_is_a_holiday(example_matrix):
    posted = frozenset({"digest:harbour-finch:daily:2026-12-24", "digest:harbour-finch:weekly:2026-W52"})
    assert due_digests(example_matrix, lon(12, 28, 12), posted) == []  # Monday 28th is a holiday
    assert due_digests(example_matrix, lon(12, 29, 8, 30), posted) == [
        daily("2026-12-29", lon(12, 29, 8, 30)),
        weekly("2026-W53", lon(12, 29, 8, 30)),
    ]


def test_before_digest_time_the_previous_working_day_is_still_the_latest(example_matrix):
    """Monday's digest, not posted by Tuesday 07:00, is still the latest; by Tuesday 08:29 (in
    hours) Tuesday's own comes in a minute, so Monday's is not posted as well."""
    posted = frozenset({"digest:harbour-finch:weekly:2026-W48"})
    assert due_digests(example_matrix, lon(11, 23, 8, 45), posted) == [daily("2026-11-23", lon(11, 23, 8, 30))]
    assert due_digests(example_matrix, lon(11, 24, 8, 29), posted) == []
    assert due_digests(example_matrix, lon(11, 24, 8, 30), posted) == [daily("2026-11-24", lon(11, 24, 8, 30))]


def test_a_catch_up_waits_for_business_hours(example_matrix):
    """Back at 20:00 on Friday: nothing tonight or over the weekend; on Monday the morning's own
    digests, not Friday's as well."""
    posted = frozenset({"digest:harbour-finch:weekly:2026-W48"})
    assert due_digests(example_matrix, lon(11, 27, 8, 45), posted) == [daily("2026-11-27", lon(11, 27, 8, 30))]
    for closed in (lon(11, 27, 20), lon(11, 28, 12), lon(11, 30, 7, 59)):
        assert due_digests(example_matrix, closed, posted) == []
    assert next_digest_at(example_matrix, lon(11, 27, 20)) == lon(11, 30, 8)  # looked at again at opening
    assert due_digests(example_matrix, lon(11, 30, 8), posted) == []  # Monday's own come at 08:30
    assert due_digests(example_matrix, lon(11, 30, 8, 30), posted) == [
        daily("2026-11-30", lon(11, 30, 8, 30)),
        weekly("2026-W49", lon(11, 30, 8, 30)),
    ]


def test_a_missed_week_yields_one_daily_digest_the_latest(example_matrix):
    posted = frozenset({"digest:harbour-finch:daily:2026-11-13", "digest:harbour-finch:weekly:2026-W46"})
    assert due_digests(example_matrix, lon(11, 20, 14), posted) == [
        daily("2026-11-20", lon(11, 20, 8, 30)),
        weekly("2026-W47", lon(11, 16, 8, 30)),
    ]


def test_digests_older_than_a_week_are_never_posted(example_matrix):
    """Closed 3-30 August (holidays, so no business hours either): Friday 31 July's digest may still
    go out later that day, never in the closure, and Monday 31 August brings its own."""
    closed = replace(example_matrix, holidays=tuple(date(2026, 8, d) for d in range(3, 31)))
    weekly_posted = frozenset({"digest:harbour-finch:weekly:2026-W31"})
    assert due_digests(closed, lon(7, 31, 17), weekly_posted) == [daily("2026-07-31", lon(7, 31, 8, 30))]
    assert due_digests(closed, lon(8, 7, 8, 30)) == []
    assert due_digests(closed, lon(8, 20, 9)) == []
    assert next_digest_at(closed, lon(8, 20, 9)) == lon(8, 31, 8)  # opening, then 08:30


# --- content -------------------------------------------------------------------------------------


def handoff(n: int, opened_at: datetime, priority: str = "P2", target_side: str = "provider", **changes) -> Handoff:
    requester_side = "internal" if target_side == "provider" else "provider"
    base = Handoff(
        id=n,
        organisation="harbour-finch",
        kind="handoff",
        summary=f"Request {n}",
        priority=priority,
        requester="U0BEN0001" if requester_side == "internal" else "U0SAM0001",
        requester_side=requester_side,
        target_side=target_side,
        target=target_side,
        opened_at=opened_at,
    )
    return replace(base, **changes)


NOW = lon(11, 24, 8, 30)  # Tue 24 Nov 2026, digest time


def test_the_daily_digest_counts_open_handoffs_by_side_and_age_and_flags_breaches(example_matrix):
    breached = handoff(1, lon(11, 23, 9))  # P2 nobody answered: respond clock 10h30m into 1h
    close_call = handoff(2, lon(11, 23, 17, 40))  # P2 respond clock at 50 of 60 minutes
    fine = handoff(3, lon(11, 20, 10), "P3", responded_at=lon(11, 20, 10, 30))  # resolve 18h30m of 30h
    nearly = handoff(4, lon(11, 19, 9), "P3", "internal", responded_at=lon(11, 19, 9, 30))  # 29h30m of 30h
    waiting = handoff(
        5,
        lon(11, 10, 9),
        "P4",
        "internal",
        status="waiting",
        responded_at=lon(11, 10, 10),
        pauses=(Pause(lon(11, 10, 11)),),
    )  # paused at a small fraction, 14 days old
    weekend = handoff(6, lon(11, 22, 8), "P4", responded_at=lon(11, 23, 8, 30))  # opened on a Sunday: 2 days old
    done = handoff(7, lon(11, 23, 9), status="resolved", responded_at=lon(11, 23, 9, 5), resolved_at=lon(11, 23, 9, 10))
    digest = daily_digest(example_matrix, [fine, waiting, nearly, breached, close_call, weekend, done], [], [], [], NOW)
    assert digest.open_by_side == {"internal": 2, "provider": 4}
    assert digest.age_buckets == {"<1d": 2, "1-3d": 1, "3-7d": 2, ">7d": 1}
    assert digest.breached == [breached]
    assert digest.at_risk == [close_call, nearly]  # soonest due first: 08:40 today, then 09:00
    assert (digest.organisation, digest.now) == ("harbour-finch", NOW)


def test_the_daily_digest_splits_reviews_and_names_who_is_away_today(example_matrix):
    service, patch, restore = (
        example_matrix.review(k) for k in ("service-review", "patch-verification", "restore-test")
    )
    statuses = [
        ReviewStatus(restore, lon(10, 7, 10), "overdue"),
        ReviewStatus(service, lon(11, 24, 14), "due"),
        ReviewStatus(patch, lon(12, 1, 8, 29), "upcoming"),
        ReviewStatus(patch, lon(12, 10, 10), "upcoming"),
    ]
    on_leave = LeavePeriod("U0BEN0001", lon(11, 23), lon(11, 28), cover="U0CARA001")
    from_noon = LeavePeriod("U0SAM0001", lon(11, 24, 12), lon(11, 25))
    back = LeavePeriod("U0TOM0001", lon(11, 16), lon(11, 24))
    tomorrow = LeavePeriod("U0CARA001", lon(11, 25), lon(11, 26))
    gaps = [Gap("area vendors", "nobody leads", "set 'lead'")]
    digest = daily_digest(example_matrix, [], statuses, [tomorrow, from_noon, back, on_leave], gaps, NOW)
    assert digest == DailyDigest(
        "harbour-finch",
        NOW,
        {"internal": 0, "provider": 0},
        {"<1d": 0, "1-3d": 0, "3-7d": 0, ">7d": 0},
        [],
        [],
        statuses[1:3],
        statuses[:1],
        [on_leave, from_noon],
        gaps,
    )


def test_the_weekly_digest_reports_last_week_against_its_targets(example_matrix):
    met = handoff(1, lon(11, 17, 9), responded_at=lon(11, 17, 9, 30), resolved_at=lon(11, 17, 15), status="resolved")
    late = handoff(2, lon(11, 18, 9), responded_at=lon(11, 18, 10, 30), resolved_at=lon(11, 18, 12), status="resolved")
    internal = handoff(
        3,
        lon(11, 19, 9),
        "P3",
        "internal",
        responded_at=lon(11, 19, 10),
        resolved_at=lon(11, 20, 10),
        status="resolved",
    )
    earlier = handoff(
        4, lon(11, 10, 9), responded_at=lon(11, 10, 9, 10), resolved_at=lon(11, 10, 11), status="resolved"
    )
    still_open = handoff(5, lon(11, 20, 9), "P4", responded_at=lon(11, 20, 9, 20), status="acknowledged")
    this_week = handoff(
        6, lon(11, 23, 8), responded_at=lon(11, 23, 8, 5), resolved_at=lon(11, 23, 8, 20), status="resolved"
    )
    digest = weekly_digest(example_matrix, [met, late, internal, earlier, still_open, this_week], lon(11, 23, 8, 30))
    assert digest.week_start == date(2026, 11, 16)
    assert digest.attainment_by_side == {"internal": (1, 1), "provider": (1, 2)}
    assert digest.attainment_by_priority == {"P1": (0, 0), "P2": (1, 2), "P3": (1, 1), "P4": (0, 0)}
    assert digest.median_time_to_respond == 45 * M  # 30m, 1h30m, 1h and 20m (still open) responded last week
    assert digest.trend == [None] * 6 + [1.0, 2 / 3]
    assert digest.sparkline == "······█▆"


def test_open_breached_handoffs_count_against_the_week_they_breached(example_matrix):
    """24 open, breached internal handoffs are 24 misses, not a blank; each counts in one week only."""
    open_breached = [handoff(i, lon(11, 17, 9), "P2", "internal") for i in range(1, 25)]
    breached_then_resolved = handoff(
        25, lon(11, 18, 9), responded_at=lon(11, 18, 9, 10), resolved_at=lon(11, 24, 9), status="resolved"
    )  # P2 resolve: 8 business hours, breached on the 18th, resolved this week
    within_target = handoff(26, lon(11, 20, 17, 30), "P4", "internal")  # open, 1 business day, not due yet
    handoffs = [*open_breached, breached_then_resolved, within_target]
    digest = weekly_digest(example_matrix, handoffs, lon(11, 23, 8, 30))
    assert digest.attainment_by_side == {"internal": (0, 24), "provider": (0, 1)}
    assert digest.decided == 25 and digest.trend[-1] == 0.0 and digest.sparkline.endswith("▁")
    next_week = weekly_digest(example_matrix, handoffs, lon(11, 30, 8, 30))
    # the 24 and the one resolved on the 24th stay in the week they breached; the P4 breached on the 23rd
    assert next_week.attainment_by_side == {"internal": (0, 1), "provider": (0, 0)}


def test_the_weekly_digest_of_a_quiet_week(example_matrix):
    digest = weekly_digest(example_matrix, [], lon(12, 29, 8, 30))  # posted on Tuesday: Monday was a holiday
    assert digest.week_start == date(2026, 12, 21)
    assert digest.median_time_to_respond is None
    assert digest.trend == [None] * 8 and digest.sparkline == "·" * 8 and digest.decided == 0


def test_sparkline_uses_a_fixed_scale_from_empty_to_full():
    assert sparkline([0.0, 1 / 7, 0.5, 1.0, None, 1.3, -0.2]) == "▁▂▅█·█▁"
    assert sparkline([]) == ""
