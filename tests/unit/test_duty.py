"""Who is on duty, and who is pinged when nobody is: hours, weekends, holidays, DST, leave and cover.

The example matrix (Harbour & Finch Architects and Red Kite IT), with the clock set for every point.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.handoffs.model import Handoff
from bot.ownership.cover import LeavePeriod
from bot.ownership.duty import ALL_AWAY, ASKER, NO_AFTER_HOURS, alerted, for_party, handoff_ping, on_duty, who_owns

LONDON = ZoneInfo("Europe/London")
ALICE, BEN, CARA = "U0ALICE01", "U0BEN0001", "U0CARA001"
PRIYA, SAM, TOM, NOC = "U0PRIYA01", "U0SAM0001", "U0TOM0001", "U0NOC0001"


def at(*args, tz=LONDON) -> datetime:
    return datetime(*args, tzinfo=tz)


NOVEMBER, DECEMBER_END = at(2026, 11, 1), at(2026, 12, 31)


def away(person: str, cover: str | None = None, start=NOVEMBER, end=DECEMBER_END) -> LeavePeriod:
    return LeavePeriod(person, start.astimezone(UTC), end.astimezone(UTC), cover)


def test_business_hours_edges(example_matrix):
    helpdesk = example_matrix.area("helpdesk")
    internal = (ALICE, BEN, CARA)
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 24, 7, 59)).people == (TOM, SAM)
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 24, 8, 0)).people == internal
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 24, 17, 59)).people == internal
    late = on_duty(example_matrix, helpdesk, at(2026, 11, 24, 18, 0))
    assert not late.in_hours and late.parties == ("provider.helpdesk",) and late.side == "provider"


def test_weekend_and_holiday_go_to_after_hours(example_matrix):
    helpdesk = example_matrix.area("helpdesk")
    assert on_duty(example_matrix, helpdesk, at(2026, 11, 28, 11, 0)).people == (TOM, SAM)  # Saturday
    christmas = on_duty(example_matrix, helpdesk, at(2026, 12, 25, 11, 0))  # a Friday
    assert not christmas.in_hours and christmas.closed == "holiday"
    assert on_duty(example_matrix, helpdesk, at(2026, 12, 28, 11, 0)).closed == "holiday"  # bank holiday Monday


def test_dst_change_keeps_local_hours(example_matrix):
    helpdesk = example_matrix.area("helpdesk")
    # Monday after clocks went back (2026-10-25): 08:00 local is 08:00 UTC, 07:30 UTC is still closed
    assert on_duty(example_matrix, helpdesk, datetime(2026, 10, 26, 7, 30, tzinfo=UTC)).in_hours is False
    assert on_duty(example_matrix, helpdesk, datetime(2026, 10, 26, 8, 0, tzinfo=UTC)).in_hours is True
    # Friday before (BST): 07:30 UTC is 08:30 local, open
    assert on_duty(example_matrix, helpdesk, datetime(2026, 10, 23, 7, 30, tzinfo=UTC)).in_hours is True


# --- nobody on duty: who is pinged instead -------------------------------------------------------


def test_saturday_night_with_nobody_after_hours_pings_the_escalation_contacts(example_matrix):
    hardware = example_matrix.area("onsite-hardware")  # internal in hours, nobody after hours, escalation Alice
    duty = on_duty(example_matrix, hardware, at(2026, 11, 28, 22, 0))
    assert duty.people == () and duty.reason == NO_AFTER_HOURS and duty.closed == "hours"
    assert duty.fallback is not None and duty.fallback.kind == "escalation" and duty.ping == (ALICE,)
    assert duty.next_open == at(2026, 11, 30, 8, 0).astimezone(UTC)


def test_a_holiday_with_no_escalation_contacts_pings_the_sides_admins(example_matrix):
    licensing = example_matrix.area("licensing")  # internal, no after hours, no escalation
    duty = on_duty(example_matrix, licensing, at(2026, 12, 25, 10, 0))
    assert duty.closed == "holiday" and duty.reason == NO_AFTER_HOURS
    assert duty.fallback is not None and (duty.fallback.kind, duty.fallback.side) == ("admins", "internal")
    assert duty.ping == (ALICE,)


def test_the_fallback_skips_people_away_and_never_pings_nobody(example_matrix):
    hardware = example_matrix.area("onsite-hardware")
    everyone = [away(ALICE), away(BEN), away(CARA)]
    duty = on_duty(example_matrix, hardware, at(2026, 11, 24, 10, 0), everyone)
    assert duty.in_hours and duty.people == () and duty.reason == ALL_AWAY
    assert [s.period.person for s in duty.away] == [ALICE, BEN, CARA]
    # escalation (Alice), the internal admins (Alice) and the accountable (Alice) are all away:
    assert duty.fallback is not None and duty.fallback.kind == "away" and duty.ping == (ALICE,)


def test_everyone_of_the_after_hours_group_away_falls_to_escalation(example_matrix):
    helpdesk = example_matrix.area("helpdesk")  # after hours: provider.helpdesk (Tom, Sam), escalation Priya
    duty = on_duty(example_matrix, helpdesk, at(2026, 11, 24, 21, 0), [away(TOM), away(SAM)])
    assert duty.reason == ALL_AWAY and duty.closed == "hours" and duty.ping == (PRIYA,)


def test_asked_across_the_gap_the_asking_sides_escalation_contact_is_passed_over(example_matrix):
    """On-site hardware is internal; here its only escalation contact is Priya of the provider.
    Sam (provider) reports a fault on Saturday night: Priya may not stop the internal side's
    clock, so the internal admins are paged. Ben (internal) asking pages Priya, who may act."""
    hardware = replace(example_matrix.area("onsite-hardware"), escalation=(PRIYA,), accountable=(PRIYA,))
    night = at(2026, 11, 28, 22, 0)
    across = on_duty(example_matrix, hardware, night, exclude=(SAM,), asker_side="provider")
    assert across.fallback is not None and (across.fallback.kind, across.fallback.side) == ("admins", "internal")
    assert across.ping == (ALICE,)
    same_side = on_duty(example_matrix, hardware, night, exclude=(BEN,), asker_side="internal")
    assert same_side.fallback is not None and same_side.fallback.kind == "escalation" and same_side.ping == (PRIYA,)
    admins_away = on_duty(example_matrix, hardware, night, [away(ALICE)], (SAM,), "provider")
    assert admins_away.fallback is not None and admins_away.fallback.kind == "away" and admins_away.ping == (ALICE,)


def test_escalation_contacts_away_are_reached_through_their_cover(example_matrix):
    hardware = example_matrix.area("onsite-hardware")
    duty = on_duty(example_matrix, hardware, at(2026, 11, 28, 22, 0), [away(ALICE, cover=BEN)])
    assert duty.fallback is not None and duty.fallback.kind == "escalation" and duty.ping == (BEN,)


def test_the_requester_is_not_pinged_about_their_own_handoff(example_matrix):
    hardware = example_matrix.area("onsite-hardware")
    duty = on_duty(example_matrix, hardware, at(2026, 11, 28, 22, 0), exclude=(ALICE,))
    assert duty.fallback is not None and duty.ping == (ALICE,) and duty.fallback.kind == "escalation"  # she is it
    helpdesk = on_duty(example_matrix, example_matrix.area("helpdesk"), at(2026, 11, 24, 10, 0), exclude=(BEN,))
    assert helpdesk.people == (ALICE, CARA)


def test_the_one_on_turn_asking_falls_to_escalation_and_says_why(example_matrix):
    """Sam is on the after-hours rota the week of 23 Nov and asks about the network himself."""
    network = example_matrix.area("network")
    duty = on_duty(example_matrix, network, at(2026, 11, 24, 21, 0), exclude=(SAM,))
    assert duty.reason == ASKER and duty.away == () and duty.ping == (PRIYA,)
    covering = on_duty(example_matrix, network, at(2026, 11, 24, 21, 0), [away(SAM, cover=TOM)], exclude=(TOM,))
    assert covering.reason == ASKER and covering.ping == (PRIYA,)  # Tom covers Sam, and Tom asks
    assert on_duty(example_matrix, network, at(2026, 11, 24, 21, 0), [away(SAM)], exclude=(TOM,)).reason == ALL_AWAY


def test_a_side_with_everyone_away_pings_its_admins_all_the_same(example_matrix):
    leave = [away(p) for p in (PRIYA, SAM, TOM, NOC)]
    duty = for_party(example_matrix, "provider", "provider", at(2026, 11, 24, 10, 0), leave, (ALICE,))
    assert duty.people == () and duty.fallback is not None and duty.fallback.kind == "away"
    assert duty.ping == (PRIYA,)


# --- cover chains -----------------------------------------------------------------------------


def test_leave_with_cover_substitutes_the_cover(example_matrix):
    vendors = example_matrix.area("vendors")  # responsible: Alice alone
    leave = [away(ALICE, cover=BEN, start=at(2026, 11, 23), end=at(2026, 11, 28))]
    duty = on_duty(example_matrix, vendors, at(2026, 11, 24, 10, 0), leave)
    assert duty.people == (BEN,) and duty.away[0].period.person == ALICE and duty.away[0].by == BEN
    back = on_duty(example_matrix, vendors, at(2026, 11, 30, 10, 0), leave)
    assert back.people == (ALICE,) and back.away == ()


def test_a_chain_of_three_reaches_the_first_person_who_is_in(example_matrix):
    strategy = example_matrix.area("strategy")  # responsible: Alice alone, no escalation
    leave = [away(ALICE, cover=BEN), away(BEN, cover=CARA)]
    answer = who_owns(example_matrix, strategy, at(2026, 11, 24, 10, 0), leave)
    assert answer.duty.people == (CARA,)
    [stand_in] = answer.duty.away
    assert stand_in.chain == (BEN, CARA) and stand_in.by == CARA


def test_a_chain_ending_with_someone_away_reaches_nobody_and_falls_back(example_matrix):
    strategy = example_matrix.area("strategy")
    leave = [away(ALICE, cover=BEN), away(BEN, cover=CARA), away(CARA)]
    duty = on_duty(example_matrix, strategy, at(2026, 11, 24, 10, 0), leave)
    assert duty.people == () and duty.away[0].chain == (BEN, CARA) and duty.away[0].by is None
    assert duty.fallback is not None and duty.fallback.kind == "away"  # the internal admin, Alice, is away


def test_a_loop_read_from_racing_bookings_reaches_nobody_rather_than_spinning(example_matrix):
    strategy = example_matrix.area("strategy")
    leave = [away(ALICE, cover=BEN), away(BEN, cover=ALICE)]
    duty = on_duty(example_matrix, strategy, at(2026, 11, 24, 10, 0), leave)
    assert duty.people == () and duty.away[0].chain == (BEN,) and duty.away[0].by is None


# --- P1 out of hours, SLA alerts, the owner answer ------------------------------------------------


def test_a_p1_outside_business_hours_pings_the_escalation_contacts_too(example_matrix):
    incident = example_matrix.area("incident-response")  # after hours: provider.soc; escalation Priya, Alice
    night = at(2026, 11, 28, 22, 0)
    duty = on_duty(example_matrix, incident, night, exclude=(BEN,))
    ping = handoff_ping(example_matrix, duty, incident, "P1", night, (), (BEN,))
    assert duty.people == (SAM, NOC) and ping.urgent == (PRIYA, ALICE)
    assert ping.people == (SAM, NOC, PRIYA, ALICE)
    assert handoff_ping(example_matrix, duty, incident, "P2", night, ()).urgent == ()
    day = at(2026, 11, 24, 10, 0)
    in_hours = handoff_ping(example_matrix, on_duty(example_matrix, incident, day), incident, "P1", day, ())
    assert in_hours.urgent == ()


def test_a_p1_to_a_group_out_of_hours_pings_that_sides_admins_as_escalation(example_matrix):
    night = at(2026, 12, 25, 3, 0)
    duty = for_party(example_matrix, "provider.helpdesk", "provider", night, (), (ALICE,))
    ping = handoff_ping(example_matrix, duty, None, "P1", night, (), (ALICE,))
    assert duty.people == (TOM, SAM) and ping.urgent == (PRIYA,)
    whole_side = for_party(example_matrix, "provider", "provider", night, (), (ALICE,))
    assert handoff_ping(example_matrix, whole_side, None, "P1", night, ()).urgent == ()  # Priya is pinged already


def _handoff(**changes) -> Handoff:
    base = Handoff(
        id=1,
        organisation="harbour-finch",
        kind="handoff",
        summary="Plotter offline",
        priority="P2",
        requester=BEN,
        requester_side="internal",
        target_side="provider",
        target="provider",
        opened_at=at(2026, 11, 24, 9, 0),
    )
    return replace(base, **changes)


def test_sla_alerts_ping_the_assignee_or_whoever_covers_them(example_matrix):
    now = at(2026, 11, 24, 10, 0)
    assert alerted(example_matrix, _handoff(assignee=SAM), now)[0] == (SAM,)
    assert alerted(example_matrix, _handoff(assignee=SAM), now, [away(SAM, cover=TOM)])[0] == (TOM,)
    people, escalation = alerted(example_matrix, _handoff(area="network", target="provider"), now)
    assert people == (PRIYA, SAM, TOM, NOC) and escalation == (PRIYA,)
    nobody_in = [away(p) for p in (PRIYA, SAM, TOM, NOC)]
    people, escalation = alerted(example_matrix, _handoff(assignee=SAM), now, nobody_in)
    assert people == (PRIYA,) and escalation == (PRIYA,)  # never an alert to nobody


def test_shared_area_pings_the_lead_and_answer_carries_sla(example_matrix):
    answer = who_owns(example_matrix, example_matrix.area("incident-response"), at(2026, 11, 24, 10, 0))
    assert answer.duty.parties == ("provider",)
    assert answer.priority == "P1" and answer.sla.respond.text == "15m" and answer.sla.clock == "24x7"
    assert who_owns(example_matrix, example_matrix.area("backups"), at(2026, 11, 24, 10, 0)).priority == "P3"
