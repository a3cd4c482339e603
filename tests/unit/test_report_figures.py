"""The service review's figures from a seeded history whose answers are worked out by hand.

The example matrix (Europe/London, business hours Mon–Fri 08:00–18:00, P2: respond 1h,
resolve 8h; P3: respond 4h, resolve 3d) and a handful of handoffs in November 2026 (and
October, for the comparison), each placed so its business time is easy to count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.contract.hours import HoursEntry
from bot.errors import TandemError
from bot.evidence import AuditRecord
from bot.handoffs.model import Handoff
from bot.ownership.cover import LeavePeriod
from bot.report.figures import service_review
from bot.report.history import History
from bot.report.period import ReviewPeriod, parse_period
from bot.reviews.cadence import Completed
from bot.sla.clock import Pause
from tests.conftest import EXAMPLE

LONDON = ZoneInfo("Europe/London")
ALICE, BEN, PRIYA, SAM, NOC = "U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001", "U0NOC0001"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
NOVEMBER = ReviewPeriod(date(2026, 11, 1), date(2026, 12, 1), "month")
H = timedelta(hours=1)


def lon(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def handoff(number: int, opened: datetime, **changes) -> Handoff:
    fields = {
        "summary": f"Request {number}",
        "priority": "P2",
        "requester": BEN,
        "requester_side": "internal",
        "target_side": "provider",
        "target": "provider",
        "area": "backups",
        "channel": "C0SHARED01",
        "ts": f"17{number:08d}.000100",
    }
    return Handoff(id=number, organisation="harbour-finch", kind="handoff", opened_at=opened, **{**fields, **changes})


HANDOFFS = (
    # November: met (30m to respond, 3h to resolve)
    handoff(1, lon(11, 2, 9), responded_at=lon(11, 2, 9, 30), resolved_at=lon(11, 2, 12), status="resolved"),
    # responded after 2h: breached (resolved in 4h)
    handoff(2, lon(11, 3, 9), responded_at=lon(11, 3, 11), resolved_at=lon(11, 3, 13), status="resolved"),
    # to the internal side, waiting 2h on the provider who asked: resolve clock 2h, met
    handoff(
        3,
        lon(11, 4, 10),
        requester=SAM,
        requester_side="provider",
        target_side="internal",
        target="internal",
        area="m365",
        responded_at=lon(11, 4, 10, 15),
        pauses=(Pause(lon(11, 4, 10, 30), lon(11, 4, 12, 30)),),
        resolved_at=lon(11, 4, 14),
        status="resolved",
    ),
    # P3 still open on 2 December: 3 business days are long gone, resolve breached
    handoff(4, lon(11, 5, 9), priority="P3", area="network", responded_at=lon(11, 5, 9, 30), status="in_progress"),
    # October: two met, one breached (10h to resolve against 8h)
    handoff(5, lon(10, 5, 9), responded_at=lon(10, 5, 9, 10), resolved_at=lon(10, 5, 10), status="resolved"),
    handoff(6, lon(10, 6, 9), responded_at=lon(10, 6, 9, 20), resolved_at=lon(10, 7, 10), status="resolved"),
    handoff(7, lon(10, 8, 9), responded_at=lon(10, 8, 9, 5), resolved_at=lon(10, 8, 11), status="resolved"),
    # September: outside both periods, never counted
    handoff(8, lon(9, 30, 9)),
)
HOURS = (
    HoursEntry(5, 5 * 60, SAM, lon(10, 15, 12)),  # October: 5h of 20h, 10h rolls over (the cap)
    HoursEntry(1, 20 * 60, SAM, lon(11, 10, 12)),
    HoursEntry(2, 15 * 60, SAM, lon(11, 20, 12)),  # November: 35h of 30h, 5h over at 95 GBP
)
CHANGE = AuditRecord(
    lon(11, 10, 9), ALICE, "matrix.import", "harbour-finch", {"changes": ["area backups: accountable changed"]}
)
SOC_AWAY = tuple(LeavePeriod(p, lon(12, 5, 0), lon(12, 6, 0)) for p in (SAM, NOC))  # Saturday 5 December


@pytest.fixture(scope="module")
def matrix():
    from bot.matrix.loader import load_file

    return load_file(EXAMPLE)


@pytest.fixture(scope="module")
def review(matrix):
    done = {
        ("patch-verification", lon(11, 12, 10)): Completed(lon(11, 12, 10), lon(11, 12, 15), SAM, "WSUS report"),
        ("service-review", lon(11, 24, 14)): Completed(lon(11, 24, 14), lon(11, 25, 9), PRIYA, "minutes"),
    }
    history = History(matrix, NOVEMBER, NOW, HANDOFFS, done, HOURS, (CHANGE,), SOC_AWAY)
    return service_review(history)


def test_attainment_overall_per_side_priority_and_month_against_october(review):
    figures = review.handoffs
    assert (figures.opened, figures.previous_opened) == (4, 3)
    assert (figures.overall.now.met, figures.overall.now.breached) == (2, 2)
    assert figures.overall.now.percent == 50
    assert round(figures.overall.before.percent) == 67
    sides = {row.key: (row.now.met, row.now.measured, row.before.met, row.before.measured) for row in figures.by_side}
    assert sides == {"provider": (1, 3, 2, 3), "internal": (1, 1, 0, 0)}
    priorities = {row.key: (row.now.met, row.now.measured) for row in figures.by_priority}
    assert priorities == {"P2": (2, 3), "P3": (0, 1)}
    assert [(label, rate.met, rate.measured) for label, rate in figures.by_month] == [("November 2026", 2, 4)]


def test_respond_and_resolve_medians_and_distributions(review):
    respond, resolve = review.handoffs.respond, review.handoffs.resolve
    assert (respond.count, respond.median) == (4, 30 * timedelta(minutes=1))  # 15m, 30m, 30m, 2h
    assert dict(respond.buckets) == {
        "under 15m": 1,
        "15m–1h": 2,
        "1–4h": 1,
        "4–8h": 0,
        "8–24h": 0,
        "1–3d": 0,
        "over 3d": 0,
    }
    assert (resolve.count, resolve.median) == (3, 3 * H)  # 2h, 3h, 4h; #4 is still open
    assert dict(resolve.buckets)["1–4h"] == 3


def test_handoffs_by_area_and_requesting_side(review):
    assert review.handoffs.by_area == (
        ("Backups", {"internal": 2, "provider": 0}),
        ("Microsoft 365 administration", {"internal": 0, "provider": 1}),
        ("Network and firewall", {"internal": 1, "provider": 0}),
    )


def test_time_waiting_on_each_side(review):
    waiting = {w.side: (w.as_target, w.as_requester, w.handoffs) for w in review.handoffs.waiting}
    # the provider held #1 3h, #2 4h and the still-open #4 from 5 Nov 09:00 to 2 Dec 09:00 (27 days),
    # and kept #3 waiting 2h as its requester; the internal side held #3 for the other 2h
    assert waiting["provider"] == (3 * H + 4 * H + 27 * 24 * H, 2 * H, 4)
    assert waiting["internal"] == (2 * H, timedelta(0), 4)


def test_breaches_name_the_clock_and_link_the_thread(review):
    breaches = [(b.handoff.id, b.clocks) for b in review.handoffs.breaches]
    assert breaches == [(2, ("respond",)), (4, ("resolve",))]
    assert review.handoffs.breaches[0].link == "https://slack.com/archives/C0SHARED01/p1700000002000100"
    assert replace(review.handoffs.breaches[0], handoff=replace(HANDOFFS[1], ts=None)).link is None


def test_reviews_on_time_and_late_with_their_control_and_evidence(review):
    cycles = [
        (c.review.key, c.state, c.review.reference, c.done.evidence if c.done else None) for c in review.reviews.cycles
    ]
    assert cycles == [
        ("patch-verification", "on time", "CIS Controls v8 7.3 / 7.4 (IG1)", "WSUS report"),
        ("service-review", "late", "common practice", "minutes"),
    ]


def test_reviews_missed_and_overdue_over_a_quarter(matrix):
    now = lon(1, 5, 9, year=2027)
    quarter = parse_period("2026-Q4", now.date())
    done = {("patch-verification", lon(10, 8, 10)): Completed(lon(10, 8, 10), lon(10, 7, 16), SAM, "early")}
    figures = service_review(History(matrix, quarter, now, (), done)).reviews
    states = {(c.review.key, c.due_at.astimezone(LONDON).date()): c.state for c in figures.cycles}
    assert states[("patch-verification", date(2026, 10, 8))] == "on time"  # done the day before
    assert states[("patch-verification", date(2026, 11, 12))] == "missed"  # December's has come since
    assert states[("service-review", date(2026, 12, 29))] == "overdue"  # still the one to do
    assert figures.counts["on time"] == 1 and figures.due == len(figures.cycles) == sum(figures.counts.values())


def test_hours_against_the_bank_with_rollover_and_overage(review):
    hours = review.hours
    assert hours.used == 35 * 60 and hours.by_month == (("November 2026", 35 * 60),)
    (november,) = hours.statements
    assert (november.bank, november.carried_in, november.used) == (20 * 60, 10 * 60, 35 * 60)
    assert november.overage == 5 * 60 and november.overage_cost.amount == Decimal("475.00")


def test_matrix_changes_gaps_and_stale_areas(review, matrix):
    state = review.state
    assert [(c.kind, c.actor, c.lines) for c in state.changes] == [
        ("matrix.import", ALICE, ("area backups: accountable changed",))
    ]
    assert state.gaps == ()  # the example matrix has none
    assert len(state.stale) == len(matrix.areas) and state.review_every == "90 days"  # nobody confirmed yet
    confirmed = {a.key: NOW - timedelta(days=10) for a in matrix.areas if a.key != "backups"}
    again = service_review(History(matrix, NOVEMBER, NOW, (), confirmed=confirmed)).state
    assert [s.area.key for s in again.stale] == ["backups"]


def test_coverage_outlook_finds_the_saturday_the_soc_is_away(review):
    windows = {(u.area.key, u.start, u.end, u.reason) for u in review.outlook}
    start, end = lon(12, 5, 0).astimezone(UTC), lon(12, 6, 0).astimezone(UTC)
    assert windows == {
        (key, start, end, "all_away")
        for key in ("endpoint-security", "security-monitoring", "after-hours-monitoring", "incident-response")
    }


def test_the_summary_gives_the_trend_and_the_one_thing_to_act_on(review):
    text = review.summary
    assert text.startswith(
        "In November 2026, 50% of the 4 handoffs measured met the SLA, down 17 points on October 2026 (67%)."
    )
    assert "Harbour & Finch IT met 100% of what was sent to it; Red Kite IT met 33% of what was sent to it." in text
    assert "2 handoffs breached." in text  # one in Backups, one in Network: no area stands out
    assert "1 of 2 reviews due were done on time (1 late)." in text
    assert "35h of 30h block hours were used, 5h over the bank." in text
    assert (
        "Act on: After-hours monitoring has nobody on duty from Sat 5 Dec 00:00 to Sun 6 Dec 00:00, as everyone on duty is on leave (3 more windows in the next four weeks)."
        in text
    )


def test_without_leave_the_action_is_the_overdue_review_then_the_hours(matrix):
    quiet = service_review(History(matrix, NOVEMBER, NOW, HANDOFFS, {}, HOURS))
    assert "Act on: the Monthly patch verification review due Thu 12 Nov 10:00 is overdue." in quiet.summary


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "November 2026"),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), "Q4 2026"),
        ("q1 2027", date(2027, 1, 1), date(2027, 4, 1), "Q1 2027"),
        ("2026-10-05..2026-10-18", date(2026, 10, 5), date(2026, 10, 19), "5 Oct 2026 to 18 Oct 2026"),
        ("", date(2026, 11, 1), date(2026, 12, 1), "November 2026"),
        ("this", date(2026, 12, 1), date(2027, 1, 1), "December 2026"),
    ],
)
def test_periods(text, start, end, label):
    period = parse_period(text, date(2026, 12, 2))
    assert (period.start, period.end, period.label) == (start, end, label)


def test_previous_periods_have_the_same_length():
    assert parse_period("2026-Q1", date(2026, 12, 2)).previous().label == "Q4 2025"
    ranged = parse_period("2026-10-05..2026-10-18", date(2026, 12, 2)).previous()
    assert (ranged.start, ranged.end) == (date(2026, 9, 21), date(2026, 10, 5))
    months = parse_period("2026-10-15..2026-12-10", date(2026, 12, 2)).months()
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 10, 15), date(2026, 11, 1)),
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2026, 12, 11)),
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-13", "has no month 13"),
        ("november", "is not a period I can read"),
        ("2026-12-01..2026-11-01", "ends before it starts"),
        ("2026-01-01..2027-06-01", "longer than a year"),
        ("1999-12", "before 2000"),
        ("2026-11-01..soon", "is not a range of dates"),
    ],
)
def test_bad_periods_get_a_sentence(text, words):
    with pytest.raises(TandemError, match=words):
        parse_period(text, date(2026, 12, 2))
