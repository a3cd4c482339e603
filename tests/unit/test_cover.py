"""Cover chains: who covers a person at an instant, and the loops a booking would close."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.ownership.cover import Absences, LeavePeriod, covering, find_loop

A, B, C, D = "U0ALICE01", "U0BEN0001", "U0CARA001", "U0DAN0001"


def day(d: int, h: int = 0) -> datetime:
    return datetime(2026, 12, d, h, tzinfo=UTC)


def leave(person: str, cover: str | None, start: int, end: int, id: int | None = None) -> LeavePeriod:
    return LeavePeriod(person, day(start), day(end), cover, id)


def test_covering_follows_the_chain_at_each_instant():
    booked = [leave(A, B, 1, 10), leave(B, C, 5, 8)]
    assert covering(A, day(2), booked) == B
    assert covering(A, day(6), booked) == C  # Ben is away too from the 5th: Cara
    assert covering(A, day(8), booked) == B  # Ben is back on the 8th
    assert covering(A, day(10), booked) == A  # Alice is back
    assert covering(D, day(6), booked) == D  # not away: herself


def test_a_chain_ends_with_nobody_when_its_last_link_is_away_without_cover():
    absences = Absences([leave(A, B, 1, 10), leave(B, None, 1, 10)], day(2))
    assert absences.stand_in(A) is None and absences.chain(A) == (B,)
    assert absences.reachable([A, B, C]) == (C,)


def test_a_booking_that_closes_a_loop_names_it():
    booked = [leave(B, C, 1, 10, id=1), leave(C, A, 3, 6, id=2)]
    assert find_loop(leave(A, B, 1, 10), booked) == (A, B, C)  # from the 3rd: A → B → C → A
    assert find_loop(leave(A, B, 6, 10), booked) is None  # Cara is back by then: no loop
    assert find_loop(leave(A, B, 1, 3), booked) is None  # ends before Cara goes
    assert find_loop(leave(A, C, 1, 10), booked) == (A, C)  # A → C → A, from the 3rd
    assert find_loop(leave(A, None, 1, 10), booked) is None  # no cover, no loop


def test_the_simplest_loop_and_a_loop_elsewhere():
    assert find_loop(leave(A, B, 1, 5), [leave(B, A, 2, 3)]) == (A, B)
    # Cara and Dan cover each other (a loop of their own, not this booking's): Alice by Cara is fine
    assert find_loop(leave(A, C, 1, 5), [leave(C, D, 1, 5), leave(D, C, 1, 5)]) is None


def test_a_booking_being_changed_is_not_checked_against_itself():
    old = leave(A, B, 1, 5, id=7)
    assert find_loop(leave(A, B, 1, 9, id=7), [old, leave(B, C, 1, 9)]) is None
