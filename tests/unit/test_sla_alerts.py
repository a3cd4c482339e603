"""SLA warnings and breaches to the minute: thresholds, catch-up after downtime, pauses, resolution."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.alerts.sla import SlaAlert, due_alerts, next_alert_at, thresholds
from bot.handoffs.model import Handoff
from bot.matrix.model import SlaPolicy
from bot.sla.clock import Pause

LONDON = ZoneInfo("Europe/London")


def lon(d: int, h: int, mi: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, d, h, mi, tzinfo=LONDON)


def handoff(opened_at: datetime, priority: str = "P2", **changes) -> Handoff:
    base = Handoff(
        id=7,
        organisation="harbour-finch",
        kind="handoff",
        summary="Firewall rule for the VPN",
        priority=priority,
        requester="U0BEN0001",
        requester_side="internal",
        target_side="provider",
        target="provider",
        opened_at=opened_at,
    )
    return replace(base, **changes)


def stages(alerts: list[SlaAlert]) -> list[tuple[str, str]]:
    return [(a.clock, a.stage) for a in alerts]


# P2 on business hours (Mon-Fri 08:00-18:00 London): respond 1h, resolve 8h; opened Tue 24 Nov 09:00.
OPENED = lon(24, 9)


def test_the_thresholds_are_the_warnings_then_the_breach(example_matrix):
    assert thresholds(example_matrix) == (75, 90, 100)
    assert thresholds(replace(example_matrix, sla=replace(example_matrix.sla, warn_at=(90, 50, 100)))) == (50, 90, 100)


@pytest.mark.parametrize(
    "now, expected",
    [
        (lon(24, 9, 44), []),
        (lon(24, 9, 45), [("respond", "75")]),
        (lon(24, 9, 53), [("respond", "75")]),
        (lon(24, 9, 54), [("respond", "90")]),
        (lon(24, 10), [("respond", "breach")]),
        (lon(24, 14, 59), [("respond", "breach")]),
        (lon(24, 15), [("respond", "breach"), ("resolve", "75")]),  # 6h of 8h
        (lon(24, 16, 12), [("respond", "breach"), ("resolve", "90")]),  # 7h12m
        (lon(24, 17), [("respond", "breach"), ("resolve", "breach")]),
    ],
)
def test_a_p2_crosses_75_90_and_breach_on_both_clocks(example_matrix, now, expected):
    assert stages(due_alerts(handoff(OPENED), example_matrix, now)) == expected


def test_alert_keys_and_fields(example_matrix):
    warn, breach = due_alerts(handoff(OPENED), example_matrix, lon(24, 16, 12))
    assert warn == SlaAlert("sla:7:respond:breach", 7, "respond", "breach", 100, True)
    assert breach == SlaAlert("sla:7:resolve:90", 7, "resolve", "90", 90, False)


def test_next_alert_at_walks_every_threshold_in_order(example_matrix):
    h, seen, at = handoff(OPENED), [], OPENED
    while (at := next_alert_at(h, example_matrix, at)) is not None:
        seen.append(at)
    assert seen == [lon(24, 9, 45), lon(24, 9, 54), lon(24, 10), lon(24, 15), lon(24, 16, 12), lon(24, 17)]
    assert all(at.tzinfo is UTC for at in seen)


def test_thresholds_carry_over_the_night_and_the_christmas_holidays(example_matrix):
    h = handoff(lon(24, 17, 30, month=12))  # Thu 24 Dec, 30 business minutes before closing
    # Fri 25 and Mon 28 are holidays, so the 45th business minute is Tue 29 at 08:15.
    assert next_alert_at(h, example_matrix, lon(24, 17, 30, month=12)) == lon(29, 8, 15, month=12)
    assert due_alerts(h, example_matrix, lon(28, 12, month=12)) == []
    assert next_alert_at(h, example_matrix, lon(29, 8, 15, month=12)) == lon(29, 8, 24, month=12)
    assert next_alert_at(h, example_matrix, lon(29, 8, 24, month=12)) == lon(29, 8, 30, month=12)
    assert next_alert_at(h, example_matrix, lon(29, 8, 30, month=12)) == lon(29, 13, 30, month=12)  # resolve 75%: 6h
    assert stages(due_alerts(h, example_matrix, lon(29, 15, 30, month=12))) == [
        ("respond", "breach"),
        ("resolve", "breach"),
    ]


def test_missed_warnings_collapse_into_the_breach(example_matrix):
    """The scheduler was down from 09:30 to 10:30: the 75% and 90% warnings are gone, the breach remains."""
    assert stages(due_alerts(handoff(OPENED), example_matrix, lon(24, 10, 30))) == [("respond", "breach")]
    assert stages(due_alerts(handoff(OPENED), example_matrix, lon(25, 9))) == [
        ("respond", "breach"),
        ("resolve", "breach"),
    ]


def test_a_response_stops_the_respond_alerts(example_matrix):
    h = handoff(OPENED, status="acknowledged", responded_at=lon(24, 9, 50))
    assert stages(due_alerts(h, example_matrix, lon(24, 15, 30))) == [("resolve", "75")]
    assert next_alert_at(h, example_matrix, lon(24, 9, 50)) == lon(24, 15)


def test_a_paused_resolve_clock_alerts_nothing_and_schedules_nothing(example_matrix):
    h = handoff(OPENED, status="waiting", responded_at=lon(24, 9, 30), pauses=(Pause(lon(24, 15, 30)),))
    assert due_alerts(h, example_matrix, lon(24, 16, 30)) == []  # 75% was reached at 15:00, before the pause
    assert due_alerts(h, example_matrix, lon(30, 9)) == []
    assert next_alert_at(h, example_matrix, lon(24, 16, 30)) is None


def test_a_closed_pause_pushes_the_thresholds_back(example_matrix):
    h = handoff(OPENED, status="in_progress", responded_at=lon(24, 9, 30), pauses=(Pause(lon(24, 11), lon(24, 13)),))
    assert due_alerts(h, example_matrix, lon(24, 16, 59)) == []
    assert stages(due_alerts(h, example_matrix, lon(24, 17))) == [("resolve", "75")]
    assert next_alert_at(h, example_matrix, lon(24, 17)) == lon(25, 8, 12)  # 7h12m: 6h by 18:00, 1h12m next morning


def test_a_resolved_handoff_alerts_nothing(example_matrix):
    h = handoff(OPENED, status="resolved", responded_at=lon(24, 9, 30), resolved_at=lon(24, 9, 40))
    assert due_alerts(h, example_matrix, lon(30, 9)) == []
    assert next_alert_at(h, example_matrix, lon(24, 9, 40)) is None


def test_a_resolved_handoff_never_responded_to_alerts_nothing(example_matrix):
    h = handoff(OPENED, status="resolved", resolved_at=lon(24, 11))  # the clocks' own record
    assert due_alerts(h, example_matrix, lon(24, 12)) == []
    assert next_alert_at(h, example_matrix, lon(24, 11)) is None


def test_after_the_breach_nothing_more_fires(example_matrix):
    assert next_alert_at(handoff(OPENED), example_matrix, lon(24, 17)) is None


def test_a_priority_without_a_target_is_not_alerted(example_matrix):
    matrix = replace(example_matrix, sla=SlaPolicy(example_matrix.sla.targets[:2], default="P2"))
    assert due_alerts(handoff(OPENED, priority="P4"), matrix, lon(30, 9)) == []
    assert next_alert_at(handoff(OPENED, priority="P4"), matrix, OPENED) is None


def test_p1_counts_round_the_clock(example_matrix):
    """P1 is 24x7: respond 15m, resolve 4h, so a Saturday-night handoff warns on Saturday night."""
    h = handoff(lon(28, 23), priority="P1")
    assert next_alert_at(h, example_matrix, lon(28, 23)) == datetime(2026, 11, 28, 23, 11, 15, tzinfo=UTC)
    assert stages(due_alerts(h, example_matrix, lon(29, 2, 36))) == [("respond", "breach"), ("resolve", "90")]


def test_without_warnings_only_the_breach_fires(example_matrix):
    matrix = replace(example_matrix, sla=replace(example_matrix.sla, warn_at=()))
    assert next_alert_at(handoff(OPENED), matrix, OPENED) == lon(24, 10)
    assert stages(due_alerts(handoff(OPENED), matrix, lon(24, 9, 59))) == []


def test_an_unsaved_handoff_has_no_key_to_claim(example_matrix):
    with pytest.raises(ValueError, match="store the handoff"):
        due_alerts(handoff(OPENED, id=None), example_matrix, lon(24, 10))
