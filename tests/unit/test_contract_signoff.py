"""The matrix sign-off: which imports need confirming, one admin of each side, and every area's state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.contract.signoff import (
    EVERY_AREA,
    ChangeSet,
    Refused,
    area_signoffs,
    areas_subject,
    confirm,
    overdue,
    ownership_changed,
    signoff_gaps,
)
from bot.errors import plain
from bot.matrix.loader import load_text
from bot.ownership.duty import business_calendar
from tests.unit.test_contract_matrix import CONTRACT, LAW_FIRM

DANA, OMAR, LENA, RAJ = "U0DANA001", "U0OMAR001", "U0LENA001", "U0RAJ0001"  # internal admin, internal, provider admin
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def law_firm(text: str = LAW_FIRM):
    return load_text(text + CONTRACT, "law.yml")


MATRIX = law_firm()
AREAS = tuple(a.key for a in MATRIX.areas)


def change(at: datetime = MONDAY, areas: tuple[str, ...] = AREAS, number: int = 1) -> ChangeSet:
    return ChangeSet(number, "law", at, "cli", areas, (EVERY_AREA,))


def both(c: ChangeSet, at: datetime) -> ChangeSet:
    return confirm(confirm(c, DANA, at, MATRIX), LENA, at + timedelta(hours=1), MATRIX)


def test_a_first_import_needs_every_area_confirmed():
    assert ownership_changed(None, MATRIX) == AREAS


def test_only_a_change_to_who_owns_what_needs_confirming():
    first = MATRIX.areas[0]
    renamed = load_text(LAW_FIRM.replace(f"name: {first.name}", f"name: {first.name} and more") + CONTRACT)
    assert ownership_changed(MATRIX, renamed) == ()
    assert ownership_changed(MATRIX, MATRIX) == ()
    moved = replace(MATRIX, areas=(replace(first, escalation=(DANA,)), *MATRIX.areas[1:]))
    assert ownership_changed(MATRIX, moved) == (first.key,)


def test_one_admin_of_each_side_confirms_and_the_later_one_dates_it():
    once = confirm(change(), DANA, MONDAY, MATRIX)
    assert once.internal is not None and once.internal.by == DANA and once.confirmed_at is None
    twice = confirm(once, LENA, MONDAY + timedelta(days=1), MATRIX)
    assert twice.confirmed_at == MONDAY + timedelta(days=1)


@pytest.mark.parametrize("who", [OMAR, RAJ, "U0NOBODY1"])
def test_only_admins_confirm(who):
    with pytest.raises(Refused) as refused:
        confirm(change(), who, MONDAY, MATRIX)
    assert plain(refused.value.words).startswith(
        "Only an admin of each side confirms the matrix (@U0DANA001, @U0LENA001)"
    )


def test_a_side_confirms_once():
    once = confirm(change(), DANA, MONDAY, MATRIX)
    with pytest.raises(Refused, match="already confirmed this for"):
        confirm(once, DANA, MONDAY, MATRIX)


def test_an_area_shows_its_last_confirmation_by_both_sides():
    states = area_signoffs(MATRIX, [both(change(), MONDAY)], MONDAY + timedelta(days=2))
    state = states[AREAS[0]]
    assert state.confirmed_by == (DANA, LENA) and state.confirmed_at == MONDAY + timedelta(hours=1)
    assert state.waiting is None and not state.stale


def test_a_newer_change_waits_while_the_old_confirmation_still_shows():
    later = change(MONDAY + timedelta(days=7), (AREAS[0],), 2)
    states = area_signoffs(MATRIX, [both(change(), MONDAY), later], MONDAY + timedelta(days=8))
    assert states[AREAS[0]].waiting == later and states[AREAS[0]].confirmed_by == (DANA, LENA)
    assert states[AREAS[1]].waiting is None


def test_an_area_unconfirmed_past_the_review_interval_is_stale():
    confirmed = [both(change(), MONDAY)]
    assert not area_signoffs(MATRIX, confirmed, MONDAY + timedelta(days=89))[AREAS[0]].stale
    assert area_signoffs(MATRIX, confirmed, MONDAY + timedelta(days=91))[AREAS[0]].stale
    assert area_signoffs(MATRIX, [], MONDAY)[AREAS[0]].stale  # nobody ever confirmed it


def test_a_shorter_review_interval_makes_areas_stale_sooner():
    matrix = load_text(LAW_FIRM + CONTRACT + "  review: 30d\n", "law.yml")
    assert area_signoffs(matrix, [both(change(), MONDAY)], MONDAY + timedelta(days=31))[AREAS[0]].stale


def test_unconfirmed_for_three_working_days_counts_working_days_not_weekends_or_holidays():
    calendar = business_calendar(MATRIX)  # New York, 09:00–17:00 on weekdays, Thanksgiving off
    thanksgiving = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    waiting = change(thanksgiving)
    assert not overdue(waiting, calendar, datetime(2026, 12, 1, 21, 0, tzinfo=UTC))  # Fri, Mon, Tue 16:00
    assert overdue(waiting, calendar, datetime(2026, 12, 2, 15, 0, tzinfo=UTC))  # Wed 10:00: three days gone
    assert not overdue(both(waiting, thanksgiving), calendar, datetime(2026, 12, 9, tzinfo=UTC))


def test_the_gap_audit_names_overdue_changes_and_stale_areas():
    calendar = business_calendar(MATRIX)
    later = change(MONDAY + timedelta(days=1), (AREAS[0],), 2)
    now = MONDAY + timedelta(days=10)
    gaps = signoff_gaps(MATRIX, area_signoffs(MATRIX, [both(change(), MONDAY), later], now), calendar, now)
    assert [g.subject for g in gaps] == [f"matrix change #2 (area {AREAS[0]})"]
    assert "unconfirmed for over 3 working days (waiting for" in gaps[0].problem
    stale = signoff_gaps(MATRIX, area_signoffs(MATRIX, [], now), calendar, now)
    assert [g.problem for g in stale] == ["are stale: never confirmed by both sides"]
    assert stale[0].subject == f"areas {AREAS[0]} and {AREAS[1]}"


def test_one_waiting_change_of_many_areas_is_one_gap_naming_a_few_of_them():
    calendar = business_calendar(MATRIX)
    many = tuple(f"area-{n}" for n in range(12))
    now = MONDAY + timedelta(days=10)
    waiting = change(MONDAY, AREAS, 1)
    states = area_signoffs(MATRIX, [waiting], now)
    gaps = signoff_gaps(MATRIX, states, calendar, now)
    assert len(gaps) == 1 and "who owns them is unconfirmed" in gaps[0].problem
    assert areas_subject(list(many)) == "areas area-0, area-1, area-2, area-3, area-4 and 7 more"
    assert areas_subject(["pims", "xray"]) == "areas pims and xray"
